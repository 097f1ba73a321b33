//! HEAD answers like GET without a body (uptime monitors, link checkers, `curl -I`); a method an
//! existing path does not serve gets 405 with `Allow`, an unknown path still 404.
use reqwest::{Response, StatusCode};

use crate::helpers::{Browser, TestApp, spawn_app, spawn_app_with};

const SAME_HEADERS: [&str; 6] = [
    "content-type",
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "cache-control",
];

async fn head(browser: &Browser, path: &str) -> Response {
    browser
        .client
        .head(browser.url(path))
        .send()
        .await
        .expect("HEAD")
}

fn content_length(response: &Response) -> usize {
    response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .expect("a Content-Length")
}

async fn topic(app: &TestApp) -> i64 {
    app.user("alice")
        .await
        .create_topic("Heads up", "body", &["test"])
        .await
}

#[tokio::test]
async fn head_answers_with_the_headers_of_get_and_no_body() {
    let app = spawn_app().await;
    let id = topic(&app).await;
    let reader = app.browser();
    for path in [
        "/".to_owned(),
        format!("/t/{id}"),
        "/static/style.css".to_owned(),
        "/static/app.js".to_owned(),
        "/api/v1/topics".to_owned(),
        format!("/api/v1/topics/{id}"),
        "/login".to_owned(),
    ] {
        let get = reader.get(&path).await;
        let head = head(&reader, &path).await;
        assert_eq!(get.status(), StatusCode::OK, "GET {path}");
        assert_eq!(head.status(), StatusCode::OK, "HEAD {path}");
        for name in SAME_HEADERS {
            assert_eq!(
                head.headers().get(name),
                get.headers().get(name),
                "{name} of {path}"
            );
        }
        assert!(
            head.headers().contains_key("content-security-policy"),
            "{path}"
        );
        // The length a GET would send; pages are rendered again, so only assets match exactly.
        let announced = content_length(&head);
        let body = get.bytes().await.unwrap();
        assert!(announced > 0, "{path}");
        if path.starts_with("/static/") {
            assert_eq!(announced, body.len(), "{path}");
        }
        assert!(
            head.bytes().await.unwrap().is_empty(),
            "HEAD {path} has a body"
        );
    }
}

#[tokio::test]
async fn head_on_an_unknown_path_is_404() {
    let app = spawn_app().await;
    let reader = app.browser();
    for path in ["/no/such/page", "/api/v1/no/such/thing", "/t/999"] {
        let response = head(&reader, path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(response.headers().contains_key("content-security-policy"));
        assert!(response.bytes().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_method_a_path_does_not_serve_is_405_with_allow() {
    let app = spawn_app().await;
    let reader = app.browser();
    for (method, path, allow) in [
        // Write-only routes: HEAD is not a way in.
        ("HEAD", "/logout", "POST"),
        ("HEAD", "/api/v1/auth/login", "POST"),
        ("GET", "/api/v1/auth/login", "POST"),
        ("DELETE", "/login", "GET, HEAD, POST"),
        ("PUT", "/api/v1/topics", "GET, HEAD, POST"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = reader
            .client
            .request(method.clone(), reader.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        assert!(response.headers().contains_key("content-security-policy"));
        let is_head = method == reqwest::Method::HEAD;
        let body = response.text().await.unwrap();
        if is_head {
            assert!(body.is_empty(), "{method} {path}");
        } else if path.starts_with("/api/") {
            let json: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(
                json["error"]["code"], "method_not_allowed",
                "{method} {path}"
            );
        } else {
            assert!(body.contains("405"), "{method} {path}: {body}");
        }
    }
}

#[tokio::test]
async fn head_is_answered_from_the_cache_but_never_fills_it() {
    let app = spawn_app_with(|s| s.page_cache_secs = 60).await;
    let id = topic(&app).await;
    let reader = app.browser();
    let path = format!("/t/{id}");

    // First a HEAD on a page nobody has read yet: it must not store an empty page.
    let first = head(&reader, &path).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.bytes().await.unwrap().is_empty());
    let get = reader.get(&path).await;
    assert_eq!(get.status(), StatusCode::OK);
    let page = get.text().await.unwrap();
    assert!(page.contains("Heads up"), "the full page after a HEAD");

    // Now the page is stored: a HEAD gets the stored copy's length, a GET its whole body.
    let again = head(&reader, &path).await;
    assert_eq!(content_length(&again), page.len());
    assert!(again.bytes().await.unwrap().is_empty());
    let (_, cached) = reader.get_text(&path).await;
    assert_eq!(cached, page);

    // Readers are counted, HEADs are not: two GETs above.
    threadwise::jobs::ranks::run_once(&app.pool, &app.state.views)
        .await
        .unwrap();
    let (views,): (i64,) = sqlx::query_as("SELECT view_count FROM topics WHERE id = $1")
        .bind(id)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(views, 2);
}
