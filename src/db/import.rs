//! Upserts for imported communities, keyed by each row's `source_key` (see migration 0003).
//!
//! Rows go in as multi-row statements with every value bound as a parameter, up to a thousand rows
//! per statement: one round trip to SQLite's thread per thousand rows, and no JSON for SQLite to
//! parse (an earlier version passed each batch as one JSON array, and re-parsing every row's
//! kilobyte of body for each `->>` field cost more than the inserts themselves).
//!
//! Every write here is `OR FAIL`: a failing statement stops where it is instead of undoing its own
//! rows, which spares SQLite a statement journal (a copy of each page the statement changes, ~20 %
//! of a big insert's time in the sqlite3 shell); an import rolls back the whole batch on any error.
use std::collections::HashMap;
use std::sync::Arc;

use sqlx::QueryBuilder;
use sqlx::query_builder::Separated;

use crate::db::copy_text::{CopyRows, EncodeError};
use crate::db::{Conn, Engine, on, sql};

/// Rows per statement. Few, large statements matter beyond round trips: the search index flushes
/// its pending terms at the end of every statement that writes posts. With at most thirteen values a
/// row, a statement stays well below SQLite's 32,766 bound values.
const ROWS_PER_STATEMENT: usize = 1000;

/// A user as the source knows them.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub key: String,
    /// Local usernames to try in order (the first is the display name made valid).
    pub usernames: Vec<String>,
    pub name: String,
    pub profile_url: Option<String>,
    pub created_at: i64,
}

/// A question or other opening post's topic.
#[derive(Debug, Clone)]
pub struct TopicRow {
    pub key: String,
    pub title: String,
    pub author_key: String,
    pub created_at: i64,
    /// The source's last activity; replies can only move it later.
    pub activity_at: i64,
    pub view_count: i64,
    pub score: i64,
    pub answer_count: Option<i64>,
    pub url: Option<String>,
    pub license: Option<String>,
}

/// An opening post (same key as its topic) or a reply.
#[derive(Debug, Clone)]
pub struct PostRow {
    pub key: String,
    pub topic_key: String,
    pub author_key: String,
    pub is_first: bool,
    /// Shared, not copied, when bound: a batch's bodies are most of its bytes.
    pub body_md: Arc<str>,
    pub body_html: Arc<str>,
    /// The rendered text where `body_md` is Markdown (see `posts.body_text`).
    pub body_text: Option<Arc<str>>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub score: i64,
}

/// One author tag of a topic.
#[derive(Debug, Clone)]
pub struct TopicTagRow<'a> {
    pub topic_id: i64,
    pub tag: &'a str,
    pub created_at: i64,
}

