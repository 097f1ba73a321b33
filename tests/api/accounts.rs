use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, spawn_app};

#[tokio::test]
async fn the_first_account_becomes_admin_and_the_next_a_member() {
    let app = spawn_app().await;
    let first = app.user("alice").await;
    let second = app.user("bob").await;

    let me: Value = first.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["role"], "admin");
    let me: Value = second.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["role"], "member");
}

#[tokio::test]
async fn registering_through_the_form_signs_in() {
    let app = spawn_app().await;
    let browser = app.browser();
    let token = browser.form_token("/register").await;

    let response = browser
        .post_form(
            "/register",
            &[
                ("csrf_token", &token),
                ("username", "carol"),
                ("email", "c@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, home) = browser.get_text("/").await;
    assert!(home.contains("Log out"), "{home}");
}
