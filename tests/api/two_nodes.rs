//! Two app servers on one PostgreSQL database (issue 20): what one changes, the other shows at
//! once; only one trains at a time, and the other takes over when the trainer dies.
//!
//! SQLite serves one app server per file, so on SQLite these tests have nothing to show and
//! return at once (CI runs the suite on both engines).
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use threadwise::config::Settings;
use threadwise::db::lease::{self, Job};
use threadwise::tagging::retrain::{Outcome, Trigger};

use crate::helpers::{TestApp, fresh_database_url, on_postgres, spawn_app_on};
use crate::tagging::{seed_labelled_topics, tiny};

/// How long the other server may take to show a change before the test gives up; the changes
/// arrive in milliseconds (the tests print how many).
const AT_ONCE: Duration = Duration::from_secs(5);

/// Two servers on one fresh database. Their page caches keep pages for ten minutes, so only an
/// announcement from the other server can make them show a change in time.
async fn two_nodes(configure: impl Fn(&mut Settings)) -> (TestApp, TestApp) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = fresh_database_url(dir.path()).await;
    let settings = |s: &mut Settings| {
        s.page_cache_secs = 600;
        configure(s);
    };
    let a = spawn_app_on(dir, url.clone(), settings).await;
    let b = spawn_app_on(
        tempfile::tempdir().expect("a temporary directory"),
        url,
        settings,
    )
    .await;
    (a, b)
}

/// Polls `done` until it holds or `AT_ONCE` passes; how long it took.
async fn within<F, Fut>(what: &str, mut done: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if done().await {
            let took = start.elapsed();
            println!("{what}: {} ms", took.as_millis());
            return took;
        }
        assert!(start.elapsed() < AT_ONCE, "{what} within {AT_ONCE:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_reply_on_one_server_is_on_the_others_cached_page_at_once() {
    if !on_postgres() {
        return;
    }
    let (a, b) = two_nodes(|_| {}).await;
    let alice = a.user("alice").await;
    let topic = alice
        .create_topic("Cached on both", "The first post.", &["test"])
        .await;
    let page = format!("/t/{topic}");
    let anonymous = b.browser();
    let (status, before) = anonymous.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!before.contains("a reply from node A"));
    // B now serves the page from its cache.
    let (_, again) = anonymous.get_text(&page).await;
    assert_eq!(before, again);

    alice.reply(topic, "This is a reply from node A.").await;

    within("reply on B's anonymous page", || async {
        let (status, body) = anonymous.get_text(&page).await;
        status == StatusCode::OK && body.contains("a reply from node A")
    })
    .await;
}

#[tokio::test]
async fn a_ban_on_one_server_refuses_the_session_on_the_other_at_once() {
    if !on_postgres() {
        return;
    }
    let (a, b) = two_nodes(|_| {}).await;
    let moderator = a.moderator("mod").await;
    let troll = b.user("troll").await;
    assert_eq!(
        troll.get("/api/v1/me").await.status(),
        StatusCode::OK,
        "B has the session cached"
    );

    moderator.ban("troll", 1).await;

    within("ban refusing the session on B", || async {
        troll.get("/api/v1/me").await.status() == StatusCode::UNAUTHORIZED
    })
    .await;
    troll.assert_cannot_post().await;
}

async fn retrain_on(app: &TestApp) -> Outcome {
    threadwise::startup::retrain_job(&app.state)
        .run_once(Trigger::Manual, Arc::new(AtomicBool::new(false)))
        .await
        .expect("a retrain run")
}

async fn versions_with(app: &TestApp, status: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM model_versions WHERE status = $1")
        .bind(status)
        .fetch_one(&app.sql)
        .await
        .expect("count versions");
    n
}

#[tokio::test]
async fn when_the_training_process_dies_another_server_trains() {
    if !on_postgres() {
        return;
    }
    let (a, b) = two_nodes(tiny).await;
    let alice = a.user("alice").await;
    seed_labelled_topics(&alice).await;

    // A third process trains, for far longer than the test runs: `threadwise retrain`.
    let trainer = std::process::Command::new(env!("CARGO_BIN_EXE_threadwise"))
        .args(["--database", &a.database_url, "retrain"])
        .env("THREADWISE_MIN_TAG_EXAMPLES", "5")
        .env("THREADWISE_TRAIN_EPOCHS", "1000000")
        .env("THREADWISE_TRAIN_PATIENCE", "1000000")
        .env("THREADWISE_TRAIN_MIN_STEPS", "0")
        .env("THREADWISE_TRAIN_HIDDEN", "8")
        .env("THREADWISE_TRAIN_EMBEDDING", "8")
        .env("THREADWISE_TRAIN_THREADS", "1")
        .env("THREADWISE_TRAIN_CROSS_FIT_FOLDS", "0")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the threadwise binary starts");
    let mut trainer = KilledOnDrop(trainer);
    let start = Instant::now();
    while versions_with(&a, "training").await == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the CLI starts training"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        lease::is_held(&a.pool, Job::Retrain)
            .await
            .expect("pg_locks")
    );

    // Neither server trains while it does, nor takes its version for abandoned.
    for server in [&a, &b] {
        match retrain_on(server).await {
            Outcome::Skipped(why) => assert_eq!(why, "another server is training"),
            other => panic!("only one process trains at a time: {other:?}"),
        }
    }
    assert_eq!(versions_with(&a, "training").await, 1);

    // The trainer dies the hard way: no release, no clean-up.
    trainer.0.kill().expect("kill the trainer");
    trainer.0.wait().expect("the trainer ends");
    within("lease free after the trainer died", || async {
        !lease::is_held(&a.pool, Job::Retrain)
            .await
            .expect("pg_locks")
    })
    .await;

    let version = match retrain_on(&b).await {
        Outcome::Promoted { version, .. } => version,
        other => panic!("B trains the first champion once the trainer is gone: {other:?}"),
    };
    assert_eq!(versions_with(&a, "training").await, 0);
    assert_eq!(
        versions_with(&a, "failed").await,
        1,
        "the dead trainer's version is failed"
    );
    assert!(
        !lease::is_held(&a.pool, Job::Retrain)
            .await
            .expect("pg_locks")
    );

    // A serves B's champion without waiting for its periodic check.
    within("A serving B's champion", || async {
        a.state
            .tagger
            .current()
            .is_some_and(|model| model.version == version)
    })
    .await;
}