/// Runs `head VALUES (…), (…) tail` for each chunk of `rows`, binding each row with `bind`, and
/// returns the rows affected. Full chunks share one SQL text and stay prepared (preparing an insert
/// also compiles the table's triggers, which for topics and tags are long); the shorter last chunk
/// of a batch is prepared for one use only, so odd sizes don't fill the statement cache.
///
/// The next chunk's statement is built (its text and its bound values) while SQLite's thread runs
/// the current one, instead of between the writer's statements: the task that builds them used
/// ~10 s of CPU in a million-post import.
/// The rows a statement changed, on either engine.
trait RowsAffected {
    fn rows(&self) -> u64;
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

async fn execute_values<C, T>(
    conn: &mut C,
    head: &str,
    tail: &str,
    rows: &[T],
    mut bind: impl FnMut(&mut Separated<'_, C::Database, &'static str>, &T),
) -> sqlx::Result<u64>
where
    C: sqlx::Connection,
    C::Database: sqlx::database::HasStatementCache,
    <C::Database as sqlx::Database>::Arguments: sqlx::IntoArguments<C::Database>,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = C::Database>,
    <C::Database as sqlx::Database>::QueryResult: RowsAffected,
{
    let mut build = |chunk: &[T]| {
        let mut query = QueryBuilder::<C::Database>::new(head);
        query.push_values(chunk, |mut row, value| bind(&mut row, value));
        query.push(tail);
        (query, chunk.len() == ROWS_PER_STATEMENT)
    };
    let mut chunks = rows.chunks(ROWS_PER_STATEMENT);
    let mut next = chunks.next().map(&mut build);
    let mut affected = 0;
    while let Some((mut query, full)) = next.take() {
        // `biased`: the statement goes to SQLite's thread first, then the next one is built.
        let (done, following) = tokio::join!(
            biased;
            query.build().persistent(full).execute(&mut *conn),
            async { chunks.next().map(&mut build) },
        );
        affected += done?.rows();
        next = following;
    }
    Ok(affected)
}

/// Imports users: with `refresh`, those imported before get their current name and profile link;
/// the others are created. Returns how many were created. Imported users have no password: they
/// cannot log in until they reset it.
pub async fn upsert_users(
    conn: &mut Conn<'_>,
    users: &[UserRow],
    refresh: bool,
) -> sqlx::Result<u64> {
    on!(conn, pg, {
        if users.is_empty() {
            return Ok(0);
        }
        if refresh {
            execute_values(
                conn,
                sql!(pg, "UPDATE " {sqlite: "OR FAIL "} "users SET source_name = v.column2, source_url = v.column3 FROM ("),
                ") AS v WHERE users.source_key = v.column1",
                users,
                |row, user| {
                    row.push_bind(user.key.as_str())
                        .push_bind(user.name.as_str())
                        .push_bind(user.profile_url.as_deref());
                },
            )
            .await?;
        }
        let keys: Vec<&str> = users.iter().map(|u| u.key.as_str()).collect();
        let missing = missing_user_keys(conn, &keys).await?;
        if missing.is_empty() {
            return Ok(0);
        }
        let mut waiting: Vec<&UserRow> = users
            .iter()
            .filter(|u| missing.binary_search(&u.key).is_ok())
            .collect();
        // Everyone under their first choice of username in one statement, then those whose name was
        // taken (or whose key repeats in the batch) under their second choice, and so on: a few
        // statements per batch however many names collide.
        let mut created = 0;
        let choices = waiting.iter().map(|u| u.usernames.len()).max().unwrap_or(0);
        for choice in 0..choices {
            waiting.retain(|u| choice < u.usernames.len());
            created += execute_values(
                conn,
                sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO users (username, email, password_hash, role, created_at,
                                            source_key, source_name, source_url) "),
                " ON CONFLICT DO NOTHING",
                &waiting,
                |row, user| {
                    row.push_bind(user.usernames[choice].as_str())
                        .push_bind(imported_email(&user.key))
                        .push("NULL")
                        .push("'member'")
                        .push_bind(user.created_at)
                        .push_bind(user.key.as_str())
                        .push_bind(user.name.as_str())
                        .push_bind(user.profile_url.as_deref());
                },
            )
            .await?;
            let keys: Vec<&str> = waiting.iter().map(|u| u.key.as_str()).collect();
            let still_missing = missing_user_keys(conn, &keys).await?;
            waiting.retain(|u| still_missing.binary_search(&u.key).is_ok());
            if waiting.is_empty() {
                return Ok(created);
            }
        }
        // Every choice taken: the last is derived from the source key, so this takes a clash with a
        // local account named like an imported one's hash.
        let usernames = waiting.iter().flat_map(|u| u.usernames.last()).cloned();
        Err(sqlx::Error::Protocol(format!(
            "no free username for imported users: tried {}",
            usernames.collect::<Vec<_>>().join(", ")
        )))
    })
}

/// `.invalid` never delivers (RFC 2606); the hash keeps addresses unique per source key.
fn imported_email(key: &str) -> String {
    use sha2::{Digest, Sha256};
    format!(
        "imported-{}@import.invalid",
        hex::encode(&Sha256::digest(key.as_bytes())[..8])
    )
}

/// Local ids by source key.
pub type Ids = HashMap<String, i64>;

/// The ids of the users with these source keys (keys no user has are left out).
pub async fn user_ids(conn: &mut Conn<'_>, keys: &[&str]) -> sqlx::Result<Ids> {
    on!(conn, {
        ids(
            conn,
            keys,
            ") AS v CROSS JOIN users x ON x.source_key = v.column1",
        )
        .await
    })
}

/// The ids of the topics with these source keys (keys no topic has are left out).
pub async fn topic_ids(conn: &mut Conn<'_>, keys: &[&str]) -> sqlx::Result<Ids> {
    on!(conn, {
        ids(
            conn,
            keys,
            ") AS v CROSS JOIN topics x ON x.source_key = v.column1",
        )
        .await
    })
}

/// `SELECT v.column1, x.id FROM (VALUES (key), …` + `join` (which names the table `x`). The joins
/// are written `CROSS JOIN`: in SQLite that keeps the keys as the outer loop, so each lookup goes
/// through the key index.
async fn ids(conn: &mut Conn<'_>, keys: &[&str], join: &'static str) -> sqlx::Result<Ids> {
    on!(conn, pg, {
        // PostgreSQL has no CROSS JOIN … ON; its planner orders the join itself.
        let join = if pg {
            join.replacen(" CROSS JOIN ", " JOIN ", 1)
        } else {
            join.to_string()
        };
        let mut ids = Ids::with_capacity(keys.len());
        for chunk in keys.chunks(ROWS_PER_STATEMENT) {
            let mut query = QueryBuilder::new("SELECT v.column1, x.id FROM (");
            query.push_values(chunk, |mut row, key| {
                row.push_bind(*key);
            });
            query.push(&join);
            let rows: Vec<(String, i64)> = query
                .build_query_as()
                .persistent(chunk.len() == ROWS_PER_STATEMENT)
                .fetch_all(&mut *conn)
                .await?;
            ids.extend(rows);
        }
        Ok(ids)
    })
}

/// The keys of `keys` that no user has yet, sorted and without repeats.
pub async fn missing_user_keys(conn: &mut Conn<'_>, keys: &[&str]) -> sqlx::Result<Vec<String>> {
    on!(conn, { Ok(not_in(keys, &user_ids(conn, keys).await?)) })
}

/// The keys of `keys` that no topic has yet, sorted and without repeats.
pub async fn missing_topic_keys(conn: &mut Conn<'_>, keys: &[&str]) -> sqlx::Result<Vec<String>> {
    on!(conn, { Ok(not_in(keys, &topic_ids(conn, keys).await?)) })
}

/// The keys of `keys` that `found` lacks, sorted and without repeats.
fn not_in(keys: &[&str], found: &Ids) -> Vec<String> {
    let mut missing: Vec<String> = keys
        .iter()
        .filter(|key| !found.contains_key(**key))
        .map(|key| key.to_string())
        .collect();
    missing.sort_unstable();
    missing.dedup();
    missing
}

/// How a batch writes its topics and posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// Every row is new and the caller suspended the triggers (`bulk_load`): plain inserts, new
    /// topics visible at once. A key that exists fails the statement with a unique violation.
    New,
    /// Rows may exist: upserts. New topics go in hidden, and `show_topics` shows them once their
    /// tags and replies are in, in the same transaction (nobody else ever sees them hidden). The
    /// dashboards' roll-up triggers skip hidden topics, so each new topic is counted once, when
    /// shown, instead of being taken out and put back for each of its tags and for its first
    /// answer. Topics imported before keep their visibility (a moderator may have hidden one).
    Upsert,
}

