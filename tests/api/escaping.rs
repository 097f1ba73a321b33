use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, spawn_app};

const SCRIPT: &str = "<script>alert(1)</script>";

#[tokio::test]
async fn a_script_in_a_body_title_tag_or_username_never_comes_back_unescaped() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let id = alice
        .create_topic(
            &format!("Title {SCRIPT}"),
            &format!("Body {SCRIPT} scripted"),
            &["rust"],
        )
        .await;
    alice
        .post_json(
            &format!("/api/v1/topics/{id}/replies"),
            &json!({ "body": format!("reply {SCRIPT}") }),
        )
        .await;

    // A tag name and a username with a script are refused; the refusal page must escape them too.
    let bad_tag = alice
        .submit(
            "/new",
            &[("title", "Another topic"), ("body", "b"), ("tags", SCRIPT)],
        )
        .await;
    assert_eq!(bad_tag.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad_tag_html = bad_tag.text().await.unwrap();
    let browser = app.browser();
    let token = browser.form_token("/register").await;
    let bad_user = browser
        .post_form(
            "/register",
            &[
                ("csrf_token", &token),
                ("username", SCRIPT),
                ("email", "x@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(bad_user.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad_user_html = bad_user.text().await.unwrap();

    let mut pages = vec![bad_tag_html, bad_user_html];
    for path in [
        "/".to_owned(),
        "/latest".into(),
        "/top".into(),
        format!("/t/{id}"),
        "/tags".into(),
        "/tags/rust".into(),
        "/search?q=scripted".into(),
        format!("/search?q={}", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
        "/u/alice".into(),
        format!("/tags/{}", "%3Cscript%3E"),
    ] {
        pages.push(alice.get_text(&path).await.1);
    }
    for html in &pages {
        assert!(
            !html.contains("<script>alert"),
            "unescaped script in:\n{html}"
        );
    }
    assert!(
        pages[5].contains("&lt;script&gt;"),
        "the topic page shows the text escaped"
    );
}
