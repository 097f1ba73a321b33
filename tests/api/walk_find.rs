//! Finding things on a new member's walk (issue 17): suggestions shown to those who decide on
//! them, search filters and order, the tag index and tag descriptions, and the "top" and "best"
//! orders with imported scores.
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Browser, TestApp, spawn_app};

/// Puts an unreviewed model suggestion of `tag` on a topic, as the autotagger does, and ends
/// the cached pages (a write from outside the request path).
async fn suggest(app: &TestApp, topic_id: i64, tag: &str, confidence: f64) {
    sqlx::query("INSERT INTO tags (name, created_at) VALUES (?1, 0) ON CONFLICT (name) DO NOTHING")
        .bind(tag)
        .execute(&app.pool)
        .await
        .expect("a tag");
    sqlx::query(
        "INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, model_version, created_at)
         SELECT ?1, id, 'model', 'suggested', ?3, 1, 0 FROM tags WHERE name = ?2",
    )
    .bind(topic_id)
    .bind(tag)
    .bind(confidence)
    .execute(&app.pool)
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
