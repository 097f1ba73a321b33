//! `threadwise migrate`: a forum built on SQLite through the app, moved into PostgreSQL with the
//! binary, compared table by table. The copies need a PostgreSQL cluster
//! (`THREADWISE_TEST_POSTGRES_URL`, as `scripts/pg_cluster.sh start DIR` prints it); without one
//! they are skipped, unless `THREADWISE_POSTGRES_REQUIRED=1` makes that a failure.
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use reqwest::StatusCode;
use serde_json::json;
use sqlx::{AnyPool, AssertSqlSafe, Row as _};

use crate::helpers::{fresh_postgres_database, spawn_sqlite_app};

/// The test cluster, or `None` (and why on stderr) when the test is to be skipped.
fn postgres_cluster(test: &str) -> Option<String> {
    match std::env::var("THREADWISE_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let required = std::env::var("THREADWISE_POSTGRES_REQUIRED").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "THREADWISE_POSTGRES_REQUIRED=1 but THREADWISE_TEST_POSTGRES_URL is not set: \
                 {test} needs a PostgreSQL cluster"
            );
            eprintln!(
                "skipping {test}: THREADWISE_TEST_POSTGRES_URL is not set (start a cluster with \
                 scripts/pg_cluster.sh start DIR and set it to the URL printed)"
            );
            None
        }
    }
}

fn migrate(from: &str, to: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threadwise"))
        .args(["migrate", "--from", from, "--to", to])
        .env("RUST_LOG", "warn")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn any_pool(url: &str) -> AnyPool {
    sqlx::any::install_default_drivers();
    AnyPool::connect(url).await.expect("a pool")
}

/// The target's tables (less the search index and sqlx's bookkeeping) with their columns and
/// types, from its catalog.
async fn target_columns(target: &AnyPool) -> BTreeMap<String, Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT c.table_name::text AS t, c.column_name::text AS c, c.data_type::text AS d
         FROM information_schema.columns c
         JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
           AND c.table_name NOT IN ('_sqlx_migrations', 'search_index')
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(target)
    .await
    .expect("the target's catalog");
    let mut tables: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for row in rows {
        tables
            .entry(row.get("t"))
            .or_default()
            .push((row.get("c"), row.get("d")));
    }
    tables
}

