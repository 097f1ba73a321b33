//! Security headers on every kind of response, `Secure` cookies behind TLS, payload limits, and
//! logins that answer the same whether or not the username exists.
use reqwest::{Response, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, spawn_app, spawn_app_with};

fn assert_secure_headers(response: &Response, what: &str) {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .unwrap_or_else(|| panic!("{what}: no {name} header"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let csp = header("content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("script-src 'self';"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("referrer-policy"), "same-origin", "{what}");
    assert_eq!(header("x-frame-options"), "DENY", "{what}");
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let app = spawn_app_with(|s| s.limits.registrations_per_hour = 1).await;
    let alice = app.user("alice").await;
    let topic = alice
        .create_topic("Headers everywhere", "body", &["test"])
        .await;
    let anonymous = app.browser();

    for path in [
        "/".to_owned(),
        format!("/t/{topic}"),
        "/api/v1/topics".to_owned(),
        "/static/style.css".to_owned(),
        "/no/such/page".to_owned(),
        "/api/v1/no/such/thing".to_owned(),
        "/new".to_owned(), // a redirect to /login
    ] {
        let response = anonymous.get(&path).await;
        assert_secure_headers(&response, &path);
    }
    // A signed-in page and an error raised before any handler runs (429 from the limits).
    assert_secure_headers(&alice.get("/").await, "signed-in /");
    let limited = anonymous
        .post_json(
            "/api/v1/auth/register",
            &json!({ "username": "bob", "email": "bob@example.org", "password": PASSWORD }),
        )
        .await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_secure_headers(&limited, "429");
}

#[tokio::test]
async fn pages_have_no_inline_script_or_style_for_the_csp_to_block() {
    let app = spawn_app().await;
    let admin = app.user("admin").await;
    let topic = admin
        .create_topic("Inline check", "```rust\nfn main() {}\n```", &["rust"])
        .await;
    for path in [
        "/".to_owned(),
        format!("/t/{topic}"),
        "/mod".to_owned(),
        "/u/admin".to_owned(),
    ] {
        let (status, html) = admin.get_text(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let document = scraper::Html::parse_document(&html);
        let inline_scripts = scraper::Selector::parse("script:not([src])").unwrap();
        let styled = scraper::Selector::parse("style, [style]").unwrap();
        assert_eq!(document.select(&inline_scripts).count(), 0, "{path}");
        assert_eq!(document.select(&styled).count(), 0, "{path}");
        assert!(!html.contains(" onclick="), "{path}");
    }
}

#[tokio::test]
async fn session_cookies_are_secure_when_configured() {
    let app = spawn_app_with(|s| s.secure_cookies = true).await;
    let response = app
        .browser()
        .post_json(
            "/api/v1/auth/register",
            &json!({ "username": "alice", "email": "alice@example.org", "password": PASSWORD }),
        )
        .await;
    let cookie = response
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[tokio::test]
async fn oversized_json_and_forms_get_413() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let huge = "x".repeat(300 * 1024);
    let json = alice
        .post_json("/api/v1/topics", &json!({ "title": "big", "body": huge }))
        .await;
    assert_eq!(json.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let form = alice
        .submit(
            "/new",
            &[("title", "big"), ("body", &huge), ("tags", "test")],
        )
        .await;
    assert_eq!(form.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 0);
}

#[tokio::test]
async fn a_login_for_an_unknown_user_answers_exactly_like_a_wrong_password() {
    let app = spawn_app().await;
    app.user("alice").await;
    let attempt = |username: &'static str| {
        let browser = app.browser();
        async move {
            let response = browser
                .post_json(
                    "/api/v1/auth/login",
                    &json!({ "username": username, "password": "wrong password" }),
                )
                .await;
            (response.status(), response.text().await.unwrap())
        }
    };
    let unknown = attempt("nobody").await;
    let wrong = attempt("alice").await;
    assert_eq!(unknown.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown, wrong);
}
