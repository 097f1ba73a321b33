//! Broken and unusual input: truncated and malformed files, orphans, odd tags.

use super::*;
use crate::helpers::spawn_app;

#[tokio::test]
async fn a_truncated_dump_stops_with_its_file_and_line_keeps_whole_batches_and_resumes() {
    let Some(dir) = data("stackexchange/raw/ai.stackexchange.com") else {
        return;
    };
    let app = spawn_app().await;
    let tmp = tempfile::tempdir().unwrap();
    let cut = tmp.path().join("ai.stackexchange.com");
    std::fs::create_dir(&cut).unwrap();
    let full = std::fs::read(dir.join("Posts.xml")).unwrap();
    std::fs::write(cut.join("Posts.xml"), &full[..full.len() * 3 / 5]).unwrap();

    let error = import_site(&app, &cut, 100).await.unwrap_err();

    let message = error.to_string();
    assert!(
        matches!(
            error,
            ImportError::Malformed { .. } | ImportError::Truncated { .. }
        ),
        "{message}"
    );
    assert!(
        message.contains(&cut.join("Posts.xml").display().to_string()),
        "{message}"
    );
    assert!(message.contains("line "), "{message}");
    let committed = app.count("SELECT COUNT(*) FROM posts").await;
    assert!(
        committed > 0 && committed % 100 == 0,
        "{committed} posts: whole batches only"
    );
    assert_consistent(&app).await;

    // The complete dump resumes from there: everything present once.
    let summary = import_site(&app, &dir, 100).await.unwrap();
    let expected = count_file(&dir);
    assert_eq!(summary.topics as i64, expected.questions);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM posts").await,
        expected.questions + expected.answers
    );
    assert_consistent(&app).await;
}

fn synthetic_dump(rows: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("example.stackexchange.com");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("Posts.xml"), rows).unwrap();
    tmp
}

const QUESTION: &str = r#"  <row Id="1" PostTypeId="1" CreationDate="2019-01-02T03:04:05.678" Score="3" ViewCount="10" Body="&lt;p&gt;How do lists work?&lt;/p&gt;" OwnerDisplayName="Ann" Title="How do lists work here?" Tags="|lists|very-long-tag-name-that-is-over-the-limit|" AnswerCount="1" />"#;

#[tokio::test]
async fn malformed_or_unclosed_xml_is_reported_with_file_and_line() {
    let app = spawn_app().await;
    let cases = [
        (
            format!(
                "<posts>\n{QUESTION}\n  <row Id=\"2\" PostTypeId=\"2\" Body=\"unterminated />\n"
            ),
            3,
        ),
        (
            format!("<posts>\n{QUESTION}\n  <row Id=\"2\" Body=\"a &bogus; b\" />\n</posts>\n"),
            3,
        ),
        (format!("<posts>\n{QUESTION}\n"), 3),
    ];
    for (xml, line) in cases {
        let tmp = synthetic_dump(&xml);
        let dir = tmp.path().join("example.stackexchange.com");

        let error = import_site(&app, &dir, 1000).await.unwrap_err().to_string();

        assert!(
            error.contains("example.stackexchange.com/Posts.xml"),
            "{error}"
        );
        assert!(error.contains(&format!("line {line}")), "{error}");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM topics").await,
        0,
        "no partial batch was kept"
    );
}

#[tokio::test]
async fn a_synthetic_dump_without_users_imports_with_renamed_tags_and_owner_names() {
    let app = spawn_app().await;
    let answer = r#"  <row Id="2" PostTypeId="2" ParentId="1" CreationDate="2019-01-03T00:00:00" Score="1" Body="&lt;pre&gt;&lt;code&gt;xs.push(1)&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" />"#;
    let orphan = r#"  <row Id="9" PostTypeId="2" ParentId="7" CreationDate="2019-01-03T00:00:00" Body="x" />"#;
    let tmp = synthetic_dump(&format!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<posts>\n{QUESTION}\n{answer}\n{orphan}\n</posts>\n"
    ));

    let summary = import_site(&app, &tmp.path().join("example.stackexchange.com"), 1000)
        .await
        .unwrap();

    assert_eq!(
        (summary.topics, summary.replies, summary.tags_renamed),
        (1, 1, 1),
        "{summary}"
    );
    assert_eq!(summary.skipped_total(), 1, "{summary}");
    let (html, first_response): (String, Option<i64>) = sqlx::query_as(
        "SELECT p.body_html, t.first_response_at FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.is_first = 0",
    )
    .fetch_one(&app.sql)
    .await
    .unwrap();
    assert!(
        html.contains("<pre><code>xs.push(1)</code></pre>") && !html.contains("script"),
        "{html}"
    );
    assert!(first_response.is_some());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE source_name = 'Ann' AND password_hash IS NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn users_whose_names_collide_in_one_batch_or_with_a_local_account_all_get_usernames() {
    let app = spawn_app().await;
    app.user("Ann").await;
    let question = QUESTION.replace(r#"OwnerDisplayName="Ann""#, r#"OwnerUserId="2""#);
    let tmp = synthetic_dump(&format!("<posts>\n{question}\n</posts>\n"));
    let dir = tmp.path().join("example.stackexchange.com");
    let users: String = (1..=3)
        .map(|id| {
            format!(r#"  <row Id="{id}" CreationDate="2019-01-01T00:00:00" DisplayName="Ann" />"#)
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(
        dir.join("Users.xml"),
        format!("<users>\n{users}\n</users>\n"),
    )
    .unwrap();

    let summary = import_site(&app, &dir, 1000).await.unwrap();

    assert_eq!(summary.users, 3, "{summary}");
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT username) FROM users WHERE source_name = 'Ann'")
            .await,
        3
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE source_key IS NULL AND username = 'Ann'")
            .await,
        1,
        "the local account keeps its name"
    );
    // Importing again refreshes them and creates nobody.
    let again = import_site(&app, &dir, 1000).await.unwrap();
    assert_eq!(again.authors_created, 0, "{again}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE source_name = 'Ann'")
            .await,
        3
    );
    assert_consistent(&app).await;
}

#[tokio::test]
async fn a_malformed_json_line_is_reported_by_its_number_after_earlier_batches_commit() {
    let app = spawn_app().await;
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("items.jsonl");
    let item = |n: u32| {
        format!(
            r#"{{"id": "x:{n}", "title": "Question number {n}", "body": "Body {n}", "tags": ["rust"]}}"#
        )
    };
    std::fs::write(
        &file,
        format!("{}\n{}\n\n{{\"id\": \"x:3\", \"title\": ", item(1), item(2)),
    )
    .unwrap();

    let error = import_jsonl(&app, &file, 1).await.unwrap_err();

    let message = error.to_string();
    assert!(
        matches!(error, ImportError::BadLine { line: 4, .. }),
        "{message}"
    );
    assert!(
        message.contains("items.jsonl:4") && message.contains("truncated"),
        "{message}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM topics").await, 2);
    assert_consistent(&app).await;
}