impl Write {
    /// The statement's end: nothing for new rows, else `on_conflict`.
    fn or_update(self, on_conflict: &'static str) -> &'static str {
        match self {
            Write::New => "",
            Write::Upsert => on_conflict,
        }
    }
}

/// What the forum keeps denormalised on a topic from its posts (see [`refresh_topic_stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicStats {
    pub reply_count: i64,
    pub last_posted_at: i64,
    /// The first reply by someone other than the author.
    pub first_response_at: Option<i64>,
}

/// The columns an imported topic is written with, by insert or by COPY, in the order both bind.
macro_rules! topic_columns {
    () => {
        "source_key, title, author_id, created_at, last_posted_at, view_count, score,
         source_answer_count, source_url, source_license, hidden, reply_count, first_response_at"
    };
}

/// The columns an imported post is written with (see `topic_columns`).
macro_rules! post_columns {
    () => {
        "source_key, topic_id, author_id, is_first, body_md, body_html, body_text, created_at,
         edited_at, score, source_score"
    };
}

/// Writes topics; rows whose author is not in `authors` are left out (the caller counts them).
/// Returns how many rows were written. `stats` (one per topic) are written with new rows when
/// the caller knows them; otherwise a topic starts with no replies and [`refresh_topic_stats`]
/// counts them.
pub async fn write_topics(
    conn: &mut Conn<'_>,
    topics: &[TopicRow],
    authors: &Ids,
    stats: Option<&[TopicStats]>,
    mode: Write,
) -> sqlx::Result<u64> {
    let rows: Vec<(&TopicRow, i64, TopicStats)> = topics
        .iter()
        .enumerate()
        .filter_map(|(i, topic)| {
            let author = *authors.get(topic.author_key.as_str())?;
            let stats = match stats {
                Some(stats) => stats[i],
                None => TopicStats {
                    reply_count: 0,
                    last_posted_at: topic.activity_at,
                    first_response_at: None,
                },
            };
            Some((topic, author, stats))
        })
        .collect();
    if let (Write::New, Engine::Postgres(conn)) = (mode, conn.engine()) {
        return copy_topics(conn, &rows).await;
    }
    on!(conn, pg, {
        let tail = mode.or_update(
            " ON CONFLICT (source_key) DO UPDATE SET
                 title = excluded.title, author_id = excluded.author_id,
                 created_at = excluded.created_at, last_posted_at = excluded.last_posted_at,
                 -- Local page views add to the imported count; never go back below them.
                 view_count = MAX(topics.view_count, excluded.view_count),
                 -- The imported score plus the local votes on the opening post (migration 0016).
                 score = excluded.score
                     + (SELECT COALESCE(SUM(v.value), 0) FROM posts p JOIN votes v ON v.post_id = p.id
                        WHERE p.topic_id = topics.id AND p.is_first = 1),
                 source_answer_count = excluded.source_answer_count,
                 source_url = excluded.source_url, source_license = excluded.source_license",
        );
        execute_values(
            conn,
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO topics (" topic_columns!() ") "),
            tail,
            &rows,
            |row, (topic, author, stats)| {
                row.push_bind(topic.key.as_str())
                    .push_bind(topic.title.as_str())
                    .push_bind(*author)
                    .push_bind(topic.created_at)
                    .push_bind(stats.last_posted_at)
                    .push_bind(topic.view_count)
                    .push_bind(topic.score)
                    .push_bind(topic.answer_count)
                    .push_bind(topic.url.as_deref())
                    .push_bind(topic.license.as_deref())
                    .push_bind(i64::from(mode == Write::Upsert))
                    .push_bind(stats.reply_count)
                    .push_bind(stats.first_response_at);
            },
        )
        .await
    })
}

