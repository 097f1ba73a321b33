//! A new member's walk through the forms: nothing typed is lost (a stale token, the rate limit, a
//! session that ended), login returns to where one was, the Markdown preview, and the feedback of
//! flags, bans and moderated profiles.
use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::{Value, json};

use crate::hardening::webdriver::{Driver, find_program};
use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, spawn_app_with};

/// The text of the `<textarea name=…>` of a page.
fn textarea(html: &str, name: &str) -> Option<String> {
    let selector = Selector::parse(&format!(r#"textarea[name="{name}"]"#)).expect("a selector");
    Html::parse_document(html)
        .select(&selector)
        .next()
        .map(|t| t.text().collect())
}

/// The value of the `<input name=…>` of the first form that has one.
fn input(html: &str, name: &str) -> Option<String> {
    let selector = Selector::parse(&format!(r#"input[name="{name}"]"#)).expect("a selector");
    Html::parse_document(html)
        .select(&selector)
        .next()
        .and_then(|i| i.value().attr("value").map(str::to_owned))
}

/// The hidden `<input>`s of the form posting to `action`, as a browser would send them.
fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
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

async fn posts(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM posts").await
}

async fn topic_by(app: &TestApp, author: &str) -> (Browser, i64) {
    let browser = app.user(author).await;
    let topic = browser
        .create_topic("A topic to answer", "The opening post.", &["test"])
        .await;
    (browser, topic)
}

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
    let (stored,): (String,) = sqlx::query_as("SELECT body_md FROM posts WHERE id = ?1")
        .bind(reply)
        .fetch_one(&app.pool)
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

/// Ends every session in the database, as their expiry would.
async fn expire_sessions(app: &TestApp) {
    sqlx::query("UPDATE sessions SET expires_at = 0")
        .execute(&app.pool)
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

/// Logs `username` in through the HTML form with `back`.
async fn form_login(browser: &Browser, username: &str, back: &str) -> reqwest::Response {
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

/// The `<section>` of one post on a topic page, as HTML.
fn post_section(html: &str, post: i64) -> String {
    let selector = Selector::parse(&format!("section#post-{post}")).expect("a selector");
    Html::parse_document(html)
        .select(&selector)
        .next()
        .map(|s| s.html())
        .expect("the post's section")
}

#[tokio::test]
async fn flagging_thanks_the_member_and_their_control_reads_flagged_from_then_on() {
    let app = spawn_app().await;
    let (author, topic) = topic_by(&app, "author").await;
    let reply = author.reply(topic, "Buy cheap watches").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;

    let response = bob
        .submit(&format!("/p/{reply}/flag"), &[("reason", "spam")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/t/{topic}?flagged={reply}#post-{reply}"));

    let (_, page) = bob.get_text(location.split('#').next().unwrap()).await;
    assert!(
        page.contains("Thanks — moderators will look at it"),
        "{page}"
    );
    let section = post_section(&page, reply);
    assert!(
        section.contains("disabled") && section.contains("Flagged"),
        "{section}"
    );
    assert!(!section.contains("/flag\""), "{section}");
    // Later visits, without the address's hint, still show it; the notice is gone.
    let (_, later) = bob.get_text(&format!("/t/{topic}")).await;
    assert!(post_section(&later, reply).contains("Flagged"));
    assert!(!later.contains("Thanks — moderators"));
    // The address alone claims nothing: another member sees no thanks and can flag.
    let (_, claimed) = carol.get_text(&format!("/t/{topic}?flagged={reply}")).await;
    assert!(!claimed.contains("Thanks — moderators"), "{claimed}");
    assert!(post_section(&claimed, reply).contains(&format!("/p/{reply}/flag")));
}

async fn banned_until(app: &TestApp, username: &str) -> i64 {
    let (until,): (i64,) = sqlx::query_as("SELECT banned_until FROM users WHERE username = ?1")
        .bind(username)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    until
}

#[tokio::test]
async fn a_banned_member_is_told_the_reason_and_the_end_of_the_ban_when_logging_in() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    app.user("troll").await;
    let response = moderator
        .submit("/u/troll/ban", &[("days", "3"), ("reason", "spam links")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let until = banned_until(&app, "troll").await;
    let date = chrono::DateTime::from_timestamp(until, 0)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string();

    let page = form_login(&app.browser(), "troll", "/").await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let page = page.text().await.unwrap();
    assert!(
        page.contains(&format!("banned until {date}")) && page.contains("spam links"),
        "{page}"
    );

    let api = app
        .browser()
        .post_json(
            "/api/v1/auth/login",
            &json!({ "username": "troll", "password": PASSWORD }),
        )
        .await;
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "banned");
    assert_eq!(body["error"]["fields"]["reason"], "spam links");
    assert_eq!(body["error"]["fields"]["permanent"], false);
    assert!(
        body["error"]["message"].as_str().unwrap().contains(&date),
        "{body}"
    );
}

#[tokio::test]
async fn the_longest_ban_reads_as_permanent_and_a_ban_without_reason_says_so() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    app.user("troll").await;
    moderator
        .submit("/u/troll/ban", &[("days", "3650"), ("reason", "")])
        .await;

    let page = form_login(&app.browser(), "troll", "/").await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("banned permanently") && page.contains("no reason was given"),
        "{page}"
    );
    // Lifting the ban forgets its reason.
    moderator.submit("/u/troll/unban", &[]).await;
    let (reason,): (String,) =
        sqlx::query_as("SELECT ban_reason FROM users WHERE username = 'troll'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(reason, "");
}

#[tokio::test]
async fn moderators_see_a_members_hidden_posts_on_the_profile_and_others_do_not() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    let (spammer, topic) = topic_by(&app, "spammer").await;
    let hidden = spammer.reply(topic, "Hidden spam reply").await;
    spammer.reply(topic, "A visible reply").await;
    let response = moderator
        .submit(&format!("/p/{hidden}/moderate"), &[("action", "hide")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let (_, page) = moderator.get_text("/u/spammer").await;
    assert!(page.contains("Hidden spam reply"), "{page}");
    assert!(page.contains("<strong>hidden</strong>"), "{page}");
    assert!(page.contains("A visible reply"));

    let member = app.user("member").await;
    for (who, browser) in [("a member", &member), ("anyone", &app.browser())] {
        let (_, page) = browser.get_text("/u/spammer").await;
        assert!(!page.contains("Hidden spam reply"), "{who}: {page}");
        assert!(page.contains("A visible reply"), "{who}");
    }
}

/// Reads an element's text until it is not empty (the page fills it in after a request).
async fn text_when_filled(driver: &Driver, css: &str) -> String {
    for _ in 0..50 {
        let text = driver.find(css).await.text().await;
        if !text.trim().is_empty() {
            return text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} stayed empty");
}

#[tokio::test]
async fn in_chromium_a_reply_draft_survives_a_reload_previews_and_is_forgotten_once_posted() {
    let chromium = find_program(&["chromium", "chromium-browser"]);
    let chromedriver = find_program(&["chromedriver"]);
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        assert!(
            std::env::var_os("THREADWISE_E2E_REQUIRED").is_none(),
            "THREADWISE_E2E_REQUIRED is set but chromium or chromedriver is missing"
        );
        eprintln!("SKIPPED: no chromium and chromedriver for the drafts' browser test");
        return;
    };
    let app = spawn_app().await;
    let (_, topic) = topic_by(&app, "admin").await;
    let base = app.address.clone();
    let driver = Driver::start(&chromium, &chromedriver).await;
    driver.goto(&format!("{base}/register")).await;
    driver.find("#username").await.type_text("newcomer").await;
    driver
        .find("#email")
        .await
        .type_text("new@example.org")
        .await;
    driver.find("#password").await.type_text(PASSWORD).await;
    driver
        .find("form.narrow button[type=submit]")
        .await
        .click()
        .await;
    driver.find("header.site a[href='/u/newcomer']").await;

    // Typed, then the page is reloaded: the draft comes back, and the preview renders it.
    let page = format!("{base}/t/{topic}");
    driver.goto(&page).await;
    driver
        .find("#reply-body")
        .await
        .type_text("A **kept** draft")
        .await;
    driver.goto(&page).await;
    driver
        .find("form.reply button[data-preview]")
        .await
        .click()
        .await;
    assert_eq!(
        text_when_filled(&driver, "#preview .body strong").await,
        "kept"
    );
    assert_eq!(driver.current_url().await, page, "previewed in place");

    // Posted: the reply is on the page, and the draft is forgotten.
    driver
        .find("form.reply button[type=submit]:not([data-preview])")
        .await
        .click()
        .await;
    driver
        .find("section.post:not(:first-of-type) .body strong")
        .await;
    assert_eq!(posts(&app).await, 2);
    driver.goto(&page).await;
    driver
        .find("form.reply button[data-preview]")
        .await
        .click()
        .await;
    let empty = text_when_filled(&driver, "#preview .body").await;
    assert!(empty.contains("must not be empty"), "{empty}");
    let console = driver.console().await;
    assert!(
        !console
            .iter()
            .any(|m| m.contains("Content Security Policy")),
        "{console:?}"
    );
}
