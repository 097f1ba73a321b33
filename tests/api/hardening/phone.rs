//! A moderator on a phone (390 × 844 CSS pixels) in real headless Chromium: no list, topic page
//! or page of `/mod/*` is wider than the viewport, and a suggested tag is accepted on
//! `/mod/review` without scrolling sideways. Screenshots of both widths go to `target/e2e/`.
//! Skipped without Chromium, as `browser` is.
use super::chrome::{self, Chrome};
use crate::helpers::{PASSWORD, spawn_app};

/// The page's width beside the viewport's (CSS pixels), read in the browser.
/// The elements that stick out come third, to say what to fix.
async fn widths(driver: &Chrome) -> (f64, f64, String) {
    let measured = driver
        .execute(
            "const wide = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .slice(0, 5)
                .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().width));
             return [document.documentElement.scrollWidth, window.innerWidth, wide.join(' | ')];",
            vec![],
        )
        .await
        .expect("the script runs");
    let number = |i: usize| measured[i].as_f64().expect("a width");
    (
        number(0),
        number(1),
        measured[2].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn at_390_px_no_page_scrolls_sideways_and_a_moderator_accepts_a_suggestion() {
    let Some((chromium, chromedriver)) = chrome::programs_or_skip("the phone test") else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();
    let mona = app.moderator("mona").await;
    let alice = app.user("alice").await;
    // A long unbroken URL and a long word are what used to widen pages.
    let long_url = format!(
        "https://example.org/{}",
        "very-long-path-segment/".repeat(12)
    );
    let body = format!(
        "See {long_url} and `{}` for details.\n\n| a | b |\n|---|---|\n| {} | 2 |\n",
        "x".repeat(120),
        "y".repeat(90)
    );
    let topic = alice
        .create_topic("Parsing TOML on a phone", &body, &["rust", "toml"])
        .await;
    let untagged = alice
        .create_topic(
            "A question for a beginner",
            "How do I start?",
            &["beginners"],
        )
        .await;
    mona.reply(topic, &format!("Read {long_url} first.")).await;
    // As an import shows it: the original's long URL in the attribution line.
    sqlx::query("UPDATE topics SET source_url = $2, source_license = 'CC BY-SA 4.0' WHERE id = $1")
        .bind(topic)
        .bind(format!("{long_url}?answertab=votes#tab-top"))
        .execute(&app.sql)
        .await
        .unwrap();
    let (rust_id,): (i64,) = sqlx::query_as("SELECT id FROM tags WHERE name = 'rust'")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, created_at)
         VALUES ($1, $2, 'model', 'suggested', 0.42, 0)",
    )
    .bind(untagged)
    .bind(rust_id)
    .execute(&app.sql)
    .await
    .unwrap();

    let shots = chrome::screenshots_dir();
    let driver = Chrome::start(&chromium, &chromedriver).await;
    driver.goto(&format!("{base}/login")).await;
    driver.fill("#username", "mona").await;
    driver.fill("#password", PASSWORD).await;
    driver.click("form.narrow button[type=submit]").await;
    driver.find("header.site a[href='/u/mona']").await;

    let pages = [
        ("home", "/".to_owned()),
        ("topic", format!("/t/{topic}")),
        ("tags", "/tags".to_owned()),
        ("tag", "/tags/rust".to_owned()),
        ("search", "/search?q=toml".to_owned()),
        ("profile", "/u/alice".to_owned()),
        ("mod", "/mod".to_owned()),
        ("mod-response", "/mod/response".to_owned()),
        ("mod-tags", "/mod/tags".to_owned()),
        ("mod-content", "/mod/content".to_owned()),
        ("mod-people", "/mod/people".to_owned()),
        ("mod-flags", "/mod/flags".to_owned()),
        ("mod-log", "/mod/log".to_owned()),
        ("mod-model", "/mod/model".to_owned()),
        ("mod-review", "/mod/review".to_owned()),
    ];
    for (width, height) in [(1280, 900), (390, 844)] {
        driver
            .set_window_size(width, height)
            .await
            .expect("the window resizes");
        for (name, path) in &pages {
            driver.goto(&format!("{base}{path}")).await;
            driver.find("main").await;
            let (page, viewport, wide) = widths(&driver).await;
            assert!(viewport <= f64::from(width), "a {viewport} px viewport");
            assert!(
                page <= viewport,
                "{path} is {page} px wide in a {viewport} px viewport: {wide}"
            );
            driver
                .screenshot(&shots.join(format!("{name}-{width}.png")))
                .await;
        }
    }

    // Still at 390 px: the suggestion is accepted from the review queue.
    driver.goto(&format!("{base}/mod/review")).await;
    let button = format!("form[action='/t/{untagged}/tags/rust/accept'] button");
    let size = driver
        .find(&button)
        .await
        .rectangle()
        .await
        .expect("the button's box");
    assert!(
        size.2 >= 44.0 && size.3 >= 44.0,
        "a touch target of {size:?}"
    );
    driver.click(&button).await;
    driver.wait_for_source("Nothing to review.").await;
    let (status,): (String,) =
        sqlx::query_as("SELECT status FROM topic_tags WHERE topic_id = $1 AND tag_id = $2")
            .bind(untagged)
            .bind(rust_id)
            .fetch_one(&app.sql)
            .await
            .unwrap();
    assert_eq!(status, "active");
    let (page, viewport, wide) = widths(&driver).await;
    assert!(
        page <= viewport,
        "after accepting: {page} px in {viewport}: {wide}"
    );
    driver
        .screenshot(&shots.join("mod-review-accepted-390.png"))
        .await;
    driver.close().await;
}
