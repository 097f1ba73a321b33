//! The Markdown preview: `POST /api/v1/preview` and the forms' Preview button without JavaScript.
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{input, posts, textarea, topic_by};
use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn the_preview_renders_markdown_like_a_post_and_needs_a_session_and_the_token() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let body = json!({ "body": "Some **bold** text\n\n<script>alert(1)</script>" });

    let response = alice.post_json("/api/v1/preview", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html: Value = response.json().await.unwrap();
    let html = html["html"].as_str().expect("html");
    assert!(html.contains("<strong>bold</strong>"), "{html}");
    assert!(!html.contains("<script"), "{html}");

    let no_token = alice
        .client
        .post(alice.url("/api/v1/preview"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    let anonymous = app.browser().post_json("/api/v1/preview", &body).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(posts(&app).await, 0);
}

#[tokio::test]
async fn the_preview_refuses_what_posting_refuses() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;

    let absurd = "x".repeat(300 * 1024);
    let response = alice
        .post_json("/api/v1/preview", &json!({ "body": absurd }))
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let over = "x".repeat(64 * 1024 + 1);
    let response = alice
        .post_json("/api/v1/preview", &json!({ "body": over }))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let nested = format!("{}deep", "> ".repeat(5_000));
    let response = alice
        .post_json("/api/v1/preview", &json!({ "body": nested }))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let blank = alice
        .post_json("/api/v1/preview", &json!({ "body": " " }))
        .await;
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn previews_are_rate_limited_per_account() {
    let app = spawn_app_with(|s| s.limits.previews_per_minute = 3).await;
    app.user("admin").await; // the first account is the admin, whom limits trust
    let alice = app.user("alice").await;
    let body = json!({ "body": "draft" });
    for _ in 0..3 {
        let response = alice.post_json("/api/v1/preview", &body).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let response = alice.post_json("/api/v1/preview", &body).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    // Another member has their own budget.
    let bob = app.user("bob").await;
    assert_eq!(
        bob.post_json("/api/v1/preview", &body).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_preview_button_without_javascript_shows_the_form_with_the_preview_and_posts_nothing() {
    let app = spawn_app().await;
    let (_, topic) = topic_by(&app, "author").await;
    let alice = app.user("alice").await;
    let before = posts(&app).await;

    let response = alice
        .submit(
            "/new/preview",
            &[("title", "T"), ("body", "A *draft* topic"), ("tags", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("<em>draft</em>"), "{html}");
    assert_eq!(textarea(&html, "body").as_deref(), Some("A *draft* topic"));
    assert_eq!(input(&html, "title").as_deref(), Some("T"));

    let response = alice
        .submit(
            &format!("/t/{topic}/reply/preview"),
            &[("body", "A **reply**")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    assert!(html.contains("<strong>reply</strong>"), "{html}");
    assert_eq!(textarea(&html, "body").as_deref(), Some("A **reply**"));
    assert_eq!(posts(&app).await, before);
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 1);
}
