//! Importing communities: the real Stack Exchange dumps and JSON Lines files of `../shared/data`
//! (read in place, never copied into the repository; tests skip when they are absent) and small
//! hand-written broken files.
mod broken;
mod dumps;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub use threadwise::import::{ImportError, ImportOptions, ImportSummary, jsonl, stackexchange};

use crate::helpers::TestApp;

pub const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");
pub const SITES: [&str; 4] = [
    "ai.stackexchange.com",
    "genai.stackexchange.com",
    "iot.stackexchange.com",
    "quantumcomputing.stackexchange.com",
];

/// The path of a shared data file or directory, or `None` (with a note) when it is absent.
pub fn data(relative: &str) -> Option<PathBuf> {
    let path = Path::new(DATA).join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipping: {} is absent", path.display());
        None
    }
}

pub fn options(batch_size: usize) -> ImportOptions {
    ImportOptions {
        batch_size,
        ..ImportOptions::default()
    }
}

pub async fn import_site(
    app: &TestApp,
    dir: &Path,
    batch: usize,
) -> Result<ImportSummary, ImportError> {
    let mut conn = app.pool.acquire().await.unwrap();
    stackexchange::import(&mut conn, dir, None, &options(batch)).await
}

pub async fn import_jsonl(
    app: &TestApp,
    file: &Path,
    batch: usize,
) -> Result<ImportSummary, ImportError> {
    let mut conn = app.pool.acquire().await.unwrap();
    jsonl::import(&mut conn, file, &options(batch)).await
}

/// Counts straight from the file, independently of the importer: the dumps hold one row per line.
pub struct FileCounts {
    pub questions: i64,
    pub answers: i64,
    pub users: Option<i64>,
    /// Distinct tags over all questions.
    pub tag_uses: i64,
}

pub fn count_file(dir: &Path) -> FileCounts {
    let posts = std::fs::read_to_string(dir.join("Posts.xml")).unwrap();
    let (mut questions, mut answers, mut tag_uses) = (0, 0, 0);
    for line in posts.lines() {
        if line.contains(r#"PostTypeId="1""#) {
            questions += 1;
            let tags = line
                .split(r#"Tags=""#)
                .nth(1)
                .and_then(|t| t.split('"').next());
            let tags = tags.unwrap_or("").replace("&lt;", "<").replace("&gt;", ">");
            let distinct: HashSet<&str> = tags
                .split(['<', '>', '|'])
                .filter(|t| !t.is_empty())
                .collect();
            tag_uses += distinct.len() as i64;
        } else if line.contains(r#"PostTypeId="2""#) {
            answers += 1;
        }
    }
    let users = std::fs::read_to_string(dir.join("Users.xml"))
        .ok()
        .map(|u| {
            u.lines()
                .filter(|l| l.trim_start().starts_with("<row "))
                .count() as i64
        });
    FileCounts {
        questions,
        answers,
        users,
        tag_uses,
    }
}

pub async fn scalar(app: &TestApp, sql: &'static str, bind: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .bind(bind)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    n
}

/// Every imported topic has its opening post, and its reply count is its replies; the dashboards'
/// roll-ups match the imported rows.
pub async fn assert_consistent(app: &TestApp) {
    let broken = app
        .count(
            "SELECT COUNT(*) FROM topics t WHERE t.source_key IS NOT NULL AND (
                 (SELECT COUNT(*) FROM posts p WHERE p.topic_id = t.id AND p.is_first = 1) <> 1
                 OR t.reply_count <> (SELECT COUNT(*) FROM posts p WHERE p.topic_id = t.id AND p.is_first = 0))",
        )
        .await;
    assert_eq!(
        broken, 0,
        "topics without their opening post or with a wrong reply count"
    );
    // New topics are written hidden and shown once complete, within the batch's transaction.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM topics WHERE source_key IS NOT NULL AND hidden = 1")
            .await,
        0,
        "imported topics left hidden"
    );
    // The dashboards' roll-ups follow imports (upserts, re-dated topics, replaced author tags).
    crate::dashboard::assert_rollups_match(&app.pool, "importing").await;
}
