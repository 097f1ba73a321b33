//! Issue 15, "fast for members": sessions served from memory yet refused at once when they end,
//! keyset cursors, the heavy pool's query budget and bounded, grouped search.
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Browser, PASSWORD, TestApp, spawn_app};

async fn signed_in(app: &TestApp, username: &str) -> Browser {
    let (status, browser) = app.login(username).await;
    assert_eq!(status, StatusCode::OK, "logging in {username}");
    browser.expect("a signed-in browser")
}

/// `/api/v1/me` answers 200 for a live session and 401 once it is gone.
async fn me(browser: &Browser) -> StatusCode {
    browser.get("/api/v1/me").await.status()
}

#[tokio::test]
async fn a_logged_out_session_is_refused_on_the_next_request() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let stolen_cookie_copy = signed_in(&app, "alice").await;
    assert_eq!(me(&stolen_cookie_copy).await, StatusCode::OK);

    let response = stolen_cookie_copy
        .post_json("/api/v1/auth/logout", &json!({}))
        .await;
    assert!(response.status().is_success(), "{}", response.status());

    assert_eq!(me(&stolen_cookie_copy).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&alice).await, StatusCode::OK, "other sessions live on");
}

#[tokio::test]
async fn a_banned_members_cached_session_is_refused_at_once() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    let troll = app.user("troll").await;
    assert_eq!(me(&troll).await, StatusCode::OK, "now cached");

    moderator.ban("troll", 1).await;

    assert_eq!(me(&troll).await, StatusCode::UNAUTHORIZED);
    troll.assert_cannot_post().await;
}

#[tokio::test]
async fn a_demoted_moderator_loses_moderator_pages_at_once() {
    let app = spawn_app().await;
    let moderator = app.moderator("mod").await;
    assert_eq!(
        moderator.get("/api/v1/mod/flags").await.status(),
        StatusCode::OK
    );

    // Roles change from the command line, another process than the server.
    threadwise::cli::user::run(
        &app.database_url,
        threadwise::cli::user::UserCommand::SetRole {
            username: "mod".to_owned(),
            role: threadwise::domain::Role::Member,
        },
    )
    .await
    .expect("set-role runs");
    // The server's once-a-second poll of the session epoch, run once.
    app.state.sessions.refresh(&app.pool).await;

    assert_eq!(
        moderator.get("/api/v1/mod/flags").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(me(&moderator).await, StatusCode::OK, "still a member");
}

#[tokio::test]
async fn a_password_change_refuses_the_other_cached_sessions_at_once() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let laptop = signed_in(&app, "alice").await;
    assert_eq!(me(&laptop).await, StatusCode::OK, "now cached");

    let response = alice
        .post_json(
            "/api/v1/me/password",
            &json!({ "current_password": PASSWORD, "new_password": "another long passphrase" }),
        )
        .await;
    assert!(response.status().is_success(), "{}", response.status());

    assert_eq!(me(&laptop).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me(&alice).await,
        StatusCode::OK,
        "the session that changed it stays"
    );
}

#[tokio::test]
async fn logging_out_everywhere_refuses_every_cached_session_at_once() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let phone = signed_in(&app, "alice").await;
    assert_eq!(me(&phone).await, StatusCode::OK, "now cached");
    assert_eq!(me(&alice).await, StatusCode::OK, "now cached");

    let response = alice.submit("/settings/sessions/end", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    assert_eq!(me(&phone).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&alice).await, StatusCode::UNAUTHORIZED);
}

