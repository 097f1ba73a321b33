//! What brings members back: notifications (in the app and by mail), watching, password resets
//! and account settings, and routing unanswered questions. Mail goes to a real SMTP server the
//! tests start (aiosmtpd, a Maildir sink); without it the mail tests skip, unless
//! THREADWISE_MAIL_REQUIRED is set (CI), when they fail.
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app, spawn_app_with};

/// A local SMTP server writing every message it receives into a Maildir.
pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Child,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpSink {
    pub async fn start() -> Option<SmtpSink> {
        let available = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if !available {
            assert!(
                std::env::var_os("THREADWISE_MAIL_REQUIRED").is_none(),
                "THREADWISE_MAIL_REQUIRED is set but python3 -m aiosmtpd is not available"
            );
            eprintln!("skipping: no SMTP sink (pip install aiosmtpd)");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let maildir = dir.path().join("maildir");
        #[expect(clippy::zombie_processes, reason = "Drop kills and waits for it")]
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Some(SmtpSink { port, dir, child });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the SMTP sink did not start");
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages received so far, decoded enough to read (quoted-printable soft breaks).
    pub fn messages(&self) -> Vec<String> {
        let new: PathBuf = self.dir.path().join("maildir").join("new");
        let mut files: Vec<_> = std::fs::read_dir(&new)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        // Python's Maildir names files `secs.M<micros>P<pid>Q<count>.host`; the microseconds are
        // not zero-padded, so only the per-process delivery counter orders them.
        files.sort_by_key(|f| {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let count = name
                .split_once('Q')
                .and_then(|(_, rest)| rest.split('.').next())
                .and_then(|n| n.parse::<u64>().ok());
            (count, name.to_owned())
        });
        files
            .iter()
            .map(|f| {
                std::fs::read_to_string(f)
                    .expect("a message")
                    .replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "=")
            })
            .collect()
    }

    /// Waits for the `n`th message (the sink writes it a moment after the SMTP dialogue).
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..100 {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} messages, got {:?}", self.messages());
    }
}

/// The first `http…` link in a message that contains `path`.
fn link_in(message: &str, path: &str) -> String {
    message
        .split_whitespace()
        .find(|w| w.starts_with("http") && w.contains(path))
        .unwrap_or_else(|| panic!("no {path} link in {message}"))
        .trim_end_matches(['.', ')', '>'])
        .to_owned()
}

