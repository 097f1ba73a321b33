//! The moderators' dashboards, reports, flags and log. Report fixtures are written straight into
//! the database with controlled timestamps, so every expected number is computed by hand.
use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::AnyPool;
use threadwise::domain::report::{WAIT_BUCKET_EDGES, Window};
use threadwise::forum::reports::{self, Source};

use crate::helpers::{Browser, TestApp, spawn_app};

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

fn today() -> i64 {
    chrono::Utc::now().timestamp() / DAY
}

/// 01:00 UTC of the day `days_ago` days before today.
fn at(days_ago: i64) -> i64 {
    (today() - days_ago) * DAY + HOUR
}

fn label(days_ago: i64) -> String {
    chrono::DateTime::from_timestamp((today() - days_ago) * DAY, 0)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

async fn user(pool: &AnyPool, name: &str, created_at: i64) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO users (username, email, role, created_at) VALUES ($1, $1 || '@example.org', 'member', $2) RETURNING id",
    )
    .bind(name)
    .bind(created_at)
    .fetch_one(pool)
    .await
    .unwrap();
    id
}

/// A topic with its opening post; `wait` is the time to first response, if any.
async fn topic(pool: &AnyPool, author: i64, created_at: i64, wait: Option<i64>) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO topics (title, author_id, created_at, last_posted_at, first_response_at)
         VALUES ('Topic at ' || $2, $1, $2, $2, $3) RETURNING id",
    )
    .bind(author)
    .bind(created_at)
    .bind(wait.map(|w| created_at + w))
    .fetch_one(pool)
    .await
    .unwrap();
    post(pool, id, author, true, created_at).await;
    id
}

async fn post(pool: &AnyPool, topic_id: i64, author: i64, is_first: bool, at: i64) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO posts (topic_id, author_id, is_first, body_md, body_html, created_at)
         VALUES ($1, $2, $3, 'text', '<p>text</p>', $4) RETURNING id",
    )
    .bind(topic_id)
    .bind(author)
    .bind(i64::from(is_first))
    .bind(at)
    .fetch_one(pool)
    .await
    .unwrap();
    id
}

