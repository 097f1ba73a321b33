//! The drafts and the preview in real Chromium (skipped without it, as `hardening::browser` is).
use super::{posts, topic_by};
use crate::hardening::webdriver::{Driver, find_program};
use crate::helpers::{PASSWORD, spawn_app};

/// Reads an element's text until it is not empty (the page fills it in after a request).
async fn text_when_filled(driver: &Driver, css: &str) -> String {
    for _ in 0..50 {
        let text = driver.find(css).await.text().await;
        if !text.trim().is_empty() {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} stayed empty");
}

#[tokio::test]
async fn in_chromium_a_reply_draft_survives_a_reload_previews_and_is_forgotten_once_posted() {
    let chromium = find_program(&["chromium", "chromium-browser"]);
    let chromedriver = find_program(&["chromedriver"]);
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        assert!(
            std::env::var_os("THREADWISE_E2E_REQUIRED").is_none(),
            "THREADWISE_E2E_REQUIRED is set but chromium or chromedriver is missing"
        );
        eprintln!("SKIPPED: no chromium and chromedriver for the drafts' browser test");
        return;
    };
    let app = spawn_app().await;
    let (_, topic) = topic_by(&app, "admin").await;
    let base = app.address.clone();
    let driver = Driver::start(&chromium, &chromedriver).await;
    driver.goto(&format!("{base}/register")).await;
    driver.find("#username").await.type_text("newcomer").await;
    driver
        .find("#email")
        .await
        .type_text("new@example.org")
        .await;
    driver.find("#password").await.type_text(PASSWORD).await;
    driver
        .find("form.narrow button[type=submit]")
        .await
        .click()
        .await;
    driver.find("header.site a[href='/u/newcomer']").await;

    // Typed, then the page is reloaded: the draft comes back, and the preview renders it.
    let page = format!("{base}/t/{topic}");
    driver.goto(&page).await;
    driver
        .find("#reply-body")
        .await
        .type_text("A **kept** draft")
        .await;
    driver.goto(&page).await;
    driver
        .find("form.reply button[data-preview]")
        .await
        .click()
        .await;
    assert_eq!(
        text_when_filled(&driver, "#preview .body strong").await,
        "kept"
    );
    assert_eq!(driver.current_url().await, page, "previewed in place");

    // Posted: the reply is on the page, and the draft is forgotten.
    driver
        .find("form.reply button[type=submit]:not([data-preview])")
        .await
        .click()
        .await;
    driver
        .find("section.post:not(:first-of-type) .body strong")
        .await;
    assert_eq!(posts(&app).await, 2);
    driver.goto(&page).await;
    driver
        .find("form.reply button[data-preview]")
        .await
        .click()
        .await;
    let empty = text_when_filled(&driver, "#preview .body").await;
    assert!(empty.contains("must not be empty"), "{empty}");
    let console = driver.console().await;
    assert!(
        !console
            .iter()
            .any(|m| m.contains("Content Security Policy")),
        "{console:?}"
    );
}
