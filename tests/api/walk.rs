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