/// Shows the topics that `write_topics` created hidden.
pub async fn show_topics(conn: &mut Conn<'_>, keys: &[String]) -> sqlx::Result<()> {
    on!(conn, pg, {
        execute_values(
            conn,
            sql!(pg, "UPDATE " {sqlite: "OR FAIL "} "topics SET hidden = 0 WHERE source_key IN (SELECT column1 FROM ("),
            ") AS v)",
            keys,
            |row, key| {
                row.push_bind(key.as_str());
            },
        )
        .await?;
        Ok(())
    })
}

/// Writes posts; rows whose topic or author is not in `topics` / `authors` are left out (the
/// caller counts them). Returns how many rows were written. The ids come looked up once per batch
/// (a key per topic and per author, not per post): joining each post on both source keys cost a
/// quarter of the insert.
pub async fn write_posts(
    conn: &mut Conn<'_>,
    posts: &[PostRow],
    topics: &Ids,
    authors: &Ids,
    mode: Write,
) -> sqlx::Result<u64> {
    let rows: Vec<(&PostRow, i64, i64)> = posts
        .iter()
        .filter_map(|post| {
            let topic = *topics.get(post.topic_key.as_str())?;
            let author = *authors.get(post.author_key.as_str())?;
            Some((post, topic, author))
        })
        .collect();
    if let (Write::New, Engine::Postgres(conn)) = (mode, conn.engine()) {
        return copy_posts(conn, &rows).await;
    }
    on!(conn, pg, {
        let tail = mode.or_update(
            " ON CONFLICT (source_key) DO UPDATE SET
                 topic_id = excluded.topic_id, author_id = excluded.author_id,
                 is_first = excluded.is_first, body_md = excluded.body_md,
                 body_html = excluded.body_html, body_text = excluded.body_text,
                 created_at = excluded.created_at,
                 edited_at = excluded.edited_at, source_score = excluded.source_score,
                 score = excluded.source_score
                     + (SELECT COALESCE(SUM(value), 0) FROM votes WHERE post_id = posts.id)",
        );
        execute_values(
            conn,
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO posts (" post_columns!() ") "),
            tail,
            &rows,
            |row, (post, topic, author)| {
                row.push_bind(post.key.as_str())
                    .push_bind(*topic)
                    .push_bind(*author)
                    .push_bind(i64::from(post.is_first))
                    .push_bind(Arc::clone(&post.body_md))
                    .push_bind(Arc::clone(&post.body_html))
                    .push_bind(post.body_text.clone())
                    .push_bind(post.created_at)
                    .push_bind(post.edited_at)
                    .push_bind(post.score)
                    .push_bind(post.score);
            },
        )
        .await
    })
}

