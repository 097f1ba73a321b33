//! A new member's walk (issue 17): what every page has, and the small files browsers ask for.
use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn pages_have_a_skip_link_a_favicon_and_a_dark_scheme_and_robots_keep_to_public_pages() {
    let app = spawn_app().await;
    let visitor = app.browser();

    let (status, home) = visitor.get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains(r##"<a class="skip-link" href="#content">"##)
            && home.contains(r#"<main id="content">"#)
            && home.contains(r#"<link rel="icon" href="/favicon.svg""#),
        "{home}"
    );
    for path in ["/favicon.svg", "/favicon.ico"] {
        let icon = visitor.get(path).await;
        assert_eq!(icon.status(), StatusCode::OK, "{path}");
        assert_eq!(icon.headers()["content-type"], "image/svg+xml");
        assert!(icon.text().await.unwrap().starts_with("<svg"));
    }
    let robots = visitor.get("/robots.txt").await;
    assert_eq!(robots.status(), StatusCode::OK);
    let robots = robots.text().await.unwrap();
    assert!(robots.contains("Disallow: /mod/") && robots.contains("Disallow: /settings"));
    assert!(!robots.contains("Disallow: /t/") && !robots.contains("Disallow: /\n"));
    let (_, css) = visitor.get_text("/static/style.css").await;
    assert!(
        css.contains("@media (prefers-color-scheme: dark)") && css.contains("max-width: 600px")
    );
}

#[tokio::test]
async fn error_pages_show_the_signed_in_header_and_malformed_ids_are_not_found() {
    let app = spawn_app().await;
    app.user("admin").await; // the first account is the admin
    let alice = app.user("alice").await;

    for path in ["/t/999999", "/t/abc", "/u/nobody-here", "/no/such/page"] {
        let (status, page) = alice.get_text(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            page.contains("alice") && !page.contains(r#"href="/login""#),
            "{path} shows the logged-out header: {page}"
        );
    }
    let forbidden = alice.get("/mod/model").await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    assert!(forbidden.text().await.unwrap().contains("alice"));

    // Anonymous readers keep the anonymous header; the API answers JSON.
    let (status, page) = app.browser().get_text("/t/abc").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        page.contains(r#"href="/login?back=%2Ft%2Fabc""#) && !page.contains("parse"),
        "{page}"
    );
    let api = alice.get("/api/v1/topics/abc").await;
    assert_eq!(
        api.status(),
        StatusCode::NOT_FOUND,
        "{:?}",
        api.text().await
    );
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn maths_render_to_mathml_on_the_server_and_malformed_latex_shows_as_code() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let topic = alice
        .create_topic(
            "A qubit in superposition",
            "The state $|\\psi\\rangle = \\alpha|0\\rangle + \\beta|1\\rangle$ is normalised:\n\n\
             $$|\\alpha|^2 + |\\beta|^2 = 1$$\n\nBroken: $\\frac{1}$ and a price of $5.",
            &["quantum"],
        )
        .await;
    let (status, page) = alice.get_text(&format!("/t/{topic}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<math") && page.contains(r#"display="block""#),
        "{page}"
    );
    assert!(page.contains("ψ") && !page.contains("\\rangle$"), "{page}");
    assert!(
        page.contains("<code>\\frac{1}</code>"),
        "malformed LaTeX is code: {page}"
    );
    assert!(page.contains("a price of $5."), "{page}");
}

#[tokio::test]
async fn counts_are_singular_for_one_and_past_the_last_page_says_no_more() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let topic = alice
        .create_topic("One reply here", "Question?", &["rust"])
        .await;
    bob.reply(topic, "The one answer.").await;

    let (_, home) = alice.get_text("/").await;
    assert!(
        home.contains("1 reply<") && !home.contains("1 replies"),
        "{home}"
    );
    let (_, page) = alice.get_text(&format!("/t/{topic}")).await;
    assert!(
        page.contains("1 reply") && !page.contains("1 replies"),
        "{page}"
    );

    let (status, deep) = alice.get_text("/latest?page=999").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        deep.contains("No more topics")
            && deep.contains(r#"href="/latest">Back to the first page"#)
            && !deep.contains("No topics yet"),
        "{deep}"
    );
    let (_, empty_tag_first_page) = alice
        .get_text("/tags/rust?order=latest&status=answered")
        .await;
    assert!(
        empty_tag_first_page.contains("No topics yet"),
        "{empty_tag_first_page}"
    );
}

#[tokio::test]
async fn the_moderation_log_names_the_people_and_topics_acted_on() {
    let app = spawn_app().await;
    let moderator = app.moderator("mona").await;
    let bob = app.user("bob").await;
    let topic = bob
        .create_topic("Cheap watches here", "Spam.", &["spam"])
        .await;
    let banned = moderator
        .post_json(
            "/api/v1/users/bob/ban",
            &serde_json::json!({ "days": 3, "reason": "spam" }),
        )
        .await;
    assert!(banned.status().is_success(), "{}", banned.status());
    let locked = moderator
        .submit(&format!("/t/{topic}/moderate"), &[("action", "lock")])
        .await;
    assert_eq!(locked.status(), StatusCode::SEE_OTHER);

    let (_, log) = moderator.get_text("/mod/log").await;
    assert!(log.contains(r#"<a href="/u/bob">bob</a>"#), "{log}");
    assert!(
        !log.contains("user 2<") && !log.contains("user 2 "),
        "{log}"
    );
    assert!(log.contains("“Cheap watches here”"), "{log}");
}