/// Signs up through the mailed link (how registration works when the forum sends mail): the
/// `n`th message the sink receives is the sign-up mail.
async fn sign_up_by_mail(app: &TestApp, smtp: &SmtpSink, name: &str, n: usize) -> Browser {
    let mut browser = app.browser();
    let email = format!("{name}@example.org");
    let response = browser
        .post_json(
            "/api/v1/auth/register",
            &json!({ "username": name, "email": email, "password": PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let mail = smtp.wait_for(n).await[n - 1].clone();
    assert!(mail.contains(&format!("To: {email}")), "{mail}");
    let link = link_in(&mail, "/register/confirm?token=");
    let path = link.trim_start_matches("http://127.0.0.1:8080");
    let confirmed = browser.get(path).await;
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
    let me: Value = browser.get("/api/v1/me").await.json().await.unwrap();
    browser.csrf = me["csrf_token"].as_str().expect("signed in").to_owned();
    browser
}

async fn unread(browser: &Browser) -> Value {
    browser
        .get("/api/v1/notifications")
        .await
        .json()
        .await
        .expect("JSON")
}

#[tokio::test]
async fn a_reply_notifies_the_topics_author_with_a_link_to_the_post() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let topic = alice
        .create_topic("How do lifetimes work?", "please", &["rust"])
        .await;

    let post = bob.reply(topic, "like this").await;

    let notes = unread(&alice).await;
    assert_eq!(notes["unread"], 1);
    let first = &notes["notifications"][0];
    assert_eq!(first["kind"], "reply");
    assert_eq!(first["url"], format!("/t/{topic}#post-{post}"));
    assert!(
        first["text"].as_str().unwrap().contains("bob replied"),
        "{first}"
    );
    // The bell in the header says so, and the page links to the post.
    let (_, html) = alice.get_text("/").await;
    assert!(
        html.contains(r#"aria-label="Notifications: 1 unread""#),
        "{html}"
    );
    let (_, page) = alice.get_text("/notifications").await;
    assert!(page.contains(&format!("/t/{topic}#post-{post}")), "{page}");
    // bob is not told of his own reply.
    assert_eq!(unread(&bob).await["unread"], 0);

    let id = first["id"].as_i64().unwrap();
    let read = alice
        .post_json("/api/v1/notifications/read", &json!({ "ids": [id] }))
        .await;
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(unread(&alice).await["unread"], 0);
    let (_, html) = alice.get_text("/").await;
    assert!(
        html.contains(r#"aria-label="Notifications: 0 unread""#),
        "{html}"
    );
    let bad = alice
        .post_json(
            "/api/v1/notifications/read",
            &json!({ "ids": [1], "all": true }),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_mention_links_the_profile_and_notifies_the_member() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let topic = bob
        .create_topic("Async traits in 2026", "what now", &["rust"])
        .await;

    let post = carol
        .reply(topic, "@Alice knows this, ask @nobody_here")
        .await;

    let notes = unread(&alice).await;
    assert_eq!(notes["unread"], 1);
    assert_eq!(notes["notifications"][0]["kind"], "mention");
    assert_eq!(notes["notifications"][0]["post_id"], post);
    let (_, html) = alice.get_text(&format!("/t/{topic}")).await;
    assert!(html.contains(r#"href="/u/Alice""#), "{html}");
    // bob, the topic's author, hears of the reply once, as a reply.
    let bobs = unread(&bob).await;
    assert_eq!(bobs["unread"], 1);
    assert_eq!(bobs["notifications"][0]["kind"], "reply");
}

#[tokio::test]
async fn watching_a_tag_with_1000_watchers_fans_out_in_the_job_not_the_post() {
    let app = spawn_app().await;
    let author = app.user("author").await;
    author
        .create_topic("Seed topic for the tag", "x", &["busy"])
        .await;
    threadwise::startup::run_notify(&app.state).await.unwrap();
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
         INSERT INTO users (username, email, password_hash, role, created_at)
         SELECT 'watcher' || i, 'watcher' || i || '@example.org', 'x', 'member', 0 FROM n",
    )
    .execute(&app.sql)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO tag_watches (user_id, tag_id, created_at)
         SELECT u.id, g.id, 0 FROM users u, tags g
         WHERE substr(u.username, 1, 7) = 'watcher' AND g.name = 'busy'",
    )
    .execute(&app.sql)
    .await
    .unwrap();

    let topic = author
        .create_topic("News for the busy tag", "hello", &["busy"])
        .await;

    // The post wrote no watcher's notification: it queued one fan-out.
    let watched = "SELECT COUNT(*) FROM notifications WHERE kind = 'watched_tag'";
    assert_eq!(app.count(watched).await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notification_queue").await,
        1
    );
    let done = threadwise::startup::run_notify(&app.state).await.unwrap();
    assert_eq!(done.fanned_out, 1000);
    assert_eq!(app.count(watched).await, 1000);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notification_queue").await,
        0
    );
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM notifications WHERE kind = 'watched_tag' AND topic_id = $1",
    )
    .bind(topic)
    .fetch_one(&app.sql)
    .await
    .unwrap();
    assert_eq!(n, 1000);
}

#[tokio::test]
async fn watchers_of_a_topic_hear_of_replies_until_they_stop() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let watcher = app.user("watcher").await;
    let topic = alice
        .create_topic("A watched topic here", "x", &["rust"])
        .await;
    let response = watcher
        .submit(&format!("/t/{topic}/watch"), &[("on", "1")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    bob.reply(topic, "first").await;
    threadwise::startup::run_notify(&app.state).await.unwrap();
    let notes = unread(&watcher).await;
    assert_eq!(notes["unread"], 1);
    assert_eq!(notes["notifications"][0]["kind"], "watched_topic");
    // alice watches her own topic, but heard of the reply directly: once.
    assert_eq!(unread(&alice).await["unread"], 1);

    let stop = watcher
        .client
        .delete(watcher.url(&format!("/api/v1/topics/{topic}/watch")))
        .header("X-CSRF-Token", &watcher.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(stop.status(), StatusCode::NO_CONTENT);
    bob.reply(topic, "second").await;
    threadwise::startup::run_notify(&app.state).await.unwrap();
    assert_eq!(unread(&watcher).await["unread"], 1);
    let missing = watcher.submit("/t/999999/watch", &[("on", "1")]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn moderators_actions_tell_the_people_concerned() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let topic = alice
        .create_topic("Something to flag here", "spam?", &["misc"])
        .await;
    let post = alice.reply(topic, "more spam").await;
    let flagged = bob
        .post_json(
            &format!("/api/v1/posts/{post}/flags"),
            &json!({ "reason": "spam" }),
        )
        .await;
    assert!(flagged.status().is_success());

    let resolved = moderator
        .post_json(
            &format!("/api/v1/mod/flags/{post}/resolve"),
            &json!({ "action": "hide" }),
        )
        .await;
    assert_eq!(
        resolved.status(),
        StatusCode::OK,
        "{:?}",
        resolved.text().await
    );
    let retag = moderator
        .client
        .put(moderator.url(&format!("/api/v1/topics/{topic}/tags")))
        .header("X-CSRF-Token", &moderator.csrf)
        .json(&json!({ "tags": ["spam-ish"] }))
        .send()
        .await
        .unwrap();
    assert!(retag.status().is_success(), "{}", retag.status());

    let bobs = unread(&bob).await;
    assert_eq!(bobs["notifications"][0]["kind"], "flag_resolved");
    assert_eq!(bobs["notifications"][0]["detail"], "hidden");
    let kinds: Vec<String> = unread(&alice).await["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["retagged", "post_hidden"]);
}

#[tokio::test]
async fn members_choose_what_notifies_them_and_keep_a_bio() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let topic = alice
        .create_topic("Quiet topic of alice", "x", &["rust"])
        .await;
    let saved = alice
        .submit(
            "/settings/preferences",
            &[
                ("notify_mentions", "1"),
                ("email_delivery", "app"),
                ("bio", "Rustacean \u{2}since 2015"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    assert!(saved.text().await.unwrap().contains("Saved."));
    bob.reply(topic, "a reply alice does not want to hear of")
        .await;
    bob.reply(topic, "but @alice this one").await;
    let notes = unread(&alice).await;
    assert_eq!(notes["unread"], 1);
    assert_eq!(notes["notifications"][0]["kind"], "mention");

    let bad = alice
        .submit(
            "/settings/preferences",
            &[("email_delivery", "pigeon"), ("bio", "x")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (bio,): (String,) = sqlx::query_as("SELECT bio FROM users WHERE username = 'alice'")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(bio, "Rustacean since 2015");

    let export = alice.get("/settings/export").await;
    assert_eq!(export.status(), StatusCode::OK);
    let data: Value = export.json().await.unwrap();
    assert_eq!(data["user"]["username"], "alice");
    assert_eq!(data["topics"][0]["title"], "Quiet topic of alice");
    assert_eq!(data["watched_topics"][0], topic);
    assert_eq!(data["notifications"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let other = app.browser();
    let login = other
        .post_json(
            "/api/v1/auth/login",
            &json!({ "username": "alice", "password": PASSWORD }),
        )
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let (before,): (String,) =
        sqlx::query_as("SELECT password_hash FROM users WHERE username = 'alice'")
            .fetch_one(&app.sql)
            .await
            .unwrap();

    let wrong = alice
        .post_json(
            "/api/v1/me/password",
            &json!({ "current_password": "not it", "new_password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (after_wrong,): (String,) =
        sqlx::query_as("SELECT password_hash FROM users WHERE username = 'alice'")
            .fetch_one(&app.sql)
            .await
            .unwrap();
    assert_eq!(after_wrong, before);
    assert_eq!(other.get("/api/v1/me").await.status(), StatusCode::OK);

    let right = alice
        .post_json(
            "/api/v1/me/password",
            &json!({ "current_password": PASSWORD, "new_password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(right.status(), StatusCode::NO_CONTENT);
    assert_eq!(alice.get("/api/v1/me").await.status(), StatusCode::OK);
    assert_eq!(
        other.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The settings page lists the one session left and can end it too.
    let (_, html) = alice.get_text("/settings").await;
    assert_eq!(html.matches("Signed in ").count(), 1, "{html}");
    let end = alice.submit("/settings/sessions/end", &[]).await;
    assert_eq!(end.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

async fn forgot(browser: &Browser, email: &str) -> (StatusCode, String) {
    let token = browser.form_token("/forgot").await;
    let response = browser
        .post_form("/forgot", &[("csrf_token", &token), ("email", email)])
        .await;
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_reset_link_arrives_by_mail_works_once_and_ends_old_sessions() {
    let Some(smtp) = SmtpSink::start().await else {
        return;
    };
    let app = spawn_app_with(|s| s.mail.smtp_url = Some(smtp.url())).await;
    let alice = sign_up_by_mail(&app, &smtp, "alice", 1).await;
    let stranger = app.browser();

    let (status, known) = forgot(&stranger, "ALICE@example.org").await;
    assert_eq!(status, StatusCode::OK);
    let (status, unknown) = forgot(&stranger, "nobody@example.org").await;
    assert_eq!(status, StatusCode::OK);
    let strip = |html: &str| html.replace(char::is_whitespace, "");
    assert_eq!(strip(&known), strip(&unknown), "the same answer either way");

    let messages = smtp.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 2, "no mail for the unknown address");
    let mail = &messages[1];
    assert!(mail.contains("To: alice@example.org"), "{mail}");
    assert!(mail.contains("Content-Type: text/plain"), "{mail}");
    assert!(mail.contains("[threadwise] Reset your password"), "{mail}");
    let link = link_in(mail, "/reset?token=");
    let path = link.trim_start_matches("http://127.0.0.1:8080");
    let token = path.trim_start_matches("/reset?token=").to_owned();
    // Only the token's hash is stored.
    let (stored,): (String,) = sqlx::query_as("SELECT token_hash FROM password_resets")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_ne!(stored, token);

    let (status, form) = stranger.get_text(path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("New password"), "{form}");
    let csrf = stranger.form_token(path).await;
    let reset = |password: &'static str| {
        let (csrf, token) = (csrf.clone(), token.clone());
        let browser = &stranger;
        async move {
            browser
                .post_form(
                    "/reset",
                    &[
                        ("csrf_token", &csrf),
                        ("token", &token),
                        ("password", password),
                    ],
                )
                .await
        }
    };
    let weak = reset("short").await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done = reset("a new and long passphrase").await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(
        done.text()
            .await
            .unwrap()
            .contains("Your password was changed")
    );
    let again = reset("yet another passphrase").await;
    assert_eq!(again.status(), StatusCode::GONE);
    assert!(
        again
            .text()
            .await
            .unwrap()
            .contains("expired or was already used")
    );

    assert_eq!(
        alice.get("/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let old = app
        .browser()
        .post_json(
            "/api/v1/auth/login",
            &json!({ "username": "alice", "password": PASSWORD }),
        )
        .await;
    assert_eq!(old.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let new = app
        .browser()
        .post_json(
            "/api/v1/auth/login",
            &json!({ "username": "alice", "password": "a new and long passphrase" }),
        )
        .await;
    assert_eq!(new.status(), StatusCode::OK);

    let api = app
        .browser()
        .post_json(
            "/api/v1/auth/reset",
            &json!({ "token": token, "password": "whatever x" }),
        )
        .await;
    assert_eq!(api.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_expired_reset_link_gets_a_clear_page_and_without_mail_an_admin_makes_one() {
    let app = spawn_app().await;
    app.user("alice").await;
    let (status, page) = app.browser().get_text("/forgot").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("threadwise user reset-link"), "{page}");
    let api = app
        .browser()
        .post_json(
            "/api/v1/auth/forgot",
            &json!({ "email": "alice@example.org" }),
        )
        .await;
    assert_eq!(api.status(), StatusCode::ACCEPTED);
    assert_eq!(app.count("SELECT COUNT(*) FROM password_resets").await, 0);

    let mailer = threadwise::mail::Mailer::off();
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'alice'")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    let link = threadwise::forum::passwords::reset_link(&app.pool, id, &mailer)
        .await
        .unwrap();
    let path = link.trim_start_matches("http://127.0.0.1:8080").to_owned();
    assert_eq!(app.browser().get(&path).await.status(), StatusCode::OK);
    sqlx::query("UPDATE password_resets SET expires_at = expires_at - 3601")
        .execute(&app.sql)
        .await
        .unwrap();
    let (status, page) = app.browser().get_text(&path).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(page.contains("expired or was already used"), "{page}");
}

#[tokio::test]
async fn notification_mail_has_a_plain_text_part_and_an_unsubscribe_link() {
    let Some(smtp) = SmtpSink::start().await else {
        return;
    };
    let app = spawn_app_with(|s| {
        s.mail.smtp_url = Some(smtp.url());
        s.mail.forum_name = "Rust Forum".into();
    })
    .await;
    let alice = sign_up_by_mail(&app, &smtp, "alice", 1).await;
    let bob = sign_up_by_mail(&app, &smtp, "bob", 2).await;
    let saved = alice
        .submit(
            "/settings/preferences",
            &[
                ("notify_replies", "1"),
                ("email_delivery", "immediate"),
                ("bio", ""),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let topic = alice
        .create_topic("Mail me the answers", "x", &["rust"])
        .await;
    bob.reply(topic, "here is one").await;

    let done = threadwise::startup::run_notify(&app.state).await.unwrap();
    assert_eq!(done.mailed, 1);
    let mail = &smtp.wait_for(3).await[2];
    assert!(
        mail.contains("[Rust Forum] New reply: Mail me the answers"),
        "{mail}"
    );
    assert!(mail.contains("Content-Type: text/plain"), "{mail}");
    assert!(mail.contains("List-Unsubscribe: <http"), "{mail}");
    let unsubscribe = link_in(mail, "/unsubscribe?token=");
    let path = unsubscribe
        .trim_start_matches("http://127.0.0.1:8080")
        .to_owned();
    // Works without logging in; a forged token does not.
    let anonymous = app.browser();
    assert_eq!(anonymous.get(&path).await.status(), StatusCode::OK);
    let forged = path.replacen("token=", "token=9", 1);
    assert_eq!(
        anonymous.post_form(&forged, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    let stopped = anonymous.post_form(&path, &[]).await;
    assert_eq!(stopped.status(), StatusCode::OK);
    let (delivery,): (String,) =
        sqlx::query_as("SELECT email_delivery FROM users WHERE username = 'alice'")
            .fetch_one(&app.sql)
            .await
            .unwrap();
    assert_eq!(delivery, "app");
    // A second run mails nothing again.
    assert_eq!(
        threadwise::startup::run_notify(&app.state)
            .await
            .unwrap()
            .mailed,
        0
    );
}

async fn age_topic(app: &TestApp, topic: i64, hours: i64) {
    sqlx::query("UPDATE topics SET created_at = created_at - $2 * 3600 WHERE id = $1")
        .bind(topic)
        .bind(hours)
        .execute(&app.sql)
        .await
        .unwrap();
}

#[tokio::test]
async fn unanswered_questions_go_to_the_tags_top_answerers_within_a_daily_cap() {
    let app = spawn_app().await;
    let asker = app.user("asker").await;
    let dave = app.user("dave").await;
    let erin = app.user("erin").await;
    let quiet = app.user("quiet").await;
    // dave answered three rust questions, erin one; quiet answers python only.
    for n in 0..3 {
        let t = asker
            .create_topic(&format!("Old rust question {n}"), "x", &["rust"])
            .await;
        dave.reply(t, "answer").await;
        if n == 0 {
            erin.reply(t, "another answer").await;
        }
    }
    let py = asker
        .create_topic("Old python question", "x", &["python"])
        .await;
    quiet.reply(py, "answer").await;
    let mut fresh = Vec::new();
    for n in 0..5 {
        let t = asker
            .create_topic(&format!("New rust question {n}"), "x", &["rust"])
            .await;
        age_topic(&app, t, 25).await;
        fresh.push(t);
    }
    let recent = asker
        .create_topic("Too recent to route", "x", &["rust"])
        .await;

    threadwise::startup::run_notify(&app.state).await.unwrap();

    let routed = |name: &'static str| {
        let pool = app.sql.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id
                 WHERE n.kind = 'routed' AND u.username = $1",
            )
            .bind(name)
            .fetch_one(&pool)
            .await
            .unwrap();
            n
        }
    };
    assert_eq!(routed("dave").await, 3, "the daily cap");
    assert_eq!(routed("erin").await, 3);
    assert_eq!(routed("quiet").await, 0);
    assert_eq!(routed("asker").await, 0);
    let notes = unread(&dave).await;
    assert!(
        notes["notifications"][0]["text"]
            .as_str()
            .unwrap()
            .contains("can you help"),
        "{notes}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM routed_topics").await, 5);
    let (none,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM routed_topics WHERE topic_id = $1")
        .bind(recent)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(none, 0);
    // Routed once: a second run routes nothing again.
    assert_eq!(
        threadwise::startup::run_notify(&app.state)
            .await
            .unwrap()
            .routed,
        0
    );
    let _ = fresh;
}

#[tokio::test]
async fn profiles_show_the_bio_and_a_generated_avatar_and_topics_a_watch_button() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    alice
        .submit(
            "/settings/preferences",
            &[("email_delivery", "app"), ("bio", "I <3 borrowck")],
        )
        .await;
    let topic = alice
        .create_topic("A topic with avatars", "x", &["rust"])
        .await;

    let (_, profile) = app.browser().get_text("/u/alice").await;
    assert!(
        profile.contains("I &#60;3 borrowck") || profile.contains("I &lt;3 borrowck"),
        "{profile}"
    );
    assert!(profile.contains(r#"src="/avatar/alice.svg""#), "{profile}");
    let avatar = app.browser().get("/avatar/alice.svg").await;
    assert_eq!(avatar.status(), StatusCode::OK);
    assert_eq!(avatar.headers()["content-type"], "image/svg+xml");
    let svg = avatar.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<rect"), "{svg}");

    // The author watches (their own topic); bob may start.
    let (_, page) = alice.get_text(&format!("/t/{topic}")).await;
    assert!(page.contains("Stop watching"), "{page}");
    let (_, page) = bob.get_text(&format!("/t/{topic}")).await;
    assert!(page.contains(">Watch</button>"), "{page}");
    let (_, anonymous) = app.browser().get_text(&format!("/t/{topic}")).await;
    assert!(!anonymous.contains("Watch</button>"), "{anonymous}");
}

#[tokio::test]
async fn with_mail_a_sign_up_with_a_taken_address_answers_the_same_and_tells_its_owner() {
    let Some(smtp) = SmtpSink::start().await else {
        return;
    };
    let app = spawn_app_with(|s| s.mail.smtp_url = Some(smtp.url())).await;
    sign_up_by_mail(&app, &smtp, "alice", 1).await;
    let form = |browser: Browser, username: &'static str, email: &'static str| async move {
        let token = browser.form_token("/register").await;
        let response = browser
            .post_form(
                "/register",
                &[
                    ("csrf_token", &token),
                    ("username", username),
                    ("email", email),
                    ("password", PASSWORD),
                ],
            )
            .await;
        (response.status(), response.text().await.unwrap())
    };

    let (status_new, new) = form(app.browser(), "newcomer", "new@example.org").await;
    let (status_taken, taken) = form(app.browser(), "intruder", "ALICE@example.org").await;

    assert_eq!((status_new, status_taken), (StatusCode::OK, StatusCode::OK));
    let page = |html: &str, email: &str| html.replace(email, "EMAIL");
    assert_eq!(
        page(&new, "new@example.org"),
        page(&taken, "ALICE@example.org")
    );
    let messages = smtp.wait_for(3).await;
    let notice = messages
        .iter()
        .find(|m| m.contains("Someone tried to sign up"))
        .expect("the owner is told");
    assert!(notice.contains("To: ALICE@example.org") || notice.contains("To: alice@example.org"));
    assert!(notice.contains("/forgot"), "{notice}");
    // No account for the intruder; the newcomer's waits for its link.
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM pending_registrations")
            .await,
        1
    );
    // A used link does not work twice.
    let link = link_in(
        messages
            .iter()
            .find(|m| m.contains("To: new@example.org"))
            .unwrap(),
        "/register/confirm?token=",
    );
    let path = link.trim_start_matches("http://127.0.0.1:8080").to_owned();
    assert_eq!(
        app.browser().get(&path).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.browser().get(&path).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 2);
}
