//! Bans: sessions end, no login and no posting until the ban ends or is lifted; logged.
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

async fn log_actions(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT action, detail FROM moderation_log WHERE target_kind = 'user' ORDER BY id",
    )
    .fetch_all(&app.sql)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_banned_user_is_signed_out_cannot_log_in_or_post_until_unbanned() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    let troll = app.user("troll").await;
    let topic = troll
        .create_topic("Before the ban", "body", &["test"])
        .await;
    let (_, second_session) = app.login("troll").await;
    let second_session = second_session.unwrap();

    let response = moderator
        .post_json(
            "/api/v1/users/troll/ban",
            &json!({ "days": 3, "reason": "spam links" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    // Every session ended.
    for session in [&troll, &second_session] {
        assert_eq!(
            session.get("/api/v1/me").await.status(),
            StatusCode::UNAUTHORIZED
        );
        let reply = session
            .post_json(
                &format!("/api/v1/topics/{topic}/replies"),
                &json!({ "body": "hi" }),
            )
            .await;
        assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'troll'")
            .await,
        0
    );
    // No new session either.
    let (status, _) = app.login("troll").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM posts").await, 1);

    let response = moderator
        .post_json("/api/v1/users/troll/unban", &json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (status, session) = app.login("troll").await;
    assert_eq!(status, StatusCode::OK);
    let reply = session
        .unwrap()
        .post_json(
            &format!("/api/v1/topics/{topic}/replies"),
            &json!({ "body": "sorry" }),
        )
        .await;
    assert_eq!(reply.status(), StatusCode::CREATED);

    assert_eq!(
        log_actions(&app).await,
        [
            ("ban".to_owned(), "3 days: spam links".to_owned()),
            ("unban".to_owned(), String::new())
        ]
    );
}

#[tokio::test]
async fn a_ban_that_has_run_out_lets_the_user_back_in() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    app.user("troll").await;
    moderator
        .post_json("/api/v1/users/troll/ban", &json!({ "days": 1 }))
        .await;
    assert_eq!(app.login("troll").await.0, StatusCode::FORBIDDEN);
    sqlx::query("UPDATE users SET banned_until = $1 WHERE username = 'troll'")
        .bind(chrono::Utc::now().timestamp() - 1)
        .execute(&app.sql)
        .await
        .unwrap();
    let (status, session) = app.login("troll").await;
    assert_eq!(status, StatusCode::OK);
    session
        .unwrap()
        .create_topic("Back again", "body", &["test"])
        .await;
}

#[tokio::test]
async fn moderators_ban_and_unban_from_the_profile_page() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    let troll = app.user("troll").await;

    let (_, page) = moderator.get_text("/u/troll").await;
    assert!(page.contains(r#"action="/u/troll/ban""#), "{page}");
    let response = moderator
        .submit("/u/troll/ban", &[("days", "7"), ("reason", "flame war")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = moderator.get_text("/u/troll").await;
    assert!(page.contains("Banned until"), "{page}");
    assert!(page.contains(r#"action="/u/troll/unban""#), "{page}");
    assert_eq!(
        troll.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );

    let response = moderator.submit("/u/troll/unban", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page) = moderator.get_text("/u/troll").await;
    assert!(!page.contains("Banned until"), "{page}");
    assert_eq!(app.login("troll").await.0, StatusCode::OK);
}

#[tokio::test]
async fn members_cannot_ban_and_nobody_can_ban_a_moderator() {
    let app = spawn_app().await;
    let admin = app.user("admin").await; // the first account is admin
    let member = app.user("member").await;
    let other = app.user("other").await;

    let response = member
        .post_json("/api/v1/users/other/ban", &json!({ "days": 3 }))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = member
        .submit("/u/other/ban", &[("days", "3"), ("reason", "")])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(other.get("/api/v1/me").await.status(), StatusCode::OK);
    let (_, page) = member.get_text("/u/other").await;
    assert!(!page.contains("/ban"), "{page}");

    let moderator = app.moderator("mod").await;
    let response = moderator
        .post_json("/api/v1/users/admin/ban", &json!({ "days": 3 }))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(admin.get("/api/v1/me").await.status(), StatusCode::OK);

    let response = moderator
        .post_json("/api/v1/users/other/ban", &json!({ "days": 0 }))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = moderator
        .post_json("/api/v1/users/nobody/ban", &json!({ "days": 3 }))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(log_actions(&app).await.is_empty());
}