/// A child process that dies with the test, even when the test fails half-way.
struct KilledOnDrop(std::process::Child);

impl Drop for KilledOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The advisory-lock holder of `job` (its backend's pid), once one holds it.
async fn lease_holder(app: &TestApp, job: Job) -> i32 {
    let start = Instant::now();
    loop {
        let holder: Option<i32> = sqlx::query_scalar(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND objid = ($1 & 4294967295)::oid AND objsubid = 1",
        )
        .bind(job as i64)
        .fetch_optional(&app.sql)
        .await
        .expect("pg_locks");
        if let Some(pid) = holder {
            return pid;
        }
        assert!(start.elapsed() < AT_ONCE, "a process holds the lease");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn terminate_backend(app: &TestApp, pid: i32) {
    let ended: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
        .bind(pid)
        .fetch_one(&app.sql)
        .await
        .expect("pg_terminate_backend");
    assert!(ended, "backend {pid} terminated");
}

#[tokio::test]
async fn a_lease_whose_connection_ends_is_known_lost_and_free_for_another() {
    if !on_postgres() {
        return;
    }
    let (a, b) = two_nodes(|_| {}).await;
    // The servers' own notify runs take this lease now and then, for a moment.
    let start = Instant::now();
    let mut held = loop {
        if let Some(held) = lease::try_take(&a.pool, Job::Notify)
            .await
            .expect("try_take")
        {
            break held;
        }
        assert!(start.elapsed() < AT_ONCE, "the lease free for a moment");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(held.still_held().await);
    assert!(
        lease::try_take(&b.pool, Job::Notify)
            .await
            .expect("try_take")
            .is_none()
    );

    terminate_backend(&a, lease_holder(&a, Job::Notify).await).await;

    let start = Instant::now();
    while held.still_held().await {
        assert!(start.elapsed() < AT_ONCE, "the lease known lost");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The lock goes when the terminated backend has exited, a moment after (and the servers'
    // notify runs may hold it for a moment too).
    let start = Instant::now();
    while lease::try_take(&b.pool, Job::Notify)
        .await
        .expect("try_take")
        .is_none()
    {
        assert!(start.elapsed() < AT_ONCE, "B takes the lease A lost");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    println!("B took the lost lease: {} ms", start.elapsed().as_millis());
}

/// A server whose training lease ends mid-run (its connection dropped) stops training and stores
/// nothing: another server may have taken over, and its champion must not race this one's.
#[tokio::test]
async fn a_training_that_loses_its_lease_stops_and_stores_no_champion() {
    if !on_postgres() {
        return;
    }
    let (a, b) = two_nodes(|s| {
        tiny(s);
        s.tagging.train_epochs = Some(1_000_000);
        s.tagging.train_patience = Some(1_000_000);
    })
    .await;
    let alice = a.user("alice").await;
    seed_labelled_topics(&alice).await;

    let lose_lease = async {
        while versions_with(&a, "training").await == 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        terminate_backend(&a, lease_holder(&a, Job::Retrain).await).await;
        Instant::now()
    };
    // Bounded: a training that went on without its lease would run its million epochs.
    let training = tokio::time::timeout(Duration::from_secs(60), retrain_on(&a));
    let (outcome, lost_at) = tokio::join!(training, lose_lease);
    let outcome = outcome.expect("the training stops within a minute of losing its lease");
    println!(
        "training stopped {} ms after the lease was lost",
        lost_at.elapsed().as_millis()
    );
    match outcome {
        Outcome::Failed { error, .. } => {
            assert!(error.contains("lease was lost"), "{error}")
        }
        other => panic!("a run without its lease stores nothing: {other:?}"),
    }
    assert_eq!(versions_with(&a, "failed").await, 1);
    assert_eq!(versions_with(&a, "champion").await, 0);
    assert!(
        !lease::is_held(&b.pool, Job::Retrain)
            .await
            .expect("pg_locks")
    );
}
