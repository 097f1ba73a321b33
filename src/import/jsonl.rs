//! `threadwise import jsonl FILE`: one item per line, as in `shared/data` —
//! `{"id", "title", "body", "tags", "score", "created_at", "answer_count", "view_count", "site",
//! "url", "author_name", "author_url", "license"}`; all but the first four may be null or absent.
//! Bodies are plain text (rendered as Markdown); items carry no answers.
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::Deserialize;

use super::text;
use super::{Batcher, ImportError, ImportOptions, ImportSummary, Record, normalise_tags};
use crate::db::Conn;
use crate::db::import::{PostRow, TopicRow, UserRow};
use crate::domain::{TopicTitle, license::ContentLicense, markdown, strip_control};

#[derive(Debug, Deserialize)]
struct Item {
    id: serde_json::Value,
    title: String,
    body: String,
    tags: Vec<String>,
    score: Option<i64>,
    created_at: Option<String>,
    answer_count: Option<i64>,
    view_count: Option<i64>,
    site: Option<String>,
    url: Option<String>,
    author_name: Option<String>,
    author_url: Option<String>,
    license: Option<String>,
}

pub async fn import(
    conn: &mut Conn<'_>,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportSummary, ImportError> {
    let file = File::open(path).map_err(|e| ImportError::io(path, e))?;
    options
        .progress
        .set_length(file.metadata().map(|m| m.len()).unwrap_or(0));
    let path = path.to_owned();
    super::run(conn, options, move |batcher| {
        read_file(&path, file, batcher)
    })
    .await
}

fn read_file(path: &Path, file: File, batcher: &mut Batcher) -> Result<u64, ImportError> {
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let mut line = String::new();
    let (mut number, mut position) = (0u64, 0u64);
    loop {
        line.clear();
        number += 1;
        let bad = |message: String| ImportError::BadLine {
            path: path.to_owned(),
            line: number,
            message,
        };
        let read = reader.read_line(&mut line).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidData => bad("not valid UTF-8".into()),
            _ => ImportError::io(path, e),
        })?;
        if read == 0 {
            return Ok(position);
        }
        position += read as u64;
        if line.trim().is_empty() {
            continue;
        }
        let item: Item = serde_json::from_str(&line).map_err(|e| {
            let hint = if line.ends_with('\n') {
                ""
            } else {
                " (the last line has no newline: is the file truncated?)"
            };
            // serde_json counts lines inside the item; the line of the file is ours.
            let what = e.to_string();
            let what = what.split(" at line ").next().unwrap_or(&what).to_owned();
            bad(format!(
                "not a valid item (column {}): {what}{hint}",
                e.column()
            ))
        })?;
        if !batcher.push_row(records(item), position) {
            return Ok(position);
        }
    }
}

/// `https://host/<segment>/<number>…` → (host, number).
fn numbered_link<'a>(url: &'a str, segment: &str) -> Option<(&'a str, &'a str)> {
    let rest = url
        .strip_prefix("https://")
        .or(url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    let number = path.strip_prefix(segment)?.strip_prefix('/')?;
    let number = &number[..number.find('/').unwrap_or(number.len())];
    number
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then_some((host, number))
}

/// Only web links are kept: a `javascript:` URL must never reach an `href`.
fn web_link(url: Option<String>) -> Option<String> {
    url.filter(|u| u.starts_with("https://") || u.starts_with("http://"))
}

fn records(mut item: Item) -> Vec<Record> {
    item.url = web_link(item.url.take());
    item.author_url = web_link(item.author_url.take());
    let id = match &item.id {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let url = item.url.as_deref().unwrap_or("");
    let site = item
        .site
        .clone()
        .or_else(|| numbered_link(url, "questions").map(|(host, _)| host.to_owned()))
        .unwrap_or_else(|| "jsonl".into());
    // A Stack Exchange question gets the key its dump import would give it: the same question is
    // one topic whichever way it arrived.
    let key = match numbered_link(url, "questions") {
        Some((host, n)) => format!("{host}:{n}"),
        None => format!("jsonl:{id}"),
    };
    let created_at = item
        .created_at
        .as_deref()
        .and_then(text::parse_time)
        .unwrap_or_else(crate::domain::now);
    let author = author(&site, &item, created_at);
    let Ok(title) = TopicTitle::parse(&item.title) else {
        return vec![Record::Skip("item with an invalid title".into())];
    };
    let mut records = vec![];
    let tags = normalise_tags(item.tags.iter().map(String::as_str), &mut records);
    let license = match item.license.as_deref() {
        Some(name) => {
            Some(ContentLicense::parse(name).map_or(name.to_owned(), |l| l.name().into()))
        }
        None if numbered_link(url, "questions").is_some() => {
            Some(ContentLicense::for_date(created_at).name().to_owned())
        }
        None => None,
    };
    let body = strip_control(&item.body.replace("\r\n", "\n"));
    // The same bound as the forum's own posts: a body that nests too deeply would stall the
    // import for seconds in the renderer; it is skipped and counted instead.
    let Ok(body_html) = markdown::render(&body) else {
        return vec![Record::Skip(format!(
            "item whose body nests deeper than {} levels",
            markdown::MAX_NESTING
        ))];
    };
    let post = PostRow {
        key: key.clone(),
        topic_key: key.clone(),
        author_key: author.key.clone(),
        is_first: true,
        body_text: crate::domain::searchable_text(&body, &body_html).map(Into::into),
        body_html: body_html.into(),
        body_md: body.into(),
        created_at,
        edited_at: None,
        score: item.score.unwrap_or(0),
    };
    let topic = TopicRow {
        key,
        title: title.as_str().to_owned(),
        author_key: author.key.clone(),
        created_at,
        activity_at: created_at,
        view_count: item.view_count.unwrap_or(0),
        score: item.score.unwrap_or(0),
        answer_count: item.answer_count,
        url: item.url.clone(),
        license,
    };
    records.push(Record::Author(author));
    records.push(Record::Topic {
        topic,
        first_post: post,
        tags,
    });
    records
}

fn author(site: &str, item: &Item, created_at: i64) -> UserRow {
    let name = item.author_name.as_deref().filter(|n| !n.trim().is_empty());
    let profile = item.author_url.as_deref();
    let (key, id) = match profile.and_then(|u| numbered_link(u, "users")) {
        Some((host, n)) => (format!("{host}:u:{n}"), n.to_owned()),
        None => match name {
            Some(name) => (format!("{site}:name:{name}"), "0".to_owned()),
            None => (format!("{site}:anonymous"), "0".to_owned()),
        },
    };
    let name = name.map_or_else(
        || match id.as_str() {
            "0" => "anonymous".to_owned(),
            id => format!("user{id}"),
        },
        str::to_owned,
    );
    UserRow {
        usernames: text::usernames(&name, &id, &key),
        key,
        name,
        profile_url: profile.map(str::to_owned),
        created_at,
    }
}
