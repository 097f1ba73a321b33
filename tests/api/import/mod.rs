//! Importing communities: the real Stack Exchange dumps and JSON Lines files of `../shared/data`
//! (read in place, never copied into the repository; tests skip when they are absent) and small
//! hand-written broken files.
mod accepted;
mod broken;
mod bulk;
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
    let result = stackexchange::import(&mut conn, dir, None, &options(batch)).await;
    if let threadwise::db::PoolConn::Sqlite(conn) = &mut conn {
        assert_usual_settings(conn).await;
    }
    result
}

pub async fn import_jsonl(
    app: &TestApp,
    file: &Path,
    batch: usize,
) -> Result<ImportSummary, ImportError> {
    let mut conn = app.pool.acquire().await.unwrap();
    let result = jsonl::import(&mut conn, file, &options(batch)).await;
    if let threadwise::db::PoolConn::Sqlite(conn) = &mut conn {
        assert_usual_settings(conn).await;
    }
    result
}

/// The connection goes back to the pool as it came, whether the import succeeded or failed:
/// foreign keys checked again, the search index's usual write settings.
async fn assert_usual_settings(conn: &mut sqlx::SqliteConnection) {
    let (foreign_keys,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(foreign_keys, 1, "foreign keys left off after an import");
    let search: Vec<(String, i64)> = sqlx::query_as(
        "SELECT k, v FROM search_index_config WHERE k IN ('automerge', 'hashsize') ORDER BY k",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert_eq!(
        search,
        [
            ("automerge".to_string(), 4),
            ("hashsize".to_string(), 1 << 20)
        ]
    );
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
        .fetch_one(&app.sql)
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
                 OR t.reply_count <> (SELECT COUNT(*) FROM posts p WHERE p.topic_id = t.id AND p.is_first = 0)
                 OR t.first_response_at IS DISTINCT FROM (
                        SELECT MIN(p.created_at) FROM posts p
                        WHERE p.topic_id = t.id AND p.is_first = 0 AND p.author_id <> t.author_id)
                 OR t.last_posted_at < (SELECT MAX(p.created_at) FROM posts p WHERE p.topic_id = t.id))",
        )
        .await;
    assert_eq!(
        broken, 0,
        "topics without their opening post or with wrong reply statistics"
    );
    // New topics are written visible with the triggers suspended, or hidden and shown once
    // complete, within the batch's transaction.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM topics WHERE source_key IS NOT NULL AND hidden = 1")
            .await,
        0,
        "imported topics left hidden"
    );
    // The dashboards' roll-ups follow imports (upserts, re-dated topics, replaced author tags).
    crate::dashboard::assert_rollups_match(&app.sql, "importing").await;
    assert_derived_tables_match(app).await;
}

/// What the per-row triggers keep (daily activity, contributors, the search index) equals a
/// recount from the rows, whether a batch kept its triggers or had them suspended (`bulk_load`).
pub async fn assert_derived_tables_match(app: &TestApp) {
    let tables: [(&str, &str, &str); 3] = [
        (
            "daily activity (signups, topics, posts, active users)",
            "SELECT day, signups, topics, posts, active_users FROM daily_activity
             WHERE signups + topics + posts + active_users > 0",
            "SELECT day, SUM(signups), SUM(topics), SUM(posts), SUM(active) FROM (
                 SELECT created_at / 86400 AS day, 1 AS signups, 0 AS topics, 0 AS posts,
                        0 AS active FROM users
                 UNION ALL SELECT created_at / 86400, 0, 1, 0, 0 FROM topics
                 UNION ALL SELECT created_at / 86400, 0, 0, 1, 0 FROM posts
                 UNION ALL SELECT day, 0, 0, 0, 1 FROM daily_user_activity) AS counted GROUP BY day",
        ),
        (
            "daily posts per user",
            "SELECT day, user_id, posts FROM daily_user_activity WHERE posts > 0",
            "SELECT created_at / 86400, author_id, COUNT(*) FROM posts GROUP BY 1, 2",
        ),
        (
            "contributors (first post, post count)",
            "SELECT user_id, first_post_at, posts FROM contributors",
            "SELECT author_id, MIN(created_at), COUNT(*) FROM posts GROUP BY 1",
        ),
    ];
    for (what, have, want) in tables {
        // Rows in one and not the other, both ways.
        let (differing,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "WITH have AS ({have}), want AS ({want})
             SELECT (SELECT COUNT(*) FROM (SELECT * FROM have EXCEPT SELECT * FROM want) AS a)
                  + (SELECT COUNT(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM have) AS b)"
        )))
        .fetch_one(&app.sql)
        .await
        .expect("comparison query");
        assert_eq!(differing, 0, "{what} differ from the rows");
    }
    app.assert_search_index_matches().await;
}
