//! Finding things on a new member's walk (issue 17): suggestions shown to those who decide on
//! them, search filters and order, the tag index and tag descriptions, and the "top" and "best"
//! orders with imported scores.
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Browser, TestApp, spawn_app};

/// Puts an unreviewed model suggestion of `tag` on a topic, as the autotagger does, and ends
/// the cached pages (a write from outside the request path).
async fn suggest(app: &TestApp, topic_id: i64, tag: &str, confidence: f64) {
    sqlx::query("INSERT INTO tags (name, created_at) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING")
        .bind(tag)
        .execute(&app.sql)
        .await
        .expect("a tag");
    sqlx::query(
        "INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, model_version, created_at)
         SELECT $1, id, 'model', 'suggested', $3, 1, 0 FROM tags WHERE name = $2",
    )
    .bind(topic_id)
    .bind(tag)
    .bind(confidence)
    .execute(&app.sql)
    .await
    .expect("a suggestion");
    app.state.page_cache.invalidate();
}

async fn json(browser: &Browser, path: &str) -> Value {
    let response = browser.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.expect("a JSON body")
}

/// The names of a topic's tags in a JSON topic (or list row), with their status.
fn tag_names(topic: &Value) -> Vec<(String, String)> {
    topic["tags"]
        .as_array()
        .expect("a tag list")
        .iter()
        .map(|t| {
            (
                t["name"].as_str().expect("a name").to_owned(),
                t["status"].as_str().expect("a status").to_owned(),
            )
        })
        .collect()
}

/// What one viewer sees of the topic's suggestion on every page that shows tags.
async fn sees_suggestion(viewer: &Browser, topic: i64) -> [bool; 7] {
    let (_, page) = viewer.get_text(&format!("/t/{topic}")).await;
    let (_, list) = viewer.get_text("/latest").await;
    let (_, tag_page) = viewer.get_text("/tags/machine-learning").await;
    let (_, profile) = viewer.get_text("/u/alice").await;
    let api_topic = json(viewer, &format!("/api/v1/topics/{topic}")).await;
    let api_list = json(viewer, "/api/v1/topics?order=latest").await;
    let api_tag = json(viewer, "/api/v1/topics?tag=machine-learning").await;
    let suggested = ("machine-learning".to_owned(), "suggested".to_owned());
    [
        page.contains("machine-learning?"),
        list.contains("machine-learning?"),
        tag_page.contains("Neural nets on a laptop"),
        profile.contains("machine-learning?"),
        tag_names(&api_topic).contains(&suggested),
        tag_names(&api_list["topics"][0]).contains(&suggested),
        !api_tag["topics"].as_array().expect("topics").is_empty(),
    ]
}