/// Every row of a table, each value as text (floats in their exact shortest form, bytes in hex,
/// NULL as `None`), sorted.
async fn content(
    pool: &AnyPool,
    pg: bool,
    table: &str,
    columns: &[(String, String)],
) -> Vec<Vec<Option<String>>> {
    let select = columns
        .iter()
        .map(|(name, data_type)| {
            let name = format!("\"{name}\"");
            match (data_type.as_str(), pg) {
                ("double precision", _) => name,
                ("bytea", true) => format!("encode({name}, 'hex')"),
                ("bytea", false) => format!("lower(hex({name}))"),
                _ => format!("CAST({name} AS TEXT)"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(AssertSqlSafe(format!("SELECT {select} FROM \"{table}\"")))
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("reading {table}: {e}"));
    let mut values: Vec<Vec<Option<String>>> = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .enumerate()
                .map(|(i, (_, data_type))| {
                    if data_type == "double precision" {
                        row.get::<Option<f64>, _>(i).map(|x| format!("{x:?}"))
                    } else {
                        row.get::<Option<String>, _>(i)
                    }
                })
                .collect()
        })
        .collect();
    values.sort();
    values
}

async fn scalar(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query_scalar(AssertSqlSafe(sql.to_owned()))
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A small forum with something in every kind of row: members, a moderator, topics with tags,
/// replies whose text needs escaping, votes, a flag, sessions, a model version with bytes and
/// awkward floats. Returns a consistent copy of its database (`VACUUM INTO`), which nothing
/// writes to while it is moved and compared.
async fn small_forum(snapshot: &Path) -> String {
    let app = spawn_sqlite_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    let _mona = app.moderator("mona").await;
    let first = alice
        .create_topic(
            "Moving a forum from SQLite to PostgreSQL",
            "A tab\there, a backslash \\ and a \\N, a line\nbreak, a CRLF\r\nand Ünïcødé ✓ 🚀.",
            &["sqlite", "postgres"],
        )
        .await;
    let second = bob
        .create_topic(
            "Which COPY format?",
            "Text or binary: \\x00 and \\\\ are both fine.",
            &["postgres"],
        )
        .await;
    let reply = bob
        .reply(first, "Use COPY FROM STDIN.\n\n\tindented code\\path")
        .await;
    let other = carol.reply(first, "Or INSERT … but slower.").await;
    carol.reply(second, "Binary, if you like bytes.").await;
    for (voter, post, value) in [(&bob, 1, 1), (&carol, 1, 1), (&alice, reply, -1)] {
        let response = voter
            .post_json(
                &format!("/api/v1/posts/{post}/vote"),
                &json!({ "value": value }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "voting on {post}");
    }
    let flag = alice
        .post_json(
            &format!("/api/v1/posts/{other}/flags"),
            &json!({ "reason": "off_topic", "note": "tab\tand\nnewline" }),
        )
        .await;
    assert!(flag.status().is_success(), "flagging: {}", flag.status());
    for sql in [
        "UPDATE users SET bio = 'back\\slash, tab\t, CR\r, LF\n, \\N' WHERE username = 'carol'",
        "INSERT INTO model_versions (created_at, finished_at, status, \"trigger\", micro_f1,
             champion_micro_f1, train_seconds, weights, metrics)
         VALUES (1700000000, 1700000100, 'rejected', 'manual', 0.1 + 0.2, 1e-300, 2.0 / 3.0,
                 x'00010a0d095c5c4eff', NULL)",
        "INSERT INTO model_versions (created_at, status, \"trigger\", micro_f1,
             champion_micro_f1, train_seconds, weights)
         VALUES (1700000200, 'failed', 'schedule', 4.9406564584124654e-324,
                 1.7976931348623157e308, 123456789.123456789, x'')",
        "UPDATE topics SET predicted_quality = 0.7071067811865476 WHERE id = 1",
        // A seeded table the copy must overwrite rather than keep.
        "UPDATE session_epoch SET epoch = 7",
    ] {
        sqlx::query(sql).execute(&app.sql).await.expect(sql);
    }
    let path = snapshot.join("forum.db");
    sqlx::query(AssertSqlSafe(format!(
        "VACUUM INTO '{}'",
        path.display().to_string().replace('\'', "''")
    )))
    .execute(&app.sql)
    .await
    .expect("a copy of the forum");
    format!("sqlite://{}", path.display())
}

#[tokio::test]
async fn migrate_copies_every_table_from_sqlite_to_postgres_and_refuses_a_second_time() {
    let Some(cluster) = postgres_cluster(
        "migrate_copies_every_table_from_sqlite_to_postgres_and_refuses_a_second_time",
    ) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let from = small_forum(dir.path()).await;
    let to = fresh_postgres_database(&cluster).await;
    // As if the app had started on the new database once: the schema is there, and a secret of
    // its own, which the source's replaces.
    threadwise::db::connect(&to, 1)
        .await
        .expect("the target's schema")
        .close()
        .await;
    let early = any_pool(&to).await;
    sqlx::query("INSERT INTO secrets (name, value) VALUES ('link_signing', '\\x00')")
        .execute(&early)
        .await
        .expect("a secret of the target's own");
    early.close().await;

    let output = migrate(&from, &to);
    assert!(
        output.status.success(),
        "migrate failed: {}",
        stderr(&output)
    );
    let summary = String::from_utf8_lossy(&output.stdout);
    assert!(summary.contains("rows copied and verified"), "{summary}");

    let source = any_pool(&from).await;
    let target = any_pool(&to).await;
    let tables = target_columns(&target).await;
    for table in [
        "users",
        "sessions",
        "topics",
        "posts",
        "tags",
        "topic_tags",
        "votes",
        "flags",
    ] {
        assert!(tables.contains_key(table), "the target has no {table}");
    }
    for (table, columns) in &tables {
        let want = content(&source, false, table, columns).await;
        let have = content(&target, true, table, columns).await;
        assert_eq!(
            have, want,
            "table {table} differs between SQLite and PostgreSQL"
        );
    }
    for (table, at_least) in [
        ("users", 4),
        ("sessions", 4),
        ("topics", 2),
        ("posts", 5),
        ("tags", 2),
        ("topic_tags", 3),
        ("votes", 3),
        ("flags", 1),
        ("daily_activity", 1),
        ("contributors", 3),
        ("response_waits", 1),
        ("model_versions", 2),
        ("secrets", 1),
        ("wait_buckets", 2),
    ] {
        let rows = scalar(&target, &format!("SELECT COUNT(*) FROM {table}")).await;
        assert!(
            rows >= at_least,
            "{table}: {rows} rows, expected at least {at_least}"
        );
    }

    assert_eq!(
        scalar(&target, "SELECT epoch FROM session_epoch").await,
        7,
        "the seeded row is the source's"
    );

    // The search index is PostgreSQL's own, built from the copied posts.
    assert_eq!(
        scalar(&target, "SELECT COUNT(*) FROM search_index").await,
        scalar(&source, "SELECT COUNT(*) FROM search_source").await
    );
    assert_eq!(
        scalar(
            &target,
            "SELECT MIN(post_id) FROM search_index WHERE tsv @@ to_tsquery('english', 'backslash')"
        )
        .await,
        1
    );

    // Ids go on after the copied ones: a new row, then every identity sequence.
    let next_tag: i64 = sqlx::query_scalar(
        "INSERT INTO tags (name, created_at) VALUES ('after-the-move', 0) RETURNING id",
    )
    .fetch_one(&target)
    .await
    .expect("a new tag on the target");
    assert_eq!(
        next_tag,
        scalar(&source, "SELECT MAX(id) FROM tags").await + 1
    );
    let identities = sqlx::query(
        "SELECT c.relname::text AS t, a.attname::text AS c
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attidentity <> ''
           AND c.relname <> 'tags'",
    )
    .fetch_all(&target)
    .await
    .expect("the identity columns");
    assert!(
        identities.len() >= 5,
        "identity columns: {}",
        identities.len()
    );
    for row in identities {
        let (table, column): (String, String) = (row.get("t"), row.get("c"));
        let next = scalar(
            &target,
            &format!("SELECT nextval(pg_get_serial_sequence('{table}', '{column}'))"),
        )
        .await;
        let max = scalar(
            &source,
            &format!("SELECT COALESCE(MAX({column}), 0) FROM {table}"),
        )
        .await;
        assert_eq!(next, max + 1, "the next {table}.{column}");
    }

    // Once moved, never twice: the second run writes nothing.
    let users = scalar(&target, "SELECT COUNT(*) FROM users").await;
    let again = migrate(&from, &to);
    assert!(
        !again.status.success(),
        "a second migrate into the same target ran"
    );
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));
    assert_eq!(scalar(&target, "SELECT COUNT(*) FROM users").await, users);
    assert_eq!(
        scalar(
            &target,
            "SELECT COUNT(*) FROM tags WHERE name = 'after-the-move'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn migrate_writes_nothing_when_the_source_holds_what_postgres_refuses() {
    let Some(cluster) =
        postgres_cluster("migrate_writes_nothing_when_the_source_holds_what_postgres_refuses")
    else {
        return;
    };
    let app = spawn_sqlite_app().await;
    let alice = app.user("alice").await;
    alice.create_topic("A topic", "Its body.", &["one"]).await;
    let mut conn = app.sql.acquire().await.expect("a connection");
    for sql in [
        "PRAGMA foreign_keys = OFF",
        "INSERT INTO votes (user_id, post_id, value, created_at) VALUES (1, 999, 1, 0)",
        "PRAGMA foreign_keys = ON",
    ] {
        sqlx::query(sql).execute(&mut *conn).await.expect(sql);
    }
    drop(conn);
    let to = fresh_postgres_database(&cluster).await;
    let output = migrate(&app.database_url, &to);
    assert!(!output.status.success(), "migrate copied a dangling key");
    assert!(stderr(&output).contains("votes"), "{}", stderr(&output));
    let target = any_pool(&to).await;
    for table in ["users", "topics", "posts", "votes"] {
        assert_eq!(
            scalar(&target, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table} after a failed migrate"
        );
    }

    // A value PostgreSQL cannot hold stops the copy too, naming the row; the same target, still
    // empty, takes the forum once the source is mended.
    for sql in [
        "DELETE FROM votes WHERE post_id = 999",
        "UPDATE users SET bio = 'a' || char(0) || 'b' WHERE id = 1",
    ] {
        sqlx::query(sql).execute(&app.sql).await.expect(sql);
    }
    let output = migrate(&app.database_url, &to);
    assert!(!output.status.success(), "migrate copied a NUL");
    let error = stderr(&output);
    assert!(
        error.contains("users") && error.contains("bio") && error.contains("NUL"),
        "{error}"
    );
    assert_eq!(scalar(&target, "SELECT COUNT(*) FROM users").await, 0);
    sqlx::query("UPDATE users SET bio = 'ab' WHERE id = 1")
        .execute(&app.sql)
        .await
        .expect("mending the bio");
    let output = migrate(&app.database_url, &to);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(scalar(&target, "SELECT COUNT(*) FROM users").await, 1);
}

#[test]
fn migrate_refuses_a_missing_source_and_a_target_that_is_not_postgres() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let missing = dir.path().join("missing.db");
    let from = format!("sqlite://{}", missing.display());

    let output = migrate(&from, "postgres://nobody@127.0.0.1:1/none");
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("does not exist"),
        "{}",
        stderr(&output)
    );
    assert!(!missing.exists(), "migrate created the missing source");

    let source = dir.path().join("forum.db");
    std::fs::write(&source, b"").expect("an empty file");
    let from = format!("sqlite://{}", source.display());
    let output = migrate(
        &from,
        &format!("sqlite://{}", dir.path().join("to.db").display()),
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("PostgreSQL"),
        "{}",
        stderr(&output)
    );

    // A port nothing listens on: refused at once, with the reason.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let output = migrate(&from, &format!("postgres://nobody@127.0.0.1:{port}/none"));
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("cannot connect to the target"),
        "{}",
        stderr(&output)
    );
}
