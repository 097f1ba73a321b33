//! Nothing typed is lost: every refusal of compose, reply and edit shows the text again, and
//! login returns to where one was.
use reqwest::StatusCode;

use super::{form_fields, form_login, input, posts, textarea, topic_by};
use crate::helpers::{PASSWORD, TestApp, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_reply_with_a_stale_token_shows_the_form_again_with_the_text_and_a_fresh_token() {
    let app = spawn_app().await;
    let (_, topic) = topic_by(&app, "author").await;
    let alice = app.user("alice").await;
    let before = posts(&app).await;

    let response = alice
        .post_form(
            &format!("/t/{topic}/reply"),
            &[("body", "A carefully typed reply"), ("csrf_token", "stale")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.unwrap();
    assert_eq!(
        textarea(&html, "body").as_deref(),
        Some("A carefully typed reply")
    );
    assert_eq!(
        input(&html, "csrf_token").as_deref(),
        Some(alice.csrf.as_str())
    );
    assert!(html.contains("security token"), "{html}");
    assert_eq!(posts(&app).await, before);
}

#[tokio::test]
async fn a_new_topic_without_a_token_keeps_its_title_tags_and_body() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;

    let response = alice
        .post_form(
            "/new",
            &[
                ("title", "My first question here"),
                ("body", "Everything I typed"),
                ("tags", "rust, async"),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.unwrap();
    assert_eq!(
        textarea(&html, "body").as_deref(),
        Some("Everything I typed")
    );
    assert_eq!(
        input(&html, "title").as_deref(),
        Some("My first question here")
    );
    assert_eq!(input(&html, "tags").as_deref(), Some("rust, async"));
    assert_eq!(
        input(&html, "csrf_token").as_deref(),
        Some(alice.csrf.as_str())
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 0);
}

#[tokio::test]
async fn an_edit_with_a_stale_token_keeps_the_new_text() {
    let app = spawn_app().await;
    let (author, topic) = topic_by(&app, "author").await;
    let reply = author.reply(topic, "The first version").await;

    let response = author
        .post_form(
            &format!("/p/{reply}/edit"),
            &[("body", "The second version"), ("csrf_token", "stale")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.unwrap();
    assert_eq!(
        textarea(&html, "body").as_deref(),
        Some("The second version")
    );
    let (stored,): (String,) = sqlx::query_as("SELECT body_md FROM posts WHERE id = $1")
        .bind(reply)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(stored, "The first version");
}

#[tokio::test]
async fn a_reply_over_the_rate_limit_shows_the_form_with_the_text_and_the_wait_in_minutes() {
    let app = spawn_app_with(|s| s.limits.new_account_replies_per_hour = 1).await;
    let (_, topic) = topic_by(&app, "author").await;
    let alice = app.user("alice").await;
    let path = format!("/t/{topic}/reply");
    let first = alice.submit(&path, &[("body", "My first reply")]).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let before = posts(&app).await;

    let response = alice.submit(&path, &[("body", "My second reply")]).await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let html = response.text().await.unwrap();
    assert_eq!(textarea(&html, "body").as_deref(), Some("My second reply"));
    assert_eq!(
        input(&html, "csrf_token").as_deref(),
        Some(alice.csrf.as_str())
    );
    // One reply an hour: a wait of an hour, said in minutes.
    let minutes = retry_after.div_ceil(60);
    assert!(
        html.contains(&format!("wait {minutes} minutes")),
        "{retry_after} s: {html}"
    );
    assert_eq!(posts(&app).await, before);
}

#[tokio::test]
async fn a_new_topic_over_the_rate_limit_keeps_its_title_tags_and_body() {
    let app = spawn_app_with(|s| s.limits.new_account_topics_per_hour = 1).await;
    app.user("admin").await; // the first account is the admin, whom limits trust
    let alice = app.user("alice").await;
    alice
        .create_topic("The one topic allowed", "body", &["test"])
        .await;

    let response = alice
        .submit(
            "/new",
            &[
                ("title", "One topic too many"),
                ("body", "Still mine"),
                ("tags", "rust"),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = response.text().await.unwrap();
    assert_eq!(input(&html, "title").as_deref(), Some("One topic too many"));
    assert_eq!(input(&html, "tags").as_deref(), Some("rust"));
    assert_eq!(textarea(&html, "body").as_deref(), Some("Still mine"));
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 1);
}

#[tokio::test]
async fn a_reply_to_a_topic_locked_meanwhile_keeps_the_text_to_copy() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    let topic = moderator
        .create_topic("Soon to be locked", "body", &["test"])
        .await;
    let alice = app.user("alice").await;
    let locked = moderator
        .submit(&format!("/t/{topic}/moderate"), &[("action", "lock")])
        .await;
    assert_eq!(locked.status(), StatusCode::SEE_OTHER);

    let response = alice
        .submit(
            &format!("/t/{topic}/reply"),
            &[("body", "Too late to post")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.unwrap();
    assert_eq!(textarea(&html, "body").as_deref(), Some("Too late to post"));
    assert!(html.contains("this topic is locked"), "{html}");
}

#[tokio::test]
async fn a_login_with_a_stale_form_token_keeps_the_carried_draft() {
    let app = spawn_app().await;
    let (_, topic) = topic_by(&app, "author").await;
    let browser = app.browser();
    let path = format!("/t/{topic}/reply");

    let response = browser
        .post_form(
            "/login",
            &[
                ("csrf_token", "stale"),
                ("username", "author"),
                ("password", PASSWORD),
                ("back", &path),
                ("draft_body", "Carried text"),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.unwrap();
    let fields = form_fields(&html, "/login");
    assert!(
        fields.contains(&("draft_body".into(), "Carried text".into())),
        "{html}"
    );
    assert!(fields.contains(&("back".into(), path)), "{html}");
}

/// Ends every session in the database, as their expiry would.
async fn expire_sessions(app: &TestApp) {
    sqlx::query("UPDATE sessions SET expires_at = 0")
        .execute(&app.sql)
        .await
        .unwrap();
    app.state.sessions.invalidate();
}

#[tokio::test]
async fn a_reply_after_the_session_ended_comes_back_after_login_and_is_not_posted_until_sent() {
    let app = spawn_app().await;
    let (_, topic) = topic_by(&app, "author").await;
    let alice = app.user("alice").await;
    let before = posts(&app).await;
    expire_sessions(&app).await;
    let path = format!("/t/{topic}/reply");

    // The reply meets the login page, which carries it.
    let response = alice.submit(&path, &[("body", "Typed before lunch")]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let login_page = response.text().await.unwrap();
    assert!(login_page.contains("nothing was posted"), "{login_page}");
    let mut fields = form_fields(&login_page, "/login");
    assert!(
        fields.contains(&("back".into(), path.clone())),
        "{fields:?}"
    );
    assert!(fields.contains(&("draft_body".into(), "Typed before lunch".into())));
    fields.push(("username".into(), "alice".into()));
    fields.push(("password".into(), PASSWORD.into()));

    // Logging in shows the form again, filled in, and posts nothing.
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let response = alice.post_form("/login", &fields).await;
    assert_eq!(response.status(), StatusCode::OK);
    let form = response.text().await.unwrap();
    assert_eq!(
        textarea(&form, "body").as_deref(),
        Some("Typed before lunch")
    );
    assert_eq!(posts(&app).await, before);

    // Pressing the button posts it with the new session's token.
    let token = input(&form, "csrf_token").expect("a token");
    let sent = alice
        .post_form(
            &path,
            &[("body", "Typed before lunch"), ("csrf_token", &token)],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert_eq!(posts(&app).await, before + 1);
}

#[tokio::test]
async fn a_new_topic_after_the_session_ended_keeps_title_and_tags_through_the_login() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    expire_sessions(&app).await;

    let response = alice
        .submit(
            "/new",
            &[
                ("title", "Kept across the login"),
                ("body", "The body"),
                ("tags", "rust"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let mut fields = form_fields(&response.text().await.unwrap(), "/login");
    fields.push(("username".into(), "alice".into()));
    fields.push(("password".into(), PASSWORD.into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let form = alice
        .post_form("/login", &fields)
        .await
        .text()
        .await
        .unwrap();

    assert_eq!(
        input(&form, "title").as_deref(),
        Some("Kept across the login")
    );
    assert_eq!(input(&form, "tags").as_deref(), Some("rust"));
    assert_eq!(textarea(&form, "body").as_deref(), Some("The body"));
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 0);
}

#[tokio::test]
async fn login_returns_to_the_page_one_came_from_and_only_on_this_site() {
    let app = spawn_app().await;
    let (author, topic) = topic_by(&app, "author").await;
    drop(author);
    let anonymous = app.browser();
    let (_, page) = anonymous.get_text(&format!("/t/{topic}")).await;
    assert!(
        page.contains(&format!(r#"href="/login?back=%2Ft%2F{topic}""#)),
        "{page}"
    );
    let (_, login) = anonymous.get_text(&format!("/login?back=/t/{topic}")).await;
    assert_eq!(input(&login, "back"), Some(format!("/t/{topic}")));

    let back = form_login(&app.browser(), "author", &format!("/t/{topic}")).await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    assert_eq!(back.headers()["location"], format!("/t/{topic}").as_str());
    for elsewhere in ["//evil.example/", "https://evil.example/"] {
        let response = form_login(&app.browser(), "author", elsewhere).await;
        assert_eq!(response.headers()["location"], "/", "{elsewhere}");
    }
    // A page that needs a login sends there with the way back.
    let new = app.browser().get("/new").await;
    assert_eq!(new.headers()["location"], "/login?back=%2Fnew");
}
