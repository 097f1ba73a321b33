//! The anonymous page cache: fresh after every write, never shared with signed-in members, and
//! cached topic pages still count their views.
use reqwest::StatusCode;

use crate::helpers::{TestApp, spawn_app_with};

async fn cached_app() -> TestApp {
    spawn_app_with(|s| s.page_cache_secs = 60).await
}

#[tokio::test]
async fn an_anonymous_reader_sees_a_new_topic_right_after_it_is_posted() {
    let app = cached_app().await;
    let alice = app.user("alice").await;
    let reader = app.browser();
    alice.create_topic("First topic", "body", &["test"]).await;
    for path in ["/", "/api/v1/topics"] {
        let (_, before) = reader.get_text(path).await;
        assert!(before.contains("First topic"));
    }

    let id = alice.create_topic("Second topic", "body", &["test"]).await;

    for path in ["/", "/api/v1/topics"] {
        let (status, after) = reader.get_text(path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(after.contains("Second topic"), "{path} is stale");
    }
    // A reply shows on the cached topic page at once, too.
    let (_, page) = reader.get_text(&format!("/t/{id}")).await;
    assert!(!page.contains("a fresh reply"));
    alice
        .post_json(
            &format!("/api/v1/topics/{id}/replies"),
            &serde_json::json!({ "body": "a fresh reply" }),
        )
        .await;
    let (_, page) = reader.get_text(&format!("/t/{id}")).await;
    assert!(page.contains("a fresh reply"));
}

#[tokio::test]
async fn members_never_get_the_anonymous_copy() {
    let app = cached_app().await;
    let alice = app.user("alice").await;
    let id = alice.create_topic("A topic", "body", &["test"]).await;
    let (_, anonymous) = app.browser().get_text(&format!("/t/{id}")).await;
    assert!(anonymous.contains("Log in"));

    let (_, signed_in) = alice.get_text(&format!("/t/{id}")).await;
    assert!(
        signed_in.contains(&alice.csrf),
        "the page has the member's CSRF token"
    );
    assert!(!signed_in.contains(">Log in<"));
}

#[tokio::test]
async fn cached_pages_keep_their_headers_and_count_their_views() {
    let app = cached_app().await;
    let alice = app.user("alice").await;
    let id = alice.create_topic("Counted", "body", &["test"]).await;
    let reader = app.browser();
    for _ in 0..3 {
        let response = reader.get(&format!("/t/{id}")).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "text/html; charset=utf-8"
        );
        assert!(response.headers().contains_key("content-security-policy"));
    }
    threadwise::jobs::ranks::run_once(&app.pool, &app.state.views)
        .await
        .unwrap();
    let (views,): (i64,) = sqlx::query_as("SELECT view_count FROM topics WHERE id = $1")
        .bind(id)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(views, 3);
}