async fn tag(pool: &AnyPool, name: &str, created_at: i64) -> i64 {
    let (id,): (i64,) =
        sqlx::query_as("INSERT INTO tags (name, created_at) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(created_at)
            .fetch_one(pool)
            .await
            .unwrap();
    id
}

async fn tag_topic(
    pool: &AnyPool,
    topic_id: i64,
    tag_id: i64,
    source: &str,
    status: &str,
    confidence: Option<f64>,
) {
    sqlx::query(
        "INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, created_at)
         VALUES ($1, $2, $3, $4, CAST($5 AS DOUBLE PRECISION), 0)",
    )
    .bind(topic_id)
    .bind(tag_id)
    .bind(source)
    .bind(status)
    // As text: sqlx's Any driver binds a NULL f64 as a float4 on PostgreSQL.
    .bind(confidence.map(|c| c.to_string()))
    .execute(pool)
    .await
    .unwrap();
}

async fn vote(pool: &AnyPool, user_id: i64, post_id: i64, at: i64) {
    sqlx::query("INSERT INTO votes (user_id, post_id, value, created_at) VALUES ($1, $2, 1, $3)")
        .bind(user_id)
        .bind(post_id)
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
}

async fn report(browser: &Browser, name: &str, period: i64) -> Value {
    let response = browser
        .get(&format!("/api/v1/mod/reports/{name}?period={period}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK, "report {name}");
    response.json().await.unwrap()
}

fn metric<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"] == name)
        .unwrap_or_else(|| panic!("no metric {name} in {summary}"))
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-9)
}

const MOD_PAGES: [&str; 8] = [
    "/mod",
    "/mod/response",
    "/mod/tags",
    "/mod/content",
    "/mod/people",
    "/mod/flags",
    "/mod/log",
    "/mod/reports/summary.csv",
];

const REPORTS: [&str; 11] = [
    "summary",
    "activity",
    "response-by-tag",
    "trending-tags",
    "new-tags",
    "tag-pairs",
    "hot",
    "rising",
    "needs-attention",
    "top-contributors",
    "new-contributors",
];

#[tokio::test]
async fn a_member_gets_403_on_every_moderation_page_and_api() {
    let app = spawn_app().await;
    app.user("root").await; // the first account becomes admin
    let member = app.user("mallory").await;

    let mut gets: Vec<String> = MOD_PAGES.iter().map(|p| p.to_string()).collect();
    gets.extend(
        [
            "/api/v1/mod/reports",
            "/api/v1/mod/flags",
            "/api/v1/mod/log",
        ]
        .map(String::from),
    );
    gets.extend(REPORTS.iter().map(|r| format!("/api/v1/mod/reports/{r}")));
    for path in &gets {
        let response = member.get(path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "GET {path}");
        if path.starts_with("/api/") {
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "forbidden", "{path}");
        }
    }
    let page_post = member
        .submit("/mod/flags/1/resolve", &[("action", "hide")])
        .await;
    assert_eq!(page_post.status(), StatusCode::FORBIDDEN);
    let api_post = member
        .post_json("/api/v1/mod/flags/1/resolve", &json!({ "action": "hide" }))
        .await;
    assert_eq!(api_post.status(), StatusCode::FORBIDDEN);

    let anonymous = app.browser();
    let response = anonymous.get("/mod").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/login?back=%2Fmod");
    assert_eq!(
        anonymous.get("/api/v1/mod/reports/summary").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn every_dashboard_page_renders_with_charts_for_a_moderator() {
    let app = spawn_app().await;
    let moderator = app.moderator("mona").await;
    let author = app.user("alice").await;
    author
        .create_topic("A first topic", "body text", &["rust"])
        .await;

    for path in MOD_PAGES.iter().filter(|p| !p.ends_with(".csv")) {
        for period in [7, 30, 90] {
            let (status, html) = moderator.get_text(&format!("{path}?period={period}")).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(html.contains("class=\"mod-tabs\""), "{path}");
        }
    }
    let (_, overview) = moderator.get_text("/mod?period=7").await;
    assert_eq!(
        overview.matches("<svg").count(),
        4,
        "four daily line charts"
    );
    assert!(overview.contains("day (UTC)") && overview.contains("previous period"));
    assert!(overview.contains("Model health"));
    for path in ["/mod/response", "/mod/tags", "/mod/people"] {
        let (_, html) = moderator.get_text(path).await;
        assert!(html.contains("<svg"), "{path} has a bar chart");
    }
}

#[tokio::test]
async fn response_times_overall_and_by_tag_match_hand_computed_values() {
    let app = spawn_app().await;
    let moderator = app.moderator("mona").await;
    let pool = &app.sql;
    let alice = user(pool, "alice", at(40)).await;
    let rust = tag(pool, "rust", at(40)).await;
    let go = tag(pool, "go", at(40)).await;
    // This period (7 days): waits of 1 h, 3 h and 5 h and one topic without an answer.
    let t1 = topic(pool, alice, at(2), Some(HOUR)).await;
    let t2 = topic(pool, alice, at(2), Some(3 * HOUR)).await;
    let t3 = topic(pool, alice, at(3), Some(5 * HOUR)).await;
    let t4 = topic(pool, alice, at(3), None).await;
    tag_topic(pool, t1, rust, "author", "active", None).await;
    tag_topic(pool, t3, rust, "author", "active", None).await;
    // t3 has a human tag, so the model's "go" does not stand in for it; t4 has none, so it does.
    tag_topic(pool, t3, go, "model", "suggested", Some(0.7)).await;
    tag_topic(pool, t4, go, "model", "suggested", Some(0.8)).await;
    tag_topic(pool, t2, go, "model", "rejected", Some(0.6)).await;
    // The previous period: one topic answered after 2 h.
    let old = topic(pool, alice, at(10), Some(2 * HOUR)).await;
    tag_topic(pool, old, rust, "author", "active", None).await;

    let summary = report(&moderator, "summary", 7).await;
    let median = metric(&summary, "first_response_median_s");
    assert!(close(&median["value"], 3.0 * 3600.0), "{median}");
    assert!(close(&median["previous"], 2.0 * 3600.0), "{median}");
    assert!(close(&median["change"], 0.5), "{median}");
    // p90 of 1, 3, 5 h: rank 1.8 → 3 h + 0.8 × 2 h = 4.6 h
    assert!(close(
        &metric(&summary, "first_response_p90_s")["value"],
        4.6 * 3600.0
    ));
    assert!(close(&metric(&summary, "no_response_share")["value"], 0.25));
    assert!(close(
        &metric(&summary, "no_response_share")["previous"],
        0.0
    ));

    let by_tag = report(&moderator, "response-by-tag", 7).await;
    let rows = by_tag["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{by_tag}");
    let rust_row = rows.iter().find(|r| r["tag"] == "rust").unwrap();
    assert_eq!(rust_row["topics"], 2);
    assert!(close(&rust_row["median_s"], 3.0 * 3600.0), "{rust_row}");
    assert!(close(&rust_row["no_response_share"], 0.0));
    assert_eq!(rust_row["previous_topics"], 1);
    assert!(close(&rust_row["previous_median_s"], 2.0 * 3600.0));
    let go_row = rows.iter().find(|r| r["tag"] == "go").unwrap();
    assert_eq!(
        (go_row["topics"].as_i64(), go_row["answered"].as_i64()),
        (Some(1), Some(0))
    );
    assert!(close(&go_row["no_response_share"], 1.0));
    assert!(go_row["median_s"].is_null());

    let (_, html) = moderator.get_text("/mod/response?period=7").await;
    assert!(html.contains("3.0 h"), "the median shows on the page");
}

#[tokio::test]
async fn activity_counts_signups_active_users_and_content_per_day() {
    let app = spawn_app().await;
    let moderator = app.moderator("mona").await;
    let pool = &app.sql;
    // Two days ago: two signups; alice posts a topic and bob replies and votes; carol only votes.
    let old = user(pool, "carol", at(20)).await;
    let alice = user(pool, "alice", at(2)).await;
    let bob = user(pool, "bob", at(2)).await;
    let t = topic(pool, alice, at(2), Some(HOUR)).await;
    let first: (i64,) = sqlx::query_as("SELECT id FROM posts WHERE topic_id = $1")
        .bind(t)
        .fetch_one(pool)
        .await
        .unwrap();
    post(pool, t, bob, false, at(2) + HOUR).await;
    vote(pool, bob, first.0, at(2) + HOUR).await;
    vote(pool, old, first.0, at(2) + 2 * HOUR).await;
    // Twelve days ago (previous 7-day period): carol posts once.
    let t_old = topic(pool, old, at(12), None).await;
    assert!(t_old > 0);

    let activity = report(&moderator, "activity", 7).await;
    let rows = activity["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 7);
    let day = rows.iter().find(|r| r["date"] == label(2)).unwrap();
    assert_eq!(day["signups"], 2);
    assert_eq!(
        day["active_users"], 3,
        "alice, bob and carol posted or voted"
    );
    assert_eq!(day["topics"], 1);
    assert_eq!(day["posts"], 2);
    assert_eq!(day["votes"], 2);
    assert_eq!(day["flags"], 0);

    let summary = report(&moderator, "summary", 7).await;
    // mona registered today; alice and bob two days ago.
    assert!(close(&metric(&summary, "signups")["value"], 3.0));
    assert!(close(&metric(&summary, "posts")["value"], 2.0));
    assert!(close(&metric(&summary, "posts")["previous"], 1.0));
    assert!(close(&metric(&summary, "posts")["change"], 1.0));
    // DAU: 3 active users over 7 days; MAU: the same 3 within 30 days (carol's earlier post too).
    assert!(close(&metric(&summary, "dau")["value"], 3.0 / 7.0));
    assert!(close(&metric(&summary, "mau")["value"], 3.0));
    assert!(close(&metric(&summary, "dau_mau")["value"], 1.0 / 7.0));
    assert!(close(&metric(&summary, "dau")["previous"], 1.0 / 7.0));

    let csv = moderator
        .get("/api/v1/mod/reports/activity?period=7&format=csv")
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with("date,signups,active_users,topics,posts,votes,flags\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{},2,3,1,2,2,0", label(2))),
        "{text}"
    );
    let file = moderator.get("/mod/reports/activity.csv?period=7").await;
    assert_eq!(file.status(), StatusCode::OK);
    assert_eq!(file.text().await.unwrap(), text);
}

#[tokio::test]
async fn tag_reports_show_trending_new_and_paired_tags() {
    let app = spawn_app().await;
    let moderator = app.moderator("mona").await;
    let pool = &app.sql;
    let alice = user(pool, "alice", at(60)).await;
    let rust = tag(pool, "rust", at(60)).await;
    let sql = tag(pool, "sql", at(60)).await;
    let wasm = tag(pool, "wasm", at(3)).await;
    // rust: 1 topic before, 4 now → (4 − 1) / (1 + 5) = 0.5; sql: 3 before, 2 now → −1/8.
    for (days_ago, tags) in [
        (10, vec![rust]),
        (10, vec![sql]),
        (11, vec![sql]),
        (12, vec![sql]),
        (2, vec![rust, sql]),
        (2, vec![rust, sql]),
        (3, vec![rust, wasm]),
        (4, vec![rust]),
    ] {
        let t = topic(pool, alice, at(days_ago), None).await;
        for tag_id in tags {
            tag_topic(pool, t, tag_id, "author", "active", None).await;
        }
    }

    let trending = report(&moderator, "trending-tags", 7).await;
    let rows = trending["rows"].as_array().unwrap();
    assert_eq!(rows[0]["tag"], "rust", "{trending}");
    assert_eq!(
        (rows[0]["topics"].as_i64(), rows[0]["previous"].as_i64()),
        (Some(4), Some(1))
    );
    assert!(close(&rows[0]["growth"], 3.0));
    assert!(close(&rows[0]["trend"], 0.5));
    let sql_row = rows.iter().find(|r| r["tag"] == "sql").unwrap();
    assert!(close(&sql_row["trend"], -1.0 / 8.0));

    let new_tags = report(&moderator, "new-tags", 7).await;
    assert_eq!(
        new_tags["rows"],
        json!([{ "tag": "wasm", "created": label(3), "topics": 1 }])
    );

    let pairs = report(&moderator, "tag-pairs", 7).await;
    assert_eq!(
        pairs["rows"][0],
        json!({ "tag_a": "rust", "tag_b": "sql", "topics": 2 })
    );
    assert_eq!(
        pairs["rows"][1],
        json!({ "tag_a": "rust", "tag_b": "wasm", "topics": 1 })
    );
}

#[tokio::test]
async fn needs_attention_ranks_flags_then_contradictions_then_unanswered_then_unsure_tags() {
    let app = spawn_app().await;
    let moderator = app.moderator("mona").await;
    let pool = &app.sql;
    let alice = user(pool, "alice", at(30)).await;
    let bob = user(pool, "bob", at(30)).await;
    let now = chrono::Utc::now().timestamp();
    let rust = tag(pool, "rust", at(30)).await;
    let go = tag(pool, "go", at(30)).await;
    // Unanswered, fresh, quality 0.9, 90 views: 0.9 × ~1 × 2 ≈ 1.8 would beat a flag, so it is
    // 48 h old: 0.9 × 0.5 × 2 = 0.9 (just above the contradiction's 0.8 × 0.95 = 0.76).
    let unanswered = topic(pool, alice, now - 48 * HOUR, None).await;
    sqlx::query("UPDATE topics SET predicted_quality = 0.9, view_count = 90 WHERE id = $1")
        .bind(unanswered)
        .execute(pool)
        .await
        .unwrap();
    let answered = topic(pool, alice, now - HOUR, Some(60)).await;
    tag_topic(pool, answered, rust, "author", "active", None).await;
    tag_topic(pool, answered, go, "model", "suggested", Some(0.95)).await;
    let unsure = topic(pool, alice, now - 10 * DAY, Some(60)).await;
    tag_topic(pool, unsure, go, "model", "suggested", Some(0.5)).await;
    let flagged_post = post(pool, answered, bob, false, now - 30 * 60).await;
    for (reporter, reason) in [("carol", "spam"), ("dave", "abuse")] {
        let id = user(pool, reporter, at(30)).await;
        sqlx::query(
            "INSERT INTO flags (post_id, reporter_id, reason, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(flagged_post)
        .bind(id)
        .bind(reason)
        .bind(now - 20 * 60)
        .execute(pool)
        .await
        .unwrap();
    }

    let attention = report(&moderator, "needs-attention", 7).await;
    let rows = attention["rows"].as_array().unwrap();
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    // The unsure topic is also answered but, 10 days on, without an accepted answer: last.
    assert_eq!(
        kinds,
        [
            "flagged",
            "unanswered",
            "tag_conflict",
            "uncertain_tag",
            "unresolved"
        ],
        "{attention}"
    );
    assert!(close(&rows[0]["score"], 2.0), "1 + log2(2 flags)");
    assert_eq!(rows[0]["url"], format!("/t/{answered}#post-{flagged_post}"));
    assert!(
        rows[0]["reason"]
            .as_str()
            .unwrap()
            .contains("2 open flags (abuse, spam)")
            || rows[0]["reason"]
                .as_str()
                .unwrap()
                .contains("2 open flags (spam, abuse)")
    );
    assert!(
        (rows[1]["score"].as_f64().unwrap() - 0.9).abs() < 1e-3,
        "{}",
        rows[1]
    );
    assert!(
        rows[1]["reason"]
            .as_str()
            .unwrap()
            .contains("90 views, predicted quality 0.90")
    );
    assert!(close(&rows[2]["score"], 0.76));
    assert_eq!(
        rows[2]["reason"],
        "model is 95% sure of \"go\"; the author tagged rust"
    );
    assert!(close(&rows[3]["score"], 0.4));

    let (_, html) = moderator.get_text("/mod").await;
    assert!(html.contains("2 open flags") && html.contains(&format!("/t/{unanswered}")));
}

#[tokio::test]
async fn people_reports_rank_contributors_and_find_newcomers() {
    let app = spawn_app().await;
    let moderator = app.moderator("mona").await;
    let pool = &app.sql;
    let veteran = user(pool, "veteran", at(60)).await;
    let newbie = user(pool, "newbie", at(5)).await;
    let t = topic(pool, veteran, at(20), None).await;
    post(pool, t, veteran, false, at(10)).await;
    for days_ago in [1, 2, 3] {
        post(pool, t, veteran, false, at(days_ago)).await;
    }
    post(pool, t, newbie, false, at(4)).await;

    let top = report(&moderator, "top-contributors", 7).await;
    assert_eq!(
        top["rows"],
        json!([
            { "username": "veteran", "posts": 3, "previous_posts": 1, "votes": 0, "active_days": 3 },
            { "username": "newbie", "posts": 1, "previous_posts": 0, "votes": 0, "active_days": 1 }
        ])
    );
    let newcomers = report(&moderator, "new-contributors", 7).await;
    assert_eq!(
        newcomers["rows"],
        json!([{ "username": "newbie", "first_post": label(4), "signed_up": label(5), "posts": 1 }])
    );
}

async fn topic_with_reply(app: &TestApp) -> (i64, i64, Browser) {
    app.user("root").await; // the first account becomes admin; alice is a member
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let topic_id = alice.create_topic("Flag me", "first post", &["rust"]).await;
    let response = bob
        .post_json(
            &format!("/api/v1/topics/{topic_id}/replies"),
            &json!({ "body": "buy cheap watches" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    let post_id = body["id"].as_i64().expect("a post id");
    (topic_id, post_id, alice)
}

#[tokio::test]
async fn a_flagged_post_is_hidden_from_the_queue_and_the_action_is_logged() {
    let app = spawn_app().await;
    let (topic_id, post_id, alice) = topic_with_reply(&app).await;
    let moderator = app.moderator("mona").await;

    let (_, page) = alice.get_text(&format!("/t/{topic_id}")).await;
    assert!(
        page.contains(&format!("action=\"/p/{post_id}/flag\"")),
        "flag form on others' posts"
    );
    let response = alice
        .submit(
            &format!("/p/{post_id}/flag"),
            &[("reason", "spam"), ("note", "a watch shop")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let carol = app.user("carol").await;
    let response = carol
        .post_json(
            &format!("/api/v1/posts/{post_id}/flags"),
            &json!({ "reason": "off_topic" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let bad = carol
        .post_json(
            &format!("/api/v1/posts/{post_id}/flags"),
            &json!({ "reason": "boring" }),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let (status, queue) = moderator.get_text("/mod/flags").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        queue.contains("2 flags")
            && queue.contains("buy cheap watches")
            && queue.contains("a watch shop"),
        "{queue}"
    );
    let summary = report(&moderator, "summary", 7).await;
    assert!(close(&metric(&summary, "flags")["value"], 2.0));

    let response = moderator
        .submit(
            &format!("/mod/flags/{post_id}/resolve"),
            &[("action", "hide")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (hidden,): (i64,) = sqlx::query_as("SELECT hidden FROM posts WHERE id = $1")
        .bind(post_id)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(hidden, 1);
    let queue: Value = moderator
        .get("/api/v1/mod/flags")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queue["flags"], json!([]));
    let (_, page) = alice.get_text(&format!("/t/{topic_id}")).await;
    assert!(!page.contains("buy cheap watches"));

    let log: Value = moderator.get("/api/v1/mod/log").await.json().await.unwrap();
    let entry = &log["entries"][0];
    assert_eq!(entry["action"], "resolve_flags_hide");
    assert_eq!(entry["moderator"], "mona");
    assert_eq!(entry["target_id"], post_id);
    assert_eq!(entry["detail"], "2 open flags");
    let (_, html) = moderator.get_text("/mod/log").await;
    assert!(
        html.contains("resolve flags hide")
            && html.contains(&format!("/t/{topic_id}#post-{post_id}"))
    );
}

#[tokio::test]
async fn dismissing_flags_keeps_the_post_and_resolving_twice_is_not_found() {
    let app = spawn_app().await;
    let (_, post_id, alice) = topic_with_reply(&app).await;
    let moderator = app.moderator("mona").await;
    let own = alice
        .post_json("/api/v1/posts/1/flags", &json!({ "reason": "spam" }))
        .await;
    assert_eq!(
        own.status(),
        StatusCode::FORBIDDEN,
        "nobody flags their own post"
    );
    alice
        .post_json(
            &format!("/api/v1/posts/{post_id}/flags"),
            &json!({ "reason": "abuse" }),
        )
        .await;

    let path = format!("/api/v1/mod/flags/{post_id}/resolve");
    let response = moderator
        .post_json(&path, &json!({ "action": "dismiss" }))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let again = moderator
        .post_json(&path, &json!({ "action": "dismiss" }))
        .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let (hidden,): (i64,) = sqlx::query_as("SELECT hidden FROM posts WHERE id = $1")
        .bind(post_id)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(hidden, 0);
    let log: Value = moderator.get("/api/v1/mod/log").await.json().await.unwrap();
    assert_eq!(log["entries"][0]["action"], "resolve_flags_dismiss");
}

#[tokio::test]
async fn lock_pin_and_hide_are_written_to_the_moderation_log() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let topic_id = alice.create_topic("Log me", "body", &["meta"]).await;
    let moderator = app.moderator("mona").await;
    for action in ["lock", "pin", "hide", "unhide"] {
        let response = moderator
            .submit(&format!("/t/{topic_id}/moderate"), &[("action", action)])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{action}");
    }
    let response = moderator
        .submit("/p/1/moderate", &[("action", "hide")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let log: Value = moderator.get("/api/v1/mod/log").await.json().await.unwrap();
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["hide_post", "unhide", "hide", "pin", "lock"]);
    assert_eq!(log["entries"][1]["target_kind"], "topic");
}

#[tokio::test]
async fn best_order_puts_the_reply_with_the_surest_votes_first() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let topic_id = alice
        .create_topic("Best order", "question", &["meta"])
        .await;
    let mut ids = Vec::new();
    for body in ["early reply", "later reply"] {
        let response = alice
            .post_json(
                &format!("/api/v1/topics/{topic_id}/replies"),
                &json!({ "body": body }),
            )
            .await;
        let body: Value = response.json().await.unwrap();
        ids.push(body["id"].as_i64().unwrap());
    }
    for voter in ["voter1", "voter2", "voter3"] {
        let v = app.user(voter).await;
        v.post_json(
            &format!("/api/v1/posts/{}/vote", ids[1]),
            &json!({ "value": 1 }),
        )
        .await;
    }

    let (_, by_time) = alice.get_text(&format!("/t/{topic_id}")).await;
    assert!(by_time.find("early reply").unwrap() < by_time.find("later reply").unwrap());
    let (_, best) = alice.get_text(&format!("/t/{topic_id}?sort=best")).await;
    assert!(best.find("later reply").unwrap() < best.find("early reply").unwrap());
    assert!(
        best.find("question").unwrap() < best.find("later reply").unwrap(),
        "opening post stays first"
    );
}

/// The roll-ups (migrations 0017 and 0007) as `(day, tag id) → (topics, answered, per wait
/// bucket)` and `(day, tag a, tag b) → topics`, leaving out cells that went back to zero.
type ResponseCells = BTreeMap<(i64, i64), (i64, i64, Vec<i64>)>;
type PairCells = BTreeMap<(i64, i64, i64), i64>;

async fn rollups(pool: &AnyPool) -> (ResponseCells, PairCells) {
    let totals: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT day, tag_id, topics, answered FROM response_rollup
         WHERE topics <> 0 OR answered <> 0",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut response: ResponseCells = totals
        .into_iter()
        .map(|(day, tag, topics, answered)| {
            let buckets = vec![0; WAIT_BUCKET_EDGES.len()];
            ((day, tag), (topics, answered, buckets))
        })
        .collect();
    let waits: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT day, tag_id, bucket, topics FROM response_waits WHERE bucket >= 0 AND topics <> 0",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (day, tag, bucket, topics) in waits {
        let cell = response
            .entry((day, tag))
            .or_insert_with(|| (0, 0, vec![0; WAIT_BUCKET_EDGES.len()]));
        cell.2[usize::try_from(bucket).unwrap()] += topics;
    }
    let pairs: Vec<(i64, i64, i64, i64)> =
        sqlx::query_as("SELECT day, tag_a, tag_b, topics FROM tag_pair_rollup")
            .fetch_all(pool)
            .await
            .unwrap();
    let pairs = pairs
        .into_iter()
        .filter(|p| p.3 != 0)
        .map(|(day, a, b, n)| ((day, a, b), n))
        .collect();
    (response, pairs)
}

/// The same figures computed from the topics and their tags, as the reports did before the
/// roll-ups: visible topics only; a topic counts under its active tags, or its suggestions when it
/// has none; pairs are of active tags.
async fn rollups_from_raw_rows(pool: &AnyPool) -> (ResponseCells, PairCells) {
    let topics: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, created_at, first_response_at - created_at FROM topics WHERE hidden = 0",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let tags: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT topic_id, tag_id, status FROM topic_tags ORDER BY tag_id")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut response = ResponseCells::new();
    let mut pairs = PairCells::new();
    for (id, created_at, wait) in topics {
        let day = created_at.div_euclid(DAY);
        let of = |status: &str| -> Vec<i64> {
            tags.iter()
                .filter(|t| t.0 == id && t.2 == status)
                .map(|t| t.1)
                .collect()
        };
        let active = of("active");
        let counted = if active.is_empty() {
            of("suggested")
        } else {
            active.clone()
        };
        for tag in std::iter::once(0).chain(counted) {
            let cell = response
                .entry((day, tag))
                .or_insert_with(|| (0, 0, vec![0; WAIT_BUCKET_EDGES.len()]));
            cell.0 += 1;
            if let Some(w) = wait {
                cell.1 += 1;
                let k = WAIT_BUCKET_EDGES.iter().rposition(|&e| e <= w).unwrap_or(0);
                cell.2[k] += 1;
            }
        }
        for (i, a) in active.iter().enumerate() {
            for b in &active[i + 1..] {
                *pairs.entry((day, *a, *b)).or_default() += 1;
            }
        }
    }
    (response, pairs)
}

pub async fn assert_rollups_match(pool: &AnyPool, step: &str) {
    let (response, pairs) = rollups(pool).await;
    let (expected_response, expected_pairs) = rollups_from_raw_rows(pool).await;
    assert_eq!(response, expected_response, "response roll-up after {step}");
    assert_eq!(pairs, expected_pairs, "pair roll-up after {step}");
}

async fn set_tags(browser: &Browser, topic_id: i64, tags: &[&str]) {
    let response = browser
        .client
        .put(browser.url(&format!("/api/v1/topics/{topic_id}/tags")))
        .header("X-CSRF-Token", &browser.csrf)
        .json(&json!({ "tags": tags }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "retag {topic_id}");
}

async fn decide(browser: &Browser, topic_id: i64, tag: &str, decision: &str) {
    let response = browser
        .post_json(
            &format!("/api/v1/topics/{topic_id}/tags/{tag}/{decision}"),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{decision} {tag}");
}

async fn moderate(browser: &Browser, topic_id: i64, action: &str) {
    let response = browser
        .submit(&format!("/t/{topic_id}/moderate"), &[("action", action)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{action}");
}

#[tokio::test]
async fn rollups_follow_replies_hides_and_tag_decisions_as_the_raw_rows_do() {
    let app = spawn_app().await;
    let moderator = app.moderator("mona").await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let pool = &app.sql;
    let (alice_id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'alice'")
        .fetch_one(pool)
        .await
        .unwrap();
    let go = tag(pool, "go", at(40)).await;
    let wasm = tag(pool, "wasm", at(40)).await;

    // Through the API: topics with tags, replies (first_response_at), suggestions beside them.
    let a = alice
        .create_topic("Borrowing", "body", &["rust", "sql"])
        .await;
    let b = alice.create_topic("Lifetimes", "body", &["rust"]).await;
    tag_topic(pool, a, go, "model", "suggested", Some(0.9)).await;
    tag_topic(pool, b, wasm, "model", "suggested", Some(0.6)).await;
    // As the generator writes them: answered already, with a suggestion standing in for tags.
    let c = topic(pool, alice_id, at(3), Some(2 * HOUR)).await;
    tag_topic(pool, c, go, "model", "suggested", Some(0.7)).await;
    let d = topic(pool, alice_id, at(9), None).await;
    tag_topic(pool, d, wasm, "model", "suggested", Some(0.8)).await;
    tag_topic(pool, d, go, "model", "rejected", Some(0.4)).await;
    assert_rollups_match(pool, "creating topics").await;

    for (topic_id, body) in [(a, "try this"), (b, "and this")] {
        let response = bob
            .post_json(
                &format!("/api/v1/topics/{topic_id}/replies"),
                &json!({ "body": body }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    alice
        .post_json(
            &format!("/api/v1/topics/{b}/replies"),
            &json!({ "body": "thanks" }),
        )
        .await;
    assert_rollups_match(pool, "replies").await;

    moderate(&moderator, a, "hide").await;
    assert_rollups_match(pool, "hiding a topic").await;
    decide(&moderator, a, "go", "accept").await; // on a hidden topic: counts when it comes back
    moderate(&moderator, a, "unhide").await;
    assert_rollups_match(pool, "unhiding it").await;

    decide(&moderator, b, "wasm", "reject").await;
    decide(&moderator, c, "go", "accept").await;
    decide(&alice, d, "wasm", "accept").await;
    assert_rollups_match(pool, "accepting and rejecting suggestions").await;

    // Retagging: the first active tag makes a suggestion stop counting, dropping the last
    // active one brings it back.
    tag_topic(pool, b, go, "model", "suggested", Some(0.5)).await;
    set_tags(&moderator, a, &["go", "wasm", "sql"]).await;
    set_tags(&moderator, b, &["sql"]).await;
    assert_rollups_match(pool, "retagging").await;
    sqlx::query("DELETE FROM topic_tags WHERE topic_id = $1 AND status = 'active'")
        .bind(b)
        .execute(pool)
        .await
        .unwrap();
    assert_rollups_match(pool, "removing a topic's last active tag").await;
    sqlx::query("UPDATE topics SET created_at = $1 WHERE id = $2")
        .bind(at(20))
        .bind(c)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM topics WHERE id = $1")
        .bind(d)
        .execute(pool)
        .await
        .unwrap();
    assert_rollups_match(pool, "re-dating and deleting topics").await;

    // Every bucket edge lands where the Rust side puts it: the triggers look the edges up in
    // `wait_buckets`, which the app filled from WAIT_BUCKET_EDGES.
    for (k, &edge) in WAIT_BUCKET_EDGES.iter().enumerate().skip(1) {
        for (wait, bucket) in [(edge - 1, k - 1), (edge, k)] {
            sqlx::query("UPDATE topics SET first_response_at = created_at + $1 WHERE id = $2")
                .bind(wait)
                .bind(c)
                .execute(pool)
                .await
                .unwrap();
            let (got,): (i64,) = sqlx::query_as(
                "SELECT r.bucket FROM response_waits r JOIN topics t ON r.day = t.created_at / 86400
                 WHERE t.id = $1 AND r.tag_id = 0 AND r.bucket >= 0 AND r.topics > 0",
            )
            .bind(c)
            .fetch_one(pool)
            .await
            .unwrap();
            assert_eq!(got, bucket as i64, "a wait of {wait} s");
        }
    }
    assert_rollups_match(pool, "moving a topic through every bucket").await;

    // The reports read the roll-ups: the same counts as from the topics.
    let w = Window::ending(chrono::Utc::now().timestamp(), 30);
    let mut conn = app.pool.acquire().await.unwrap();
    let exact = reports::response_by_tag_from(&mut conn, w, 50, Source::Topics)
        .await
        .unwrap();
    let rolled = reports::response_by_tag_from(&mut conn, w, 50, Source::Rollup)
        .await
        .unwrap();
    let counts = |rows: &[reports::TagResponseRow]| -> Vec<(String, i64, i64, i64)> {
        rows.iter()
            .map(|r| (r.tag.clone(), r.topics, r.answered, r.previous_topics))
            .collect()
    };
    assert_eq!(counts(&rolled), counts(&exact));
    assert!(!exact.is_empty());
}

#[tokio::test]
async fn percentiles_come_from_the_rollup_above_the_exact_limit_and_stay_close() {
    let app = spawn_app().await;
    let moderator = app.moderator("mona").await;
    let pool = &app.sql;
    let alice = user(pool, "alice", at(40)).await;
    let rust = tag(pool, "rust", at(40)).await;
    // More topics than the exact limit, waits spread from a minute to days, every tenth
    // unanswered; as one statement, like the generator's bulk inserts.
    let n = reports::EXACT_TOPICS + 500;
    sqlx::query(
        "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < $1)
         INSERT INTO topics (title, author_id, created_at, last_posted_at, first_response_at)
         SELECT 'bulk ' || n, $2, $3 + n * 97, $3 + n * 97,
                CASE WHEN n % 10 = 0 THEN NULL ELSE $3 + n * 97 + 60 + (n * n * 37) % 200000 END
         FROM i",
    )
    .bind(n)
    .bind(alice)
    .bind(at(6))
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at)
         SELECT id, $1, 'author', 'active', created_at FROM topics WHERE id % 3 = 0",
    )
    .bind(rust)
    .execute(pool)
    .await
    .unwrap();
    assert_rollups_match(pool, "bulk inserts").await;

    let w = Window::ending(chrono::Utc::now().timestamp(), 7);
    let mut conn = app.pool.acquire().await.unwrap();
    let (exact, _) = reports::response_overall_from(&mut conn, w, Source::Topics)
        .await
        .unwrap();
    let (auto, _) = reports::response_overall(&mut conn, w).await.unwrap();
    let (rolled, _) = reports::response_overall_from(&mut conn, w, Source::Rollup)
        .await
        .unwrap();
    assert_eq!(auto, rolled, "above the limit, the roll-up answers");
    assert_eq!(
        (rolled.topics, rolled.answered, rolled.no_response_share),
        (exact.topics, exact.answered, exact.no_response_share)
    );
    let near = |a: Option<f64>, b: Option<f64>| {
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!((a - b).abs() / b < 0.05, "{a} vs exact {b}");
    };
    near(rolled.median_s, exact.median_s);
    near(rolled.p90_s, exact.p90_s);

    let exact = reports::response_by_tag_from(&mut conn, w, 10, Source::Topics)
        .await
        .unwrap();
    let rolled = reports::response_by_tag(&mut conn, w, 10).await.unwrap();
    drop(conn);
    assert_eq!((rolled.len(), exact.len()), (1, 1));
    assert_eq!(
        (rolled[0].topics, rolled[0].answered),
        (exact[0].topics, exact[0].answered)
    );
    near(rolled[0].median_s, exact[0].median_s);
    near(rolled[0].p90_s, exact[0].p90_s);

    let summary = report(&moderator, "summary", 7).await;
    assert!(close(&metric(&summary, "topics")["value"], n as f64));
    let median = metric(&summary, "first_response_median_s")["value"]
        .as_f64()
        .unwrap();
    assert!((median - auto.median_s.unwrap()).abs() < 1e-6);
}

#[tokio::test]
async fn wait_buckets_that_differ_from_the_code_are_replaced_and_the_rollups_rebuilt_on_open() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let (alice_id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'alice'")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    alice.create_topic("Unanswered", "body", &["rust"]).await;
    for (days, wait) in [(2, 30), (3, 4 * HOUR), (5, 20 * DAY)] {
        topic(&app.sql, alice_id, at(days), Some(wait)).await;
    }
    assert_rollups_match(&app.sql, "writing topics").await;
    // As if the edges had changed in the code: the stored ones and the roll-ups disagree.
    for sql in [
        "UPDATE wait_buckets SET lower_s = lower_s + 1 WHERE bucket = 20",
        "UPDATE response_waits SET topics = topics + 5",
    ] {
        sqlx::query(sql).execute(&app.sql).await.unwrap();
    }
    let reopened = threadwise::db::connect(&app.database_url, 1).await.unwrap();
    reopened.close().await;
    let edges: Vec<(i64,)> = sqlx::query_as("SELECT lower_s FROM wait_buckets ORDER BY bucket")
        .fetch_all(&app.sql)
        .await
        .unwrap();
    let edges: Vec<i64> = edges.into_iter().map(|(e,)| e).collect();
    assert_eq!(edges, WAIT_BUCKET_EDGES);
    assert_rollups_match(&app.sql, "reopening").await;
}
