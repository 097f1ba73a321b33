//! Loading batches of new rows with the per-row triggers suspended (the importer's fast path).
//!
//! The triggers on users, topics, posts and topic_tags keep the search index, the daily activity
//! counters and the dashboards' roll-ups right for every writer, one row at a time; for a batch of
//! thousands of new imported rows that per-row work costs more than the rows themselves. Inside the
//! batch's transaction the importer suspends those triggers, writes the rows (on PostgreSQL through
//! `COPY`), brings the search index and the roll-ups up to date with a few set-based statements over
//! the new rows (ids above the batch's [`LastIds`]), records the new id ranges for the insert-only
//! counters, which [`count_pending`] adds once for all batches, and restores the triggers before
//! it commits. Both engines do this transactionally: SQLite drops and creates the triggers again
//! (its DDL is transactional), PostgreSQL disables and enables them (`ALTER TABLE … DISABLE
//! TRIGGER`, which also locks the table against other writers until the batch commits; readers
//! go on). No other connection ever sees a trigger missing, and a failed batch rolls back with
//! them in place.
//!
//! Only a batch whose topics and posts are all new may take this path: updating an existing row
//! must subtract what it counted before, which is what the triggers do. Topics that existed before
//! the batch are refreshed after the triggers are back (see `import::write_batch`).
use crate::db::{Conn, Engine, on, quote_ident, sql, sqlstate};

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

/// PostgreSQL's trigger with no SQLite twin, suspended with [`SUSPENDED_TRIGGERS`]: the statement
/// half of `response_rollup_tag_insert` (see migrations/postgres/0001_schema.sql).
pub const POSTGRES_SUSPENDED_TRIGGERS: [&str; 1] = ["response_rollup_tag_insert_after"];

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
/// new row the largest rowid plus one, PostgreSQL the next value of an ever-growing sequence). Read
/// them after [`suspend_triggers`]: on PostgreSQL its locks wait out other writers' open inserts
/// and keep new ones out until the batch commits.
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

/// The statements that restore the suspended triggers.
#[derive(Debug)]
#[must_use = "the triggers must be restored before the transaction commits"]
pub struct Suspended(Vec<String>);

/// Suspends the [`SUSPENDED_TRIGGERS`] (and on PostgreSQL the [`POSTGRES_SUSPENDED_TRIGGERS`])
/// inside the caller's transaction.
pub async fn suspend_triggers(conn: &mut Conn<'_>) -> sqlx::Result<Suspended> {
    let mut triggers = SUSPENDED_TRIGGERS.to_vec();
    if matches!(conn.engine(), Engine::Postgres(_)) {
        triggers.extend(POSTGRES_SUSPENDED_TRIGGERS);
    }
    suspend(conn, &triggers).await
}

async fn suspend(conn: &mut Conn<'_>, triggers: &[&str]) -> sqlx::Result<Suspended> {
    if let Engine::Postgres(conn) = conn.engine() {
        // Enabled triggers of that name on tables of the search path, in table order (every
        // batch takes its locks in the same order).
        let found: Vec<(String, String)> = sqlx::query_as(
            "SELECT c.relname::text, t.tgname::text
             FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND t.tgname = ANY($1)
               AND pg_table_is_visible(c.oid)
             ORDER BY 1, 2",
        )
        .bind(triggers)
        .fetch_all(&mut *conn)
        .await?;
        let mut tables: Vec<String> = found.iter().map(|(table, _)| quote_ident(table)).collect();
        tables.dedup();
        lock_tables(conn, &tables).await?;
        let mut restore = Vec::with_capacity(found.len());
        for (table, trigger) in found {
            let (table, trigger) = (quote_ident(&table), quote_ident(&trigger));
            // Names from the catalogue, quoted; identifiers cannot be bound.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "ALTER TABLE {table} DISABLE TRIGGER {trigger}"
            )))
            .persistent(false)
            .execute(&mut *conn)
            .await?;
            restore.push(format!("ALTER TABLE {table} ENABLE TRIGGER {trigger}"));
        }
        return Ok(Suspended(restore));
    }
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

