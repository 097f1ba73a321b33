//! Each limit: the requests up to it pass, the next one gets 429 with `Retry-After`.
use reqwest::{Response, StatusCode};
use serde_json::json;
use threadwise::web::limits::LimitSettings;

use crate::helpers::{PASSWORD, TestApp, spawn_app_with};

/// An app with every limit off but those `set` switches on.
async fn app_with(set: impl FnOnce(&mut LimitSettings)) -> TestApp {
    spawn_app_with(|s| {
        s.limits = LimitSettings::off();
        set(&mut s.limits);
    })
    .await
}

fn assert_limited(response: &Response) -> u64 {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!(retry_after >= 1);
    retry_after
}

async fn api_login(app: &TestApp, username: &str) -> Response {
    app.browser()
        .post_json(
            "/api/v1/auth/login",
            &json!({ "username": username, "password": "not the password" }),
        )
        .await
}

#[tokio::test]
async fn the_seventh_login_attempt_in_a_minute_from_one_address_gets_429() {
    let app = app_with(|l| l.login_per_minute = 6).await;
    for i in 0..6 {
        let response = api_login(&app, &format!("user{i}")).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {i}"
        );
    }
    let response = api_login(&app, "someone").await;
    // 6 per minute: the next attempt is allowed at most 10 s after the first six (less by however
    // long those six took: each is an argon2 verification, slow on a loaded machine).
    let retry_after = assert_limited(&response);
    assert!((1..=10).contains(&retry_after), "Retry-After {retry_after}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
}

