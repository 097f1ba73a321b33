//! Abuse-proofing: no post can stall the forum, no write works past its limits or outside what the
//! page lets its author see, and no parameter or query text can send a browser away or give a 5xx.
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use threadwise::web::limits::LimitSettings;

use crate::helpers::{Browser, TestApp, spawn_app, spawn_app_with};
use crate::import::{import_jsonl, import_site};

/// 65,535 bytes of nested list markers: 32,767 levels on one line (it took 14–45 s to post).
fn nested_lists() -> String {
    format!("{}x", "- ".repeat(32_767))
}

async fn counts(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("SELECT COUNT(*) FROM topics").await,
        app.count("SELECT COUNT(*) FROM posts").await,
        app.count("SELECT COUNT(*) FROM post_revisions").await,
    )
}

async fn first_post(app: &TestApp, topic: i64) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM posts WHERE topic_id = $1 AND is_first = 1")
        .bind(topic)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    id
}

fn assert_refused_body(status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let why = body["error"]["fields"]["body"].as_str().unwrap_or_default();
    assert!(why.contains("nests"), "{body}");
}

#[tokio::test]
async fn a_members_write_succeeds_while_a_maximal_pathological_body_is_posted() {
    let app = spawn_app().await;
    let attacker = app.user("attacker").await;
    let member = app.user("member").await;
    let topic = member
        .create_topic("A topic to reply to", "body", &["test"])
        .await;
    let before = counts(&app).await;

    let hostile = json!({ "title": "Nested lists", "body": nested_lists(), "tags": ["test"] });
    let attack = attacker.post_json("/api/v1/topics", &hostile);
    let reply = async {
        // Sent just after the attack started.
        tokio::time::sleep(Duration::from_millis(20)).await;
        tokio::time::timeout(
            Duration::from_secs(1),
            member.post_json(
                &format!("/api/v1/topics/{topic}/replies"),
                &json!({ "body": "a reply while someone posts a pathological body" }),
            ),
        )
        .await
    };
    let (attack, reply) = tokio::join!(attack, reply);

    let reply = reply.expect("the member's reply answered within 1 s");
    assert_eq!(reply.status(), StatusCode::CREATED);
    let status = attack.status();
    assert_refused_body(status, &attack.json().await.unwrap());
    let (topics, posts, revisions) = counts(&app).await;
    assert_eq!(
        (topics, posts, revisions),
        (before.0, before.1 + 1, before.2)
    );
}

#[tokio::test]
async fn every_write_path_refuses_a_body_that_nests_too_deeply_and_stores_nothing() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let topic = alice
        .create_topic("Alice's question", "body", &["test"])
        .await;
    let post = first_post(&app, topic).await;
    let before = counts(&app).await;
    let body = format!("{}deep", "> ".repeat(40));

    let reply = alice
        .post_json(
            &format!("/api/v1/topics/{topic}/replies"),
            &json!({ "body": body }),
        )
        .await;
    let status = reply.status();
    assert_refused_body(status, &reply.json().await.unwrap());
    let edit = alice
        .client
        .patch(alice.url(&format!("/api/v1/posts/{post}")))
        .header("X-CSRF-Token", &alice.csrf)
        .json(&json!({ "body": body }))
        .send()
        .await
        .unwrap();
    let status = edit.status();
    assert_refused_body(status, &edit.json().await.unwrap());
    // The HTML form shows the text again with the reason.
    let form = alice
        .submit(&format!("/t/{topic}/reply"), &[("body", &body)])
        .await;
    assert_eq!(form.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = form.text().await.unwrap();
    assert!(html.contains("levels deep"), "{html}");
    assert!(
        html.contains("&#62; &#62; &#62;") || html.contains("&gt; &gt; &gt;"),
        "{html}"
    );

    assert_eq!(counts(&app).await, before);
    let (stored,): (String,) = sqlx::query_as("SELECT body_md FROM posts WHERE id = $1")
        .bind(post)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(stored, "body");
}

