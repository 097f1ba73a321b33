//! `threadwise import stackexchange DIR`: one site of a Stack Exchange data dump. `Users.xml` is read
//! first when present, then `Posts.xml`: questions become topics, answers replies, owners users.
use std::path::{Path, PathBuf};

use super::text;
use super::xml::{Row, XmlRows};
use super::{Batcher, ImportError, ImportOptions, ImportSummary, Record, normalise_tags};
use crate::db::Conn;
use crate::db::import::{PostRow, TopicRow, UserRow};
use crate::domain::{TopicTitle, license::ContentLicense, markdown, strip_control};

const USER_ATTRS: &[&str] = &["Id", "DisplayName", "CreationDate"];
const POST_ATTRS: &[&str] = &[
    "Id",
    "PostTypeId",
    "ParentId",
    "CreationDate",
    "Score",
    "ViewCount",
    "Body",
    "OwnerUserId",
    "OwnerDisplayName",
    "LastEditDate",
    "LastActivityDate",
    "Title",
    "Tags",
    "AnswerCount",
    "AcceptedAnswerId",
    "ContentLicense",
];

/// Imports the dump in `dir`. `site` (e.g. `ai.stackexchange.com`) names the source in keys and
/// links; by default it is the directory's name, as in the dumps' own archive names.
pub async fn import(
    conn: &mut Conn<'_>,
    dir: &Path,
    site: Option<&str>,
    options: &ImportOptions,
) -> Result<ImportSummary, ImportError> {
    let posts = dir.join("Posts.xml");
    if !posts.is_file() {
        return Err(ImportError::NotADump {
            path: dir.to_owned(),
        });
    }
    let users = Some(dir.join("Users.xml")).filter(|p| p.is_file());
    let site = match site {
        Some(site) => site.to_owned(),
        None => site_of(dir)?,
    };
    let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    options
        .progress
        .set_length(size(&posts) + users.as_deref().map_or(0, size));
    super::run(conn, options, move |batcher| {
        read_site(&site, users, &posts, batcher)
    })
    .await
}

/// A question of a dump as the importer reads it, with the creation times of its answers: for
/// offline measurements of the forum's rankings on real histories (`examples/attention_eval.rs`
/// replays the needs-attention list), without a database.
#[derive(Debug, Clone)]
pub struct DumpQuestion {
    /// `site:id`, as in the imported topic's key.
    pub key: String,
    pub title: String,
    /// The body as the forum would store it (plain text of the sanitised HTML).
    pub body: String,
    /// The sanitised HTML, for features such as code blocks.
    pub body_html: String,
    pub tags: Vec<String>,
    pub created_at: i64,
    pub score: i64,
    /// The dump's final view count (views at an earlier moment are not in the dump).
    pub view_count: i64,
    /// The asker's user key (`site:u:id`, or a placeholder for deleted accounts).
    pub author_key: String,
    /// When each answer was posted, earliest first.
    pub answered_at: Vec<i64>,
}

/// Every question in the dump in `dir` with its answers' times, oldest question first. Rows the
/// importer would skip are skipped here too; answers to questions not in the dump are dropped.
pub fn read_questions(dir: &Path, site: Option<&str>) -> Result<Vec<DumpQuestion>, ImportError> {
    let posts = dir.join("Posts.xml");
    if !posts.is_file() {
        return Err(ImportError::NotADump {
            path: dir.to_owned(),
        });
    }
    let site = match site {
        Some(site) => site.to_owned(),
        None => site_of(dir)?,
    };
    let mut questions = Vec::new();
    let mut answers: std::collections::HashMap<String, Vec<i64>> = std::collections::HashMap::new();
    let mut rows = XmlRows::open(&posts, POST_ATTRS)?;
    while let Some(row) = rows.next_row()? {
        for record in post_records(&site, &row) {
            match record {
                Record::Topic {
                    topic,
                    first_post,
                    tags,
                } => questions.push(DumpQuestion {
                    key: topic.key,
                    title: topic.title,
                    body: first_post.body_md.to_string(),
                    body_html: first_post.body_html.to_string(),
                    tags,
                    created_at: topic.created_at,
                    score: topic.score,
                    view_count: topic.view_count,
                    author_key: topic.author_key,
                    answered_at: Vec::new(),
                }),
                Record::Reply(post) => answers
                    .entry(post.topic_key)
                    .or_default()
                    .push(post.created_at),
                _ => {}
            }
        }
    }
    for q in &mut questions {
        if let Some(mut times) = answers.remove(&q.key) {
            times.sort_unstable();
            q.answered_at = times;
        }
    }
    questions.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.key.cmp(&b.key)));
    Ok(questions)
}