/// How often, and how far apart, [`lock_tables`] tries to take its locks without waiting.
const LOCK_TRIES: u32 = 100;
const LOCK_RETRY: std::time::Duration = std::time::Duration::from_millis(20);

/// Takes the lock `ALTER TABLE … DISABLE TRIGGER` needs on every table at once, before any: a
/// batch that waited for one table while holding another could deadlock with a member's post
/// (which takes its tables in its own order), and PostgreSQL would cancel one of the two. So it
/// tries without waiting, a while; the member's write never waits for a batch that waits for it.
/// Under a steady stream of writers it waits in the end (the importer retries a deadlocked batch).
async fn lock_tables(conn: &mut sqlx::PgConnection, tables: &[String]) -> sqlx::Result<()> {
    let statement = format!(
        "LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
        tables.join(", ")
    );
    for _ in 0..LOCK_TRIES {
        // A failed statement aborts the transaction; the savepoint takes the failure back.
        sqlx::raw_sql("SAVEPOINT take_locks")
            .execute(&mut *conn)
            .await?;
        let taken = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("{statement} NOWAIT")))
            .execute(&mut *conn)
            .await;
        match taken {
            Ok(_) => {
                sqlx::raw_sql("RELEASE SAVEPOINT take_locks")
                    .execute(&mut *conn)
                    .await?;
                return Ok(());
            }
            Err(e) if sqlstate::is(&e, sqlstate::LOCK_NOT_AVAILABLE) => {
                sqlx::raw_sql("ROLLBACK TO SAVEPOINT take_locks; RELEASE SAVEPOINT take_locks")
                    .execute(&mut *conn)
                    .await?;
                tokio::time::sleep(LOCK_RETRY).await;
            }
            Err(e) => return Err(e),
        }
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Restores the suspended triggers, exactly as they were defined.
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

/// The tables the set-based statements of [`index_new_rows`] plan their joins on, with the
/// columns they read.
const PLANNED_TABLES: [(&str, &str); 3] = [
    ("topics", ""),
    ("topic_tags", ""),
    // Not the bodies: sampling them would cost more than the statistics save.
    (
        "posts",
        "(id, topic_id, author_id, is_first, hidden, created_at)",
    ),
];

