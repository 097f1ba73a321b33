//! Loading batches of new rows with the per-row triggers suspended (the importer's fast path).
//!
//! The triggers on users, topics, posts and topic_tags keep the search index, the daily activity
//! counters and the dashboards' roll-ups right for every writer, one row at a time; for a batch of
//! thousands of new imported rows that per-row work costs more than the rows themselves. Inside the
//! batch's transaction the importer drops those triggers, writes the rows, brings the search index
//! and the roll-ups up to date with a few set-based statements over the new rows (ids above the
//! batch's [`LastIds`]), records the new id ranges for the insert-only counters, which
//! [`count_pending`] adds once for all batches, and creates the triggers again before it commits.
//! DDL is transactional in SQLite: no other connection ever sees the triggers missing, and a failed
//! batch rolls back with them in place.
//!
//! Only a batch whose topics and posts are all new may take this path: updating an existing row
//! must subtract what it counted before, which is what the triggers do. Topics that existed before
//! the batch are refreshed after the triggers are back (see `import::write_batch`).
use crate::db::{Conn, on, sql};

/// The triggers a batch of new rows suspends: every trigger on the four tables that inserts or
/// updates of new rows can fire. The delete triggers stay (a batch of new rows deletes nothing).
/// A test checks this against the schema, so a new trigger cannot be skipped silently.
pub const SUSPENDED_TRIGGERS: [&str; 11] = [
    "daily_signups",
    "daily_topics",
    "response_rollup_topic_insert",
    "response_rollup_topic_update",
    "topics_search_title",
    "daily_posts",
    "posts_search_insert",
    "posts_search_update",
    "response_rollup_tag_insert",
    "response_rollup_tag_update_before",
    "response_rollup_tag_update_after",
];

/// Triggers on the same tables that stay in place, and why new rows need no set-based twin: the
/// delete triggers cannot fire for new rows; `posts_hidden_clear_accepted` fires only when a
/// post goes from visible to hidden (new rows are never hidden later in their batch); the others
/// (migration 0013) do constant work per row, copying a topic's sort columns onto its tag rows
/// and moving the session epoch, which a set-based twin would not make cheaper.
pub const KEPT_TRIGGERS: [&str; 10] = [
    "posts_search_delete",
    "topics_search_delete",
    "response_rollup_topic_delete",
    "response_rollup_tag_delete_before",
    "response_rollup_tag_delete_after",
    "posts_hidden_clear_accepted",
    "topic_tags_sort_copy",
    "topics_sort_copy",
    "session_epoch_user_update",
    "session_epoch_user_delete",
];

/// The largest ids before a batch: rows with larger ids are the batch's new rows (SQLite gives a
/// new row the largest rowid plus one).
#[derive(Debug, Clone, Copy)]
pub struct LastIds {
    pub user: i64,
    pub topic: i64,
    pub post: i64,
}

pub async fn last_ids(conn: &mut Conn<'_>) -> sqlx::Result<LastIds> {
    on!(conn, {
        let (user, topic, post): (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM users),
                    (SELECT COALESCE(MAX(id), 0) FROM topics),
                    (SELECT COALESCE(MAX(id), 0) FROM posts)",
        )
        .fetch_one(&mut *conn)
        .await?;
        Ok(LastIds { user, topic, post })
    })
}

/// The definitions of the suspended triggers, to create them again.
#[derive(Debug)]
#[must_use = "the triggers must be restored before the transaction commits"]
pub struct Suspended(Vec<String>);

/// Drops the [`SUSPENDED_TRIGGERS`] (inside the caller's transaction).
pub async fn suspend_triggers(conn: &mut Conn<'_>) -> sqlx::Result<Suspended> {
    on!(conn, { suspend(conn, &SUSPENDED_TRIGGERS).await })
}

async fn suspend(conn: &mut Conn<'_>, triggers: &[&str]) -> sqlx::Result<Suspended> {
    on!(conn, {
        let names = triggers
            .iter()
            .map(|name| format!("'{name}'"))
            .collect::<Vec<_>>()
            .join(", ");
        // Trigger names are our constants; SQLite cannot bind identifiers.
        let definitions: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})"
        )))
        .fetch_all(&mut *conn)
        .await?;
        for (name, _) in &definitions {
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP TRIGGER \"{name}\"")))
                .persistent(false)
                .execute(&mut *conn)
                .await?;
        }
        Ok(Suspended(
            definitions.into_iter().map(|(_, sql)| sql).collect(),
        ))
    })
}

