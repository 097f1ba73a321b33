use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

const BODY: &str = "How do I share state between actix handlers?\n\n```rust\nlet data = web::Data::new(state);\n```";

#[tokio::test]
async fn creating_a_topic_through_the_form_lists_it_with_its_tags() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;

    let response = alice
        .submit(
            "/new",
            &[
                ("title", "Sharing state in actix"),
                ("body", BODY),
                ("tags", "Rust, actix-web"),
            ],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (status, page) = alice.get_text(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<code class="language-rust">"#), "{page}");
    for list in ["/", "/latest", "/top", "/tags/rust", "/tags/actix-web"] {
        let (status, html) = alice.get_text(list).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert!(html.contains("Sharing state in actix"), "{list}");
        assert!(
            html.contains(">rust</a>") && html.contains("alice"),
            "{list}"
        );
    }
    let (_, tags) = alice.get_text("/tags").await;
    assert!(tags.contains("actix-web"));
}

#[tokio::test]
async fn creating_a_topic_without_a_title_or_with_an_over_long_one_returns_422_and_keeps_the_input()
{
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let long_title = "t".repeat(301);

    for title in ["", "abc", long_title.as_str()] {
        let response = alice
            .submit(
                "/new",
                &[
                    ("title", title),
                    ("body", "kept body text"),
                    ("tags", "rust"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = response.text().await.unwrap();
        assert!(
            html.contains("kept body text") && html.contains("title:"),
            "{html}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM posts").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM tags").await, 0);
}

#[tokio::test]
async fn an_empty_body_or_one_over_64_kib_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let huge = "a".repeat(64 * 1024 + 1);

    for body in ["   ", huge.as_str()] {
        let response = alice
            .post_json(
                "/api/v1/topics",
                &json!({ "title": "A fine title", "body": body, "tags": ["rust"] }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let error: Value = response.json().await.unwrap();
        assert!(error["error"]["fields"]["body"].is_string(), "{error}");
    }
    let response = alice
        .submit(
            "/new",
            &[("title", "A fine title"), ("body", &huge), ("tags", "rust")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 0);
}

#[tokio::test]
async fn an_absurdly_large_payload_gets_413() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let body = "a".repeat(400 * 1024);

    let response = alice
        .post_json(
            "/api/v1/topics",
            &json!({ "title": "A fine title", "body": body, "tags": ["rust"] }),
        )
        .await;

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "too_large");
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 0);
}

#[tokio::test]
async fn malformed_json_gets_a_json_400() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;

    let response = alice
        .client
        .post(alice.url("/api/v1/topics"))
        .header("X-CSRF-Token", &alice.csrf)
        .header("content-type", "application/json")
        .body("{\"title\": \"oops\", ")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "bad_request");
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 0);
}

#[tokio::test]
async fn api_writes_need_a_session_and_the_csrf_header() {
    let app = spawn_app().await;
    let mut alice = app.user("alice").await;
    let topic = json!({ "title": "A fine title", "body": "body", "tags": ["rust"] });

    let anonymous = app.browser().post_json("/api/v1/topics", &topic).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    alice.csrf = String::new();
    let no_header = alice.post_json("/api/v1/topics", &topic).await;
    assert_eq!(no_header.status(), StatusCode::FORBIDDEN);
    let error: Value = no_header.json().await.unwrap();
    assert_eq!(error["error"]["code"], "csrf");
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 0);
}

