//! Upserts for imported communities, keyed by each row's `source_key` (see migration 0003).
//!
//! Topics, posts and tags go in as one statement per batch: the rows travel as one JSON array bound
//! to a single parameter and are spread by `json_each`, so the SQL stays static and a batch of a
//! thousand rows costs a handful of round trips to SQLite's thread instead of thousands.
//! Users go one by one, because a taken username has to be retried under another name.
use serde::Serialize;
use sqlx::SqliteConnection;

/// A user as the source knows them.
#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    pub key: String,
    /// Local usernames to try in order (the first is the display name made valid).
    pub usernames: Vec<String>,
    pub name: String,
    pub profile_url: Option<String>,
    pub created_at: i64,
}

/// A question or other opening post's topic.
#[derive(Debug, Clone, Serialize)]
pub struct TopicRow {
    pub key: String,
    pub title: String,
    pub author_key: String,
    pub created_at: i64,
    /// The source's last activity; replies can only move it later.
    pub activity_at: i64,
    pub view_count: i64,
    pub score: i64,
    pub answer_count: Option<i64>,
    pub url: Option<String>,
    pub license: Option<String>,
}

/// An opening post (same key as its topic) or a reply.
#[derive(Debug, Clone, Serialize)]
pub struct PostRow {
    pub key: String,
    pub topic_key: String,
    pub author_key: String,
    pub is_first: bool,
    pub body_md: String,
    pub body_html: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub score: i64,
}

/// One author tag of a topic.
#[derive(Debug, Clone, Serialize)]
pub struct TopicTagRow<'a> {
    pub topic_key: &'a str,
    pub tag: &'a str,
    pub created_at: i64,
}

fn json<T: Serialize>(rows: &[T]) -> String {
    serde_json::to_string(rows).expect("import rows always serialise")
}

/// Inserts a user, or with `refresh` updates the name and profile of one already imported. Returns
/// whether a new user was created. Imported users have no password: they cannot log in until they
/// reset it.
pub async fn upsert_user(
    conn: &mut SqliteConnection,
    user: &UserRow,
    refresh: bool,
) -> sqlx::Result<bool> {
    let existing = if refresh {
        sqlx::query("UPDATE users SET source_name = ?2, source_url = ?3 WHERE source_key = ?1")
            .bind(&user.key)
            .bind(&user.name)
            .bind(&user.profile_url)
            .execute(&mut *conn)
            .await?
            .rows_affected()
    } else {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE source_key = ?1")
            .bind(&user.key)
            .fetch_one(&mut *conn)
            .await?;
        n as u64
    };
    if existing > 0 {
        return Ok(false);
    }
    // `.invalid` never delivers (RFC 2606); the hash keeps addresses unique per source key.
    let email = format!("imported-{}@import.invalid", short_hash(&user.key));
    let mut last_error = None;
    for username in &user.usernames {
        let inserted = sqlx::query(
            "INSERT INTO users (username, email, password_hash, role, created_at,
                                source_key, source_name, source_url)
             VALUES (?1, ?2, NULL, 'member', ?3, ?4, ?5, ?6)",
        )
        .bind(username)
        .bind(&email)
        .bind(user.created_at)
        .bind(&user.key)
        .bind(&user.name)
        .bind(&user.profile_url)
        .execute(&mut *conn)
        .await;
        match inserted {
            Ok(_) => return Ok(true),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                last_error = Some(sqlx::Error::Database(e));
            }
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or(sqlx::Error::RowNotFound))
}

fn short_hash(key: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(key.as_bytes())[..8])
}

/// The keys of `keys` that no user has yet.
pub async fn missing_user_keys(
    conn: &mut SqliteConnection,
    keys: &[&str],
) -> sqlx::Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT j.value FROM json_each(?1) j
         WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.source_key = j.value)",
    )
    .bind(json(keys))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(k,)| k).collect())
}