#[tokio::test]
async fn failed_logins_from_one_address_are_limited_and_the_form_keeps_the_username() {
    let app = app_with(|l| l.login_failures_per_hour = 2).await;
    let browser = app.browser();
    api_login(&app, "a").await;
    api_login(&app, "b").await;
    let token = browser.form_token("/login").await;
    let response = browser
        .post_form(
            "/login",
            &[
                ("csrf_token", &token),
                ("username", "carol"),
                ("password", "x"),
            ],
        )
        .await;
    let retry_after = assert_limited(&response);
    let html = response.text().await.unwrap();
    assert!(html.contains("too many requests; try again in"), "{html}");
    assert!(
        html.contains(&format!("{} minutes", retry_after.div_ceil(60))),
        "{html}"
    );
    assert!(
        html.contains(r#"value="carol""#),
        "the form keeps the username: {html}"
    );
}

/// A login for `username` that seems to come from `address` (the app trusts 127.0.0.1 as a
/// proxy, so `X-Forwarded-For` names the client).
async fn login_from(app: &TestApp, address: &str, username: &str, password: &str) -> Response {
    let browser = app.browser();
    browser
        .client
        .post(browser.url("/api/v1/auth/login"))
        .header("X-Forwarded-For", address)
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .expect("POST login")
}

async fn behind_a_proxy_with_default_login_limits() -> TestApp {
    spawn_app_with(|s| {
        let defaults = LimitSettings::default();
        s.limits = LimitSettings::off();
        s.limits.login_per_minute = defaults.login_per_minute;
        s.limits.login_failures_per_hour = defaults.login_failures_per_hour;
        s.limits.login_failures_per_account_per_address =
            defaults.login_failures_per_account_per_address;
        s.limits.login_failures_per_username_per_hour =
            defaults.login_failures_per_username_per_hour;
        s.trusted_proxies = vec!["127.0.0.1".parse().expect("a proxy address")];
    })
    .await
}

#[tokio::test]
async fn a_victim_logs_in_while_attackers_keep_failing_for_the_same_username() {
    let app = behind_a_proxy_with_default_login_limits().await;
    app.user("alice").await;
    // The admin: the first account. Attackers go for it too.
    let attackers: Vec<String> = (1..=20).map(|n| format!("203.0.113.{n}")).collect();
    for round in 0..3 {
        for address in &attackers {
            let response = login_from(&app, address, "Alice", "guess").await;
            let status = response.status();
            assert!(
                status == StatusCode::UNPROCESSABLE_ENTITY
                    || status == StatusCode::TOO_MANY_REQUESTS,
                "round {round}: {status}"
            );
        }
    }
    // The attackers are refused now: each failed for alice, and alice's budget is spent.
    assert_limited(&login_from(&app, &attackers[0], "alice", "guess").await);
    assert_limited(&login_from(&app, &attackers[0], "alice", PASSWORD).await);
    // alice, from an address that never failed, gets in with her password; twice.
    for _ in 0..2 {
        let response = login_from(&app, "198.51.100.7", "alice", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);
        let attacker = login_from(&app, &attackers[1], "alice", "guess").await;
        assert_limited(&attacker);
    }
}

#[tokio::test]
async fn one_address_gets_five_failures_per_username_then_waits() {
    let app = behind_a_proxy_with_default_login_limits().await;
    app.user("bob").await;
    for _ in 0..5 {
        let response = login_from(&app, "203.0.113.9", "bob", "guess").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_limited(&login_from(&app, "203.0.113.9", "bob", PASSWORD).await);
    // Another username from the same address is judged on its own.
    let other = login_from(&app, "203.0.113.9", "carol", "guess").await;
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_fourth_account_in_an_hour_from_one_address_gets_429() {
    let app = app_with(|l| {
        l.registrations_per_hour = 3;
        l.registration_attempts_per_hour = 20;
    })
    .await;
    for name in ["ann", "ben", "cat"] {
        app.user(name).await;
    }
    let response = app
        .browser()
        .post_json(
            "/api/v1/auth/register",
            &json!({ "username": "dan", "email": "dan@example.org", "password": PASSWORD }),
        )
        .await;
    // 3 an hour: the next one is allowed at most 20 minutes after the first three (less by the
    // time their password hashing took).
    let retry_after = assert_limited(&response);
    assert!(
        (1100..=1200).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 3);
}

#[tokio::test]
async fn refused_registrations_do_not_use_up_the_accounts_of_an_address() {
    let app = app_with(|l| {
        l.registrations_per_hour = 3;
        l.registration_attempts_per_hour = 20;
    })
    .await;
    let browser = app.browser();
    // A weak password, then a taken username (alice registers first), then a good form.
    app.user("alice").await;
    let token = browser.form_token("/register").await;
    for (username, password) in [("newbie", "short"), ("alice", PASSWORD)] {
        let response = browser
            .post_form(
                "/register",
                &[
                    ("csrf_token", &token),
                    ("username", username),
                    ("email", "newbie@example.org"),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let response = browser
        .post_form(
            "/register",
            &[
                ("csrf_token", &token),
                ("username", "newbie"),
                ("email", "newbie@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the third try signs up"
    );
    app.user("third").await;
    // Three accounts made: the next form is refused with 429 and keeps what was typed.
    let again = app.browser();
    let token = again.form_token("/register").await;
    let response = again
        .post_form(
            "/register",
            &[
                ("csrf_token", &token),
                ("username", "fourth"),
                ("email", "fourth@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_limited(&response);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"value="fourth""#), "{html}");
    assert!(html.contains(r#"value="fourth@example.org""#), "{html}");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 3);
}

async fn make_old(app: &TestApp, username: &str) {
    sqlx::query("UPDATE users SET created_at = created_at - 2 * 86400 WHERE username = $1")
        .bind(username)
        .execute(&app.sql)
        .await
        .unwrap();
}

async fn post_topic(browser: &crate::helpers::Browser, n: usize) -> Response {
    browser
        .post_json(
            "/api/v1/topics",
            &json!({ "title": format!("Topic number {n}"), "body": "Some body text", "tags": ["test"] }),
        )
        .await
}

#[tokio::test]
async fn new_accounts_may_open_fewer_topics_than_older_ones() {
    let app = app_with(|l| {
        l.topics_per_hour = 3;
        l.new_account_topics_per_hour = 1;
    })
    .await;
    app.user("admin").await; // the first account is admin, and moderators are not limited
    let newcomer = app.user("newcomer").await;
    let regular = app.user("regular").await;
    make_old(&app, "regular").await;

    assert_eq!(post_topic(&newcomer, 0).await.status(), StatusCode::CREATED);
    assert_limited(&post_topic(&newcomer, 1).await);
    for n in 0..3 {
        assert_eq!(post_topic(&regular, n).await.status(), StatusCode::CREATED);
    }
    assert_limited(&post_topic(&regular, 3).await);
    // The HTML form shares the counter.
    let form = regular
        .submit(
            "/new",
            &[
                ("title", "One more topic"),
                ("body", "text"),
                ("tags", "test"),
            ],
        )
        .await;
    assert_limited(&form);
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 4);
}

#[tokio::test]
async fn moderators_are_not_limited_on_posting() {
    let app = app_with(|l| l.new_account_topics_per_hour = 1).await;
    let moderator = app.moderator("mod").await;
    for n in 0..3 {
        assert_eq!(
            post_topic(&moderator, n).await.status(),
            StatusCode::CREATED
        );
    }
}

#[tokio::test]
async fn replies_are_limited_per_account_and_stricter_for_new_accounts() {
    let app = app_with(|l| {
        l.replies_per_hour = 3;
        l.new_account_replies_per_hour = 2;
    })
    .await;
    let author = app.moderator("author").await;
    let topic = author
        .create_topic("A topic to reply to", "body", &["test"])
        .await;
    let newcomer = app.user("newcomer").await;
    let regular = app.user("regular").await;
    make_old(&app, "regular").await;
    let path = format!("/api/v1/topics/{topic}/replies");
    let reply = json!({ "body": "a reply" });

    for _ in 0..2 {
        assert_eq!(
            newcomer.post_json(&path, &reply).await.status(),
            StatusCode::CREATED
        );
    }
    assert_limited(&newcomer.post_json(&path, &reply).await);
    for _ in 0..3 {
        assert_eq!(
            regular.post_json(&path, &reply).await.status(),
            StatusCode::CREATED
        );
    }
    assert_limited(
        &regular
            .submit(&format!("/t/{topic}/reply"), &[("body", "a form reply")])
            .await,
    );
}

async fn opening_post(app: &TestApp, topic: i64) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT MIN(id) FROM posts WHERE topic_id = $1")
        .bind(topic)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn votes_are_limited_per_account() {
    let app = app_with(|l| l.votes_per_hour = 4).await;
    let author = app.moderator("author").await;
    let post = {
        let topic = author
            .create_topic("Something to vote on", "body", &["test"])
            .await;
        opening_post(&app, topic).await
    };
    let voter = app.user("voter").await;
    let path = format!("/api/v1/posts/{post}/vote");
    for value in [1, 0, 1, -1] {
        let response = voter.post_json(&path, &json!({ "value": value })).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    assert_limited(&voter.post_json(&path, &json!({ "value": 1 })).await);
    assert_limited(
        &voter
            .submit(&format!("/p/{post}/vote"), &[("value", "1")])
            .await,
    );
}

#[tokio::test]
async fn flags_are_limited_per_account() {
    let app = app_with(|l| l.flags_per_hour = 2).await;
    let author = app.moderator("author").await;
    let flagger = app.user("flagger").await;
    let mut posts = Vec::new();
    for n in 0..3 {
        let topic = author
            .create_topic(&format!("Flag me {n}"), "body", &["test"])
            .await;
        posts.push(opening_post(&app, topic).await);
    }
    for post in &posts[..2] {
        let response = flagger
            .post_json(
                &format!("/api/v1/posts/{post}/flags"),
                &json!({ "reason": "spam" }),
            )
            .await;
        assert!(response.status().is_success(), "{}", response.status());
    }
    let over = flagger
        .post_json(
            &format!("/api/v1/posts/{}/flags", posts[2]),
            &json!({ "reason": "spam" }),
        )
        .await;
    assert_limited(&over);
    assert_limited(
        &flagger
            .submit(&format!("/p/{}/flag", posts[2]), &[("reason", "spam")])
            .await,
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM flags").await, 2);
}

#[tokio::test]
async fn tag_suggestions_are_limited_per_address() {
    let app = app_with(|l| l.tag_suggestions_per_minute = 5).await;
    let browser = app.browser();
    let draft = json!({ "title": "How do I read a file", "body": "in rust" });
    for _ in 0..5 {
        let response = browser.post_json("/api/v1/tags/suggest", &draft).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let response = browser.post_json("/api/v1/tags/suggest", &draft).await;
    assert_eq!(assert_limited(&response), 12);
}

#[tokio::test]
async fn reads_are_never_limited() {
    let app = app_with(|l| {
        l.login_per_minute = 1;
        l.registrations_per_hour = 1;
        l.registration_attempts_per_hour = 1;
    })
    .await;
    let browser = app.browser();
    for _ in 0..20 {
        assert_eq!(browser.get("/").await.status(), StatusCode::OK);
        assert_eq!(browser.get("/login").await.status(), StatusCode::OK);
    }
}