#[tokio::test]
async fn tags_are_normalised_deduplicated_and_bounded() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;

    let id = alice
        .create_topic(
            "Templates in C++",
            "body",
            &["C++", "c++", "Machine Learning"],
        )
        .await;
    let topic: Value = alice
        .get(&format!("/api/v1/topics/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = topic["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["c++", "machine-learning"]);

    for tags in [
        json!([]),
        json!(["a", "b", "c", "d", "e", "f"]),
        json!(["<script>"]),
        json!(["x".repeat(33)]),
    ] {
        let response = alice
            .post_json(
                "/api/v1/topics",
                &json!({ "title": "Another title", "body": "b", "tags": tags }),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{tags}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 1);
}

#[tokio::test]
async fn replying_counts_the_reply_and_the_first_response_by_someone_else() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let id = alice
        .create_topic("Question about lifetimes", "body", &["rust"])
        .await;

    let own = alice
        .submit(&format!("/t/{id}/reply"), &[("body", "bump")])
        .await;
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    let (first_response,): (Option<i64>,) = sqlx::query_as("SELECT first_response_at FROM topics")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(
        first_response, None,
        "the author's own reply is not a response"
    );

    let response = bob
        .post_json(
            &format!("/api/v1/topics/{id}/replies"),
            &json!({ "body": "Use `'static`." }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let (replies, first_response): (i64, Option<i64>) =
        sqlx::query_as("SELECT reply_count, first_response_at FROM topics")
            .fetch_one(&app.sql)
            .await
            .unwrap();
    assert_eq!(replies, 2);
    assert!(first_response.is_some());
    let (_, page) = alice.get_text(&format!("/t/{id}")).await;
    assert!(page.contains("<code>'static</code>"), "{page}");

    let (status, _) = bob.get_text(&format!("/t/{id}/reply")).await;
    assert_eq!(status, StatusCode::OK);
    let empty = bob
        .submit(&format!("/t/{id}/reply"), &[("body", " ")])
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM posts").await, 3);
}

#[tokio::test]
async fn editing_keeps_a_revision_and_others_cannot_edit() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let id = alice
        .create_topic("Original title here", "original body", &["rust"])
        .await;
    let (post_id,): (i64,) = sqlx::query_as("SELECT id FROM posts")
        .fetch_one(&app.sql)
        .await
        .unwrap();

    let forbidden = bob
        .submit(
            &format!("/p/{post_id}/edit"),
            &[
                ("title", "Hijacked title"),
                ("body", "hijacked"),
                ("tags", "evil"),
            ],
        )
        .await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let (status, _) = bob.get_text(&format!("/p/{post_id}/edit")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, form) = alice.get_text(&format!("/p/{post_id}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("original body"));
    let saved = alice
        .submit(
            &format!("/p/{post_id}/edit"),
            &[
                ("title", "Better title here"),
                ("body", "better body"),
                ("tags", "rust, tokio"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);

    let topic: Value = alice
        .get(&format!("/api/v1/topics/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(topic["title"], "Better title here");
    assert_eq!(topic["posts"][0]["body_md"], "better body");
    assert_eq!(topic["tags"].as_array().unwrap().len(), 2);
    let (title, body): (Option<String>, String) =
        sqlx::query_as("SELECT title, body_md FROM post_revisions")
            .fetch_one(&app.sql)
            .await
            .unwrap();
    assert_eq!(
        (title.as_deref(), body.as_str()),
        (Some("Original title here"), "original body")
    );
    assert!(
        !alice
            .get_text("/search?q=hijacked")
            .await
            .1
            .contains("Better title")
    );
    assert!(
        alice
            .get_text("/search?q=better")
            .await
            .1
            .contains("Better title here")
    );
    app.assert_search_index_matches().await;
}

#[tokio::test]
async fn votes_are_one_per_user_can_change_and_set_the_topic_score() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let id = alice
        .create_topic("Vote on this topic", "body", &["rust"])
        .await;
    let (post_id,): (i64,) = sqlx::query_as("SELECT id FROM posts")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    let vote = |value: i64| json!({ "value": value });

    bob.post_json(&format!("/api/v1/posts/{post_id}/vote"), &vote(1))
        .await;
    bob.post_json(&format!("/api/v1/posts/{post_id}/vote"), &vote(1))
        .await;
    let response = carol
        .submit(&format!("/p/{post_id}/vote"), &[("value", "1")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let topic: Value = alice
        .get(&format!("/api/v1/topics/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(topic["score"], 2);

    let changed: Value = bob
        .post_json(&format!("/api/v1/posts/{post_id}/vote"), &vote(-1))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["score"], 0);
    let invalid = bob
        .post_json(&format!("/api/v1/posts/{post_id}/vote"), &vote(5))
        .await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM votes").await, 2);
    let topic: Value = bob
        .get(&format!("/api/v1/topics/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(topic["score"], 0);
    assert_eq!(topic["posts"][0]["my_vote"], -1);
}

#[tokio::test]
async fn lists_paginate_by_thirty() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    for i in 0..31 {
        alice
            .create_topic(&format!("Numbered topic {i:02}"), "body", &["paging"])
            .await;
    }

    let first: Value = alice
        .get("/api/v1/topics?order=latest")
        .await
        .json()
        .await
        .unwrap();
    let second: Value = alice
        .get("/api/v1/topics?order=latest&page=2")
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(first["topics"].as_array().unwrap().len(), 30);
    assert_eq!(first["has_next"], true);
    assert_eq!(second["topics"].as_array().unwrap().len(), 1);
    assert_eq!(second["has_next"], false);
    assert_eq!(second["topics"][0]["title"], "Numbered topic 00");
    let (_, html) = alice.get_text("/latest").await;
    assert!(html.contains("/latest?after="));
    let by_tag: Value = alice
        .get("/api/v1/topics?tag=paging&order=top&period=all")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_tag["topics"].as_array().unwrap().len(), 30);
    assert_eq!(
        alice.get("/api/v1/topics?order=sideways").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        alice.get("/api/v1/topics?tag=nope").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn search_ranks_highlights_and_hides_hidden_posts() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let moderator = app.moderator("mod").await;
    alice
        .create_topic(
            "Borrow checker woes",
            "The borrow checker rejects my closure.",
            &["rust"],
        )
        .await;
    let hidden = alice
        .create_topic("Unrelated topic", "nothing about closures here", &["misc"])
        .await;

    let (status, html) = alice.get_text("/search?q=closure").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Borrow checker woes") && html.contains("<mark>"),
        "{html}"
    );
    let api: Value = alice
        .get("/api/v1/search?q=borrow%20checker")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["results"][0]["title"], "Borrow checker woes");

    let response = moderator
        .submit(&format!("/t/{hidden}/moderate"), &[("action", "hide")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = alice.get_text("/search?q=nothing").await;
    assert!(!html.contains("Unrelated topic"), "{html}");
    app.assert_search_index_matches().await;
    // Odd syntax is searched for, not interpreted.
    let (status, _) = alice.get_text("/search?q=%22%20OR%20NEAR(").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn members_cannot_moderate_and_moderators_can() {
    let app = spawn_app().await;
    app.user("admin").await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let moderator = app.moderator("mod").await;
    let id = alice
        .create_topic("Please lock me", "body", &["rust"])
        .await;
    let (post_id,): (i64,) = sqlx::query_as("SELECT id FROM posts")
        .fetch_one(&app.sql)
        .await
        .unwrap();

    for (path, action) in [
        (format!("/t/{id}/moderate"), "lock"),
        (format!("/p/{post_id}/moderate"), "hide"),
    ] {
        let response = bob.submit(&path, &[("action", action)]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let (locked, hidden): (i64, i64) = sqlx::query_as("SELECT locked, hidden FROM topics")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!((locked, hidden), (0, 0));

    moderator
        .submit(&format!("/t/{id}/moderate"), &[("action", "lock")])
        .await;
    moderator
        .submit(&format!("/t/{id}/moderate"), &[("action", "pin")])
        .await;
    let refused = bob
        .post_json(
            &format!("/api/v1/topics/{id}/replies"),
            &json!({ "body": "late" }),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let allowed = moderator
        .post_json(
            &format!("/api/v1/topics/{id}/replies"),
            &json!({ "body": "closing note" }),
        )
        .await;
    assert_eq!(allowed.status(), StatusCode::CREATED);

    let reply_id: (i64,) = sqlx::query_as("SELECT MAX(id) FROM posts")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    moderator
        .submit(
            &format!("/p/{}/moderate", reply_id.0),
            &[("action", "hide")],
        )
        .await;
    let (_, as_member) = bob.get_text(&format!("/t/{id}")).await;
    assert!(!as_member.contains("closing note"));
    let (_, as_moderator) = moderator.get_text(&format!("/t/{id}")).await;
    assert!(as_moderator.contains("closing note"));
    assert_eq!(
        bob.get(&format!("/api/v1/topics/{}", id + 100))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn profiles_list_a_users_topics_and_posts() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let id = alice
        .create_topic("Alice asks something", "first body", &["rust"])
        .await;
    alice
        .post_json(
            &format!("/api/v1/topics/{id}/replies"),
            &json!({ "body": "a follow-up" }),
        )
        .await;

    let (status, html) = alice.get_text("/u/alice").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Alice asks something") && html.contains("a follow-up"));
    assert_eq!(alice.get("/u/nobody").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(alice.get("/t/999").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn views_are_counted_in_memory_and_written_by_the_rank_job() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let id = alice
        .create_topic("Count my views", "body", &["rust"])
        .await;
    for _ in 0..3 {
        alice.get(&format!("/t/{id}")).await;
    }
    assert_eq!(app.count("SELECT view_count FROM topics").await, 0);

    threadwise::jobs::ranks::run_once(&app.pool, &app.state.views)
        .await
        .unwrap();

    assert_eq!(app.count("SELECT view_count FROM topics").await, 3);
    let (hot,): (f64,) = sqlx::query_as("SELECT hot_rank FROM topics")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert!(hot > 0.0);
}

/// The search index reads its text from the posts (migration 0008) and must be told exactly what
/// it indexed when a row changes: every edit, hide and unhide keeps it equal to the visible posts.
#[tokio::test]
async fn the_search_index_follows_edits_hiding_and_title_changes() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let moderator = app.moderator("mod").await;
    let first = alice
        .create_topic("Lifetimes puzzle", "alpha lifetimes question", &["rust"])
        .await;
    let second = alice
        .create_topic("Tokio runtime", "beta runtime question", &["tokio"])
        .await;
    for (topic, body) in [
        (first, "gamma reply"),
        (first, "delta reply"),
        (second, "epsilon"),
    ] {
        let reply = alice
            .post_json(
                &format!("/api/v1/topics/{topic}/replies"),
                &json!({ "body": body }),
            )
            .await;
        assert_eq!(reply.status(), StatusCode::CREATED);
    }
    app.assert_search_index_matches().await;
    let post_id = |body: &'static str| {
        let pool = app.sql.clone();
        async move {
            let (id,): (i64,) = sqlx::query_as("SELECT id FROM posts WHERE body_md = $1")
                .bind(body)
                .fetch_one(&pool)
                .await
                .expect("the post");
            id
        }
    };
    let found = |query: &'static str| {
        let alice = &alice;
        async move {
            let api: Value = alice
                .get(&format!("/api/v1/search?q={query}"))
                .await
                .json()
                .await
                .expect("search results");
            api["results"].as_array().map_or(0, Vec::len)
        }
    };

    // A reply's body, then an opening post's title and body.
    let gamma = post_id("gamma reply").await;
    let edited = alice
        .submit(&format!("/p/{gamma}/edit"), &[("body", "zeta reply")])
        .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    let opening = post_id("alpha lifetimes question").await;
    let edited = alice
        .submit(
            &format!("/p/{opening}/edit"),
            &[
                ("title", "Borrowing puzzle"),
                ("body", "eta borrowing question"),
                ("tags", "rust"),
            ],
        )
        .await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    app.assert_search_index_matches().await;
    assert_eq!((found("gamma").await, found("zeta").await), (0, 1));
    assert_eq!((found("lifetimes").await, found("borrowing").await), (0, 1));

    // Hidden posts leave the index and come back when shown again.
    let delta = post_id("delta reply").await;
    for action in ["hide", "unhide", "hide"] {
        let done = moderator
            .submit(&format!("/p/{delta}/moderate"), &[("action", action)])
            .await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        app.assert_search_index_matches().await;
    }
    assert_eq!(found("delta").await, 0);
    let hidden_edit = alice
        .submit(&format!("/p/{delta}/edit"), &[("body", "theta reply")])
        .await;
    assert!(hidden_edit.status().is_client_error() || hidden_edit.status().is_redirection());
    app.assert_search_index_matches().await;
    assert_eq!(found("epsilon").await, 1);
}
