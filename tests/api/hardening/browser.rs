//! End to end in real headless Chromium (Debian's `chromium` + `chromium-driver`): register, log
//! in, post a topic with a code block, see it rendered and listed, reply, vote, search, see the
//! reply in the header's bell and accept it as the answer, and open the moderators' dashboard
//! with its charts. Screenshots go to `target/e2e/`.
//!
//! Without Chromium and chromedriver the test says so and passes, so `cargo test` works anywhere;
//! `.ci/run` installs both and sets `THREADWISE_E2E_REQUIRED=1`, which turns their absence into a
//! failure.
use fantoccini::key::Key;

use super::chrome::{self, Chrome};
use crate::helpers::{PASSWORD, spawn_app};

const TITLE: &str = "Parsing TOML config files in Rust";

async fn register(driver: &Chrome, base: &str, username: &str) {
    driver.goto(&format!("{base}/register")).await;
    driver.fill("#username", username).await;
    driver
        .fill("#email", &format!("{username}@example.org"))
        .await;
    driver.fill("#password", PASSWORD).await;
    driver.click("form.narrow button[type=submit]").await;
    signed_in_as(driver, username).await;
}

async fn log_in(driver: &Chrome, base: &str, username: &str) {
    driver.goto(&format!("{base}/login")).await;
    driver.fill("#username", username).await;
    driver.fill("#password", PASSWORD).await;
    driver.click("form.narrow button[type=submit]").await;
    signed_in_as(driver, username).await;
}

async fn log_out(driver: &Chrome) {
    driver.click("form[action='/logout'] button").await;
    driver.find("a[href='/login']").await;
}

async fn signed_in_as(driver: &Chrome, username: &str) {
    assert_eq!(
        driver
            .text(&format!("header.site a[href='/u/{username}']"))
            .await,
        username
    );
}

#[tokio::test]
async fn a_member_posts_replies_votes_and_searches_and_the_admin_sees_the_charts_in_chromium() {
    let Some((chromium, chromedriver)) = chrome::programs_or_skip("the browser test") else {
        return;
    };
    let app = spawn_app().await;
    let base = app.address.clone();
    let shots = chrome::screenshots_dir();
    let driver = Chrome::start(&chromium, &chromedriver).await;

    // The first account is the admin; it signs up, out, and in again.
    register(&driver, &base, "admin").await;
    log_out(&driver).await;
    log_in(&driver, &base, "admin").await;

    // A topic with a fenced code block, rendered as highlighted-ready <pre><code>.
    driver.goto(&format!("{base}/new")).await;
    driver.fill("#title", TITLE).await;
    driver.fill("#body",
        "How do I read a TOML file?\n\n```rust\nlet config: Config = toml::from_str(&text)?;\n```\n",
    )
    .await;
    driver.fill("#tags", "rust, toml").await;
    driver.click("#compose button[type=submit]").await;
    let code = driver.text("section.post .body pre code").await;
    assert!(code.contains("toml::from_str"), "{code}");
    let topic_url = driver.current_url().await;
    assert!(topic_url.contains("/t/"), "{topic_url}");
    assert_eq!(driver.text("h1").await, TITLE);
    driver.screenshot(&shots.join("topic.png")).await;

    // Listed on the home page.
    driver.goto(&base).await;
    assert_eq!(driver.text("main a[href^='/t/']").await, TITLE);
    driver.screenshot(&shots.join("home.png")).await;

    // A second member replies and upvotes the question.
    log_out(&driver).await;
    register(&driver, &base, "bob").await;
    driver.goto(&topic_url).await;
    driver
        .fill(
            "#reply-body",
            "Use `toml::from_str` with a `#[derive(Deserialize)]` struct.",
        )
        .await;
    driver.click("form.reply button[type=submit]").await;
    driver.find("section.post:nth-of-type(2) .body code").await;
    assert!(driver.source().await.contains("derive(Deserialize)"));
    driver.click("section.post .vote.up").await;
    // The vote reloads the page: wait for the voted state before reading the score, or the score
    // element found may be the old page's.
    assert!(driver.text("section.post .vote.up.on").await.contains('▲'));
    assert_eq!(driver.text("section.post .score").await, "1");
    driver.screenshot(&shots.join("reply-and-vote.png")).await;

    // Search from the header box.
    driver.goto(&base).await;
    driver
        .fill(
            "header.site input[name=q]",
            &format!("TOML{}", char::from(Key::Enter)),
        )
        .await;
    assert_eq!(driver.text("ol.hits li a").await, TITLE);
    driver.screenshot(&shots.join("search.png")).await;

    // The admin, who asked, hears of bob's reply in the header's bell and accepts it.
    log_out(&driver).await;
    log_in(&driver, &base, "admin").await;
    assert_eq!(driver.text("header.site a.bell .count").await, "1");
    driver.goto(&topic_url).await;
    driver.click("section.post form.accept button").await;
    let mark = driver
        .text("section.post.accepted:nth-of-type(2) .accepted-mark")
        .await;
    assert!(mark.contains("Accepted answer"), "{mark}");
    assert!(driver.source().await.contains("Unaccept"));
    driver.screenshot(&shots.join("accepted.png")).await;

    // The admin's dashboard draws its charts (inline SVG).
    driver.goto(&format!("{base}/mod")).await;
    driver.find("figure.chart svg").await;
    assert!(driver.source().await.contains("<svg"));
    driver.screenshot(&shots.join("mod.png")).await;

    // Nothing on these pages tripped the Content-Security-Policy.
    let console = driver.console().await;
    let violations: Vec<_> = console
        .iter()
        .filter(|m| m.contains("Content Security Policy") || m.contains("Refused to"))
        .collect();
    assert!(violations.is_empty(), "{violations:#?}");
    driver.close().await;
}