/// Creates the suspended triggers again, exactly as they were defined.
pub async fn restore_triggers(conn: &mut Conn<'_>, suspended: Suspended) -> sqlx::Result<()> {
    on!(conn, {
        for sql in suspended.0 {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .persistent(false)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    })
}

/// Does for the rows above `last` what the suspended triggers would have done row by row (each
/// statement `OR FAIL`, as in `db::import`: the batch is rolled back whole on any error): the
/// search index and the response-time and tag-pair roll-ups now, and the insert-only counters
/// (daily activity, posts per user and day, contributors) later, for all batches at once: the
/// batch's id ranges go into `import_pending` for [`count_pending`]. Call it once the batch's
/// rows, tags and topic statistics are written, before [`restore_triggers`].
pub async fn index_new_rows(conn: &mut Conn<'_>, last: LastIds) -> sqlx::Result<()> {
    on!(conn, pg, {
        let statements: [(&str, i64); 2] = [
            (
                sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO search_index (rowid, title, body)
                 SELECT p.id, CASE WHEN p.is_first THEN t.title ELSE '' END,
                        COALESCE(p.body_text, p.body_md)
                 FROM posts p JOIN topics t ON t.id = p.topic_id
                 WHERE p.id > $1 AND p.hidden = 0"),
                last.post,
            ),
            (
                sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO tag_pair_rollup (day, tag_a, tag_b, topics)
                 SELECT t.created_at / 86400, x.tag_id, y.tag_id, COUNT(*)
                 FROM topics t
                 JOIN topic_tags x ON x.topic_id = t.id
                 JOIN topic_tags y ON y.topic_id = t.id AND y.tag_id > x.tag_id
                 WHERE t.id > $1 AND t.hidden = 0 AND x.status = 'active' AND y.status = 'active'
                 GROUP BY 1, 2, 3
                 ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = tag_pair_rollup.topics + excluded.topics"),
                last.topic,
            ),
        ];
        for (sql, last_id) in statements {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(last_id)
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query(
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO import_pending (users_after, users_last, topics_after, topics_last,
                                                 posts_after, posts_last)
             SELECT $1, (SELECT COALESCE(MAX(id), $1) FROM users),
                    $2, (SELECT COALESCE(MAX(id), $2) FROM topics),
                    $3, (SELECT COALESCE(MAX(id), $3) FROM posts)"),
        )
        .bind(last.user)
        .bind(last.topic)
        .bind(last.post)
        .execute(&mut *conn)
        .await?;
        super::reports::response::add_topics_after(conn, last.topic).await
    })
}

/// Adds the rows of every range in `import_pending` to the insert-only counters and deletes
/// the ranges, in one transaction: daily signups, topics, posts and active users, posts per user
/// and day, and contributors (what the triggers `daily_signups`, `daily_topics`, `daily_posts`
/// and `daily_user_activity_count` do row by row). The import calls it when it ends, and
/// [`super::connect`] whenever the database is opened, for an import that was killed.
pub async fn count_pending(conn: &mut Conn<'_>) -> sqlx::Result<()> {
    // Only SQLite's fast path leaves ranges; PostgreSQL's imports count through the triggers.
    if matches!(conn.engine(), super::Engine::Postgres(_)) {
        return Ok(());
    }
    on!(conn, pg, {
        let mut tx = crate::db::BeginWrite::begin_write(&mut *conn).await?;
        let (ranges,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM import_pending")
            .fetch_one(&mut *tx)
            .await?;
        if ranges == 0 {
            return Ok(());
        }
        // Active users are counted below, set-based, before the new (day, user) rows go in.
        let suspended = suspend(&mut tx, &["daily_user_activity_count"]).await?;
        for sql in [
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO daily_activity (day, signups)
             SELECT u.created_at / 86400, COUNT(*)
             FROM import_pending r CROSS JOIN users u ON u.id > r.users_after AND u.id <= r.users_last
             GROUP BY 1
             ON CONFLICT (day) DO UPDATE SET signups = daily_activity.signups + excluded.signups"),
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO daily_activity (day, topics)
             SELECT t.created_at / 86400, COUNT(*)
             FROM import_pending r
             CROSS JOIN topics t ON t.id > r.topics_after AND t.id <= r.topics_last
             GROUP BY 1
             ON CONFLICT (day) DO UPDATE SET topics = daily_activity.topics + excluded.topics"),
            // The four counts of posts need only each (day, author) pair's posts: the posts' pages
            // (a million posts: 1.9 GB) are read and sorted once, into a table kept in pair order,
            // which the statements below then read in that order without sorting again.
            "CREATE TEMP TABLE IF NOT EXISTS pending_pairs (
                 day INTEGER NOT NULL, author_id INTEGER NOT NULL,
                 posts INTEGER NOT NULL, first_post_at INTEGER NOT NULL,
                 PRIMARY KEY (day, author_id)
             ) WITHOUT ROWID",
            "DELETE FROM temp.pending_pairs",
            "INSERT INTO temp.pending_pairs (day, author_id, posts, first_post_at)
             SELECT p.created_at / 86400, p.author_id, COUNT(*), MIN(p.created_at)
             FROM import_pending r CROSS JOIN posts p ON p.id > r.posts_after AND p.id <= r.posts_last
             GROUP BY 1, 2",
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO daily_activity (day, posts)
             SELECT day, SUM(posts) FROM temp.pending_pairs GROUP BY 1
             ON CONFLICT (day) DO UPDATE SET posts = daily_activity.posts + excluded.posts"),
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO daily_activity (day, active_users)
             SELECT day, COUNT(*) FROM temp.pending_pairs AS n
             WHERE NOT EXISTS (SELECT 1 FROM daily_user_activity d
                               WHERE d.day = n.day AND d.user_id = n.author_id)
             GROUP BY 1
             ON CONFLICT (day) DO UPDATE SET active_users = daily_activity.active_users + excluded.active_users"),
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO daily_user_activity (day, user_id, posts)
             SELECT day, author_id, posts FROM temp.pending_pairs WHERE true
             ON CONFLICT (day, user_id) DO UPDATE SET posts = daily_user_activity.posts + excluded.posts"),
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO contributors (user_id, first_post_at, posts)
             SELECT author_id, MIN(first_post_at), SUM(posts) FROM temp.pending_pairs GROUP BY 1
             ON CONFLICT (user_id) DO UPDATE SET
                 first_post_at = MIN(contributors.first_post_at, excluded.first_post_at),
                 posts = contributors.posts + excluded.posts"),
            "DELETE FROM temp.pending_pairs",
            "DELETE FROM import_pending",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        restore_triggers(&mut tx, suspended).await?;
        tx.commit().await
    })
}
