//! Crash safety and shutdown, on the real binary: killed with SIGKILL in the middle of a burst of
//! writes, it restarts on an intact database that holds every write it acknowledged; stopped with
//! SIGTERM, it exits cleanly after writing what it buffered and closing the database.
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{Value, json};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::helpers::PASSWORD;

/// The `threadwise serve` process, killed (SIGKILL) when dropped so a failing test leaves none.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    async fn start(database: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_threadwise"))
            .arg("--database")
            .arg(format!("sqlite://{}", database.display()))
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--workers",
                "2",
            ])
            // The burst comes from one address, faster than the default limits allow.
            .args([
                "--registrations-per-hour",
                "0",
                "--new-account-topics-per-hour",
                "0",
            ])
            .args(["--topics-per-hour", "0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the threadwise binary starts");
        let server = Self {
            child,
            address: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while reqwest::get(&server.address).await.is_err() {
            assert!(Instant::now() < deadline, "the server did not come up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// SIGTERM, then the exit status (within 20 s).
    fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill_hard(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("the killed server is reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the server acknowledged with a 2xx: users, and topics by id with their title.
#[derive(Default)]
struct Acknowledged {
    users: Vec<String>,
    topics: BTreeMap<i64, String>,
}

/// One writer: registers, then opens topics until the server stops answering.
async fn writer(address: String, n: usize, acked: Arc<Mutex<Acknowledged>>) {
    let client = Client::builder().cookie_store(true).build().unwrap();
    let username = format!("writer{n}");
    let Ok(response) = client
        .post(format!("{address}/api/v1/auth/register"))
        .json(&json!({ "username": username, "email": format!("{username}@example.org"), "password": PASSWORD }))
        .send()
        .await
    else {
        return;
    };
    if !response.status().is_success() {
        return;
    }
    let Ok(body) = response.json::<Value>().await else {
        return;
    };
    acked.lock().unwrap().users.push(username.clone());
    let csrf = body["csrf_token"].as_str().unwrap_or_default().to_owned();
    for i in 0.. {
        let title = format!("Topic {i} by {username}");
        let sent = client
            .post(format!("{address}/api/v1/topics"))
            .header("X-CSRF-Token", &csrf)
            .json(&json!({ "title": title, "body": format!("Body of {title}\n\n```\ncode {i}\n```"), "tags": ["crash", format!("w{n}")] }))
            .send()
            .await;
        let Ok(response) = sent else { return };
        if !response.status().is_success() {
            return;
        }
        // Only a complete 2xx answer counts as acknowledged.
        let Ok(body) = response.json::<Value>().await else {
            return;
        };
        if let Some(id) = body["id"].as_i64() {
            acked.lock().unwrap().topics.insert(id, title);
        }
    }
}

#[tokio::test]
async fn killing_the_server_during_a_burst_of_writes_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("crash.db");
    let mut server = Server::start(&database).await;
    let acked = Arc::new(Mutex::new(Acknowledged::default()));

    let writers: Vec<_> = (0..8)
        .map(|n| tokio::spawn(writer(server.address.clone(), n, acked.clone())))
        .collect();
    // Kill once the burst is well under way (or after a while on a very slow machine).
    let started = Instant::now();
    while acked.lock().unwrap().topics.len() < 150 && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill_hard();
    for w in writers {
        w.await.unwrap();
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(
        acked.topics.len() >= 20,
        "too few writes before the kill: {}",
        acked.topics.len()
    );

    // Restart: it migrates, recovers the WAL and serves what was acknowledged.
    let server = Server::start(&database).await;
    let (some_id, some_title) = acked.topics.iter().next_back().unwrap();
    let topic: Value = reqwest::get(format!("{}/api/v1/topics/{some_id}", server.address))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(topic["title"], some_title.as_str());

    let mut conn = SqliteConnectOptions::new()
        .filename(&database)
        .connect()
        .await
        .unwrap();
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(check, "ok");
    let (fk_violations,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pragma_foreign_key_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(fk_violations, 0);
    let stored: BTreeMap<i64, String> =
        sqlx::query_as::<_, (i64, String)>("SELECT id, title FROM topics")
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .into_iter()
            .collect();
    for (id, title) in &acked.topics {
        assert_eq!(
            stored.get(id),
            Some(title),
            "acknowledged topic {id} is missing"
        );
    }
    // Every topic, acknowledged or not, is whole: its opening post is there.
    let (orphans,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM topics t WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.topic_id = t.id)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(orphans, 0);
    for user in &acked.users {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE username = $1")
            .bind(user)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(n, 1, "acknowledged user {user} is missing");
    }
    conn.close().await.unwrap();
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly_after_writing_buffered_views() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("shutdown.db");
    let mut server = Server::start(&database).await;
    let client = Client::builder().cookie_store(true).build().unwrap();
    let session: Value = client
        .post(format!("{}/api/v1/auth/register", server.address))
        .json(&json!({ "username": "alice", "email": "alice@example.org", "password": PASSWORD }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created: Value = client
        .post(format!("{}/api/v1/topics", server.address))
        .header("X-CSRF-Token", session["csrf_token"].as_str().unwrap())
        .json(&json!({ "title": "Viewed before shutdown", "body": "body", "tags": ["a"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    for _ in 0..3 {
        let page = reqwest::get(format!("{}/t/{id}", server.address))
            .await
            .unwrap();
        assert!(page.status().is_success());
    }

    let status = server.terminate();

    assert!(status.success(), "exit status {status}");
    // The pool closed: SQLite checkpointed and removed the write-ahead log.
    assert!(
        !dir.path().join("shutdown.db-wal").exists(),
        "the WAL was left behind"
    );
    let mut conn = SqliteConnectOptions::new()
        .filename(&database)
        .connect()
        .await
        .unwrap();
    let (views,): (i64,) = sqlx::query_as("SELECT view_count FROM topics WHERE id = $1")
        .bind(id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(views, 3, "the buffered views were written at shutdown");
    conn.close().await.unwrap();
}