#[tokio::test]
async fn suggestions_are_shown_to_the_topics_author_and_moderators_only() {
    // Arrange
    let app = spawn_app().await;
    let moderator = app.user("admin").await; // the first account is the admin
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let topic = alice
        .create_topic(
            "Neural nets on a laptop",
            "How small can a network be?",
            &["python"],
        )
        .await;
    suggest(&app, topic, "machine-learning", 0.87).await;

    // Act + Assert: those who decide see it everywhere, the others nowhere.
    assert_eq!(
        sees_suggestion(&alice, topic).await,
        [true; 7],
        "the author"
    );
    assert_eq!(
        sees_suggestion(&moderator, topic).await,
        [true; 7],
        "a moderator"
    );
    assert_eq!(
        sees_suggestion(&bob, topic).await,
        [false; 7],
        "another member"
    );
    assert_eq!(
        sees_suggestion(&app.browser(), topic).await,
        [false; 7],
        "anonymous"
    );

    // The active tag stays public, and so does the tag page (without the suggested topic).
    let visitor = app.browser();
    let (_, page) = visitor.get_text(&format!("/t/{topic}")).await;
    assert!(page.contains(r#"<a class="tag" href="/tags/python">python</a>"#));
    let (status, tag_page) = visitor.get_text("/tags/machine-learning").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!tag_page.contains("Neural nets"), "{tag_page}");

    // Feeds are public: the tag's feed lists no topic it is only suggested for.
    let (_, feed) = visitor.get_text("/tags/machine-learning.atom").await;
    assert!(!feed.contains("Neural nets"), "{feed}");
    let (_, latest) = visitor.get_text("/latest.atom").await;
    assert!(latest.contains("Neural nets") && !latest.contains("machine-learning"));
}

#[tokio::test]
async fn the_anonymous_page_cache_never_holds_a_suggestion_nor_serves_members() {
    let app = spawn_app().await;
    app.user("admin").await;
    let alice = app.user("alice").await;
    let topic = alice
        .create_topic(
            "Neural nets on a laptop",
            "How small can a network be?",
            &["python"],
        )
        .await;
    suggest(&app, topic, "machine-learning", 0.87).await;
    let path = format!("/t/{topic}");
    let visitor = app.browser();

    // The author's page first: members' pages are not stored for anonymous readers.
    let (_, mine) = alice.get_text(&path).await;
    assert!(mine.contains("machine-learning?"));
    let (_, anonymous) = visitor.get_text(&path).await;
    assert!(!anonymous.contains("machine-learning"), "{anonymous}");

    // Now the anonymous copy is stored (a second anonymous reader gets the same bytes), and the
    // author is still not served from it.
    let (_, again) = app.browser().get_text(&path).await;
    assert_eq!(again, anonymous);
    let (_, mine) = alice.get_text(&path).await;
    assert!(mine.contains("machine-learning?"));
    for path in [
        "/latest",
        "/api/v1/topics?order=latest",
        "/tags/machine-learning",
    ] {
        let (_, first) = visitor.get_text(path).await;
        let (_, cached) = app.browser().get_text(path).await;
        for body in [first, cached] {
            assert!(
                !body.contains("machine-learning? ") && !body.contains("\"suggested\""),
                "{path}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn deciding_on_a_suggestion_uses_real_buttons_with_the_confidence_written_beside() {
    let app = spawn_app().await;
    let moderator = app.user("admin").await;
    let alice = app.user("alice").await;
    let topic = alice
        .create_topic(
            "Neural nets on a laptop",
            "How small can a network be?",
            &["python"],
        )
        .await;
    suggest(&app, topic, "machine-learning", 0.87).await;

    for viewer in [&alice, &moderator] {
        let (_, page) = viewer.get_text(&format!("/t/{topic}")).await;
        let document = scraper::Html::parse_document(&page);
        let suggestion = scraper::Selector::parse(".suggestion").expect("a selector");
        let suggestion = document.select(&suggestion).next().expect("the suggestion");
        let text: String = suggestion.text().collect();
        assert!(text.contains("machine-learning? 87 %"), "{text}");
        let button =
            scraper::Selector::parse(r#"button[type="submit"].decide"#).expect("a selector");
        let buttons: Vec<String> = suggestion
            .select(&button)
            .map(|b| b.text().collect())
            .collect();
        assert_eq!(buttons, ["✓ Accept", "✗ Reject"]);
    }
    let (_, queue) = moderator.get_text("/mod/review").await;
    assert!(
        queue.contains(r#"<td data-label="confidence" class="confidence">87%</td>"#)
            && queue.contains(r#"class="decide accept""#),
        "{queue}"
    );
    let (_, css) = app.browser().get_text("/static/style.css").await;
    assert!(css.contains("button.decide { min-width: 44px; min-height: 44px;"));

    // Accepting makes the tag public.
    let accepted = alice
        .submit(&format!("/t/{topic}/tags/machine-learning/accept"), &[])
        .await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let (_, public) = app.browser().get_text(&format!("/t/{topic}")).await;
    assert!(
        public.contains(r#"<a class="tag" href="/tags/machine-learning">machine-learning</a>"#)
    );
}

/// The texts of the elements matching `css` on the page at `path`, in order.
async fn texts_on(viewer: &Browser, path: &str, css: &str) -> Vec<String> {
    let (status, page) = viewer.get_text(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    let document = scraper::Html::parse_document(&page);
    let selector = scraper::Selector::parse(css).expect("a selector");
    document
        .select(&selector)
        .map(|e| e.text().collect())
        .collect()
}

/// The titles a search page lists, in order.
async fn hit_titles(viewer: &Browser, path: &str) -> Vec<String> {
    texts_on(viewer, path, "ol.hits li > a").await
}

/// Four topics by two members, two tags, one accepted answer; created in this order, a second
/// apart (the newest order is by time).
async fn searchable_forum(app: &TestApp) -> (Browser, Browser) {
    app.user("admin").await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let topics = [
        (
            &alice,
            "Qubit noise basics",
            "Why is **qubit noise** so hard?",
            "qubit",
        ),
        (
            &bob,
            "Gate fidelity",
            "Measuring the fidelity of a noise model.",
            "qubit",
        ),
        (
            &alice,
            "Noise in audio",
            "My microphone adds noise.",
            "audio",
        ),
        (
            &bob,
            "Compilers",
            "Nothing in common with the rest.",
            "audio",
        ),
    ];
    for (i, (author, title, body, tag)) in topics.into_iter().enumerate() {
        let id = author.create_topic(title, body, &[tag]).await;
        sqlx::query("UPDATE topics SET created_at = $1, last_posted_at = $1 WHERE id = $2")
            .bind(1_000_000 + i as i64)
            .bind(id)
            .execute(&app.sql)
            .await
            .expect("a time");
        sqlx::query("UPDATE posts SET created_at = $1 WHERE topic_id = $2")
            .bind(1_000_000 + i as i64)
            .bind(id)
            .execute(&app.sql)
            .await
            .expect("a time");
    }
    // Bob answers alice's qubit question, and she accepts it.
    let reply = bob
        .reply(1, "Decoherence: the environment measures the qubit.")
        .await;
    let accepted = alice
        .post_json(
            &format!("/api/v1/posts/{reply}/accept"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    app.state.page_cache.invalidate();
    (alice, bob)
}

#[tokio::test]
async fn search_filters_narrow_free_text_and_work_alone() {
    let app = spawn_app().await;
    searchable_forum(&app).await;
    let visitor = app.browser();
    let titles = |path: &'static str| hit_titles(&visitor, path);

    // Free text alone: three topics mention noise.
    let mut noise = titles("/search?q=noise").await;
    noise.sort();
    assert_eq!(
        noise,
        ["Gate fidelity", "Noise in audio", "Qubit noise basics"]
    );
    // Each filter with the words.
    assert_eq!(
        titles("/search?q=noise+tag%3Aqubit&order=newest").await,
        ["Gate fidelity", "Qubit noise basics"]
    );
    assert_eq!(
        titles("/search?q=noise+user%3Aalice+tag%3Aaudio").await,
        ["Noise in audio"]
    );
    assert_eq!(
        titles("/search?q=noise+is%3Aanswered").await,
        ["Qubit noise basics"]
    );
    assert_eq!(
        titles("/search?q=noise+is%3Aunanswered&order=newest").await,
        ["Noise in audio", "Gate fidelity"]
    );
    // `user:` finds the member's posts: bob's reply is in alice's topic.
    assert_eq!(
        titles("/search?q=decoherence+user%3ABOB").await,
        ["Qubit noise basics"]
    );
    // Filters alone list the newest first.
    assert_eq!(
        titles("/search?q=tag%3Aaudio").await,
        ["Compilers", "Noise in audio"]
    );
    assert_eq!(
        titles("/search?q=user%3Aalice").await,
        ["Noise in audio", "Qubit noise basics"]
    );
    assert_eq!(
        titles("/search?q=is%3Aanswered").await,
        ["Qubit noise basics"]
    );
    assert_eq!(
        titles("/search?q=is%3Aunanswered+tag%3Aqubit").await,
        ["Gate fidelity"]
    );
    assert!(titles("/search?q=tag%3Anosuchtag").await.is_empty());
    assert!(titles("/search?q=user%3Anobody").await.is_empty());
}

#[tokio::test]
async fn search_orders_by_relevance_or_newest_and_shows_its_filters() {
    let app = spawn_app().await;
    searchable_forum(&app).await;
    let visitor = app.browser();

    // The title weighs most: relevance puts the topic named for both words first; newest the
    // most recent match.
    let relevant = hit_titles(&visitor, "/search?q=qubit+noise").await;
    assert_eq!(relevant[0], "Qubit noise basics");
    let newest = hit_titles(&visitor, "/search?q=noise&order=newest").await;
    assert_eq!(
        newest,
        ["Noise in audio", "Gate fidelity", "Qubit noise basics"]
    );

    let (_, page) = visitor
        .get_text("/search?q=noise+tag%3Aqubit+is%3Aunanswered&order=newest")
        .await;
    assert!(
        page.contains(r#"<option value="newest" selected>"#) && page.contains("1 topic found"),
        "{page}"
    );
    let document = scraper::Html::parse_document(&page);
    let selector = scraper::Selector::parse("ul.filters li").expect("a selector");
    let filters: Vec<(String, String)> = document
        .select(&selector)
        .map(|li| {
            let text = li.text().collect::<String>().replace('×', "");
            let drop = scraper::Selector::parse("a.drop").expect("a selector");
            let href = li
                .select(&drop)
                .next()
                .and_then(|a| a.value().attr("href"))
                .expect("a link that drops the filter")
                .to_owned();
            (text.trim().to_owned(), href)
        })
        .collect();
    assert_eq!(
        filters,
        [
            (
                "tag:qubit".to_owned(),
                "/search?q=noise+is%3Aunanswered&order=newest".to_owned()
            ),
            (
                "is:unanswered".to_owned(),
                "/search?q=noise+tag%3Aqubit&order=newest".to_owned()
            ),
        ]
    );

    // The JSON search takes the same query and order.
    let found = json(&visitor, "/api/v1/search?q=noise+tag%3Aqubit&order=newest").await;
    assert_eq!(found["topics"], 2);
    assert_eq!(found["filters"], serde_json::json!(["tag:qubit"]));
    assert_eq!(found["words"], "noise");
    let titles: Vec<&str> = found["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["title"].as_str().expect("a title"))
        .collect();
    assert_eq!(titles, ["Gate fidelity", "Qubit noise basics"]);
    let refused = visitor.get("/api/v1/search?q=noise&order=sideways").await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn snippets_show_the_rendered_text_never_markdown_syntax() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let topic = alice
        .create_topic(
            "Formatting survives",
            "Some **bold claim** and a [link](https://example.org/x) then\n\n```\nfenced code\n```\n",
            &["meta"],
        )
        .await;

    let (_, page) = app.browser().get_text("/search?q=bold+claim").await;
    let document = scraper::Html::parse_document(&page);
    let selector = scraper::Selector::parse("p.snippet").expect("a selector");
    let snippet: String = document
        .select(&selector)
        .next()
        .expect("a snippet")
        .text()
        .collect();
    assert!(
        snippet.contains("bold claim") && snippet.contains("link"),
        "{snippet}"
    );
    for syntax in ["**", "](", "```", "https://example.org"] {
        assert!(!snippet.contains(syntax), "{syntax} in {snippet}");
    }
    // A filter-only hit shows the start of the text, and the fence's words are findable.
    let (_, listed) = app.browser().get_text("/search?q=tag%3Ameta").await;
    assert!(
        listed.contains("Some bold claim") && !listed.contains("**"),
        "{listed}"
    );
    assert_eq!(
        hit_titles(&app.browser(), "/search?q=fenced").await,
        ["Formatting survives"]
    );

    // Editing re-indexes the rendered text; the index holds exactly what the posts show.
    let (post,): (i64,) = sqlx::query_as("SELECT id FROM posts WHERE topic_id = $1")
        .bind(topic)
        .fetch_one(&app.sql)
        .await
        .expect("the opening post");
    let edited = alice
        .client
        .patch(alice.url(&format!("/api/v1/posts/{post}")))
        .header("X-CSRF-Token", &alice.csrf)
        .json(&serde_json::json!({ "body": "Now _emphasised words_ only." }))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(edited.status(), StatusCode::OK);
    let (_, page) = app.browser().get_text("/search?q=emphasised").await;
    assert!(page.contains("<mark>emphasised</mark> words") && !page.contains("_emphasised"));
    assert!(
        hit_titles(&app.browser(), "/search?q=bold")
            .await
            .is_empty()
    );
    app.assert_search_index_matches().await;
}

#[tokio::test]
async fn posts_from_before_the_upgrade_get_their_searchable_text_when_the_database_opens() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    alice
        .create_topic("Old post", "An **old** Markdown body here.", &["meta"])
        .await;
    // As a database migrated from before 0016 has them: no text yet, the backfill to run.
    sqlx::query("UPDATE posts SET body_text = NULL")
        .execute(&app.sql)
        .await
        .expect("reset");
    sqlx::query("UPDATE search_text_backfill SET last_post_id = 0")
        .execute(&app.sql)
        .await
        .expect("pending");

    let mut conn = app.pool.acquire().await.expect("a connection");
    let filled = threadwise::db::search_text::fill_body_text(&mut conn)
        .await
        .expect("the backfill");
    drop(conn);

    assert_eq!(filled, 1);
    let (text, left): (Option<String>, Option<i64>) = sqlx::query_as(
        "SELECT (SELECT body_text FROM posts), (SELECT last_post_id FROM search_text_backfill)",
    )
    .fetch_one(&app.sql)
    .await
    .expect("the text");
    assert_eq!(text.as_deref(), Some("An old Markdown body here."));
    assert_eq!(left, None, "done: the next start reads nothing");
    app.assert_search_index_matches().await;
}

/// The tag names a tag index page lists, in order.
async fn index_names(viewer: &Browser, path: &str) -> Vec<String> {
    texts_on(viewer, path, "ul.tag-index a.tag").await
}

/// rust: 3 topics, 1 of them recent; python: 2, both recent; rustls: 1, recent.
async fn tagged_forum(app: &TestApp) -> (Browser, Browser) {
    let moderator = app.user("admin").await;
    let alice = app.user("alice").await;
    let long_ago = threadwise::domain::now() - 90 * 86_400;
    for (i, tag) in ["rust", "rust", "rust", "python", "python", "rustls"]
        .into_iter()
        .enumerate()
    {
        let id = alice
            .create_topic(
                &format!("Topic {i} about {tag}"),
                "A body long enough.",
                &[tag],
            )
            .await;
        if tag == "rust" && i > 0 {
            sqlx::query("UPDATE topics SET created_at = $1 WHERE id = $2")
                .bind(long_ago)
                .bind(id)
                .execute(&app.sql)
                .await
                .expect("an old topic");
        }
    }
    app.state.page_cache.invalidate();
    (moderator, alice)
}

#[tokio::test]
async fn the_tag_index_filters_counts_sorts_by_activity_and_pages() {
    let app = spawn_app().await;
    tagged_forum(&app).await;
    let visitor = app.browser();

    assert_eq!(
        index_names(&visitor, "/tags").await,
        ["python", "rust", "rustls"]
    );
    assert_eq!(
        index_names(&visitor, "/tags?sort=count").await,
        ["rust", "python", "rustls"]
    );
    assert_eq!(
        index_names(&visitor, "/tags?sort=name").await,
        ["python", "rust", "rustls"]
    );
    // Prefix matches come first, then any name containing the filter.
    assert_eq!(
        index_names(&visitor, "/tags?q=RUS").await,
        ["rust", "rustls"]
    );
    assert_eq!(
        index_names(&visitor, "/tags?q=t").await,
        ["python", "rust", "rustls"]
    );
    assert_eq!(index_names(&visitor, "/tags?q=tls").await, ["rustls"]);
    let (_, none) = visitor.get_text("/tags?q=zz%25").await;
    assert!(none.contains("No tag matches “zz%”"), "{none}");

    let (_, page) = visitor.get_text("/tags").await;
    assert!(
        page.contains("3 topics · 1 in the last 30 days")
            && page.contains("2 topics · 2 in the last 30 days")
            && page.contains(r#"<input type="search" name="q""#)
            && page.contains("3 tags"),
        "{page}"
    );

    // Sixty to a page.
    for i in 0..70 {
        sqlx::query("INSERT INTO tags (name, created_at) VALUES ($1, 0)")
            .bind(format!("t{i:02}"))
            .execute(&app.sql)
            .await
            .expect("more tags");
    }
    app.state.page_cache.invalidate();
    let first = index_names(&visitor, "/tags?sort=name").await;
    assert_eq!(first.len(), 60);
    assert_eq!(first[..3], ["python", "rust", "rustls"]);
    let (_, page) = visitor.get_text("/tags?sort=name").await;
    assert!(
        page.contains(r#"<a rel="next" href="/tags?sort=name&#38;page=2">"#),
        "{page}"
    );
    let second = index_names(&visitor, "/tags?sort=name&page=2").await;
    assert_eq!(second.len(), 13);
    assert_eq!(second.last().map(String::as_str), Some("t69"));

    let api = json(&visitor, "/api/v1/tags?q=rus&sort=count").await;
    assert_eq!(api["total"], 2);
    assert_eq!(api["has_next"], false);
    let counts: Vec<(String, i64)> = api["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| {
            (
                t["name"].as_str().expect("a name").to_owned(),
                t["topics"].as_i64().expect("a count"),
            )
        })
        .collect();
    assert_eq!(counts, [("rust".to_owned(), 3), ("rustls".to_owned(), 1)]);
}

#[tokio::test]
async fn moderators_describe_tags_in_markdown_and_the_log_says_so() {
    let app = spawn_app().await;
    let (moderator, alice) = tagged_forum(&app).await;

    let (_, page) = moderator.get_text("/tags/rust").await;
    assert!(
        page.contains("3 topics") && page.contains(r#"name="description""#),
        "{page}"
    );
    let saved = moderator
        .submit(
            "/tags/rust/description",
            &[(
                "description",
                "A *systems* language. <script>alert(1)</script>",
            )],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);

    let visitor = app.browser();
    let (_, page) = visitor.get_text("/tags/rust").await;
    assert!(
        page.contains("<em>systems</em> language.")
            && !page.contains("<script>alert")
            && page.contains("3 topics")
            && !page.contains(r#"name="description""#),
        "{page}"
    );
    let (_, index) = visitor.get_text("/tags").await;
    assert!(index.contains("<em>systems</em>"));
    let (action, kind, detail): (String, String, String) = sqlx::query_as(
        "SELECT action, target_kind, detail FROM moderation_log ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.sql)
    .await
    .expect("a log entry");
    assert_eq!((action.as_str(), kind.as_str()), ("describe_tag", "tag"));
    assert!(detail.starts_with("A *systems* language."));
    let (_, log) = moderator.get_text("/mod/log").await;
    assert!(log.contains("describe tag") && log.contains(r#"<a href="/tags/rust">rust</a>"#));

    // A member may not; too long a description is refused; unknown tags are not found.
    let refused = alice
        .submit("/tags/rust/description", &[("description", "Mine now.")])
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let long = "x".repeat(1_001);
    let too_long = moderator
        .submit("/tags/rust/description", &[("description", &long)])
        .await;
    assert_eq!(too_long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let missing = moderator
        .submit("/tags/nosuch/description", &[("description", "Hm.")])
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let (_, page) = visitor.get_text("/tags/rust").await;
    assert!(page.contains("<em>systems</em>") && !page.contains("Mine now"));

    // Blank clears it.
    let cleared = moderator
        .submit("/tags/rust/description", &[("description", "  ")])
        .await;
    assert_eq!(cleared.status(), StatusCode::SEE_OTHER);
    let (_, page) = visitor.get_text("/tags/rust").await;
    assert!(!page.contains("systems"));
}

const SITE: &str = "scores.stackexchange.com";

/// A Stack Exchange dump of two questions (scores 40 and 5) and two answers to the first
/// (scores 10 and 2), all tagged `rust`.
fn scored_dump() -> tempfile::TempDir {
    let question = |id: u32, score: i32| {
        format!(
            r#"  <row Id="{id}" PostTypeId="1" CreationDate="2020-03-01T10:00:00.000" Score="{score}" ViewCount="5" Body="&lt;p&gt;question {id} body&lt;/p&gt;" OwnerUserId="10" OwnerDisplayName="Asker" Title="Imported question {id}" Tags="&lt;rust&gt;" AnswerCount="2" />"#
        )
    };
    let answer = |id: u32, score: i32, day: u32| {
        format!(
            r#"  <row Id="{id}" PostTypeId="2" ParentId="1" CreationDate="2020-03-0{day}T12:00:00.000" Score="{score}" Body="&lt;p&gt;answer {id} body&lt;/p&gt;" OwnerUserId="{id}" OwnerDisplayName="User {id}" />"#
        )
    };
    let rows = [
        question(1, 40),
        question(2, 5),
        answer(3, 10, 2),
        answer(4, 2, 3),
    ];
    let tmp = tempfile::tempdir().expect("a temporary directory");
    let dir = tmp.path().join(SITE);
    std::fs::create_dir(&dir).expect("the site's directory");
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<posts>\n{}\n</posts>\n",
        rows.join("\n")
    );
    std::fs::write(dir.join("Posts.xml"), body).expect("Posts.xml");
    tmp
}

async fn import_scored(app: &TestApp, tmp: &tempfile::TempDir) {
    let mut conn = app.pool.acquire().await.expect("a connection");
    threadwise::import::stackexchange::import(
        &mut conn,
        &tmp.path().join(SITE),
        None,
        &threadwise::import::ImportOptions::default(),
    )
    .await
    .expect("the import");
    drop(conn);
    app.state.page_cache.invalidate();
}

async fn id_of(app: &TestApp, table: &'static str, key: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {table} WHERE source_key = $1"
    )))
    .bind(format!("{SITE}:{key}"))
    .fetch_one(&app.sql)
    .await
    .expect("an imported row");
    id
}

async fn vote(voter: &Browser, post: i64, value: i64) -> i64 {
    let response = voter
        .post_json(
            &format!("/api/v1/posts/{post}/vote"),
            &serde_json::json!({ "value": value }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("a JSON body");
    body["score"].as_i64().expect("a score")
}

fn titles_of(page: &Value) -> Vec<String> {
    page["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .map(|t| t["title"].as_str().expect("a title").to_owned())
        .collect()
}

#[tokio::test]
async fn top_and_best_orders_add_local_votes_to_imported_scores() {
    // Arrange: the dump, and a local topic with three upvotes.
    let app = spawn_app().await;
    let admin = app.user("admin").await;
    let voters = [
        app.user("ann").await,
        app.user("ben").await,
        app.user("cyd").await,
    ];
    let tmp = scored_dump();
    import_scored(&app, &tmp).await;
    let local = admin
        .create_topic("Local question", "Asked here, not imported.", &["rust"])
        .await;
    let (local_post,): (i64,) = sqlx::query_as("SELECT id FROM posts WHERE topic_id = $1")
        .bind(local)
        .fetch_one(&app.sql)
        .await
        .expect("the local post");
    for voter in &voters {
        vote(voter, local_post, 1).await;
    }

    // Act: local votes on imported posts add to their imported scores.
    assert_eq!(
        vote(&voters[0], id_of(&app, "posts", "2").await, 1).await,
        6
    );
    assert_eq!(
        vote(&voters[1], id_of(&app, "posts", "1").await, -1).await,
        39
    );
    let (a3, a4) = (
        id_of(&app, "posts", "3").await,
        id_of(&app, "posts", "4").await,
    );
    let topic = id_of(&app, "topics", "1").await;
    let reply = admin.reply(topic, "A local answer with three votes.").await;
    for voter in &voters {
        vote(voter, reply, 1).await;
    }

    // Assert: top lists (all topics and the tag's) order by imported + local.
    let visitor = app.browser();
    let expected = [
        "Imported question 1",
        "Imported question 2",
        "Local question",
    ];
    let top = json(&visitor, "/api/v1/topics?order=top&period=all").await;
    assert_eq!(titles_of(&top), expected);
    let scores: Vec<i64> = top["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .map(|t| t["score"].as_i64().expect("a score"))
        .collect();
    assert_eq!(scores, [39, 6, 3]);
    let tagged = json(&visitor, "/api/v1/topics?order=top&period=all&tag=rust").await;
    assert_eq!(titles_of(&tagged), expected);
    // Keyset pages agree: the page after the first topic starts at the second.
    let cursor = top["topics"][0]["id"].as_i64().expect("an id");
    let (_, html) = visitor.get_text("/top?period=all").await;
    assert!(html.contains(&format!("/t/{cursor}")));

    // Best replies: +10 imported, then the local +3, then +2 imported (by time: 10, 2, 3).
    let (_, page) = visitor.get_text(&format!("/t/{topic}?sort=best")).await;
    let at = |id: i64| {
        page.find(&format!(r#"id="post-{id}""#))
            .unwrap_or_else(|| panic!("post {id} on the page"))
    };
    assert!(at(a3) < at(reply) && at(reply) < at(a4), "{page}");

    // A re-import keeps the local votes on top of the (possibly new) imported score.
    import_scored(&app, &tmp).await;
    let scores: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT score, source_score FROM posts WHERE source_key IN ($1, $2) ORDER BY source_key",
    )
    .bind(format!("{SITE}:1"))
    .bind(format!("{SITE}:2"))
    .fetch_all(&app.sql)
    .await
    .expect("scores");
    assert_eq!(scores, [(39, 40), (6, 5)]);
    let top = json(&visitor, "/api/v1/topics?order=top&period=all").await;
    assert_eq!(titles_of(&top), expected);
    assert_eq!(top["topics"][1]["score"], 6);
}
