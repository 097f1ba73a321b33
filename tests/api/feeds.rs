//! Atom feeds: each parses as Atom, links to the forum's base URL, carries rendered HTML and no
//! hidden topic or post; unknown tags, topics and members are 404; pages link their feed.
use atom_syndication::Feed;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Browser, TestApp, spawn_app_with};

const BASE: &str = "https://forum.example.org";

async fn feed(browser: &Browser, path: &str) -> Feed {
    let response = browser.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(kind.starts_with("application/atom+xml"), "{path}: {kind}");
    let body = response.text().await.unwrap();
    body.parse::<Feed>()
        .unwrap_or_else(|e| panic!("{path} is not Atom ({e}): {body}"))
}

fn contents(feed: &Feed) -> Vec<String> {
    feed.entries
        .iter()
        .map(|e| {
            e.content
                .as_ref()
                .and_then(|c| c.value.clone())
                .unwrap_or_default()
        })
        .collect()
}

async fn app() -> TestApp {
    spawn_app_with(|s| {
        s.mail.base_url = format!("{BASE}/");
        // Feeds are served from the page cache like the pages.
        s.page_cache_secs = 60;
    })
    .await
}

#[tokio::test]
async fn every_feed_parses_as_atom_with_rendered_html_and_no_hidden_post() {
    let app = app().await;
    app.user("admin").await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let moderator = app.moderator("mona").await;
    let topic = alice
        .create_topic(
            "Borrowing & <lifetimes>",
            "Why **does** `x` move?",
            &["rust"],
        )
        .await;
    let reply = |body: &'static str| {
        let bob = &bob;
        async move {
            let r = bob
                .post_json(
                    &format!("/api/v1/topics/{topic}/replies"),
                    &json!({ "body": body }),
                )
                .await;
            assert_eq!(r.status(), StatusCode::CREATED);
            r.json::<serde_json::Value>().await.unwrap()["id"]
                .as_i64()
                .unwrap()
        }
    };
    reply("Because it is *not* Copy.").await;
    let spam = reply("buy cheap watches").await;
    let hidden_topic = alice
        .create_topic("A hidden question", "secret body text", &["rust"])
        .await;
    for (path, action) in [
        (format!("/p/{spam}/moderate"), "hide"),
        (format!("/t/{hidden_topic}/moderate"), "hide"),
    ] {
        let r = moderator.submit(&path, &[("action", action)]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let anonymous = app.browser();

    for path in [
        "/latest.atom",
        "/hot.atom",
        "/tags/rust.atom",
        &format!("/t/{topic}.atom"),
        "/u/alice.atom",
        "/u/bob.atom",
    ] {
        let parsed = feed(&anonymous, path).await;
        assert!(!parsed.entries.is_empty(), "{path}");
        assert_eq!(parsed.id, format!("{BASE}{path}"));
        let text = contents(&parsed).join("\n");
        assert!(!text.contains("cheap watches"), "{path}: hidden post");
        assert!(!text.contains("secret body"), "{path}: hidden topic");
        assert!(
            !parsed
                .entries
                .iter()
                .any(|e| e.title.value.contains("hidden question")),
            "{path}"
        );
        for entry in &parsed.entries {
            assert!(
                entry.links[0].href.starts_with(&format!("{BASE}/t/")),
                "{path}"
            );
        }
    }
    let latest = feed(&anonymous, "/latest.atom").await;
    assert_eq!(latest.entries[0].title.value, "Borrowing & <lifetimes>");
    assert!(
        contents(&latest)[0].contains("<strong>does</strong>"),
        "rendered HTML"
    );
    assert_eq!(latest.entries[0].categories[0].term, "rust");
    let thread = feed(&anonymous, &format!("/t/{topic}.atom")).await;
    assert_eq!(thread.entries.len(), 2, "question and the visible reply");
    assert!(
        contents(&thread)[0].contains("<em>not</em>"),
        "newest first"
    );

    for path in ["/tags/nosuchtag.atom", "/t/9999.atom", "/u/nobody.atom"] {
        assert_eq!(
            anonymous.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let hidden = anonymous.get(&format!("/t/{hidden_topic}.atom")).await;
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn pages_link_their_feeds_and_a_write_refreshes_a_cached_feed() {
    let app = app().await;
    app.user("admin").await;
    let alice = app.user("alice").await;
    let topic = alice
        .create_topic("First question here", "body", &["rust"])
        .await;
    let anonymous = app.browser();
    for (page, feed_path) in [
        ("/".to_owned(), "/hot.atom".to_owned()),
        ("/latest".to_owned(), "/latest.atom".to_owned()),
        ("/tags/rust".to_owned(), "/tags/rust.atom".to_owned()),
        (format!("/t/{topic}"), format!("/t/{topic}.atom")),
        ("/u/alice".to_owned(), "/u/alice.atom".to_owned()),
    ] {
        let (_, html) = anonymous.get_text(&page).await;
        assert!(
            html.contains(r#"type="application/atom+xml""#)
                && html.contains(&format!(r#"href="{feed_path}""#)),
            "{page}: {html}"
        );
    }
    assert_eq!(feed(&anonymous, "/latest.atom").await.entries.len(), 1);

    alice
        .create_topic("Second question here", "body", &["rust"])
        .await;

    let latest = feed(&anonymous, "/latest.atom").await;
    assert_eq!(latest.entries.len(), 2, "the write ended the cached copy");
    assert_eq!(latest.entries[0].title.value, "Second question here");
}
