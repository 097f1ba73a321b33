//! Feedback: a flag confirms itself, a ban says why and until when, moderators see hidden posts.
use reqwest::StatusCode;
use scraper::{Html, Selector};
use serde_json::{Value, json};

use super::{form_login, topic_by};
use crate::helpers::{PASSWORD, TestApp, spawn_app};

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
    let (until,): (i64,) = sqlx::query_as("SELECT banned_until FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.sql)
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
            .fetch_one(&app.sql)
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