fn site_of(dir: &Path) -> Result<String, ImportError> {
    let dir = dir.canonicalize().map_err(|e| ImportError::io(dir, e))?;
    Ok(dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "stackexchange".into()))
}

/// Returns how many bytes were read, for the final progress position.
fn read_site(
    site: &str,
    users: Option<PathBuf>,
    posts: &Path,
    batcher: &mut Batcher,
) -> Result<u64, ImportError> {
    let mut offset = 0;
    if let Some(path) = users {
        let mut rows = XmlRows::open(&path, USER_ATTRS)?;
        while let Some(row) = rows.next_row()? {
            if !batcher.push_row([user_record(site, &row)], rows.position()) {
                return Ok(rows.position());
            }
        }
        offset = rows.position();
    }
    let mut rows = XmlRows::open(posts, POST_ATTRS)?;
    while let Some(row) = rows.next_row()? {
        if !batcher.push_row(post_records(site, &row), offset + rows.position()) {
            break;
        }
    }
    Ok(offset + rows.position())
}

fn user_record(site: &str, row: &Row) -> Record {
    let Some(id) = row.get("Id").filter(|id| id.parse::<i64>().is_ok()) else {
        return Record::Skip("user row without a numeric Id".into());
    };
    let name = row
        .get("DisplayName")
        .filter(|n| !n.trim().is_empty())
        .map_or_else(|| format!("user{id}"), str::to_owned);
    let key = format!("{site}:u:{id}");
    Record::User(UserRow {
        usernames: text::usernames(&name, id, &key),
        key,
        name,
        profile_url: Some(format!("https://{site}/users/{id}")),
        created_at: row
            .get("CreationDate")
            .and_then(text::parse_time)
            .unwrap_or_else(crate::domain::now),
    })
}

/// The user a post belongs to: its owner's account, else the name it was posted under (a deleted
/// account), else one placeholder per site.
fn owner(site: &str, row: &Row, created_at: i64) -> UserRow {
    let display = row.get("OwnerDisplayName").filter(|n| !n.trim().is_empty());
    let (key, id, name, profile_url) = match row.get("OwnerUserId") {
        Some(id) if id.parse::<i64>().is_ok() => (
            format!("{site}:u:{id}"),
            id.to_owned(),
            display.map_or_else(|| format!("user{id}"), str::to_owned),
            Some(format!("https://{site}/users/{id}")),
        ),
        _ => match display {
            Some(name) => (format!("{site}:name:{name}"), "0".into(), name.into(), None),
            None => (
                format!("{site}:anonymous"),
                "0".into(),
                "anonymous".into(),
                None,
            ),
        },
    };
    UserRow {
        usernames: text::usernames(&name, &id, &key),
        key,
        name,
        profile_url,
        created_at,
    }
}

fn post_records(site: &str, row: &Row) -> Vec<Record> {
    let skip = |reason: &str| vec![Record::Skip(reason.into())];
    let Some(id) = row.get("Id").and_then(|id| id.parse::<i64>().ok()) else {
        return skip("post row without a numeric Id");
    };
    let kind = row.get("PostTypeId").unwrap_or("");
    if !matches!(kind, "1" | "2") {
        return skip(&format!(
            "not a question or answer (PostTypeId {kind}: {})",
            post_type_name(kind)
        ));
    }
    let Some(created_at) = row.get("CreationDate").and_then(text::parse_time) else {
        return skip("post with a missing or invalid CreationDate");
    };
    let int = |name: &str| row.get(name).and_then(|v| v.parse::<i64>().ok());
    let author = owner(site, row, created_at);
    let Ok(body_html) = markdown::sanitize_html(row.get("Body").unwrap_or("")) else {
        return skip(&format!(
            "post whose HTML nests deeper than {} levels",
            markdown::MAX_HTML_NESTING
        ));
    };
    let post = PostRow {
        key: format!("{site}:{id}"),
        topic_key: format!("{site}:{id}"),
        author_key: author.key.clone(),
        is_first: kind == "1",
        // The text is the body's source here: nothing more for search to keep.
        body_md: strip_control(&text::html_to_text(&body_html)).into(),
        body_html: body_html.into(),
        body_text: None,
        created_at,
        edited_at: row.get("LastEditDate").and_then(text::parse_time),
        score: int("Score").unwrap_or(0),
    };
    let mut records = vec![Record::Author(author)];
    if kind == "2" {
        let Some(parent) = int("ParentId") else {
            return skip("answer without a ParentId");
        };
        records.push(Record::Reply(PostRow {
            topic_key: format!("{site}:{parent}"),
            ..post
        }));
        return records;
    }
    let Ok(title) = TopicTitle::parse(row.get("Title").unwrap_or("")) else {
        return skip("question with a missing or invalid title");
    };
    let tags = normalise_tags(
        text::split_tags(row.get("Tags").unwrap_or("")),
        &mut records,
    );
    // The dump's own licence when it says (newer dumps do, per post), else the one of the date.
    let license = row
        .get("ContentLicense")
        .and_then(ContentLicense::parse)
        .unwrap_or_else(|| ContentLicense::for_date(created_at));
    let topic = TopicRow {
        key: post.key.clone(),
        title: title.as_str().to_owned(),
        author_key: post.author_key.clone(),
        created_at,
        activity_at: row
            .get("LastActivityDate")
            .and_then(text::parse_time)
            .unwrap_or(created_at),
        view_count: int("ViewCount").unwrap_or(0),
        score: post.score,
        answer_count: int("AnswerCount"),
        url: Some(format!("https://{site}/questions/{id}")),
        license: Some(license.name().to_owned()),
    };
    if let Some(answer) = int("AcceptedAnswerId") {
        records.push(Record::Accepted {
            topic_key: post.key.clone(),
            post_key: format!("{site}:{answer}"),
        });
    }
    records.push(Record::Topic {
        topic,
        first_post: post,
        tags,
    });
    records
}

