//! Bulk inserts for the community generator (`threadwise generate`): each call writes a chunk of
//! rows passed as one JSON array and unpacked by `json_each`, so a million rows take a few dozen
//! statements of static SQL instead of a million round trips. Ids are chosen by the caller (in
//! time order), which is why these only make sense on an empty forum. Triggers still run, so the
//! search index and the dashboards' daily roll-ups come out exactly as if people had posted.
use serde::Serialize;

use crate::db::{Conn, Engine, on};

/// Rows per statement: large enough to amortise the statement, small enough for a modest JSON text.
pub const CHUNK: usize = 5_000;

/// `(id, username, role, created_at)`; generated accounts have no password and cannot log in.
pub type UserRow = (i64, String, &'static str, i64);
/// `(id, name, created_at)`.
pub type TagRow = (i64, String, i64);
/// `(id, title, author_id, created_at, last_posted_at, reply_count, view_count, score, hot_rank,
/// active_rank, first_response_at)`.
pub type TopicRow = (
    i64,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    f64,
    f64,
    Option<i64>,
);
/// `(id, topic_id, author_id, is_first, body, created_at, upvotes, downvotes, hidden)`; the body
/// is plain words, so its HTML is the paragraph that Markdown would render.
pub type PostRow = (i64, i64, i64, bool, String, i64, i64, i64, bool);
/// `(topic_id, tag_id, source, status, confidence)`.
pub type TopicTagRow = (i64, i64, &'static str, &'static str, Option<f64>);
/// `(user_id, post_id, value, created_at)`.
pub type VoteRow = (i64, i64, i64, i64);
/// `(post_id, reporter_id, reason, status, created_at, resolved_by, resolved_at)`.
pub type FlagRow = (
    i64,
    i64,
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    Option<i64>,
);

/// Runs the engine's statement (`sqlite`, `pg`) once per chunk of `rows`, bound as one JSON
/// array of arrays: `json_each` on SQLite, `json_array_elements` with a cast per column on
/// PostgreSQL (`j.value ->> n` is text there).
async fn insert_chunks<T: Serialize>(
    conn: &mut Conn<'_>,
    (sqlite, pg): (&'static str, &'static str),
    rows: &[T],
) -> sqlx::Result<()> {
    on!(conn, pg_engine, {
        let sql = if pg_engine { pg } else { sqlite };
        for chunk in rows.chunks(CHUNK) {
            let json = serde_json::to_string(chunk).expect("rows of plain values serialise");
            sqlx::query(sql).bind(json).execute(&mut *conn).await?;
        }
        Ok(())
    })
}

pub async fn users(conn: &mut Conn<'_>, rows: &[UserRow]) -> sqlx::Result<()> {
    on!(conn, {
        insert_chunks(
            conn,
            (
                "INSERT INTO users (id, username, email, role, created_at)
                 SELECT j.value ->> 0, j.value ->> 1, (j.value ->> 1) || '@generated.invalid',
                        j.value ->> 2, j.value ->> 3
                 FROM json_each($1) j",
                "INSERT INTO users (id, username, email, role, created_at)
                 SELECT (j.value ->> 0)::bigint, j.value ->> 1, (j.value ->> 1) || '@generated.invalid',
                        j.value ->> 2, (j.value ->> 3)::bigint
                 FROM json_array_elements($1::json) AS j (value)",
            ),
            rows,
        )
        .await
    })
}

pub async fn tags(conn: &mut Conn<'_>, rows: &[TagRow]) -> sqlx::Result<()> {
    on!(conn, {
        insert_chunks(
            conn,
            (
                "INSERT INTO tags (id, name, created_at)
                 SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2 FROM json_each($1) j",
                "INSERT INTO tags (id, name, created_at)
                 SELECT (j.value ->> 0)::bigint, j.value ->> 1, (j.value ->> 2)::bigint
                 FROM json_array_elements($1::json) AS j (value)",
            ),
            rows,
        )
        .await
    })
}

pub async fn topics(conn: &mut Conn<'_>, rows: &[TopicRow]) -> sqlx::Result<()> {
    on!(conn, {
        insert_chunks(
            conn,
            (
                "INSERT INTO topics (id, title, author_id, created_at, last_posted_at, reply_count,
                                     view_count, score, hot_rank, active_rank, first_response_at)
                 SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4,
                        j.value ->> 5, j.value ->> 6, j.value ->> 7, j.value ->> 8, j.value ->> 9,
                        j.value ->> 10
                 FROM json_each($1) j",
                "INSERT INTO topics (id, title, author_id, created_at, last_posted_at, reply_count,
                                     view_count, score, hot_rank, active_rank, first_response_at)
                 SELECT (j.value ->> 0)::bigint, j.value ->> 1, (j.value ->> 2)::bigint,
                        (j.value ->> 3)::bigint, (j.value ->> 4)::bigint, (j.value ->> 5)::bigint,
                        (j.value ->> 6)::bigint, (j.value ->> 7)::bigint, (j.value ->> 8)::float8,
                        (j.value ->> 9)::float8, (j.value ->> 10)::bigint
                 FROM json_array_elements($1::json) AS j (value)",
            ),
            rows,
        )
        .await
    })
}

