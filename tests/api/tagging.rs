use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use reqwest::StatusCode;
use serde_json::{Value, json};
use threadwise::config::Settings;
use threadwise::model::Role;
use threadwise::startup::Application;
use threadwise::tagging::dataset;
use threadwise::tagging::retrain::{self, Outcome, Trigger};

use crate::helpers::{Browser, TestApp, spawn_app, spawn_app_with};

/// Tiny hyper-parameters so a training run takes seconds in a debug build.
pub(crate) fn tiny(settings: &mut Settings) {
    let t = &mut settings.tagging;
    t.min_tag_examples = 5;
    t.retrain_min_new_labels = 1;
    t.train_epochs = Some(60);
    t.train_patience = Some(60);
    t.train_learning_rate = Some(0.01);
    t.train_min_steps = Some(0);
    t.train_hidden = Some(8);
    t.train_embedding = Some(8);
    t.train_threads = Some(1);
    // One training run per retrain; the model crate tests cross-fitting.
    t.train_cross_fit_folds = Some(0);
}

const RUST_WORDS: [&str; 6] = [
    "cargo",
    "borrow checker",
    "lifetime",
    "trait object",
    "crate",
    "rustc",
];
const PYTHON_WORDS: [&str; 6] = [
    "pip",
    "django",
    "numpy",
    "virtualenv",
    "pandas",
    "indentation",
];

/// 40 topics a tag, with bodies only the right tag's words appear in.
pub(crate) async fn seed_labelled_topics(author: &Browser) {
    for i in 0..40 {
        let r = RUST_WORDS[i % 6];
        let r2 = RUST_WORDS[(i + 2) % 6];
        author
            .create_topic(
                &format!("Question {i} about {r}"),
                &format!("My {r} and {r2} fail, {r} again."),
                &["rust"],
            )
            .await;
        let p = PYTHON_WORDS[i % 6];
        let p2 = PYTHON_WORDS[(i + 3) % 6];
        author
            .create_topic(
                &format!("Question {i} about {p}"),
                &format!("My {p} and {p2} fail, {p} again."),
                &["python"],
            )
            .await;
    }
}

/// How the tests read the training data: pages of `batch_topics`, a sample past
/// `max_train_topics`.
fn load_options(batch_topics: usize, max_train_topics: usize) -> dataset::LoadOptions {
    dataset::LoadOptions {
        batch_topics,
        max_train_topics,
        seed: 7,
        max_len: 256,
    }
}

#[tokio::test]
async fn the_loader_reads_bounded_batches_and_every_topic_once() {
    const BATCH: usize = 4;
    let app = spawn_app_with(tiny).await;
    let alice = app.user("alice").await;
    let mut ids = Vec::new();
    for i in 0..5 * BATCH {
        let tag = if i % 2 == 0 { "rust" } else { "python" };
        let body = format!("Body {i}: cargo, pip and a crate.");
        ids.push(
            alice
                .create_topic(&format!("Topic {i} for the loader"), &body, &[tag])
                .await,
        );
    }
    let mut conn = app.pool.acquire().await.unwrap();

    let data = dataset::load(&mut conn, &load_options(BATCH, 50_000))
        .await
        .unwrap();
    assert!(data.largest_batch <= BATCH, "{}", data.largest_batch);
    assert_eq!(data.largest_batch, BATCH);
    assert_eq!(data.batches, 5);
    let mut loaded: Vec<i64> = [Role::Train, Role::Valid, Role::HeldOut]
        .into_iter()
        .flat_map(|role| data.corpus.keys(role).collect::<Vec<_>>())
        .collect();
    loaded.sort_unstable();
    ids.sort_unstable();
    assert_eq!(loaded, ids, "every topic arrives once");
    assert_eq!((data.topics, data.sample), (ids.len(), None));
    for &id in &ids {
        let (role, tags, _) = data.corpus.labels_of(id).expect("loaded");
        assert_eq!(role, Role::from(dataset::split_of(id)));
        assert_eq!(tags.len(), 1);
    }

    // Past the cap, a sample: at most that many training topics, and the page says so.
    let capped = dataset::load(&mut conn, &load_options(BATCH, 3))
        .await
        .unwrap();
    assert!(capped.corpus.count(Role::Train) <= 3);
    assert!(capped.largest_batch <= BATCH);
    assert_eq!(
        capped.batches,
        capped.len().div_ceil(BATCH),
        "only the sample is read"
    );
    let sample = capped.sample.expect("a sample");
    assert_eq!((sample.kept, sample.of), (capped.len(), ids.len()));
    assert!(capped.len() < ids.len());
    assert_eq!(
        sample.to_string(),
        format!(
            "trained on a sample of {} of {} topics",
            capped.len(),
            ids.len()
        )
    );
}

