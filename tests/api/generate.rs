//! `threadwise generate` fills an empty forum on the engine the suite runs on, and the forum
//! carries on from it: new accounts and topics get ids after the generated ones.
use std::process::Command;

use reqwest::StatusCode;

use crate::helpers::{fresh_database_url, spawn_app_on};

#[tokio::test]
async fn a_generated_community_serves_and_takes_new_members_and_topics() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = fresh_database_url(dir.path()).await;
    let output = Command::new(env!("CARGO_BIN_EXE_threadwise"))
        .args([
            "--database",
            &url,
            "generate",
            "--topics",
            "40",
            "--posts",
            "300",
        ])
        .args(["--users", "30", "--tags", "12", "--seed", "3"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "generate: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let again = Command::new(env!("CARGO_BIN_EXE_threadwise"))
        .args([
            "--database",
            &url,
            "generate",
            "--topics",
            "4",
            "--posts",
            "8",
        ])
        .output()
        .expect("the binary runs");
    assert!(!again.status.success(), "a second generate must refuse");

    let app = spawn_app_on(dir, url, |_| {}).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 40);
    assert_eq!(app.count("SELECT COUNT(*) FROM posts").await, 300);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 30);
    let (status, _) = app.browser().get_text("/").await;
    assert_eq!(status, StatusCode::OK);

    let alice = app.user("alice").await;
    let (alice_id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'alice'")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(alice_id, 31, "the next id after the generated accounts");
    let topic = alice
        .create_topic("After the generated ones", "body", &["rust"])
        .await;
    assert_eq!(topic, 41);
    let (status, page) = app.browser().get_text(&format!("/t/{topic}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("After the generated ones"));
}