fn post_type_name(kind: &str) -> &'static str {
    match kind {
        "3" => "orphaned tag wiki",
        "4" => "tag wiki excerpt",
        "5" => "tag wiki",
        "6" => "moderator nomination",
        "7" => "wiki placeholder",
        "8" => "privilege wiki",
        _ => "unknown type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_questions_attaches_answer_times_and_orders_by_creation() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("example.stackexchange.com");
        std::fs::create_dir(&site).unwrap();
        let rows = [
            r#"<row Id="5" PostTypeId="1" CreationDate="2020-01-02T00:00:00.000" Score="1" ViewCount="9" Body="&lt;p&gt;Later &lt;code&gt;x&lt;/code&gt;&lt;/p&gt;" OwnerUserId="7" Title="Second question" Tags="&lt;a&gt;&lt;b&gt;" AnswerCount="0" />"#,
            r#"<row Id="3" PostTypeId="1" CreationDate="2020-01-01T00:00:00.000" Score="0" ViewCount="4" Body="&lt;p&gt;First&lt;/p&gt;" OwnerUserId="7" Title="First question" Tags="&lt;a&gt;" AnswerCount="2" />"#,
            r#"<row Id="8" PostTypeId="2" ParentId="3" CreationDate="2020-01-03T00:00:00.000" Score="0" Body="&lt;p&gt;late&lt;/p&gt;" OwnerUserId="9" />"#,
            r#"<row Id="6" PostTypeId="2" ParentId="3" CreationDate="2020-01-01T01:00:00.000" Score="0" Body="&lt;p&gt;quick&lt;/p&gt;" OwnerUserId="9" />"#,
            r#"<row Id="9" PostTypeId="2" ParentId="404" CreationDate="2020-01-01T01:00:00.000" Score="0" Body="&lt;p&gt;orphan&lt;/p&gt;" OwnerUserId="9" />"#,
        ];
        std::fs::write(
            site.join("Posts.xml"),
            format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<posts>\n{}\n</posts>\n",
                rows.join("\n")
            ),
        )
        .unwrap();
        let questions = read_questions(&site, None).unwrap();
        let keys: Vec<&str> = questions.iter().map(|q| q.key.as_str()).collect();
        assert_eq!(
            keys,
            ["example.stackexchange.com:3", "example.stackexchange.com:5"]
        );
        let first = &questions[0];
        assert_eq!(first.title, "First question");
        assert_eq!(first.body.trim(), "First");
        assert_eq!(first.author_key, "example.stackexchange.com:u:7");
        // 2020-01-01 01:00 and 2020-01-03 00:00 UTC, earliest first.
        assert_eq!(first.answered_at, [1_577_840_400, 1_578_009_600]);
        assert_eq!(questions[1].tags, ["a", "b"]);
        assert!(questions[1].answered_at.is_empty());
        assert!(questions[1].body_html.contains("<code>"));
        assert!(matches!(
            read_questions(dir.path(), None),
            Err(ImportError::NotADump { .. })
        ));
    }
}