async fn retrain_now(app: &TestApp) -> Outcome {
    threadwise::startup::retrain_job(&app.state)
        .run_once(Trigger::Manual, Arc::new(AtomicBool::new(false)))
        .await
        .expect("a retrain run")
}

/// An app with the seeded topics and a first champion trained on them; returns its version.
async fn app_with_a_champion() -> (TestApp, i64) {
    let app = spawn_app_with(tiny).await;
    let alice = app.user("alice").await;
    seed_labelled_topics(&alice).await;
    match retrain_now(&app).await {
        Outcome::Promoted { version, .. } => (app, version),
        other => panic!("the first run should become champion: {other:?}"),
    }
}

/// One run with a configuration other than the app's settings.
async fn retrain_with(app: &TestApp, config: &retrain::RetrainConfig) -> Outcome {
    retrain::run_once(
        &app.pool,
        &app.state.tagger,
        config,
        Trigger::Manual,
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .expect("a retrain run")
}

async fn suggestions_of(app: &TestApp, topic_id: i64) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT g.name, tt.source, tt.status FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id
         WHERE tt.topic_id = $1 AND tt.source = 'model' ORDER BY g.name",
    )
    .bind(topic_id)
    .fetch_all(&app.sql)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_forum_learns_its_tags_suggests_them_and_learns_from_rejections() {
    let app = spawn_app_with(tiny).await;
    let alice = app.user("alice").await;
    let moderator = app.moderator("mod").await;
    seed_labelled_topics(&alice).await;

    // Act: the job trains the first champion.
    let first = retrain_now(&app).await;
    let Outcome::Promoted {
        version,
        champion_micro_f1: None,
        ..
    } = first
    else {
        panic!("the first run should become champion: {first:?}");
    };
    assert_eq!(app.state.tagger.current().unwrap().version, version);

    // A new topic about Rust, tagged by its author with something else, gets `rust` suggested.
    let topic = alice
        .create_topic(
            "Help with cargo and the borrow checker",
            "The borrow checker and cargo reject my crate.",
            &["question"],
        )
        .await;
    assert_eq!(
        suggestions_of(&app, topic).await,
        [(
            "rust".to_owned(),
            "model".to_owned(),
            "suggested".to_owned()
        )]
    );
    let page: Value = alice
        .get(&format!("/api/v1/topics/{topic}"))
        .await
        .json()
        .await
        .unwrap();
    let rust = page["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "rust")
        .unwrap()
        .clone();
    assert_eq!(rust["status"], "suggested");
    assert!(rust["confidence"].as_f64().unwrap() > 0.0);
    let (_, html) = alice.get_text(&format!("/t/{topic}")).await;
    assert!(
        html.contains("tag suggested") && html.contains("% confident"),
        "{html}"
    );
    let (_, listed) = alice.get_text("/tags/rust").await;
    assert!(
        listed.contains("Help with cargo"),
        "tag pages list suggested topics too"
    );

    // The moderator rejects it from the review queue: a negative label.
    let (status, queue) = moderator.get_text("/mod/review").await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains("Help with cargo"));
    let rejected = moderator
        .submit(
            &format!("/t/{topic}/tags/rust/reject"),
            &[("back", "/mod/review")],
        )
        .await;
    assert_eq!(rejected.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        suggestions_of(&app, topic).await,
        [("rust".to_owned(), "model".to_owned(), "rejected".to_owned())]
    );

    // Editing the topic does not bring the rejected tag back.
    let (post_id,): (i64,) = sqlx::query_as("SELECT id FROM posts WHERE topic_id = $1")
        .bind(topic)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    let edited = alice
        .client
        .patch(alice.url(&format!("/api/v1/posts/{post_id}")))
        .header("X-CSRF-Token", &alice.csrf)
        .json(&json!({ "body": "cargo and the borrow checker still reject my crate" }))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), StatusCode::OK);
    assert_eq!(
        suggestions_of(&app, topic).await,
        [("rust".to_owned(), "model".to_owned(), "rejected".to_owned())]
    );

    // The next training run uses the rejection as a negative label for that topic.
    let mut conn = app.pool.acquire().await.unwrap();
    let data = dataset::load(&mut conn, &load_options(1_000, 50_000))
        .await
        .unwrap();
    drop(conn);
    assert_eq!(data.negative_labels, 1);
    let (_, tags, rejected) = data
        .corpus
        .labels_of(topic)
        .expect("the topic is in the training data");
    assert_eq!(tags, ["question"]);
    assert_eq!(rejected, ["rust"], "a confirmed negative");
    let second = retrain_now(&app).await;
    let (version_id, negatives): (i64, i64) =
        sqlx::query_as("SELECT id, negative_labels FROM model_versions ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.sql)
            .await
            .unwrap();
    assert!(
        matches!(second, Outcome::Promoted { version, .. } | Outcome::Rejected { version, .. } if version == version_id)
    );
    assert_eq!(negatives, 1);

    // Moderators see it all on the model page.
    let (status, health) = moderator.get_text("/mod/model").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        health.contains("Serving version")
            && health.contains("champion")
            && health.contains("<svg"),
        "{health}"
    );
    let acceptance: Value = moderator
        .get("/api/v1/mod/model")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(acceptance["acceptance"][0]["decided"], 1);
    assert_eq!(acceptance["acceptance"][0]["accepted"], 0);
}