async fn latest_page(browser: &Browser, query: &str) -> Value {
    let response = browser
        .get(&format!("/api/v1/topics?order=latest{query}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{query}");
    response.json().await.expect("a JSON body")
}

fn titles(page: &Value) -> Vec<String> {
    page["topics"]
        .as_array()
        .expect("a list of topics")
        .iter()
        .map(|t| t["title"].as_str().expect("a title").to_owned())
        .collect()
}

#[tokio::test]
async fn cursors_neither_skip_nor_repeat_while_new_topics_arrive() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    for i in 0..35 {
        alice
            .create_topic(&format!("Old topic {i:02}"), "body", &["paging"])
            .await;
    }

    for tag in ["", "&tag=paging"] {
        let first = latest_page(&alice, tag).await;
        let next = first["next"].as_str().expect("a next cursor").to_owned();
        assert!(first["prev"].is_null(), "{first}");
        // Newer topics land at the top of the list, before the cursor.
        for i in 0..3 {
            alice
                .create_topic(&format!("New topic {tag} {i}"), "body", &["paging"])
                .await;
        }
        let second = latest_page(&alice, &format!("{tag}&after={next}")).await;

        let mut seen = titles(&first);
        seen.extend(titles(&second));
        let old: Vec<String> = seen.into_iter().filter(|t| t.starts_with("Old")).collect();
        let expected: Vec<String> = (0..35).rev().map(|i| format!("Old topic {i:02}")).collect();
        assert_eq!(old, expected, "every old topic once, in order ({tag})");
        assert!(second["next"].is_null(), "{second}");

        // Back from the second page: the rows just before it, the first page as it was read.
        let prev = second["prev"].as_str().expect("a prev cursor");
        let back = latest_page(&alice, &format!("{tag}&before={prev}")).await;
        assert_eq!(titles(&back), titles(&first), "({tag})");
    }
}

#[tokio::test]
async fn list_pages_link_by_cursor_and_bad_cursors_are_refused() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    for i in 0..31 {
        alice
            .create_topic(&format!("Topic {i:02}"), "body", &["paging"])
            .await;
    }
    let (_, html) = alice.get_text("/latest").await;
    let link = link_from(&html, "/latest?after=").expect("an older-page link");
    let (status, older) = alice.get_text(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(older.contains("Topic 00"), "{older}");
    assert!(!older.contains("Topic 30"), "{older}");

    for path in ["/latest?after=nonsense", "/api/v1/topics?after=1_NaN_3"] {
        assert_eq!(
            alice.get(path).await.status(),
            StatusCode::BAD_REQUEST,
            "{path}"
        );
    }
}

#[tokio::test]
async fn search_answers_one_row_per_topic_with_the_count() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let busy = alice
        .create_topic(
            "Tuning a flux capacitor",
            "the flux is strong",
            &["physics"],
        )
        .await;
    for body in ["more flux here", "and flux again"] {
        alice.reply(busy, body).await;
    }
    let quiet = alice
        .create_topic("Another question", "a little flux", &["physics"])
        .await;
    alice
        .create_topic("Unrelated", "nothing to see", &["physics"])
        .await;

    let found: Value = alice
        .get("/api/v1/search?q=flux")
        .await
        .json()
        .await
        .expect("a JSON body");

    let topics: Vec<i64> = found["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["topic_id"].as_i64().expect("a topic id"))
        .collect();
    assert_eq!(topics.len(), 2, "{found}");
    assert!(topics.contains(&busy) && topics.contains(&quiet), "{found}");
    assert_eq!(found["topics"], 2);
    assert_eq!(found["capped"], false);
    let (_, html) = alice.get_text("/search?q=flux").await;
    assert!(html.contains("2 topics found"), "{html}");
}

