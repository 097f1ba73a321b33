//! Behind a trusted reverse proxy the per-address limits count the client named in
//! `X-Forwarded-For`; from anyone else the header is ignored, so it cannot dodge a limit.
use reqwest::{Response, StatusCode};
use serde_json::json;
use threadwise::web::client::TrustedProxy;
use threadwise::web::limits::LimitSettings;

use crate::helpers::{TestApp, spawn_app_with};

const LOGINS_PER_MINUTE: u32 = 3;

/// Login attempts limited; the tests' requests come from 127.0.0.1.
async fn app(trusted_proxies: &[&str]) -> TestApp {
    let trusted: Vec<TrustedProxy> = trusted_proxies
        .iter()
        .map(|p| p.parse().expect("a valid proxy"))
        .collect();
    spawn_app_with(move |s| {
        s.limits = LimitSettings::off();
        s.limits.login_per_minute = LOGINS_PER_MINUTE;
        s.trusted_proxies = trusted;
    })
    .await
}

async fn login_via(app: &TestApp, forwarded_for: &str) -> Response {
    let browser = app.browser();
    browser
        .client
        .post(browser.url("/api/v1/auth/login"))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({ "username": "nobody", "password": "not the password" }))
        .send()
        .await
        .expect("POST login")
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let app = app(&["127.0.0.1"]).await;
    for i in 0..LOGINS_PER_MINUTE {
        let response = login_via(&app, "203.0.113.1").await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {i}"
        );
    }
    assert_eq!(
        login_via(&app, "203.0.113.1").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // A forged entry left of the proxy's own is not believed: still the same client.
    assert_eq!(
        login_via(&app, "198.51.100.9, 203.0.113.1").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client behind the same proxy is not limited.
    assert_eq!(
        login_via(&app, "203.0.113.2").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A header the proxy garbled counts against the proxy's own address, which is not limited yet.
    assert_eq!(
        login_via(&app, "not an address").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn without_trusted_proxies_the_header_is_ignored() {
    let app = app(&[]).await;
    for i in 0..LOGINS_PER_MINUTE {
        let response = login_via(&app, &format!("203.0.113.{i}")).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {i}"
        );
    }
    // Claiming yet another address does not escape the peer's limit.
    assert_eq!(
        login_via(&app, "198.51.100.9").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_peer_outside_the_trusted_networks_is_not_believed() {
    let app = app(&["10.0.0.0/8", "::1"]).await;
    for _ in 0..LOGINS_PER_MINUTE {
        login_via(&app, "203.0.113.1").await;
    }
    assert_eq!(
        login_via(&app, "203.0.113.2").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}
