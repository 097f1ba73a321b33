//! A new member's walk through the forms: nothing typed is lost (a stale token, the rate limit, a
//! session that ended), login returns to where one was, the Markdown preview, and the feedback of
//! flags, bans and moderated profiles.
mod chromium;
mod feedback;
mod kept;
mod preview;

use scraper::{Html, Selector};

use crate::helpers::{Browser, PASSWORD, TestApp};

/// The text of the `<textarea name=…>` of a page.
pub fn textarea(html: &str, name: &str) -> Option<String> {
    let selector = Selector::parse(&format!(r#"textarea[name="{name}"]"#)).expect("a selector");
    Html::parse_document(html)
        .select(&selector)
        .next()
        .map(|t| t.text().collect())
}

/// The value of the `<input name=…>` of the first form that has one.
pub fn input(html: &str, name: &str) -> Option<String> {
    let selector = Selector::parse(&format!(r#"input[name="{name}"]"#)).expect("a selector");
    Html::parse_document(html)
        .select(&selector)
        .next()
        .and_then(|i| i.value().attr("value").map(str::to_owned))
}

/// The hidden `<input>`s of the form posting to `action`, as a browser would send them.
pub fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let document = Html::parse_document(html);
    let form = Selector::parse(&format!(r#"form[action="{action}"]"#)).expect("a selector");
    let inputs = Selector::parse(r#"input[name][type="hidden"]"#).expect("a selector");
    let form = document.select(&form).next().expect("the form");
    form.select(&inputs)
        .map(|i| {
            let value = i.value();
            let name = value.attr("name").unwrap_or_default().to_owned();
            (name, value.attr("value").unwrap_or_default().to_owned())
        })
        .collect()
}

pub async fn posts(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM posts").await
}

pub async fn topic_by(app: &TestApp, author: &str) -> (Browser, i64) {
    let browser = app.user(author).await;
    let topic = browser
        .create_topic("A topic to answer", "The opening post.", &["test"])
        .await;
    (browser, topic)
}

/// Logs `username` in through the HTML form with `back`.
pub async fn form_login(browser: &Browser, username: &str, back: &str) -> reqwest::Response {
    let token = browser.form_token("/login").await;
    browser
        .post_form(
            "/login",
            &[
                ("csrf_token", &token),
                ("username", username),
                ("password", PASSWORD),
                ("back", back),
            ],
        )
        .await
}
