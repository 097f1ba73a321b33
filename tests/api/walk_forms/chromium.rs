//! The drafts and the preview in real Chromium (skipped without it, as `hardening::browser` is).
use crate::hardening::chrome::{self, Chrome};
use crate::helpers::{PASSWORD, spawn_app};

use super::{posts, topic_by};

/// Reads an element's text until it is not empty (the page fills it in after a request).
async fn text_when_filled(driver: &Chrome, css: &str) -> String {
    for _ in 0..50 {
        let text = driver.find(css).await.text().await.expect("the text");
        if !text.trim().is_empty() {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} stayed empty");
}

#[tokio::test]
async fn in_chromium_a_reply_draft_survives_a_reload_previews_and_is_forgotten_once_posted() {
    let Some((chromium, chromedriver)) = chrome::programs_or_skip("the drafts' browser test")
    else {
        return;
    };
    let app = spawn_app().await;
    let (_, topic) = topic_by(&app, "admin").await;
    let base = app.address.clone();
    let driver = Chrome::start(&chromium, &chromedriver).await;
    driver.goto(&format!("{base}/register")).await;
    driver.fill("#username", "newcomer").await;
    driver.fill("#email", "new@example.org").await;
    driver.fill("#password", PASSWORD).await;
    driver.click("form.narrow button[type=submit]").await;
    driver.find("header.site a[href='/u/newcomer']").await;

    // Typed, then the page is reloaded: the draft comes back, and the preview renders it in
    // place (through the API, not the form's fallback).
    let page = format!("{base}/t/{topic}");
    driver.goto(&page).await;
    driver.fill("#reply-body", "A **kept** draft").await;
    driver.goto(&page).await;
    assert_eq!(driver.value("#reply-body").await, "A **kept** draft");
    driver.click("form.reply button[data-preview]").await;
    assert_eq!(
        text_when_filled(&driver, "#preview .body strong").await,
        "kept"
    );
    assert_eq!(driver.current_url().await, page, "previewed in place");

    // Posted: the reply is on the page, and the draft is forgotten.
    driver
        .click("form.reply button[type=submit]:not([data-preview])")
        .await;
    driver
        .find("section.post:not(:first-of-type) .body strong")
        .await;
    assert_eq!(posts(&app).await, 2);
    driver.goto(&page).await;
    assert_eq!(driver.value("#reply-body").await, "");
    driver.click("form.reply button[data-preview]").await;
    let empty = text_when_filled(&driver, "#preview .body").await;
    assert!(empty.contains("must not be empty"), "{empty}");
    let console = driver.console().await;
    assert!(
        !console
            .iter()
            .any(|m| m.contains("Content Security Policy")),
        "{console:?}"
    );
    driver.close().await;
}

#[tokio::test]
async fn a_new_member_previews_loses_the_session_logs_in_and_posts_the_kept_text() {
    let Some((chromium, chromedriver)) = chrome::programs_or_skip("the new member's browser walk")
    else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();
    let shots = chrome::screenshots_dir();
    let driver = Chrome::start(&chromium, &chromedriver).await;
    driver.goto(&format!("{base}/register")).await;
    driver.fill("#username", "newcomer").await;
    driver.fill("#email", "new@example.org").await;
    driver.fill("#password", PASSWORD).await;
    driver.click("form.narrow button[type=submit]").await;
    driver.find("header.site a[href='/u/newcomer']").await;

    // Composes, with a preview of the Markdown.
    let title = "How do I parse TOML with serde?";
    let body = "I tried **toml::from_str** and got an error.";
    driver.goto(&format!("{base}/new")).await;
    driver.fill("#title", title).await;
    driver.fill("#body", body).await;
    driver.fill("#tags", "rust, toml").await;
    driver.click("#compose button[data-preview]").await;
    assert_eq!(
        text_when_filled(&driver, "#preview .body strong").await,
        "toml::from_str"
    );
    driver.screenshot(&shots.join("walk-preview.png")).await;

    // The session ends while the member writes: its row is gone and the browser dropped the
    // expired cookie (the server's in-memory session cache would otherwise see another
    // process's delete only within a second). Submitting leads to the login page, which carries
    // the text.
    sqlx::query("DELETE FROM sessions")
        .execute(&app.sql)
        .await
        .unwrap();
    driver
        .delete_cookie("tw_session")
        .await
        .expect("the cookie is dropped");
    driver
        .click("#compose button[type=submit]:not([data-preview])")
        .await;
    driver.find("form.narrow #password").await;
    assert!(driver.source().await.contains("Log in"), "the login page");
    driver
        .screenshot(&shots.join("walk-session-ended.png"))
        .await;
    let topics = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM topics")
            .fetch_one(&app.sql)
            .await
            .unwrap();
        n
    };
    assert_eq!(topics().await, 0, "nothing is posted without the member");

    // Logging in brings the form back filled in; the member posts it.
    if driver.value("#username").await.is_empty() {
        driver.fill("#username", "newcomer").await;
    }
    driver.fill("#password", PASSWORD).await;
    driver.click("form.narrow button[type=submit]").await;
    driver.find("#compose").await;
    assert_eq!(driver.value("#title").await, title);
    assert_eq!(driver.value("#body").await, body);
    assert_eq!(topics().await, 0, "logging in posts nothing");
    driver.screenshot(&shots.join("walk-text-kept.png")).await;
    driver
        .click("#compose button[type=submit]:not([data-preview])")
        .await;
    // The body's <strong> is only on the new topic's page; the compose page has an h1 too.
    assert_eq!(
        driver.text("section.post .body strong").await,
        "toml::from_str"
    );
    assert_eq!(driver.text("h1").await, title);
    assert_eq!(topics().await, 1);
    driver.screenshot(&shots.join("walk-posted.png")).await;
    driver.close().await;
}