/// PostgreSQL plans [`index_new_rows`]'s joins from table statistics, which an import outgrows
/// at once: planned for the empty tables it started with, matching a batch's topics with their
/// tags read a whole index per topic (2 s a batch, half of a 100k-post import). So a table is
/// analysed again (inside the batch, which sees its own rows) when the batch grew it by more than
/// half of what was last counted: a few times per import, at sizes that double. `added` is the
/// rows the batch wrote to each of [`PLANNED_TABLES`], in that order. SQLite needs nothing.
pub async fn refresh_statistics(conn: &mut Conn<'_>, added: [u64; 3]) -> sqlx::Result<()> {
    let Engine::Postgres(conn) = conn.engine() else {
        return Ok(());
    };
    let names: Vec<&str> = PLANNED_TABLES.iter().map(|(name, _)| *name).collect();
    // reltuples: the rows last counted, -1 before the first count.
    let counted: Vec<(String, f32)> = sqlx::query_as(
        "SELECT relname::text, reltuples FROM pg_class
         WHERE relname = ANY($1) AND relkind = 'r' AND pg_table_is_visible(oid)",
    )
    .bind(&names)
    .fetch_all(&mut *conn)
    .await?;
    for ((table, columns), added) in PLANNED_TABLES.iter().zip(added) {
        let before = counted
            .iter()
            .find(|(name, _)| name == table)
            .map_or(-1.0, |(_, rows)| f64::from(*rows));
        if added > 0 && (before < 0.0 || added as f64 * 2.0 > before) {
            // Our own table names.
            sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {table} {columns}")))
                .persistent(false)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Does for the rows above `last` what the suspended triggers would have done row by row (each
/// statement `OR FAIL`, as in `db::import`: the batch is rolled back whole on any error): the
/// search index and the response-time and tag-pair roll-ups now, and the insert-only counters
/// (daily activity, posts per user and day, contributors) later, for all batches at once: the
/// batch's id ranges go into `import_pending` for [`count_pending`]. Call it once the batch's
/// rows, tags and topic statistics are written, before [`restore_triggers`].
pub async fn index_new_rows(conn: &mut Conn<'_>, last: LastIds) -> sqlx::Result<()> {
    index_new_posts(conn, last.post).await?;
    on!(conn, pg, {
        sqlx::query(
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO tag_pair_rollup (day, tag_a, tag_b, topics)
             SELECT t.created_at / 86400, x.tag_id, y.tag_id, COUNT(*)
             FROM topics t
             JOIN topic_tags x ON x.topic_id = t.id
             JOIN topic_tags y ON y.topic_id = t.id AND y.tag_id > x.tag_id
             WHERE t.id > $1 AND t.hidden = 0 AND x.status = 'active' AND y.status = 'active'
             GROUP BY 1, 2, 3
             ON CONFLICT (day, tag_a, tag_b) DO UPDATE SET topics = tag_pair_rollup.topics + excluded.topics"),
        )
        .bind(last.topic)
        .execute(&mut *conn)
        .await?;
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

/// Puts the posts above `last_post` in the search index, as `posts_search_insert` would.
async fn index_new_posts(conn: &mut Conn<'_>, last_post: i64) -> sqlx::Result<()> {
    match conn.engine() {
        Engine::Sqlite(conn) => {
            sqlx::query(
                "INSERT OR FAIL INTO search_index (rowid, title, body)
                 SELECT p.id, CASE WHEN p.is_first <> 0 THEN t.title ELSE '' END,
                        COALESCE(p.body_text, p.body_md)
                 FROM posts p JOIN topics t ON t.id = p.topic_id
                 WHERE p.id > $1 AND p.hidden = 0",
            )
            .bind(last_post)
            .execute(&mut *conn)
            .await?;
        }
        Engine::Postgres(conn) => {
            // Parsing and stemming the text is most of an import's work on PostgreSQL (~120 µs
            // a post here). An INSERT … SELECT runs on one core, but the SELECT of a CREATE
            // TABLE AS may run in parallel workers (which see the batch's own rows), so the
            // documents are made there, on every core, and then inserted. The planner would not
            // start workers for a batch-sized range; the costs below tell it to.
            // `last_post` is an integer of ours (CREATE TABLE AS takes no bound parameters).
            sqlx::raw_sql(
                "SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0;
                 SET LOCAL min_parallel_table_scan_size = 0;
                 SET LOCAL min_parallel_index_scan_size = 0",
            )
            .execute(&mut *conn)
            .await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "CREATE TEMP TABLE new_search_documents ON COMMIT DROP AS
                 SELECT p.id, search_document(CASE WHEN p.is_first <> 0 THEN t.title ELSE '' END,
                                              COALESCE(p.body_text, p.body_md)) AS tsv
                 FROM posts p JOIN topics t ON t.id = p.topic_id
                 WHERE p.id > {last_post} AND p.hidden = 0"
            )))
            .execute(&mut *conn)
            .await?;
            sqlx::raw_sql(
                "RESET parallel_setup_cost; RESET parallel_tuple_cost;
                 RESET min_parallel_table_scan_size; RESET min_parallel_index_scan_size;
                 INSERT INTO search_index (post_id, tsv) SELECT id, tsv FROM new_search_documents;
                 DROP TABLE new_search_documents",
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Adds the rows of every range in `import_pending` to the insert-only counters and deletes
/// the ranges, in one transaction: daily signups, topics, posts and active users, posts per user
/// and day, and contributors (what the triggers `daily_signups`, `daily_topics`, `daily_posts`
/// and `daily_user_activity_count` do row by row). The import calls it when it ends, and
/// [`super::connect`] whenever the database is opened, for an import that was killed.
pub async fn count_pending(conn: &mut Conn<'_>) -> sqlx::Result<()> {
    on!(conn, pg, {
        // Every open gets here: look before taking the write lock (nearly always there is
        // nothing to count), then again under it, in case another process counted in between.
        let (ranges,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM import_pending")
            .fetch_one(&mut *conn)
            .await?;
        if ranges == 0 {
            return Ok(());
        }
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
             FROM import_pending r " {sqlite: "CROSS "} "JOIN users u ON u.id > r.users_after AND u.id <= r.users_last
             GROUP BY 1
             ON CONFLICT (day) DO UPDATE SET signups = daily_activity.signups + excluded.signups"),
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO daily_activity (day, topics)
             SELECT t.created_at / 86400, COUNT(*)
             FROM import_pending r
             " {sqlite: "CROSS "} "JOIN topics t ON t.id > r.topics_after AND t.id <= r.topics_last
             GROUP BY 1
             ON CONFLICT (day) DO UPDATE SET topics = daily_activity.topics + excluded.topics"),
            // The four counts of posts need only each (day, author) pair's posts: the posts' pages
            // (a million posts: 1.9 GB) are read and sorted once, into a table kept in pair order,
            // which the statements below then read in that order without sorting again.
            sql!(pg, "CREATE TEMP TABLE IF NOT EXISTS pending_pairs (
                 day BIGINT NOT NULL, author_id BIGINT NOT NULL,
                 posts BIGINT NOT NULL, first_post_at BIGINT NOT NULL,
                 PRIMARY KEY (day, author_id)
             )" {sqlite: " WITHOUT ROWID"}),
            // Unqualified, the name finds the temporary table first on both engines.
            "DELETE FROM pending_pairs",
            sql!(pg, "INSERT INTO pending_pairs (day, author_id, posts, first_post_at)
             SELECT p.created_at / 86400, p.author_id, COUNT(*), MIN(p.created_at)
             FROM import_pending r " {sqlite: "CROSS "} "JOIN posts p ON p.id > r.posts_after AND p.id <= r.posts_last
             GROUP BY 1, 2"),
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO daily_activity (day, posts)
             SELECT day, SUM(posts) FROM pending_pairs GROUP BY 1
             ON CONFLICT (day) DO UPDATE SET posts = daily_activity.posts + excluded.posts"),
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO daily_activity (day, active_users)
             SELECT day, COUNT(*) FROM pending_pairs AS n
             WHERE NOT EXISTS (SELECT 1 FROM daily_user_activity d
                               WHERE d.day = n.day AND d.user_id = n.author_id)
             GROUP BY 1
             ON CONFLICT (day) DO UPDATE SET active_users = daily_activity.active_users + excluded.active_users"),
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO daily_user_activity (day, user_id, posts)
             SELECT day, author_id, posts FROM pending_pairs WHERE true
             ON CONFLICT (day, user_id) DO UPDATE SET posts = daily_user_activity.posts + excluded.posts"),
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO contributors (user_id, first_post_at, posts)
             SELECT author_id, MIN(first_post_at), SUM(posts) FROM pending_pairs GROUP BY 1
             ON CONFLICT (user_id) DO UPDATE SET
                 first_post_at = " {sqlite: "MIN"} {pg: "LEAST"} "(contributors.first_post_at, excluded.first_post_at),
                 posts = contributors.posts + excluded.posts"),
            "DELETE FROM pending_pairs",
            "DELETE FROM import_pending",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        restore_triggers(&mut tx, suspended).await?;
        tx.commit().await
    })
}
