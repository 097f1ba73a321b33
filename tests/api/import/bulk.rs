//! Batches of new rows are written with the per-row triggers suspended and indexed set-based
//! (`db::bulk_load`); batches that update rows keep the triggers. Both must leave the same state.

use threadwise::db::bulk_load::{KEPT_TRIGGERS, POSTGRES_SUSPENDED_TRIGGERS, SUSPENDED_TRIGGERS};

use super::*;
use crate::helpers::spawn_app;

/// The triggers on the imported tables that are in force (on PostgreSQL: enabled).
async fn triggers_on_imported_tables(app: &TestApp) -> Vec<String> {
    let sql = if crate::helpers::on_postgres() {
        "SELECT t.tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE NOT t.tgisinternal AND t.tgenabled = 'O'
           AND c.relname IN ('users', 'topics', 'posts', 'topic_tags') ORDER BY 1"
    } else {
        "SELECT name FROM sqlite_master WHERE type = 'trigger'
         AND tbl_name IN ('users', 'topics', 'posts', 'topic_tags') ORDER BY name"
    };
    let names: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&app.sql).await.unwrap();
    names.into_iter().map(|(name,)| name).collect()
}

#[tokio::test]
async fn every_trigger_on_the_imported_tables_is_suspended_or_cannot_fire_and_all_come_back() {
    let app = spawn_app().await;
    let postgres_only: &[&str] = if crate::helpers::on_postgres() {
        &POSTGRES_SUSPENDED_TRIGGERS
    } else {
        &[]
    };
    let mut known: Vec<String> = SUSPENDED_TRIGGERS
        .iter()
        .chain(postgres_only)
        .chain(&KEPT_TRIGGERS)
        .map(|name| name.to_string())
        .collect();
    known.sort();
    // A new trigger on these tables needs its set-based twin in `bulk_load::index_new_rows`.
    assert_eq!(triggers_on_imported_tables(&app).await, known);

    let tmp = dump(&[question(1, 10, "a"), answer(2, 1, 11)]);
    import_site(&app, &tmp.path().join(SITE), 100)
        .await
        .unwrap();

    assert_eq!(triggers_on_imported_tables(&app).await, known);
}

#[tokio::test]
async fn answers_across_batches_and_a_later_dump_with_new_and_changed_rows_keep_every_count() {
    let app = spawn_app().await;
    // Batches of three rows: answers land in later batches than their questions, owners repeat.
    let first = dump(&[
        question(1, 10, "rust tokio"),
        question(2, 11, "rust"),
        answer(3, 1, 12),
        question(4, 10, "python"),
        answer(5, 2, 10),
        answer(6, 1, 13),
        answer(7, 4, 11),
    ]);
    import_site(&app, &first.path().join(SITE), 3)
        .await
        .unwrap();
    assert_consistent(&app).await;
    let found = app
        .count(if crate::helpers::on_postgres() {
            "SELECT COUNT(*) FROM search_index WHERE tsv @@ to_tsquery('english', 'answer7')"
        } else {
            "SELECT COUNT(*) FROM search_index WHERE search_index MATCH 'answer7'"
        })
        .await;
    assert_eq!(
        found, 1,
        "an answer imported with the triggers suspended is searchable"
    );

    // A newer dump: question 2 re-tagged and answered again, a new question, a new answer to 4.
    let second = dump(&[
        question(2, 11, "go"),
        question(8, 14, "go rust"),
        answer(9, 4, 14),
        answer(10, 2, 12),
    ]);
    let summary = import_site(&app, &second.path().join(SITE), 2)
        .await
        .unwrap();
    assert_eq!((summary.topics, summary.replies), (2, 2), "{summary}");
    assert_consistent(&app).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM posts").await, 10);
}

const SITE: &str = "bulk.stackexchange.com";