/// COPY data sent per message: large enough that PostgreSQL parses rows, not messages, small
/// enough that a batch of long posts is not held twice in memory.
const COPY_SEND_BYTES: usize = 1 << 20;

/// New topics through `COPY` (PostgreSQL, [`Write::New`]): one statement for the batch, parsed
/// row by row without planning or per-row parameters. Same columns and values as the insert.
async fn copy_topics(
    conn: &mut sqlx::PgConnection,
    rows: &[(&TopicRow, i64, TopicStats)],
) -> sqlx::Result<u64> {
    copy_in(
        conn,
        concat!("COPY topics (", topic_columns!(), ") FROM STDIN"),
        rows,
        |out, (topic, author, stats)| {
            out.text(&topic.key)?
                .text(&topic.title)?
                .int(*author)
                .int(topic.created_at)
                .int(stats.last_posted_at)
                .int(topic.view_count)
                .int(topic.score)
                .opt_int(topic.answer_count)
                .opt_text(topic.url.as_deref())?
                .opt_text(topic.license.as_deref())?
                .int(0)
                .int(stats.reply_count)
                .opt_int(stats.first_response_at);
            Ok(())
        },
    )
    .await
}

/// New posts through `COPY` (see [`copy_topics`]).
async fn copy_posts(
    conn: &mut sqlx::PgConnection,
    rows: &[(&PostRow, i64, i64)],
) -> sqlx::Result<u64> {
    copy_in(
        conn,
        concat!("COPY posts (", post_columns!(), ") FROM STDIN"),
        rows,
        |out, (post, topic, author)| {
            out.text(&post.key)?
                .int(*topic)
                .int(*author)
                .int(i64::from(post.is_first))
                .text(&post.body_md)?
                .text(&post.body_html)?
                .opt_text(post.body_text.as_deref())?
                .int(post.created_at)
                .opt_int(post.edited_at)
                .int(post.score)
                .int(post.score);
            Ok(())
        },
    )
    .await
}