#[tokio::test]
async fn a_champion_stored_by_another_process_is_served_without_a_restart() {
    let (app, first) = app_with_a_champion().await;
    // The command line's `retrain` runs in its own process with its own tagger.
    let elsewhere = Arc::new(threadwise::tagging::Tagger::default());
    let config = app.state.settings.tagging.retrain_config();
    let stored = retrain::run_once(
        &app.pool,
        &elsewhere,
        &config,
        Trigger::Manual,
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .expect("a retrain run");
    let Outcome::Promoted {
        version: second, ..
    } = stored
    else {
        panic!("with no champion of its own the other process promotes: {stored:?}");
    };
    if crate::helpers::on_postgres() {
        // On PostgreSQL the new champion is announced and served at once (tests/api/two_nodes.rs).
        for _ in 0..500 {
            if app.state.tagger.current().map(|m| m.version) == Some(second) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    } else {
        assert_eq!(app.state.tagger.current().map(|m| m.version), Some(first));
        assert!(
            threadwise::startup::refresh_champion(&app.state)
                .await
                .unwrap()
        );
    }
    assert_eq!(app.state.tagger.current().map(|m| m.version), Some(second));
    assert!(
        !threadwise::startup::refresh_champion(&app.state)
            .await
            .unwrap()
    );
    assert!(threadwise::jobs::retrain::CHAMPION_CHECK.as_secs() <= 60);
}

#[tokio::test]
async fn the_model_page_shows_a_run_queued_then_training_and_counts_what_the_model_learns() {
    let app = spawn_app_with(tiny).await;
    let alice = app.user("alice").await;
    seed_labelled_topics(&alice).await;
    // A tag at the edge: whether it is learned depends on how many of its topics are in the
    // training share, which the page must count as training does.
    for i in 0..6 {
        alice
            .create_topic(
                &format!("Kernel question {i}"),
                "My kernel module fails.",
                &["kernel"],
            )
            .await;
    }
    // Two topics in three did well (a positive score), so predicted quality has both classes
    // to learn and be measured on.
    sqlx::query("UPDATE topics SET score = 1 WHERE id % 3 != 0")
        .execute(&app.sql)
        .await
        .unwrap();
    let moderator = app.moderator("admin").await;
    let Outcome::Promoted { version, .. } = retrain_now(&app).await else {
        panic!("the first run becomes champion");
    };
    let (_, page) = moderator.get_text("/mod/model").await;
    // The quality head is measured on the same held-out topics as the tags.
    let mut conn = app.pool.acquire().await.unwrap();
    let held_out = dataset::load(&mut conn, &load_options(1_000, 50_000))
        .await
        .unwrap()
        .corpus
        .simple_features(&[threadwise::model::Role::HeldOut]);
    drop(conn);
    assert!(!held_out.is_empty());
    let positives = held_out.iter().filter(|row| row.1 == Some(true)).count();
    assert!(
        page.contains("Predicted quality")
            && page.contains(&format!(
                "On {} held-out topics ({positives} with one",
                held_out.len()
            ))
            && page.contains("ROC-AUC")
            && page.contains("for predicting the base rate for every topic"),
        "{page}"
    );
    let health: Value = moderator
        .get("/api/v1/mod/model")
        .await
        .json()
        .await
        .unwrap();
    let quality = &health["champion_metrics"]["quality"];
    assert_eq!(quality["examples"], held_out.len(), "{health}");
    assert!(quality["log_loss"].is_number(), "{health}");
    // Beside it, the simple-feature baseline on the same topics.
    let simple = &health["champion_metrics"]["simple_quality"];
    assert_eq!(simple["examples"], held_out.len(), "{health}");
    assert!(
        page.contains("Beside it, a logistic regression on simple features"),
        "{page}"
    );
    let model_tags = app.state.tagger.current().unwrap().classifier.tags().len();
    assert!(
        page.contains(&format!(
            "Serving version <strong>{version}</strong> ({model_tags} tags)"
        )) && page.contains(&format!(
            "{model_tags} tags have at least 5 labelled topics"
        )),
        "{page}"
    );
    assert!(
        !page.contains("http-equiv=\"refresh\""),
        "nothing is going on"
    );

    // A run in progress shows how far it got, and the page refreshes itself.
    app.state
        .tagger
        .set_training(Some(threadwise::tagging::TrainingProgress {
            version: 99,
            started_at: threadwise::domain::now(),
            epoch: 3,
            epochs: 10,
            batch: 4,
            batches: 12,
            fitting_regression: false,
        }));
    let (_, page) = moderator.get_text("/mod/model").await;
    assert!(
        page.contains("Training version 99")
            && page.contains("epoch 3 of at most 10, batch 4 of 12")
            && page.contains("http-equiv=\"refresh\""),
        "{page}"
    );
    app.state.tagger.set_training(None);

    // A request the job has not picked up yet (one from another server: nothing woke this one's
    // job) shows as queued.
    sqlx::query("INSERT INTO retrain_requests (requested_at) VALUES ($1)")
        .bind(threadwise::domain::now())
        .execute(&app.sql)
        .await
        .unwrap();
    let (_, page) = moderator.get_text("/mod/model").await;
    assert!(
        page.contains("Queued:") && page.contains("http-equiv=\"refresh\""),
        "{page}"
    );

    // "Retrain now" is queued, picked up by the job at once, and recorded as a manual run.
    assert_eq!(
        moderator.submit("/mod/retrain", &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    for _ in 0..600 {
        if app
            .count("SELECT COUNT(*) FROM model_versions WHERE status <> 'training'")
            .await
            == 2
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM model_versions WHERE trigger = 'manual' AND id > 1")
            .await,
        1
    );
}

#[tokio::test]
async fn a_failing_training_run_is_recorded_and_the_champion_keeps_serving() {
    let (app, champion) = app_with_a_champion().await;

    // An impossible configuration (a zero-width LSTM) makes the trainer fail.
    let mut config = app.state.settings.tagging.retrain_config();
    config.params = config.params.hidden(0);
    let outcome = retrain_with(&app, &config).await;

    let Outcome::Failed { version, error } = outcome else {
        panic!("expected a failure, got {outcome:?}");
    };
    assert!(error.contains("hidden"), "{error}");
    let (status, stored_error): (String, Option<String>) =
        sqlx::query_as("SELECT status, error FROM model_versions WHERE id = $1")
            .bind(version)
            .fetch_one(&app.sql)
            .await
            .unwrap();
    assert_eq!(status, "failed");
    assert!(stored_error.is_some());
    assert_eq!(app.state.tagger.current().unwrap().version, champion);
    let suggested: Value = app
        .browser()
        .post_json(
            "/api/v1/tags/suggest",
            &json!({ "title": "numpy and pandas", "body": "pip install pandas" }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(suggested["model_version"], champion);
    assert_eq!(suggested["tags"][0]["name"], "python");
}

#[tokio::test]
async fn a_retrain_past_the_cap_trains_on_a_sample_and_says_so() {
    let app = spawn_app_with(tiny).await;
    let alice = app.user("alice").await;
    let moderator = app.moderator("mod").await;
    seed_labelled_topics(&alice).await;
    let mut config = app.state.settings.tagging.retrain_config();
    config.max_train_topics = 48;

    let outcome = retrain_with(&app, &config).await;

    assert!(matches!(outcome, Outcome::Promoted { .. }), "{outcome:?}");
    let (examples, metrics): (i64, String) =
        sqlx::query_as("SELECT examples, metrics FROM model_versions ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.sql)
            .await
            .unwrap();
    assert_eq!(examples, 80, "the version counts every labelled topic");
    let sample = dataset::Sample::of_stored(&metrics).expect("the sample is stored");
    assert_eq!(sample.of, 80);
    assert!(sample.kept < 80, "{sample:?}");
    let (status, page) = moderator.get_text("/mod/model").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!(
            "trained on a sample of {} of 80 topics",
            sample.kept
        )),
        "{page}"
    );
}

#[tokio::test]
async fn a_challenger_worse_than_the_champion_is_not_promoted() {
    let (app, champion) = app_with_a_champion().await;

    // A challenger that barely moves from its random start (and without the bag-of-words
    // logistic regression, which is solved to convergence whatever the learning rate).
    let mut config = app.state.settings.tagging.retrain_config();
    config.params = config.params.learning_rate(1e-9).epochs(1).logistic(false);
    // Cold: started from the champion it would be as good as the champion.
    config.warm = false;
    let outcome = retrain_with(&app, &config).await;

    let Outcome::Rejected {
        micro_f1,
        champion_micro_f1,
        ..
    } = outcome
    else {
        panic!("expected a rejection, got {outcome:?}");
    };
    assert!(micro_f1 < champion_micro_f1 - retrain::PROMOTION_TOLERANCE);
    assert_eq!(app.state.tagger.current().unwrap().version, champion);
    let statuses: Vec<(String,)> = sqlx::query_as("SELECT status FROM model_versions ORDER BY id")
        .fetch_all(&app.sql)
        .await
        .unwrap();
    assert_eq!(
        statuses,
        [("champion".to_owned(),), ("rejected".to_owned(),)]
    );
}

#[tokio::test]
async fn a_corrupt_champion_does_not_stop_the_forum_and_moderators_see_why() {
    let app = spawn_app().await;
    let moderator = app.moderator("admin").await;
    moderator
        .create_topic("Still readable", "body", &["rust"])
        .await;
    sqlx::query(
        "INSERT INTO model_versions (created_at, status, trigger, weights) VALUES (1, 'champion', 'manual', $1)",
    )
    .bind(vec![0u8, 0xff, 0, 0xff])
    .execute(&app.sql)
    .await
    .unwrap();

    // A second server starts on the same database.
    let url = app.database_url.clone();
    let restarted = Application::build(Settings::with_database(url))
        .await
        .expect("the server starts");
    let address = format!("http://127.0.0.1:{}", restarted.port());
    let state = restarted.state().clone();
    tokio::spawn(restarted.run_until_stopped());

    assert!(state.tagger.current().is_none());
    assert!(state.tagger.problem().unwrap().contains("cannot be loaded"));
    let home = reqwest::get(format!("{address}/")).await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.text().await.unwrap().contains("Still readable"));
    let suggest = reqwest::Client::new()
        .post(format!("{address}/api/v1/tags/suggest"))
        .json(&json!({ "title": "t", "body": "b" }))
        .send()
        .await
        .unwrap();
    let body: Value = suggest.json().await.unwrap();
    assert_eq!(body, json!({ "tags": [], "model_version": null }));
}

#[tokio::test]
async fn with_too_few_labels_nothing_trains_and_moderators_see_what_is_missing() {
    let app = spawn_app_with(tiny).await;
    let moderator = app.moderator("admin").await;
    moderator
        .create_topic("Only one topic here", "body", &["rare-tag"])
        .await;

    let outcome = retrain_now(&app).await;

    assert!(
        matches!(outcome, Outcome::Skipped(ref why) if why.contains("no tag has 5")),
        "{outcome:?}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM model_versions").await, 0);
    let (_, health) = moderator.get_text("/mod/model").await;
    assert!(
        health.contains("No model is serving yet") && health.contains("rare-tag"),
        "{health}"
    );
}

#[tokio::test]
async fn retrain_now_is_for_moderators_and_authors_decide_on_their_own_topics_only() {
    let app = spawn_app_with(tiny).await;
    let moderator = app.moderator("admin").await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    seed_labelled_topics(&alice).await;
    retrain_now(&app).await;
    let topic = alice
        .create_topic(
            "cargo crate lifetime",
            "borrow checker cargo rustc",
            &["question"],
        )
        .await;

    let forbidden = bob
        .post_json(
            &format!("/api/v1/topics/{topic}/tags/rust/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    let accepted = alice
        .post_json(
            &format!("/api/v1/topics/{topic}/tags/rust/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    assert_eq!(
        suggestions_of(&app, topic).await,
        [("rust".to_owned(), "model".to_owned(), "active".to_owned())]
    );

    for path in ["/mod/model", "/mod/review"] {
        assert_eq!(
            bob.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        bob.get("/api/v1/mod/model").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bob.post_json("/api/v1/mod/retrain", &json!({}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bob.submit("/mod/retrain", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let requested = moderator.submit("/mod/retrain", &[]).await;
    assert_eq!(requested.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("SELECT COUNT(*) FROM retrain_requests").await, 1);
    // The button wakes the retrain job at once (no hour-long wait): it handles the request.
    for _ in 0..600 {
        if app
            .count("SELECT COUNT(*) FROM retrain_requests WHERE handled_at IS NULL")
            .await
            == 0
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM retrain_requests WHERE handled_at IS NULL")
            .await,
        0
    );

    let retagged = moderator
        .client
        .put(moderator.url(&format!("/api/v1/topics/{topic}/tags")))
        .header("X-CSRF-Token", &moderator.csrf)
        .json(&json!({ "tags": ["rust", "borrowing"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(retagged.status(), StatusCode::OK);
    let page: Value = alice
        .get(&format!("/api/v1/topics/{topic}"))
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = page["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["borrowing", "rust"]);
}

#[tokio::test]
async fn only_the_champion_and_the_latest_other_versions_keep_their_weights() {
    use threadwise::db::model_versions::{self, Finished, KEEP_OTHER_WEIGHTS};
    let app = spawn_app().await;
    let mut conn = app.pool.acquire().await.unwrap();
    let mut ids = Vec::new();
    for (run, status) in [
        "champion", "rejected", "champion", "rejected", "rejected", "champion",
    ]
    .into_iter()
    .enumerate()
    {
        let id = model_versions::start(&mut conn, "manual", 10, 2, 0, "{}", run as i64)
            .await
            .unwrap();
        let weights = [run as u8; 4];
        let finished = Finished {
            status,
            metrics: None,
            micro_f1: Some(0.5),
            champion_micro_f1: None,
            train_seconds: 1.0,
            error: None,
            weights: Some(&weights),
        };
        model_versions::finish(&mut conn, id, &finished, run as i64)
            .await
            .unwrap();
        ids.push(id);
    }

    let kept: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, status FROM model_versions WHERE weights IS NOT NULL ORDER BY id",
    )
    .fetch_all(&app.sql)
    .await
    .unwrap();
    assert_eq!(KEEP_OTHER_WEIGHTS, 2);
    assert_eq!(
        kept,
        vec![
            (ids[3], "rejected".to_owned()),
            (ids[4], "rejected".to_owned()),
            (ids[5], "champion".to_owned()),
        ]
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM model_versions WHERE metrics IS NULL AND micro_f1 = 0.5")
            .await,
        6,
        "every version's record stays"
    );
}

#[tokio::test]
async fn an_unloadable_champion_is_replaced_at_the_next_scheduled_check_without_new_labels() {
    let app = spawn_app_with(|s| {
        tiny(s);
        s.tagging.retrain_min_new_labels = 1_000_000;
    })
    .await;
    let alice = app.user("alice").await;
    seed_labelled_topics(&alice).await;
    // A champion stored after every label, in a format this build cannot read.
    sqlx::query(
        "INSERT INTO model_versions (created_at, status, trigger, weights)
         VALUES (9999999999, 'champion', 'manual', $1)",
    )
    .bind(vec![0u8, 0xff, 0, 0xff])
    .execute(&app.sql)
    .await
    .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    app.state.tagger.load_champion(&mut conn).await.unwrap();
    drop(conn);
    assert!(app.state.tagger.problem().is_some());

    let outcome = threadwise::startup::retrain_job(&app.state)
        .run_once(Trigger::Schedule, Arc::new(AtomicBool::new(false)))
        .await
        .expect("a retrain run");

    assert!(matches!(outcome, Outcome::Promoted { .. }), "{outcome:?}");
    assert!(app.state.tagger.problem().is_none());
    assert!(app.state.tagger.current().is_some());
}

/// A retag that reads the topic while another connection is writing must wait for that write,
/// not fail: a deferred transaction that read first cannot write after another commit (SQLite's
/// BUSY_SNAPSHOT, a 500 here while the retrain job stored a model).
#[tokio::test]
async fn a_retag_waits_for_a_concurrent_write_instead_of_failing() {
    let app = spawn_app().await;
    let moderator = app.moderator("admin").await;
    let topic = moderator
        .create_topic("cargo crate lifetime", "borrow checker", &["question"])
        .await;

    // Another writer holds the write lock while the retag starts.
    // (SQLite's write lock; on PostgreSQL the row lock of the UPDATE below.)
    let mut other = if crate::helpers::on_postgres() {
        app.sql.begin().await.unwrap()
    } else {
        app.sql.begin_with("BEGIN IMMEDIATE").await.unwrap()
    };
    sqlx::query("UPDATE topics SET view_count = view_count + 1 WHERE id = $1")
        .bind(topic)
        .execute(&mut *other)
        .await
        .unwrap();
    let retag = moderator
        .client
        .put(moderator.url(&format!("/api/v1/topics/{topic}/tags")))
        .header("X-CSRF-Token", &moderator.csrf)
        .json(&json!({ "tags": ["rust"] }))
        .send();
    let release = async {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        other.commit().await.unwrap();
    };
    let (retagged, ()) = tokio::join!(retag, release);

    assert_eq!(retagged.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn suggestions_carry_calibrated_probabilities_and_the_model_page_their_precision() {
    let (app, _) = app_with_a_champion().await;
    let suggested: Value = app
        .browser()
        .post_json(
            "/api/v1/tags/suggest",
            &json!({ "title": "numpy and pandas", "body": "pip install pandas" }),
        )
        .await
        .json()
        .await
        .unwrap();
    let first = &suggested["tags"][0];
    assert_eq!(first["name"], "python", "{suggested}");
    assert_eq!(first["calibrated"], true, "{suggested}");
    let p = first["probability"].as_f64().expect("a probability");
    assert!((0.0..=1.0).contains(&p), "{suggested}");

    let moderator = app.moderator("mod").await;
    let health: Value = moderator
        .get("/api/v1/mod/model")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(health["suggest_target"], 0.8);
    let tags = health["suggest_tags"].as_array().expect("per-tag rows");
    assert_eq!(tags.len(), 2, "{health}");
    for t in tags {
        if !t["threshold"].is_null() {
            assert!(t["estimated_precision"].as_f64().unwrap() >= 0.8, "{t}");
        }
    }
    assert!(health["suggest_coverage"].as_f64().is_some(), "{health}");
    assert!(health["unsuggested_tags"].is_array(), "{health}");
    let (_, page) = moderator.get_text("/mod/model").await;
    assert!(
        page.contains("precision target of 80") && page.contains("est. precision"),
        "{page}"
    );
}