/// A killed import leaves the counters of its committed batches in `import_pending`; whoever opens
/// the database next adds them.
#[tokio::test]
async fn counters_an_interrupted_import_left_are_added_when_the_database_is_opened() {
    let app = spawn_app().await;
    let tmp = dump(&[
        question(1, 10, "a b"),
        answer(2, 1, 11),
        question(3, 11, "b"),
        answer(4, 3, 10),
        answer(5, 1, 12),
        // The author answering their own question: not a response.
        answer(6, 3, 11),
    ]);
    import_site(&app, &tmp.path().join(SITE), 2).await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM import_pending").await, 0);
    assert_consistent(&app).await;

    // What a kill after the batches committed and before the import counted them leaves.
    sqlx::raw_sql(
        "DELETE FROM contributors; DELETE FROM daily_user_activity; DELETE FROM daily_activity;
         INSERT INTO import_pending
         SELECT 0, (SELECT MAX(id) FROM users), 0, (SELECT MAX(id) FROM topics),
                0, (SELECT MAX(id) FROM posts)",
    )
    .execute(&app.sql)
    .await
    .unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM contributors").await, 0);

    threadwise::db::connect(&app.database_url, 1).await.unwrap();

    assert_eq!(app.count("SELECT COUNT(*) FROM import_pending").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM contributors").await, 3);
    assert_consistent(&app).await;
}

/// Members keep posting, replying and voting while batches of new rows go in with the triggers
/// suspended: none of their writes fails (on PostgreSQL a batch takes its table locks all at once
/// or not at all, so it never waits for a member while holding what the member waits for), and
/// every count, roll-up and the search index are right afterwards.
#[tokio::test]
async fn members_write_while_an_import_runs_and_every_count_stays_right() {
    let app = spawn_app().await;
    let alice = app.user("alice").await;
    let bob = app.user("bob").await;
    let topic = alice
        .create_topic("Local topic", "written during the import", &["rust"])
        .await;
    let mut rows = Vec::new();
    for q in 0..40 {
        let id = 1 + q * 4;
        rows.push(question(
            id,
            10 + q % 7,
            if q % 2 == 0 { "rust tokio" } else { "rust" },
        ));
        rows.push(answer(id + 1, id, 20 + q % 5));
        rows.push(answer(id + 2, id, 30 + q % 3));
    }
    let tmp = dump(&rows);
    let site = tmp.path().join(SITE);
    let import = import_site(&app, &site, 4);
    let members = async {
        let mut replies = 0;
        for i in 0..12 {
            let reply = bob.reply(topic, &format!("bob's reply {i}")).await;
            let vote = alice
                .post_json(
                    &format!("/api/v1/posts/{reply}/vote"),
                    &serde_json::json!({ "value": 1 }),
                )
                .await;
            assert!(vote.status().is_success(), "vote: {}", vote.status());
            bob.create_topic(&format!("Bob's topic {i}"), "body", &["tokio"])
                .await;
            replies += 1;
        }
        replies
    };
    let (imported, replies) = tokio::join!(import, members);
    let imported = imported.unwrap();
    assert_eq!(imported.topics, 40);
    assert_eq!(imported.replies, 80);
    let (reply_count,): (i64,) = sqlx::query_as("SELECT reply_count FROM topics WHERE id = $1")
        .bind(topic)
        .fetch_one(&app.sql)
        .await
        .unwrap();
    assert_eq!(reply_count, replies);
    assert_consistent(&app).await;
}

/// On PostgreSQL only a table's owner may suspend its triggers. An import run as a user who may
/// only write rows goes through the triggers instead, batch by batch, with the same result.
#[tokio::test]
async fn a_postgres_user_who_does_not_own_the_tables_imports_through_the_triggers() {
    if !crate::helpers::on_postgres() {
        eprintln!("PostgreSQL's table ownership");
        return;
    }
    let app = spawn_app().await;
    let (database,): (String,) = sqlx::query_as("SELECT current_database()::text")
        .fetch_one(&app.sql)
        .await
        .unwrap();
    let role = format!("{database}_writer");
    for grant in [
        format!("CREATE ROLE {role} LOGIN"),
        format!("GRANT USAGE, CREATE ON SCHEMA public TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}"),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(grant))
            .execute(&app.sql)
            .await
            .unwrap();
    }
    let mut url = url::Url::parse(&app.database_url).unwrap();
    url.set_username(&role).unwrap();
    let writer = threadwise::db::connect(url.as_str(), 1).await.unwrap();

    let tmp = dump(&[
        question(1, 10, "rust tokio"),
        answer(2, 1, 11),
        question(3, 11, "rust"),
        answer(4, 3, 12),
        answer(5, 1, 13),
    ]);
    let mut conn = writer.acquire().await.unwrap();
    let summary = stackexchange::import(&mut conn, &tmp.path().join(SITE), None, &options(2))
        .await
        .unwrap();
    assert_eq!((summary.topics, summary.replies), (2, 3));
    drop(conn);
    writer.close().await;

    assert_eq!(app.count("SELECT COUNT(*) FROM import_pending").await, 0);
    assert_consistent(&app).await;
}

fn dump(rows: &[String]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(SITE);
    std::fs::create_dir(&dir).unwrap();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<posts>\n{}\n</posts>\n",
        rows.join("\n")
    );
    std::fs::write(dir.join("Posts.xml"), body).unwrap();
    tmp
}

fn question(id: u32, owner: u32, tags: &str) -> String {
    let tags: String = tags.split(' ').map(|t| format!("&lt;{t}&gt;")).collect();
    format!(
        r#"  <row Id="{id}" PostTypeId="1" CreationDate="2020-03-0{day}T10:00:00.000" Score="1" ViewCount="5" Body="&lt;p&gt;question{id} body&lt;/p&gt;" OwnerUserId="{owner}" OwnerDisplayName="User {owner}" Title="Question {id} title" Tags="{tags}" AnswerCount="1" />"#,
        day = 1 + id % 5
    )
}

fn answer(id: u32, parent: u32, owner: u32) -> String {
    format!(
        r#"  <row Id="{id}" PostTypeId="2" ParentId="{parent}" CreationDate="2020-03-0{day}T12:30:00.000" Score="2" Body="&lt;p&gt;answer{id} text&lt;/p&gt;" OwnerUserId="{owner}" OwnerDisplayName="User {owner}" />"#,
        day = 1 + parent % 5
    )
}