#[tokio::test]
async fn a_search_over_its_budget_gets_a_503_and_the_pool_stays_usable() {
    let app = crate::helpers::spawn_app_with(|s| s.query_budget_ms = 0).await;
    let alice = app.user("alice").await;
    for i in 0..40 {
        alice
            .create_topic(
                &format!("Needle number {i}"),
                "a needle in a haystack",
                &["hay"],
            )
            .await;
    }

    let page = alice.get("/search?q=needle").await;
    let json = alice.get("/api/v1/search?q=needle").await;

    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.headers().contains_key("retry-after"));
    assert!(page.text().await.expect("a body").contains("busy"));
    assert_eq!(json.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(json.headers().contains_key("retry-after"));
    let body: Value = json.json().await.expect("a JSON body");
    assert_eq!(body["error"]["code"], "busy");
    // The interrupted connection went back to the heavy pool and answers the next query.
    let mut conn = app.state.heavy.acquire().await.expect("a heavy connection");
    threadwise::db::ping(&mut conn)
        .await
        .expect("the connection still works");
    drop(conn);
    // Pages never use the heavy pool.
    assert_eq!(alice.get("/api/v1/topics").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn heavy_requests_past_the_gate_get_a_503_while_pages_still_answer() {
    let app = crate::helpers::spawn_app_with(|s| s.heavy_wait_ms = 10).await;
    let alice = app.user("alice").await;
    alice.create_topic("Needle", "a needle", &["hay"]).await;
    // The test holds the only heavy connection, as a long search would.
    let held = app.state.heavy.acquire().await.expect("a heavy connection");

    let search = alice.get("/api/v1/search?q=needle").await;
    let page = alice.get("/latest").await;

    assert_eq!(search.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(search.headers().contains_key("retry-after"));
    assert_eq!(page.status(), StatusCode::OK);
    drop(held);
    assert_eq!(
        alice.get("/api/v1/search?q=needle").await.status(),
        StatusCode::OK
    );
}

/// The `href` of the first link starting with `prefix` in a page, unescaped.
fn link_from(html: &str, prefix: &str) -> Option<String> {
    let start = html.find(prefix)?;
    Some(
        html[start..]
            .chars()
            .take_while(|c| *c != '"')
            .collect::<String>()
            .replace("&amp;", "&"),
    )
}

/// Titles "Old topic NN" in a page, in page order, each once per occurrence in a link.
fn old_titles(html: &str) -> Vec<String> {
    html.match_indices("Old topic ")
        .map(|(at, _)| html[at..at + "Old topic 00".len()].to_owned())
        .collect()
}

#[tokio::test]
async fn profile_lists_page_by_cursor_without_skipping_or_repeating() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    for i in 0..35 {
        alice
            .create_topic(&format!("Old topic {i:02}"), "body", &["paging"])
            .await;
    }
    let expected: Vec<String> = (0..35).rev().map(|i| format!("Old topic {i:02}")).collect();

    let (status, profile) = alice.get_text("/u/alice").await;
    assert_eq!(status, StatusCode::OK);
    let older_topics = link_from(&profile, "/u/alice/topics?before=").expect("older topics");
    let older_posts = link_from(&profile, "/u/alice/posts?before=").expect("older posts");
    // Each topic appears twice on the profile: in the topic list and as its opening post.
    let first_page = old_titles(&profile);
    assert_eq!(first_page.len(), 60, "30 topics and 30 posts");

    // Newer topics land before the cursor and do not shift the older pages.
    for i in 0..3 {
        alice
            .create_topic(&format!("Fresh topic {i}"), "body", &["paging"])
            .await;
    }
    for (older, list) in [(older_topics, "topics"), (older_posts, "posts")] {
        let (status, page) = alice.get_text(&older).await;
        assert_eq!(status, StatusCode::OK, "{older}");
        assert!(!page.contains("Fresh topic"), "{page}");
        assert!(link_from(&page, &format!("/u/alice/{list}?before=")).is_none());
        // The profile lists topics first, then posts: this list's half of the first page.
        let mut seen = if list == "topics" {
            first_page[..30].to_vec()
        } else {
            first_page[30..].to_vec()
        };
        seen.extend(old_titles(&page));
        assert_eq!(seen, expected, "every old {list} once, newest first");
    }

    assert_eq!(
        alice.get("/u/alice/topics?before=soon").await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_members_own_votes_show_at_once_though_kept_between_reloads() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let topic = alice
        .create_topic("Votes", "the opening post", &["test"])
        .await;
    let reply = alice.reply(topic, "a reply worth a vote").await;
    let up_on = "class=\"vote up on\"";

    // Two reads: the second is served from what the first kept.
    for _ in 0..2 {
        let (_, page) = bob.get_text(&format!("/t/{topic}")).await;
        assert!(!page.contains(up_on), "no vote yet");
    }
    for (value, shown) in [("1", true), ("0", false), ("1", true)] {
        let response = bob
            .submit(&format!("/p/{reply}/vote"), &[("value", value)])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        for _ in 0..2 {
            let (_, page) = bob.get_text(&format!("/t/{topic}")).await;
            assert_eq!(page.contains(up_on), shown, "after voting {value}");
        }
        let (_, theirs) = alice.get_text(&format!("/t/{topic}")).await;
        assert!(!theirs.contains(up_on), "bob's vote is not alice's");
    }
}
