//! Accepted answers: who may choose one, what is refused (with nothing stored), where the answer
//! is shown, the lists' "answered" mark and `?status=` filter, and the notification.
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Browser, TestApp, spawn_app};

async fn accept(browser: &Browser, post: i64, body: &Value) -> (StatusCode, Value) {
    let response = browser
        .post_json(&format!("/api/v1/posts/{post}/accept"), body)
        .await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn clear(browser: &Browser, post: i64) -> StatusCode {
    browser
        .client
        .delete(browser.url(&format!("/api/v1/posts/{post}/accept")))
        .header("X-CSRF-Token", &browser.csrf)
        .send()
        .await
        .expect("DELETE")
        .status()
}

/// The first account is the forum's admin: register it first, so the members are members.
async fn forum(app: &TestApp) {
    app.user("admin").await;
}

async fn accepted_of(app: &TestApp, topic: i64) -> Option<i64> {
    let (id,): (Option<i64>,) = sqlx::query_as("SELECT accepted_post_id FROM topics WHERE id = $1")
        .bind(topic)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    id
}

async fn notes_of_kind(app: &TestApp, kind: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE kind = $1")
        .bind(kind)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    n
}

async fn json(browser: &Browser, path: &str) -> Value {
    browser.get(path).await.json().await.expect("JSON")
}

#[tokio::test]
async fn the_author_accepts_a_reply_which_is_listed_first_and_its_author_is_told() {
    let app = spawn_app().await;
    forum(&app).await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let topic = alice
        .create_topic("Why does my borrow fail?", "help", &["rust"])
        .await;
    let first = carol.reply(topic, "first try").await;
    let answer = bob.reply(topic, "the real answer").await;

    let (status, body) = accept(&alice, answer, &json!({ "topic_id": topic })).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["accepted_post_id"], answer);
    assert_eq!(accepted_of(&app, topic).await, Some(answer));
    // Right under the question, in the JSON and on the page, with a clear mark.
    let shown = json(&alice, &format!("/api/v1/topics/{topic}")).await;
    assert_eq!(shown["accepted_post_id"], answer);
    let order: Vec<i64> = shown["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(order[1..], [answer, first]);
    assert_eq!(shown["posts"][1]["accepted"], true);
    assert_eq!(shown["posts"][2]["accepted"], false);
    let (_, html) = app.browser().get_text(&format!("/t/{topic}")).await;
    let mark = html.find("✓ Accepted answer").expect("the mark");
    assert!(mark < html.find("first try").unwrap(), "answer first");
    assert!(html.find("the real answer").unwrap() > mark);
    // bob hears of it; nobody is told twice when the same answer is accepted again.
    let notes = json(&bob, "/api/v1/notifications").await;
    assert_eq!(notes["notifications"][0]["kind"], "accepted");
    assert_eq!(
        notes["notifications"][0]["url"],
        format!("/t/{topic}#post-{answer}")
    );
    assert_eq!(accept(&alice, answer, &json!({})).await.0, StatusCode::OK);
    assert_eq!(notes_of_kind(&app, "accepted").await, 1);
    // The author's own choice is no moderation action.
    assert_eq!(app.count("SELECT COUNT(*) FROM moderation_log").await, 0);

    // Changing it moves the mark; clearing it removes it.
    let (status, _) = accept(&alice, first, &Value::Null).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(accepted_of(&app, topic).await, Some(first));
    assert_eq!(notes_of_kind(&app, "accepted").await, 2);
    assert_eq!(
        clear(&alice, answer).await,
        StatusCode::OK,
        "not the answer: no-op"
    );
    assert_eq!(accepted_of(&app, topic).await, Some(first));
    assert_eq!(clear(&alice, first).await, StatusCode::OK);
    assert_eq!(accepted_of(&app, topic).await, None);
}

#[tokio::test]
async fn refused_accepts_store_nothing() {
    let app = spawn_app().await;
    forum(&app).await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let mine = alice
        .create_topic("Alice asks a question", "question", &["rust"])
        .await;
    let theirs = bob
        .create_topic("Bob asks a question", "question", &["rust"])
        .await;
    let in_mine = bob.reply(mine, "an answer for alice").await;
    let in_theirs = alice.reply(theirs, "an answer for bob").await;
    let (question,): (i64,) =
        sqlx::query_as("SELECT id FROM posts WHERE topic_id = $1 AND is_first = 1")
            .bind(mine)
            .fetch_one(&app.sql)
            .await
            .unwrap();

    // A reply of another topic.
    let (status, body) = accept(&alice, in_theirs, &json!({ "topic_id": mine })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // The question itself.
    let (status, _) = accept(&alice, question, &json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A member on someone else's topic, and clearing there.
    let (status, _) = accept(&alice, in_theirs, &json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(clear(&alice, in_theirs).await, StatusCode::FORBIDDEN);
    // Anonymous, and a missing post.
    let (status, _) = accept(&app.browser(), in_mine, &json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = accept(&alice, 9999, &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Through the page's form, too.
    let page = alice
        .submit(
            &format!("/p/{in_theirs}/accept"),
            &[("topic_id", &mine.to_string()), ("action", "accept")],
        )
        .await;
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(accepted_of(&app, mine).await, None);
    assert_eq!(accepted_of(&app, theirs).await, None);
    assert_eq!(notes_of_kind(&app, "accepted").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM moderation_log").await, 0);
}

#[tokio::test]
async fn a_moderator_may_choose_the_answer_and_the_log_says_so() {
    let app = spawn_app().await;
    forum(&app).await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let moderator = app.moderator("mod").await;
    let topic = alice
        .create_topic("Which crate for JSON?", "for JSON", &["rust"])
        .await;
    let answer = bob.reply(topic, "serde_json").await;

    let (status, _) = accept(&moderator, answer, &json!({ "topic_id": topic })).await;

    assert_eq!(status, StatusCode::OK);
    let (action,): (String,) = sqlx::query_as("SELECT action FROM moderation_log")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(action, "accept_answer");
    assert_eq!(notes_of_kind(&app, "accepted").await, 1);
    // Hiding the answer clears it: a hidden post is never shown as the answer.
    let hide = moderator
        .submit(&format!("/p/{answer}/moderate"), &[("action", "hide")])
        .await;
    assert_eq!(hide.status(), StatusCode::SEE_OTHER);
    assert_eq!(accepted_of(&app, topic).await, None);
    let (status, body) = accept(&alice, answer, &json!({})).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "hidden from its author: {body}"
    );
}

#[tokio::test]
async fn accepting_ones_own_reply_tells_nobody() {
    let app = spawn_app().await;
    forum(&app).await;
    let alice = app.user("alice").await;
    let topic = alice.create_topic("Solved it myself", "q", &["rust"]).await;
    let mine = alice.reply(topic, "here is how").await;

    assert_eq!(accept(&alice, mine, &json!({})).await.0, StatusCode::OK);

    assert_eq!(accepted_of(&app, topic).await, Some(mine));
    assert_eq!(notes_of_kind(&app, "accepted").await, 0);
}

#[tokio::test]
async fn the_page_button_accepts_and_lists_mark_and_filter_answered_topics() {
    let app = spawn_app().await;
    forum(&app).await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let answered = alice
        .create_topic("Answered question", "q", &["rust"])
        .await;
    let open = alice.create_topic("Open question", "q", &["rust"]).await;
    let answer = bob.reply(answered, "an answer").await;
    bob.reply(open, "not quite").await;
    // The button is on the page for the author only.
    let (_, page) = alice.get_text(&format!("/t/{answered}")).await;
    assert!(
        page.contains(&format!(r#"action="/p/{answer}/accept""#)),
        "{page}"
    );
    let (_, page) = bob.get_text(&format!("/t/{answered}")).await;
    assert!(!page.contains("Accept as answer"));

    let response = alice
        .submit(
            &format!("/p/{answer}/accept"),
            &[("topic_id", &answered.to_string()), ("action", "accept")],
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(accepted_of(&app, answered).await, Some(answer));
    let anonymous = app.browser();
    for path in ["/", "/latest", "/tags/rust"] {
        let (_, html) = anonymous.get_text(path).await;
        assert_eq!(html.matches("✓ answered").count(), 1, "{path}: {html}");
    }
    let titles = |list: &Value| -> Vec<String> {
        list["topics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = json(&anonymous, "/api/v1/topics?order=latest").await;
    assert_eq!(all["topics"][0]["answered"], false);
    assert_eq!(all["topics"][1]["answered"], true);
    let only = json(&anonymous, "/api/v1/topics?status=answered").await;
    assert_eq!(titles(&only), ["Answered question"]);
    let only = json(&anonymous, "/api/v1/topics?status=unanswered&tag=rust").await;
    assert_eq!(titles(&only), ["Open question"]);
    let bad = anonymous.get("/api/v1/topics?status=maybe").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    for (path, shown, not_shown) in [
        (
            "/latest?status=answered",
            "Answered question",
            "Open question",
        ),
        ("/?status=unanswered", "Open question", "Answered question"),
        (
            "/tags/rust?order=latest&status=answered",
            "Answered question",
            "Open question",
        ),
    ] {
        let (_, html) = anonymous.get_text(path).await;
        assert!(
            html.contains(shown) && !html.contains(not_shown),
            "{path}: {html}"
        );
    }

    // Unaccept through the page.
    let response = alice
        .submit(&format!("/p/{answer}/accept"), &[("action", "clear")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(accepted_of(&app, answered).await, None);
}

#[tokio::test]
async fn routing_counts_an_accepted_answer_more_than_a_couple_of_replies() {
    let app = spawn_app().await;
    forum(&app).await;
    let asker = app.user("asker").await;
    let solver = app.user("solver").await;
    let mut chatty = Vec::new();
    for name in ["bea", "cid", "dee"] {
        chatty.push(app.user(name).await);
    }
    // solver wrote one reply, accepted; bea, cid and dee two plain replies each.
    let solved = asker
        .create_topic("Solved rust question", "x", &["rust"])
        .await;
    let answer = solver.reply(solved, "this works").await;
    assert_eq!(accept(&asker, answer, &json!({})).await.0, StatusCode::OK);
    for n in 0..2 {
        let t = asker
            .create_topic(&format!("Rust question {n}"), "x", &["rust"])
            .await;
        for member in &chatty {
            member.reply(t, "a reply").await;
        }
    }
    let fresh = asker
        .create_topic("New rust question", "x", &["rust"])
        .await;
    sqlx::query("UPDATE topics SET created_at = created_at - 25 * 3600 WHERE id = $1")
        .bind(fresh)
        .execute(&app.sql)
        .await
        .unwrap();

    threadwise::startup::run_notify(&app.state).await.unwrap();

    let told: Vec<(String,)> = sqlx::query_as(
        "SELECT u.username FROM notifications n JOIN users u ON u.id = n.user_id
         WHERE n.kind = 'routed' AND n.topic_id = $1 ORDER BY u.username",
    )
    .bind(fresh)
    .fetch_all(&app.sql)
    .await
    .unwrap();
    let told: Vec<&str> = told.iter().map(|(n,)| n.as_str()).collect();
    // 1 + 3 for the accepted answer beats 2 for two replies; the tie among the rest goes to the
    // older accounts.
    assert_eq!(told, ["bea", "cid", "solver"]);
}

mod dashboard {
    //! The Responsiveness figures of accepted answers and routing, on a small fixture written
    //! straight into the database so every number is computed by hand.
    use sqlx::AnyPool;
    use threadwise::domain::report::Window;
    use threadwise::forum::reports;

    use super::*;
    use crate::helpers::spawn_app_with;

    const HOUR: i64 = 3600;
    const DAY: i64 = 86_400;

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    async fn member(pool: &AnyPool, name: &str) -> i64 {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (username, email, role, created_at)
             VALUES ($1, $1 || '@example.org', 'member', $2) RETURNING id",
        )
        .bind(name)
        .bind(now() - 60 * DAY)
        .fetch_one(pool)
        .await
        .unwrap();
        id
    }

    /// A topic created at `at` with its opening post, answered by `replier` after `wait`
    /// seconds when given (the reply's id is returned too).
    async fn topic(
        pool: &AnyPool,
        author: i64,
        at: i64,
        reply: Option<(i64, i64)>,
    ) -> (i64, Option<i64>) {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO topics (title, author_id, created_at, last_posted_at)
             VALUES ('Topic at ' || $2, $1, $2, $2) RETURNING id",
        )
        .bind(author)
        .bind(at)
        .fetch_one(pool)
        .await
        .unwrap();
        let post = |author: i64, is_first: bool, at: i64| {
            sqlx::query_as::<_, (i64,)>(
                "INSERT INTO posts (topic_id, author_id, is_first, body_md, body_html, created_at)
                 VALUES ($1, $2, $3, 'text', '<p>text</p>', $4) RETURNING id",
            )
            .bind(id)
            .bind(author)
            .bind(i64::from(is_first))
            .bind(at)
            .fetch_one(pool)
        };
        post(author, true, at).await.unwrap();
        let Some((replier, wait)) = reply else {
            return (id, None);
        };
        let (reply_id,) = post(replier, false, at + wait).await.unwrap();
        sqlx::query(
            "UPDATE topics SET reply_count = 1, first_response_at = $2, last_posted_at = $2
             WHERE id = $1",
        )
        .bind(id)
        .bind(at + wait)
        .execute(pool)
        .await
        .unwrap();
        (id, Some(reply_id))
    }

    async fn set_accepted(pool: &AnyPool, topic: i64, post: Option<i64>) {
        sqlx::query("UPDATE topics SET accepted_post_id = $2 WHERE id = $1")
            .bind(topic)
            .bind(post)
            .execute(pool)
            .await
            .unwrap();
    }

    async fn routed(pool: &AnyPool, topic: i64, at: i64, notified: i64) {
        sqlx::query(
            "INSERT INTO routed_topics (topic_id, routed_at, notified) VALUES ($1, $2, $3)",
        )
        .bind(topic)
        .bind(at)
        .bind(notified)
        .execute(pool)
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn time_to_accepted_answer_sits_beside_time_to_first_response() {
        let app = spawn_app().await;
        let moderator = app.moderator("mona").await;
        let pool = &app.sql;
        let (asker, bob) = (member(pool, "asker").await, member(pool, "bob").await);
        let t = now() - 2 * DAY;
        // Accepted after 1 h and 3 h; a third topic answered (after 2 h) but not accepted.
        for (wait, accept) in [(HOUR, true), (3 * HOUR, true), (2 * HOUR, false)] {
            let (topic, reply) = topic(pool, asker, t, Some((bob, wait))).await;
            if accept {
                set_accepted(pool, topic, reply).await;
            }
        }
        let mut conn = app.pool.acquire().await.unwrap();
        let w = Window::ending(now(), 7);

        let (accepted, before) = reports::accepted_overall(&mut conn, w, 3, 0).await.unwrap();

        assert_eq!(accepted.answered, 2);
        assert_eq!(accepted.median_s, Some(2.0 * HOUR as f64));
        assert_eq!(accepted.no_response_share, Some(1.0 / 3.0));
        assert_eq!(before.answered, 0);
        let (_, html) = moderator.get_text("/mod/response?period=7").await;
        assert!(html.contains("Accepted answer, median"), "{html}");
        assert!(html.contains("2.0 h"), "{html}");
        assert!(html.contains("Topics without accepted answer") && html.contains("33%"));
    }

    #[tokio::test]
    async fn routed_topics_are_compared_with_those_that_waited_as_long_unrouted() {
        let app = spawn_app().await;
        let moderator = app.moderator("mona").await;
        let pool = &app.sql;
        let (asker, bob) = (member(pool, "asker").await, member(pool, "bob").await);
        let n = now();
        // Routed 24 h after asking: one answered 2 h after routing, one not yet.
        let (r1, _) = topic(pool, asker, n - 3 * DAY, Some((bob, 26 * HOUR))).await;
        routed(pool, r1, n - 3 * DAY + 24 * HOUR, 2).await;
        let (r2, _) = topic(pool, asker, n - 3 * DAY, None).await;
        routed(pool, r2, n - 3 * DAY + 24 * HOUR, 1).await;
        // Not routed but waited 24 h too: answered 6 h after that; and one "routed" to nobody.
        topic(pool, asker, n - 4 * DAY, Some((bob, 30 * HOUR))).await;
        let (nobody, _) = topic(pool, asker, n - 5 * DAY, None).await;
        routed(pool, nobody, n - 4 * DAY, 0).await;
        // Answered within the hour: not comparable.
        topic(pool, asker, n - 2 * DAY, Some((bob, HOUR))).await;
        let mut conn = app.pool.acquire().await.unwrap();

        let row = reports::routing(&mut conn, Window::ending(n, 7), 24)
            .await
            .unwrap();

        assert_eq!((row.routed, row.routed_answered), (2, 1));
        assert_eq!(row.routed_median_s, Some(2.0 * HOUR as f64));
        assert_eq!((row.unrouted, row.unrouted_answered), (2, 1));
        assert_eq!(row.unrouted_median_s, Some(6.0 * HOUR as f64));
        let (_, html) = moderator.get_text("/mod/response?period=7").await;
        assert!(html.contains("Routed questions"), "{html}");
        assert!(html.contains("6.0 h") && html.contains("2.0 h"), "{html}");
    }

    #[tokio::test]
    async fn an_answered_topic_without_accepted_answer_after_n_days_needs_attention() {
        let app = spawn_app_with(|s| s.unresolved_after_days = 3).await;
        let moderator = app.moderator("mona").await;
        let pool = &app.sql;
        let (asker, bob) = (member(pool, "asker").await, member(pool, "bob").await);
        let n = now();
        let (open, _) = topic(pool, asker, n - 5 * DAY, Some((bob, HOUR))).await;
        let (solved, answer) = topic(pool, asker, n - 5 * DAY, Some((bob, HOUR))).await;
        set_accepted(pool, solved, answer).await;
        let (young, _) = topic(pool, asker, n - DAY, Some((bob, HOUR))).await;
        let mut conn = app.pool.acquire().await.unwrap();

        let rows = reports::needs_attention(&mut conn, n, 3, 100)
            .await
            .unwrap();

        let unresolved: Vec<i64> = rows
            .iter()
            .filter(|r| r.kind == "unresolved")
            .map(|r| r.topic_id)
            .collect();
        assert_eq!(unresolved, [open]);
        let row = rows.iter().find(|r| r.topic_id == open).unwrap();
        assert_eq!(row.reason, "1 reply, no accepted answer after 5 days");
        assert!(
            !rows
                .iter()
                .any(|r| r.topic_id == solved || r.topic_id == young)
        );
        // A longer setting waits longer; the page uses the forum's setting.
        let later = reports::needs_attention(&mut conn, n, 7, 100)
            .await
            .unwrap();
        assert!(!later.iter().any(|r| r.kind == "unresolved"));
        let (_, html) = moderator.get_text("/mod/content").await;
        assert!(html.contains("no accepted answer after 5 days"), "{html}");
    }
}