#[tokio::test]
async fn the_importer_skips_a_pathological_body_and_counts_it() {
    let app = spawn_app().await;
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("items.jsonl");
    let items = [
        json!({ "id": 1, "title": "A normal question", "body": "fine", "tags": ["a"] }),
        json!({ "id": 2, "title": "A hostile question", "body": nested_lists(), "tags": ["a"] }),
    ];
    let lines: Vec<String> = items.iter().map(Value::to_string).collect();
    std::fs::write(&file, lines.join("\n")).unwrap();

    let summary = import_jsonl(&app, &file, 10).await.unwrap();

    assert_eq!(summary.topics, 1);
    assert_eq!(
        summary
            .skipped
            .get("item whose body nests deeper than 32 levels"),
        Some(&1),
        "{:?}",
        summary.skipped
    );

    let dump = tempfile::tempdir().unwrap();
    let dir = dump.path().join("example.stackexchange.com");
    std::fs::create_dir(&dir).unwrap();
    let deep = "&lt;div&gt;".repeat(5_000);
    std::fs::write(
        dir.join("Posts.xml"),
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="1" PostTypeId="1" CreationDate="2019-01-02T03:04:05.678" Score="1" Body="&lt;p&gt;ok&lt;/p&gt;" OwnerDisplayName="Ann" Title="A fine question here" Tags="|a|" />
  <row Id="2" PostTypeId="1" CreationDate="2019-01-02T03:04:05.678" Score="1" Body="{deep}" OwnerDisplayName="Ann" Title="A deep question here" Tags="|a|" />
</posts>"#
        ),
    )
    .unwrap();
    let summary = import_site(&app, &dir, 10).await.unwrap();
    assert_eq!(summary.topics, 1);
    assert_eq!(
        summary
            .skipped
            .get("post whose HTML nests deeper than 256 levels"),
        Some(&1),
        "{:?}",
        summary.skipped
    );
}

async fn edit(browser: &Browser, post: i64, body: &Value) -> reqwest::Response {
    browser
        .client
        .patch(browser.url(&format!("/api/v1/posts/{post}")))
        .header("X-CSRF-Token", &browser.csrf)
        .json(body)
        .send()
        .await
        .expect("PATCH")
}

#[tokio::test]
async fn edits_are_limited_per_account_and_stricter_for_new_accounts() {
    let app = spawn_app_with(|s| {
        s.limits = LimitSettings::off();
        s.limits.new_account_edits_per_hour = 3;
        s.limits.edits_per_hour = 30;
    })
    .await;
    app.user("admin").await;
    let newcomer = app.user("newcomer").await;
    let topic = newcomer
        .create_topic("My first question", "v0", &["test"])
        .await;
    let post = first_post(&app, topic).await;
    for n in 1..=3 {
        let response = edit(&newcomer, post, &json!({ "body": format!("v{n}") })).await;
        assert_eq!(response.status(), StatusCode::OK, "edit {n}");
    }
    let over = edit(&newcomer, post, &json!({ "body": "v4" })).await;
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(over.headers().contains_key("retry-after"));
    let form = newcomer
        .submit(&format!("/p/{post}/edit"), &[("body", "v5")])
        .await;
    assert_eq!(form.status(), StatusCode::TOO_MANY_REQUESTS);
    let (body,): (String,) = sqlx::query_as("SELECT body_md FROM posts WHERE id = $1")
        .bind(post)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(body, "v3");
}

#[tokio::test]
async fn edits_by_one_person_within_minutes_coalesce_and_revisions_are_bounded() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    let alice = app.user("alice").await;
    let topic = alice
        .create_topic("Alice's question", "v0", &["test"])
        .await;
    let post = first_post(&app, topic).await;

    for n in 1..=5 {
        let response = edit(&alice, post, &json!({ "body": format!("v{n}") })).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    // Five quick edits: one revision, holding the text before the first of them.
    let revisions: Vec<(String, i64)> =
        sqlx::query_as("SELECT body_md, edited_by FROM post_revisions WHERE post_id = $1")
            .bind(post)
            .fetch_all(&app.sql)
            .await
            .unwrap();
    assert_eq!(revisions.len(), 1);
    assert_eq!(revisions[0].0, "v0");
    // Someone else's edit is a revision of its own, and so is alice's after it.
    edit(&moderator, post, &json!({ "body": "moderated" })).await;
    edit(&alice, post, &json!({ "body": "v6" })).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM post_revisions").await,
        3,
        "v0, v5 (before the moderator), moderated (before alice again)"
    );

    // Older edits no longer coalesce; past the bound, the oldest but the original are dropped.
    for n in 0..60 {
        sqlx::query("UPDATE post_revisions SET created_at = created_at - 3600")
            .execute(&app.sql)
            .await
            .unwrap();
        let response = edit(&alice, post, &json!({ "body": format!("w{n}") })).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let kept: Vec<(String,)> =
        sqlx::query_as("SELECT body_md FROM post_revisions WHERE post_id = $1 ORDER BY id")
            .bind(post)
            .fetch_all(&app.sql)
            .await
            .unwrap();
    assert_eq!(kept.len(), 50);
    assert_eq!(kept[0].0, "v0", "the original text is always kept");
    assert_eq!(
        kept[49].0, "w58",
        "the newest revision is the text before the last edit"
    );
}

