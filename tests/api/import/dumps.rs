//! The real dumps and JSON Lines files: counts, idempotence, attribution, search.
use std::path::Path;

use reqwest::StatusCode;

use super::*;
use crate::helpers::spawn_app;

#[tokio::test]
async fn importing_each_stack_exchange_site_matches_the_counts_in_its_files() {
    let Some(raw) = data("stackexchange/raw") else {
        return;
    };
    let app = spawn_app().await;
    for site in SITES {
        let dir = raw.join(site);
        let expected = count_file(&dir);

        let summary = import_site(&app, &dir, 500).await.unwrap();

        let like = format!("{site}:%");
        let topics = scalar(
            &app,
            "SELECT COUNT(*) FROM topics WHERE source_key LIKE $1",
            &like,
        )
        .await;
        let replies = scalar(
            &app,
            "SELECT COUNT(*) FROM posts WHERE source_key LIKE $1 AND is_first = 0",
            &like,
        )
        .await;
        let tag_uses = scalar(
            &app,
            "SELECT COUNT(*) FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
             WHERE t.source_key LIKE $1 AND tt.source = 'author' AND tt.status = 'active'",
            &like,
        )
        .await;
        assert_eq!(
            (topics, summary.topics as i64),
            (expected.questions, expected.questions),
            "{site}"
        );
        assert_eq!(
            (replies, summary.replies as i64),
            (expected.answers, expected.answers),
            "{site}"
        );
        assert_eq!(tag_uses, expected.tag_uses, "{site}");
        if let Some(users) = expected.users {
            assert_eq!(summary.users as i64, users, "{site}");
            let imported = scalar(
                &app,
                "SELECT COUNT(*) FROM users WHERE source_key LIKE $1",
                &like,
            )
            .await;
            assert_eq!(imported, users + summary.authors_created as i64, "{site}");
        } else {
            // No Users.xml: every owner became a user from the posts themselves.
            assert!(summary.authors_created > 0, "{site}");
        }
        assert_eq!(
            summary
                .skipped
                .keys()
                .filter(|r| !r.starts_with("not a question or answer"))
                .count(),
            0,
            "{site}: {summary}"
        );
    }
    assert_consistent(&app).await;
}

#[tokio::test]
async fn importing_a_dump_twice_updates_rows_and_duplicates_none() {
    let Some(dir) = data("stackexchange/raw/genai.stackexchange.com") else {
        return;
    };
    let app = spawn_app().await;
    const TABLES: [&str; 6] = [
        "SELECT COUNT(*) FROM users",
        "SELECT COUNT(*) FROM topics",
        "SELECT COUNT(*) FROM posts",
        "SELECT COUNT(*) FROM tags",
        "SELECT COUNT(*) FROM topic_tags",
        "SELECT COUNT(*) FROM search_index",
    ];

    let first = import_site(&app, &dir, 100).await.unwrap();
    let mut counts = Vec::new();
    for sql in TABLES {
        counts.push(app.count(sql).await);
    }
    let second = import_site(&app, &dir, 100).await.unwrap();

    for (sql, before) in TABLES.iter().zip(&counts) {
        assert_eq!(app.count(sql).await, *before, "{sql}");
    }
    assert_eq!(
        (second.topics, second.replies),
        (first.topics, first.replies)
    );
    assert_eq!(
        second.authors_created, 0,
        "owners exist after the first run"
    );
    assert_eq!(second.tags_created, 0);
    assert_consistent(&app).await;
}

#[tokio::test]
async fn an_imported_topic_shows_its_source_author_and_licence() {
    let Some(raw) = data("stackexchange/raw") else {
        return;
    };
    let app = spawn_app().await;
    import_site(&app, &raw.join("ai.stackexchange.com"), 1000)
        .await
        .unwrap();
    import_site(&app, &raw.join("genai.stackexchange.com"), 1000)
        .await
        .unwrap();
    let reader = app.browser();
    // ai: Users.xml names the author; posted in 2016, so CC BY-SA 3.0 by date.
    // genai: no Users.xml, and the dump states CC BY-SA 4.0 itself.
    for (key, license, deed) in [
        (
            "ai.stackexchange.com:2",
            "CC BY-SA 3.0",
            "https://creativecommons.org/licenses/by-sa/3.0/",
        ),
        (
            "genai.stackexchange.com:1",
            "CC BY-SA 4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
        ),
    ] {
        let (id, author, profile): (i64, String, String) = sqlx::query_as(
            "SELECT t.id, u.source_name, u.source_url FROM topics t JOIN users u ON u.id = t.author_id
             WHERE t.source_key = $1",
        )
        .bind(key)
        .fetch_one(&app.sql)
        .await
        .unwrap();

        let (status, page) = reader.get_text(&format!("/t/{id}")).await;

        assert_eq!(status, StatusCode::OK);
        let (site, number) = key.split_once(':').unwrap();
        let original = format!(r#"href="https://{site}/questions/{number}""#);
        assert!(
            page.contains(&original),
            "{key}: no link to the original in {page}"
        );
        assert!(
            page.contains(&format!(r#"href="{profile}""#)),
            "{key}: no profile link"
        );
        assert!(
            page.contains(&format!(">{author}</a>")),
            "{key}: author {author} not credited"
        );
        assert!(
            page.contains(&format!(r#"href="{deed}""#)) && page.contains(license),
            "{key}"
        );
    }
    let ai_author = scalar(
        &app,
        "SELECT COUNT(*) FROM users u JOIN topics t ON t.author_id = u.id
         WHERE t.source_key = $1 AND u.source_name NOT LIKE 'user%' AND u.password_hash IS NULL",
        "ai.stackexchange.com:2",
    )
    .await;
    assert_eq!(
        ai_author, 1,
        "the author keeps their real name and cannot log in"
    );
}

#[tokio::test]
async fn imported_posts_are_found_by_search_and_listed_under_their_tags() {
    let Some(dir) = data("stackexchange/raw/iot.stackexchange.com") else {
        return;
    };
    let app = spawn_app().await;
    import_site(&app, &dir, 1000).await.unwrap();
    let reader = app.browser();

    let (_, hits) = reader.get_text("/search?q=antenna").await;
    let (_, tag) = reader.get_text("/tags/zwave").await;

    assert!(hits.contains("PCB antenna"), "{hits}");
    assert!(tag.contains("How can I properly test my device"), "{tag}");
}

#[tokio::test]
async fn the_shared_json_lines_files_import_once_and_rename_debtags() {
    let (Some(se), Some(debtags)) = (
        data("stackexchange/valid.jsonl"),
        data("debtags/valid.jsonl"),
    ) else {
        return;
    };
    let app = spawn_app().await;
    let lines = |p: &Path| {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count() as u64
    };

    let first = import_jsonl(&app, &se, 500).await.unwrap();
    let again = import_jsonl(&app, &se, 500).await.unwrap();
    let deb = import_jsonl(&app, &debtags, 500).await.unwrap();

    assert_eq!(
        first.topics
            + first
                .skipped
                .get("item with an invalid title")
                .unwrap_or(&0),
        lines(&se)
    );
    assert_eq!(again.topics, first.topics);
    assert_eq!(
        deb.topics + deb.skipped.get("item with an invalid title").unwrap_or(&0),
        lines(&debtags)
    );
    assert!(
        deb.tags_renamed > 0,
        "debtags such as role::program are renamed: {deb}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM topics").await as u64,
        first.topics + deb.topics
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM tags WHERE name = 'role-program'")
            .await,
        1
    );
    assert_consistent(&app).await;
}