/// Runs `statement` (a `COPY … FROM STDIN` in text format) with `rows`, each written by `encode`;
/// returns the rows stored. A row PostgreSQL refuses (a key that exists) fails the whole COPY.
async fn copy_in<T>(
    conn: &mut sqlx::PgConnection,
    statement: &str,
    rows: &[T],
    mut encode: impl FnMut(&mut CopyRows, &T) -> Result<(), EncodeError>,
) -> sqlx::Result<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let mut copy = conn.copy_in_raw(statement).await?;
    let mut out = CopyRows::with_capacity(COPY_SEND_BYTES + COPY_SEND_BYTES / 4);
    for row in rows {
        if let Err(e) = encode(&mut out, row) {
            // Ends the COPY on the server; the caller rolls the batch back.
            let _ = copy.abort(e.to_string()).await;
            return Err(sqlx::Error::Encode(Box::new(e)));
        }
        out.end_row();
        if out.bytes().len() >= COPY_SEND_BYTES {
            copy.send(out.bytes()).await?;
            out.clear();
        }
    }
    if !out.bytes().is_empty() {
        copy.send(out.bytes()).await?;
    }
    copy.finish().await
}

/// Sets the author tags of the given topics to exactly `tags` (creating tag names on first use).
/// Model suggestions are kept, and one that matches an author tag becomes that active author tag.
/// Returns (new tag names, tag rows written).
pub async fn set_author_tags(
    conn: &mut Conn<'_>,
    topic_ids: &[i64],
    tags: &[TopicTagRow<'_>],
    mode: Write,
    now: i64,
) -> sqlx::Result<(u64, u64)> {
    on!(conn, pg, {
        let mut names: Vec<&str> = tags.iter().map(|t| t.tag).collect();
        names.sort_unstable();
        names.dedup();
        let created = execute_values(
            conn,
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO tags (name, created_at) "),
            " ON CONFLICT (name) DO NOTHING",
            &names,
            |row, name| {
                row.push_bind(*name).push_bind(now);
            },
        )
        .await?;
        // New topics have no tags to replace.
        let replaced = if mode == Write::New {
            &[][..]
        } else {
            topic_ids
        };
        execute_values(
            conn,
            "DELETE FROM topic_tags WHERE source = 'author' AND topic_id IN
                 (SELECT column1 FROM (",
            ") AS v)",
            replaced,
            |row, id| {
                row.push_bind(*id);
            },
        )
        .await?;
        let tag_ids = ids(
            conn,
            &names,
            ") AS v CROSS JOIN tags x ON x.name = v.column1",
        )
        .await?;
        let rows: Vec<(&TopicTagRow<'_>, i64)> = tags
            .iter()
            .filter_map(|tag| Some((tag, *tag_ids.get(tag.tag)?)))
            .collect();
        let written = execute_values(
            conn,
            sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO topic_tags (topic_id, tag_id, source, status, created_at) "),
            " ON CONFLICT (topic_id, tag_id) DO UPDATE SET
                 source = CASE WHEN topic_tags.status = 'active' THEN topic_tags.source ELSE 'author' END,
                 status = 'active'",
            &rows,
            |row, (tag, tag_id)| {
                row.push_bind(tag.topic_id)
                    .push_bind(*tag_id)
                    .push("'author'")
                    .push("'active'")
                    .push_bind(tag.created_at);
            },
        )
        .await?;
        Ok((created, written))
    })
}

/// Recomputes what the forum keeps denormalised on a topic from its imported posts: the reply
/// count, the last post time and the first response by someone other than the author.
pub async fn refresh_topic_stats(conn: &mut Conn<'_>, topic_ids: &[i64]) -> sqlx::Result<()> {
    on!(conn, pg, {
        execute_values(
            conn,
            sql!(pg, "UPDATE " {sqlite: "OR FAIL "} "topics SET
                 reply_count = (SELECT COUNT(*) FROM posts p
                                WHERE p.topic_id = topics.id AND p.is_first = 0),
                 last_posted_at = MAX(last_posted_at,
                                      COALESCE((SELECT MAX(p.created_at) FROM posts p
                                                WHERE p.topic_id = topics.id), 0)),
                 first_response_at = (SELECT MIN(p.created_at) FROM posts p
                                      WHERE p.topic_id = topics.id AND p.is_first = 0
                                        AND p.author_id <> topics.author_id)
             WHERE id IN (SELECT column1 FROM ("),
            ") AS v)",
            topic_ids,
            |row, id| {
                row.push_bind(*id);
            },
        )
        .await?;
        Ok(())
    })
}

/// Page cache for an import, in KiB: a big forum's indexes and search pages stop fitting in the
/// default 32 MB, and every batch then reads them again.
const IMPORT_CACHE_KIB: i64 = 256 * 1024;
/// WAL pages between checkpoints during an import (the default is 1,000): each checkpoint copies
/// the pages that nearly every batch touches (indexes, search segments) into the database again.
const IMPORT_CHECKPOINT_PAGES: i64 = 32_768;

/// Search-index terms held in memory before they are written out as a new segment (the FTS5
/// default is 1 MB): a batch's posts then make one segment instead of several, and fewer segments
/// mean less merging. On 300k generated posts this and the merge width below took indexing from
/// 32 to 21 µs of CPU per post; queries were no slower.
const IMPORT_SEARCH_HASH_BYTES: i64 = 64 << 20;
/// Segments of one size the search index merges at once (the default is 4).
const IMPORT_SEARCH_AUTOMERGE: i64 = 8;
/// FTS5's own defaults, which the search index has outside imports.
const SEARCH_HASH_BYTES: i64 = 1 << 20;
const SEARCH_AUTOMERGE: i64 = 4;

/// Switches this connection to the settings for a long import, or back to the usual ones.
/// Durability is the same either way: only the memory used, the checkpoint interval and how the
/// search index batches its writes change.
///
/// Foreign keys are not checked while importing: every reference the importer writes comes from
/// a join with the row it references (`CROSS JOIN users u ON u.source_key = …`), so the checks
/// could never fail, and they cost a tenth of each insert; the importer deletes nothing that
/// cascades.
pub async fn import_mode(conn: &mut Conn<'_>, on: bool) -> sqlx::Result<()> {
    // SQLite's own settings; PostgreSQL has nothing to switch.
    let Engine::Sqlite(conn) = conn.engine() else {
        return Ok(());
    };
    {
        let (foreign_keys, cache_kib, checkpoint_pages, search_hash_bytes, search_automerge) = if on
        {
            (
                "OFF",
                IMPORT_CACHE_KIB,
                IMPORT_CHECKPOINT_PAGES,
                IMPORT_SEARCH_HASH_BYTES,
                IMPORT_SEARCH_AUTOMERGE,
            )
        } else {
            (
                "ON",
                super::CACHE_KIB,
                1000,
                SEARCH_HASH_BYTES,
                SEARCH_AUTOMERGE,
            )
        };
        // PRAGMAs take no bound parameters; these are values of our own, safe to format in.
        for pragma in [
            format!("PRAGMA foreign_keys = {foreign_keys}"),
            format!("PRAGMA cache_size = -{cache_kib}"),
            format!("PRAGMA wal_autocheckpoint = {checkpoint_pages}"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(pragma))
                .execute(&mut *conn)
                .await?;
        }
        for (option, value) in [
            ("hashsize", search_hash_bytes),
            ("automerge", search_automerge),
        ] {
            sqlx::query("INSERT INTO search_index (search_index, rank) VALUES ($1, $2)")
                .bind(option)
                .bind(value)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}