/// `n` in base 36: short distinct tag names, so 45,000 of them fit in a form.
fn base36(mut n: usize) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut name = Vec::new();
    loop {
        name.push(digits[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    String::from_utf8(name).expect("ASCII digits")
}

#[tokio::test]
async fn an_edit_with_45000_tags_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let topic = alice
        .create_topic("Alice's question", "body", &["rust"])
        .await;
    let post = first_post(&app, topic).await;
    let flood: Vec<String> = (0..45_000).map(base36).collect();

    let api = edit(
        &alice,
        post,
        &json!({ "body": "new body", "tags": flood[..20_000] }),
    )
    .await;
    assert_eq!(api.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["error"]["fields"]["tags"], "at most 5 tags");
    let tags = flood.join(" ");
    let form = alice
        .submit(
            &format!("/p/{post}/edit"),
            &[
                ("title", "Alice's question"),
                ("body", "new body"),
                ("tags", &tags),
            ],
        )
        .await;
    assert_eq!(form.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(form.text().await.unwrap().contains("at most 5 tags"));

    assert_eq!(app.count("SELECT COUNT(*) FROM tags").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM post_revisions").await, 0);
    let (stored,): (String,) = sqlx::query_as("SELECT body_md FROM posts WHERE id = $1")
        .bind(post)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(stored, "body");
}

#[tokio::test]
async fn csv_reports_neutralise_cells_that_would_run_as_formulas() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    let alice = app.user("alice").await;
    let title = r#"=HYPERLINK("http://evil.example","click")"#;
    alice.create_topic(title, "no answer yet", &["test"]).await;

    for report in ["hot", "needs-attention"] {
        let (status, csv) = moderator
            .get_text(&format!("/mod/reports/{report}.csv"))
            .await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert!(
            csv.contains(r#""'=HYPERLINK(""http://evil.example"""#),
            "{report}: {csv}"
        );
        assert!(
            !csv.contains(r#","=HYPERLINK"#) && !csv.starts_with("=HYPER"),
            "{csv}"
        );
    }
}

#[tokio::test]
async fn return_paths_that_leave_the_site_go_home() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    let alice = app.user("alice").await;
    let topic = alice
        .create_topic("Alice's question", "body", &["rust"])
        .await;
    // A suggestion to decide on, as the model would leave it.
    for tag in ["a", "b", "c", "d", "e", "f"] {
        sqlx::query("INSERT INTO tags (name, created_at) VALUES ($1, 0)")
            .bind(tag)
            .execute(&app.sql)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, created_at)
             SELECT $1, id, 'model', 'suggested', 0.9, 0 FROM tags WHERE name = $2",
        )
        .bind(topic)
        .bind(tag)
        .execute(&app.sql)
        .await
        .unwrap();
    }
    let cases = [
        ("a", "/\\evil.example/", "/"),
        ("b", "/\t/evil.example/", "/"),
        ("c", "/\\/evil.example/", "/"),
        ("d", "//evil.example/", "/"),
        ("e", "/mod/review\r\nSet-Cookie: x=1", "/"),
        ("f", "/mod/review", "/mod/review"),
    ];
    for (tag, back, expected) in cases {
        let response = moderator
            .submit(&format!("/t/{topic}/tags/{tag}/reject"), &[("back", back)])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{back:?}");
        assert_eq!(response.headers()["location"], expected, "{back:?}");
    }
}

#[tokio::test]
async fn nothing_can_be_done_to_the_posts_of_a_hidden_topic_but_by_moderators() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let topic = alice
        .create_topic("Soon hidden topic", "body", &["rust"])
        .await;
    let post = first_post(&app, topic).await;
    let response = moderator
        .submit(&format!("/t/{topic}/moderate"), &[("action", "hide")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let before = (
        counts(&app).await,
        app.count("SELECT COUNT(*) FROM votes").await,
        app.count("SELECT COUNT(*) FROM flags").await,
    );

    let vote = bob
        .post_json(
            &format!("/api/v1/posts/{post}/vote"),
            &json!({ "value": 1 }),
        )
        .await;
    assert_eq!(vote.status(), StatusCode::NOT_FOUND);
    let vote_form = bob
        .submit(&format!("/p/{post}/vote"), &[("value", "1")])
        .await;
    assert_eq!(vote_form.status(), StatusCode::NOT_FOUND);
    let flag = bob
        .post_json(
            &format!("/api/v1/posts/{post}/flags"),
            &json!({ "reason": "spam" }),
        )
        .await;
    assert_eq!(flag.status(), StatusCode::NOT_FOUND);
    let reply = bob
        .post_json(
            &format!("/api/v1/topics/{topic}/replies"),
            &json!({ "body": "hi" }),
        )
        .await;
    assert_eq!(reply.status(), StatusCode::NOT_FOUND);
    // Not even its author edits it while it is hidden.
    let edit_response = edit(&alice, post, &json!({ "body": "changed" })).await;
    assert_eq!(edit_response.status(), StatusCode::NOT_FOUND);

    let after = (
        counts(&app).await,
        app.count("SELECT COUNT(*) FROM votes").await,
        app.count("SELECT COUNT(*) FROM flags").await,
    );
    assert_eq!(before, after);
    // Moderators still can.
    let vote = moderator
        .post_json(
            &format!("/api/v1/posts/{post}/vote"),
            &json!({ "value": 1 }),
        )
        .await;
    assert_eq!(vote.status(), StatusCode::OK);
}

#[tokio::test]
async fn members_cannot_vote_on_their_own_posts_nor_edit_inside_a_locked_topic() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    let alice = app.user("alice").await;
    let topic = alice
        .create_topic("Alice's question", "body", &["rust"])
        .await;
    let post = first_post(&app, topic).await;

    let own = alice
        .post_json(
            &format!("/api/v1/posts/{post}/vote"),
            &json!({ "value": 1 }),
        )
        .await;
    assert_eq!(own.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("SELECT COUNT(*) FROM votes").await, 0);

    moderator
        .submit(&format!("/t/{topic}/moderate"), &[("action", "lock")])
        .await;
    let locked = edit(&alice, post, &json!({ "body": "changed" })).await;
    assert_eq!(locked.status(), StatusCode::FORBIDDEN);
    let form = alice
        .submit(&format!("/p/{post}/edit"), &[("body", "changed")])
        .await;
    assert_eq!(form.status(), StatusCode::FORBIDDEN);
    let by_moderator = edit(&moderator, post, &json!({ "body": "moderated" })).await;
    assert_eq!(by_moderator.status(), StatusCode::OK);
    let (stored,): (String,) = sqlx::query_as("SELECT body_md FROM posts WHERE id = $1")
        .bind(post)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(stored, "moderated");
}

#[tokio::test]
async fn search_text_with_nul_and_control_characters_answers_200() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    alice
        .create_topic(
            "Rust in production",
            "we run rust\u{2} in \u{3}production",
            &["rust"],
        )
        .await;
    for query in ["rust%00", "%00", "%02rust%03", "rust%00%22", "%1b%5b"] {
        let (status, html) = alice.get_text(&format!("/search?q={query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {html}");
        let api = alice.get(&format!("/api/v1/search?q={query}")).await;
        assert_eq!(api.status(), StatusCode::OK, "{query}");
    }
    // Stored bodies lost the markers, so snippets' <mark> tags balance.
    let (stored,): (String,) = sqlx::query_as("SELECT body_md FROM posts")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(stored, "we run rust in production");
    let (_, html) = alice.get_text("/search?q=production").await;
    assert_eq!(
        html.matches("<mark>").count(),
        html.matches("</mark>").count(),
        "{html}"
    );
    assert!(html.contains("<mark>"), "{html}");
}

#[tokio::test]
async fn a_body_sent_too_slowly_gets_408_and_the_connection_is_closed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(|s| s.body_deadline_secs = 1).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /login HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // A byte now and then, never the whole body; the server must give up and hang up.
    let mut answer = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            tokio::select! {
                n = stream.read(&mut buf) => match n {
                    Ok(0) | Err(_) => break,
                    Ok(n) => answer.extend_from_slice(&buf[..n]),
                },
                () = tokio::time::sleep(Duration::from_millis(300)) => {
                    if stream.write_all(b"a").await.is_err() {
                        break;
                    }
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("the server closed the connection");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.to_lowercase().contains("connection: close"),
        "{answer}"
    );
}