pub async fn posts(conn: &mut Conn<'_>, rows: &[PostRow]) -> sqlx::Result<()> {
    on!(conn, {
        insert_chunks(
            conn,
            (
                "INSERT INTO posts (id, topic_id, author_id, is_first, body_md, body_html, created_at,
                                    upvotes, downvotes, score, hidden)
                 SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4,
                        '<p>' || (j.value ->> 4) || '</p>', j.value ->> 5, j.value ->> 6, j.value ->> 7,
                        (j.value ->> 6) - (j.value ->> 7), j.value ->> 8
                 FROM json_each($1) j",
                "INSERT INTO posts (id, topic_id, author_id, is_first, body_md, body_html, created_at,
                                    upvotes, downvotes, score, hidden)
                 SELECT (j.value ->> 0)::bigint, (j.value ->> 1)::bigint, (j.value ->> 2)::bigint,
                        (j.value ->> 3)::boolean::int, j.value ->> 4, '<p>' || (j.value ->> 4) || '</p>',
                        (j.value ->> 5)::bigint, (j.value ->> 6)::bigint, (j.value ->> 7)::bigint,
                        (j.value ->> 6)::bigint - (j.value ->> 7)::bigint, (j.value ->> 8)::boolean::int
                 FROM json_array_elements($1::json) AS j (value)",
            ),
            rows,
        )
        .await
    })
}

pub async fn topic_tags(conn: &mut Conn<'_>, rows: &[TopicTagRow]) -> sqlx::Result<()> {
    on!(conn, {
        insert_chunks(
            conn,
            (
                "INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, created_at)
                 SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4,
                        (SELECT created_at FROM topics WHERE id = j.value ->> 0)
                 FROM json_each($1) j",
                "INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, created_at)
                 SELECT (j.value ->> 0)::bigint, (j.value ->> 1)::bigint, j.value ->> 2, j.value ->> 3,
                        (j.value ->> 4)::float8,
                        (SELECT created_at FROM topics WHERE id = (j.value ->> 0)::bigint)
                 FROM json_array_elements($1::json) AS j (value)",
            ),
            rows,
        )
        .await
    })
}

pub async fn votes(conn: &mut Conn<'_>, rows: &[VoteRow]) -> sqlx::Result<()> {
    on!(conn, {
        insert_chunks(
            conn,
            (
                "INSERT INTO votes (user_id, post_id, value, created_at)
                 SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3 FROM json_each($1) j",
                "INSERT INTO votes (user_id, post_id, value, created_at)
                 SELECT (j.value ->> 0)::bigint, (j.value ->> 1)::bigint, (j.value ->> 2)::bigint,
                        (j.value ->> 3)::bigint
                 FROM json_array_elements($1::json) AS j (value)",
            ),
            rows,
        )
        .await
    })
}

pub async fn flags(conn: &mut Conn<'_>, rows: &[FlagRow]) -> sqlx::Result<()> {
    on!(conn, {
        insert_chunks(
            conn,
            (
                "INSERT INTO flags (post_id, reporter_id, reason, status, created_at, resolved_by, resolved_at)
                 SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4,
                        j.value ->> 5, j.value ->> 6
                 FROM json_each($1) j",
                "INSERT INTO flags (post_id, reporter_id, reason, status, created_at, resolved_by, resolved_at)
                 SELECT (j.value ->> 0)::bigint, (j.value ->> 1)::bigint, j.value ->> 2, j.value ->> 3,
                        (j.value ->> 4)::bigint, (j.value ->> 5)::bigint, (j.value ->> 6)::bigint
                 FROM json_array_elements($1::json) AS j (value)",
            ),
            rows,
        )
        .await
    })
}

/// Whether the forum holds no account yet (the generator refuses to mix with real data).
pub async fn is_empty(conn: &mut Conn<'_>) -> sqlx::Result<bool> {
    on!(conn, {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(conn)
            .await?;
        Ok(n == 0)
    })
}

/// Fast, unsafe-on-power-loss settings for a one-off bulk load on this connection: a crash
/// mid-way leaves a half-generated database, which is simply generated again.
pub async fn bulk_load_mode(conn: &mut Conn<'_>) -> sqlx::Result<()> {
    // SQLite's own settings; PostgreSQL has nothing to switch.
    let Engine::Sqlite(conn) = conn.engine() else {
        return Ok(());
    };
    {
        sqlx::query("PRAGMA synchronous = OFF")
            .execute(&mut *conn)
            .await?;
        sqlx::query("PRAGMA cache_size = -524288")
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// Refreshes the query planner's statistics after a bulk load.
pub async fn analyze(conn: &mut Conn<'_>) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("ANALYZE").execute(conn).await?;
        Ok(())
    })
}

/// After rows went in with ids of their own: on PostgreSQL the identity sequences continue after
/// them (SQLite's rowids need nothing).
pub async fn continue_ids(conn: &mut Conn<'_>) -> anyhow::Result<()> {
    match conn.engine() {
        Engine::Sqlite(_) => Ok(()),
        Engine::Postgres(conn) => super::migrate::reset_sequences(conn).await,
    }
}
