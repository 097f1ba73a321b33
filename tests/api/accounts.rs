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

#[tokio::test]
async fn a_duplicate_username_is_refused_case_insensitively_and_nothing_is_stored() {
    let app = spawn_app().await;
    app.user("alice").await;

    let response = app
        .browser()
        .post_json(
            "/api/v1/auth/register",
            &json!({ "username": "ALICE", "email": "other@example.org", "password": PASSWORD }),
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid");
    assert!(body["error"]["fields"]["username"].is_string(), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn a_duplicate_email_is_refused() {
    let app = spawn_app().await;
    app.user("alice").await;

    let response = app
        .browser()
        .post_json(
            "/api/v1/auth/register",
            &json!({ "username": "alice2", "email": "ALICE@example.org", "password": PASSWORD }),
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["fields"]["email"].is_string(), "{body}");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn weak_and_common_passwords_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    for password in ["short", "password123", "1234567890"] {
        let response = app
            .browser()
            .post_json(
                "/api/v1/auth/register",
                &json!({ "username": "dave", "email": "d@example.org", "password": password }),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        let body: Value = response.json().await.unwrap();
        assert!(body["error"]["fields"]["password"].is_string(), "{body}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn the_register_form_is_re_shown_with_messages_and_input_kept() {
    let app = spawn_app().await;
    let browser = app.browser();
    let token = browser.form_token("/register").await;

    let response = browser
        .post_form(
            "/register",
            &[
                ("csrf_token", &token),
                ("username", "x"),
                ("email", "kept@example.org"),
                ("password", "short"),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("kept@example.org"), "{html}");
    assert!(html.contains("must be 3 to 32 characters"), "{html}");
    assert!(html.contains("at least 10 characters"), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn a_form_post_without_its_csrf_token_is_forbidden() {
    let app = spawn_app().await;
    let browser = app.browser();
    browser.form_token("/register").await; // sets the CSRF cookie, but we do not send the field

    let response = browser
        .post_form(
            "/register",
            &[
                ("username", "eve"),
                ("email", "e@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

#[tokio::test]
async fn logging_in_with_a_wrong_password_fails_the_same_as_an_unknown_user() {
    let app = spawn_app().await;
    app.user("alice").await;

    let wrong = app
        .browser()
        .post_json(
            "/api/v1/auth/login",
            &json!({ "username": "alice", "password": "not the password" }),
        )
        .await;
    let unknown = app
        .browser()
        .post_json(
            "/api/v1/auth/login",
            &json!({ "username": "nobody", "password": "not the password" }),
        )
        .await;

    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong: Value = wrong.json().await.unwrap();
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(wrong, unknown);
}

#[tokio::test]
async fn login_rotates_the_session_and_logout_ends_it() {
    let app = spawn_app().await;
    let mut browser = app.user("alice").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);

    let response = browser
        .post_json(
            "/api/v1/auth/login",
            &json!({ "username": "Alice", "password": PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let body: Value = response.json().await.unwrap();
    browser.csrf = body["csrf_token"].as_str().unwrap().to_owned();
    // The registration session was replaced, not added to.
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
    let stored: (String,) = sqlx::query_as("SELECT token_hash FROM sessions")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert!(
        !cookie.contains(&stored.0),
        "the cookie must not be the stored hash"
    );

    let response = browser.post_json("/api/v1/auth/logout", &json!({})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(
        browser.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_login_form_signs_in_and_rejects_bad_credentials_with_the_name_kept() {
    let app = spawn_app().await;
    app.user("alice").await;
    let browser = app.browser();
    let token = browser.form_token("/login").await;

    let bad = browser
        .post_form(
            "/login",
            &[
                ("csrf_token", &token),
                ("username", "alice"),
                ("password", "nope nope nope"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(
        html.contains("wrong username or password") && html.contains("value=\"alice\""),
        "{html}"
    );

    let good = browser
        .post_form(
            "/login",
            &[
                ("csrf_token", &token),
                ("username", "alice"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(good.status(), StatusCode::SEE_OTHER);
    let (_, home) = browser.get_text("/").await;
    assert!(home.contains("Log out"));
}

#[tokio::test]
async fn the_cli_creates_users_and_changes_roles() {
    let app = spawn_app().await;
    let database = app.database_url.clone();
    let bin = env!("CARGO_BIN_EXE_threadwise");

    let created = std::process::Command::new(bin)
        .args([
            "--database",
            &database,
            "user",
            "create",
            "--username",
            "root",
            "--email",
            "r@example.org",
            "--role",
            "admin",
        ])
        .env("THREADWISE_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let demoted = std::process::Command::new(bin)
        .args([
            "--database",
            &database,
            "user",
            "set-role",
            "--username",
            "root",
            "--role",
            "moderator",
        ])
        .output()
        .unwrap();
    assert!(
        demoted.status.success(),
        "{}",
        String::from_utf8_lossy(&demoted.stderr)
    );
    let missing = std::process::Command::new(bin)
        .args([
            "--database",
            &database,
            "user",
            "set-role",
            "--username",
            "ghost",
            "--role",
            "admin",
        ])
        .output()
        .unwrap();
    assert!(!missing.status.success());

    let (role,): (String,) = sqlx::query_as("SELECT role FROM users WHERE username = 'root'")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(role, "moderator");
    let browser = app.browser();
    let response = browser
        .post_json(
            "/api/v1/auth/login",
            &json!({ "username": "root", "password": PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn after_an_import_the_first_account_that_can_log_in_becomes_admin() {
    let app = spawn_app().await;
    sqlx::query(
        "INSERT INTO users (username, email, password_hash, created_at)
         VALUES ('imported', 'imported@example.org', NULL, 0)",
    )
    .execute(&app.sql)
    .await
    .unwrap();

    let first = app.user("alice").await;
    let second = app.user("bob").await;

    let me: Value = first.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["role"], "admin");
    let me: Value = second.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["user"]["role"], "member");
}
