//! Stack Exchange's `AcceptedAnswerId`: kept, though the answer may come batches after its
//! question (or not be in the dump), and kept through a re-import.
use serde_json::Value;

use super::*;
use crate::helpers::spawn_app;

const SITE: &str = "accepted.stackexchange.com";

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

fn question(id: u32, accepted: Option<u32>) -> String {
    let accepted = accepted.map_or_else(String::new, |a| format!(r#"AcceptedAnswerId="{a}" "#));
    format!(
        r#"  <row Id="{id}" PostTypeId="1" {accepted}CreationDate="2020-03-01T10:00:00.000" Score="1" ViewCount="5" Body="&lt;p&gt;question{id}&lt;/p&gt;" OwnerUserId="10" OwnerDisplayName="Asker" Title="Question {id} title" Tags="&lt;rust&gt;" AnswerCount="2" />"#
    )
}

fn answer(id: u32, parent: u32) -> String {
    format!(
        r#"  <row Id="{id}" PostTypeId="2" ParentId="{parent}" CreationDate="2020-03-0{day}T12:00:00.000" Score="2" Body="&lt;p&gt;answer{id}&lt;/p&gt;" OwnerUserId="{owner}" OwnerDisplayName="User {owner}" />"#,
        day = 1 + id % 5,
        owner = 20 + id
    )
}

async fn accepted_body(app: &TestApp, question: u32) -> Option<String> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT p.body_md FROM topics t JOIN posts p ON p.id = t.accepted_post_id
         WHERE t.source_key = $1",
    )
    .bind(format!("{SITE}:{question}"))
    .fetch_optional(&app.sql)
    .await
    .unwrap();
    row.map(|(body,)| body)
}

#[tokio::test]
async fn the_accepted_answer_is_kept_when_it_comes_later_and_survives_a_re_import() {
    let app = spawn_app().await;
    // Batches of two rows: question 1's accepted answer (5) comes two batches after it, before
    // its other answer; question 2 names an answer the dump does not have; question 3 none.
    let rows = [
        question(1, Some(5)),
        question(2, Some(99)),
        answer(4, 1),
        question(3, None),
        answer(5, 1),
        answer(6, 2),
        answer(7, 3),
    ];
    let tmp = dump(&rows);

    let summary = import_site(&app, &tmp.path().join(SITE), 2).await.unwrap();

    assert_eq!(summary.answers_accepted, 1, "{summary}");
    assert_eq!(accepted_body(&app, 1).await.as_deref(), Some("answer5"));
    assert_eq!(accepted_body(&app, 2).await, None);
    assert_eq!(accepted_body(&app, 3).await, None);
    // Shown right under the question, and the lists say "answered".
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM topics WHERE source_key = $1")
        .bind(format!("{SITE}:1"))
        .fetch_one(&app.sql)
        .await
        .unwrap();
    let browser = app.browser();
    let topic: Value = browser
        .get(&format!("/api/v1/topics/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(topic["posts"][1]["body_md"], "answer5");
    assert_eq!(topic["posts"][1]["accepted"], true);
    let answered: Value = browser
        .get("/api/v1/topics?status=answered")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answered["topics"].as_array().unwrap().len(), 1);

    // Importing the same dump again (the upsert path) keeps it, in one batch or many.
    for batch in [100, 2] {
        let again = import_site(&app, &tmp.path().join(SITE), batch)
            .await
            .unwrap();
        assert_eq!(again.answers_accepted, 0, "nothing changed");
        assert_eq!(accepted_body(&app, 1).await.as_deref(), Some("answer5"));
    }
    // A later dump that accepts another answer moves the mark.
    let mut changed = rows.to_vec();
    changed[0] = question(1, Some(4));
    let later = dump(&changed);
    let summary = import_site(&app, &later.path().join(SITE), 3)
        .await
        .unwrap();
    assert_eq!(summary.answers_accepted, 1);
    assert_eq!(accepted_body(&app, 1).await.as_deref(), Some("answer4"));
}