/// Inserts or updates topics; authors must exist. Returns how many rows were written.
pub async fn upsert_topics(conn: &mut SqliteConnection, topics: &[TopicRow]) -> sqlx::Result<u64> {
    if topics.is_empty() {
        return Ok(0);
    }
    // `WHERE true` is SQLite's way to tell an upsert's SELECT from a join's ON clause.
    let done = sqlx::query(
        "INSERT INTO topics (source_key, title, author_id, created_at, last_posted_at, view_count,
                             score, source_answer_count, source_url, source_license)
         SELECT j.value ->> 'key', j.value ->> 'title', u.id, j.value ->> 'created_at',
                j.value ->> 'activity_at', j.value ->> 'view_count', j.value ->> 'score',
                j.value ->> 'answer_count', j.value ->> 'url', j.value ->> 'license'
         FROM json_each(?1) j JOIN users u ON u.source_key = j.value ->> 'author_key'
         WHERE true
         ON CONFLICT (source_key) DO UPDATE SET
             title = excluded.title, author_id = excluded.author_id,
             created_at = excluded.created_at, last_posted_at = excluded.last_posted_at,
             -- Local page views add to the imported count; never go back below them.
             view_count = MAX(topics.view_count, excluded.view_count),
             score = excluded.score, source_answer_count = excluded.source_answer_count,
             source_url = excluded.source_url, source_license = excluded.source_license",
    )
    .bind(json(topics))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Inserts or updates posts; rows whose topic or author is unknown are left out (the caller counts
/// them). Returns how many rows were written.
pub async fn upsert_posts(conn: &mut SqliteConnection, posts: &[PostRow]) -> sqlx::Result<u64> {
    if posts.is_empty() {
        return Ok(0);
    }
    let done = sqlx::query(
        "INSERT INTO posts (source_key, topic_id, author_id, is_first, body_md, body_html,
                            created_at, edited_at, score)
         SELECT j.value ->> 'key', t.id, u.id, j.value ->> 'is_first', j.value ->> 'body_md',
                j.value ->> 'body_html', j.value ->> 'created_at', j.value ->> 'edited_at',
                j.value ->> 'score'
         FROM json_each(?1) j
         JOIN topics t ON t.source_key = j.value ->> 'topic_key'
         JOIN users u ON u.source_key = j.value ->> 'author_key'
         WHERE true
         ON CONFLICT (source_key) DO UPDATE SET
             topic_id = excluded.topic_id, author_id = excluded.author_id,
             is_first = excluded.is_first, body_md = excluded.body_md,
             body_html = excluded.body_html, created_at = excluded.created_at,
             edited_at = excluded.edited_at, score = excluded.score",
    )
    .bind(json(posts))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Sets the author tags of the given topics to exactly `tags` (creating tag names on first use).
/// Model suggestions are kept, and one that matches an author tag becomes that active author tag.
/// Returns (new tag names, tag rows written).
pub async fn set_author_tags(
    conn: &mut SqliteConnection,
    topic_keys: &[&str],
    tags: &[TopicTagRow<'_>],
    now: i64,
) -> sqlx::Result<(u64, u64)> {
    let tags_json = json(tags);
    let created = sqlx::query(
        "INSERT INTO tags (name, created_at)
         SELECT DISTINCT j.value ->> 'tag', ?2 FROM json_each(?1) j
         WHERE true
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(&tags_json)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    sqlx::query(
        "DELETE FROM topic_tags WHERE source = 'author' AND topic_id IN
             (SELECT t.id FROM json_each(?1) j JOIN topics t ON t.source_key = j.value)",
    )
    .bind(json(topic_keys))
    .execute(&mut *conn)
    .await?;
    let written = sqlx::query(
        "INSERT INTO topic_tags (topic_id, tag_id, source, status, created_at)
         SELECT t.id, g.id, 'author', 'active', j.value ->> 'created_at'
         FROM json_each(?1) j
         JOIN topics t ON t.source_key = j.value ->> 'topic_key'
         JOIN tags g ON g.name = j.value ->> 'tag'
         WHERE true
         ON CONFLICT (topic_id, tag_id) DO UPDATE SET
             source = CASE WHEN topic_tags.status = 'active' THEN topic_tags.source ELSE 'author' END,
             status = 'active'",
    )
    .bind(&tags_json)
    .execute(conn)
    .await?
    .rows_affected();
    Ok((created, written))
}

/// Recomputes what the forum keeps denormalised on a topic from its imported posts: the reply
/// count, the last post time and the first response by someone other than the author.
pub async fn refresh_topic_stats(
    conn: &mut SqliteConnection,
    topic_keys: &[&str],
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE topics SET
             reply_count = (SELECT COUNT(*) FROM posts p
                            WHERE p.topic_id = topics.id AND p.is_first = 0),
             last_posted_at = MAX(last_posted_at,
                                  COALESCE((SELECT MAX(p.created_at) FROM posts p
                                            WHERE p.topic_id = topics.id), 0)),
             first_response_at = (SELECT MIN(p.created_at) FROM posts p
                                  WHERE p.topic_id = topics.id AND p.is_first = 0
                                    AND p.author_id <> topics.author_id)
         WHERE source_key IN (SELECT value FROM json_each(?1))",
    )
    .bind(json(topic_keys))
    .execute(conn)
    .await?;
    Ok(())
}
