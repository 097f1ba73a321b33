//! Importing communities: Stack Exchange data dumps and JSON Lines files.
//!
//! A reader thread parses and sanitises the source into batches while the caller's task writes the
//! previous batch, each in its own transaction: a batch is all or nothing, and since every row is
//! upserted by its source key, re-running an import (complete or interrupted) updates what is there
//! and adds what is missing. The channel between the two holds two batches, so memory stays flat
//! whatever the file size.
use crate::db::Conn;
pub mod jsonl;
pub mod stackexchange;
mod text;
mod xml;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use tokio::sync::mpsc;

use crate::db::{
    self, import::PostRow, import::TopicRow, import::TopicStats, import::TopicTagRow,
    import::UserRow, import::Write,
};

/// Why an import stopped. Everything committed before stays, consistent, and a re-run resumes.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: malformed XML at line {line} (byte {byte}): {message}", path.display())]
    Malformed {
        path: PathBuf,
        line: u64,
        byte: u64,
        message: String,
    },
    #[error(
        "{}: the file ends at line {line} (byte {byte}) before <{element}> is closed: it looks truncated",
        path.display()
    )]
    Truncated {
        path: PathBuf,
        line: u64,
        byte: u64,
        element: String,
    },
    #[error("{}:{line}: {message}", path.display())]
    BadLine {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{}: not a Stack Exchange dump directory (no Posts.xml in it)", path.display())]
    NotADump { path: PathBuf },
    #[error("database error while importing: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the import reader stopped unexpectedly")]
    ReaderLost,
}

impl ImportError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Rows per transaction unless told otherwise. Large: each commit rewrites every index page the
/// batch touched and flushes a search-index segment, so 20,000 rows cost the writer ~15 % less CPU
/// than 5,000 (200k generated posts: 12.3 s against 14.6 s); with up to three batches in flight the
/// import's peak memory grows from ~360 MB to ~450 MB.
pub const DEFAULT_BATCH_ROWS: usize = 20_000;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Rows per transaction.
    pub batch_size: usize,
    /// Drawn on stderr by the CLI; hidden in tests.
    pub progress: ProgressBar,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            batch_size: DEFAULT_BATCH_ROWS,
            progress: ProgressBar::hidden(),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// Source rows read (users and posts).
    pub rows: u64,
    pub topics: u64,
    pub replies: u64,
    /// Users from the users file, new or updated.
    pub users: u64,
    /// Users created from a post's owner (no users file, or a deleted account).
    pub authors_created: u64,
    pub tags_created: u64,
    pub tags_assigned: u64,
    /// Source tags that were not valid names here and were renamed.
    pub tags_renamed: u64,
    /// Topics whose accepted answer (Stack Exchange `AcceptedAnswerId`) was set or changed.
    pub answers_accepted: u64,
    /// Rows not imported, by reason.
    pub skipped: BTreeMap<String, u64>,
    pub elapsed: Duration,
}

impl ImportSummary {
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Posts (topics and replies) written per second.
    pub fn posts_per_second(&self) -> f64 {
        (self.topics + self.replies) as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn skip(&mut self, reason: impl Into<String>, n: u64) {
        if n > 0 {
            *self.skipped.entry(reason.into()).or_default() += n;
        }
    }
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "imported {} topics, {} replies, {} users (+{} from post owners), {} new tags ({} tag uses, {} renamed) \
             from {} rows in {:.1}s ({:.0} posts/s)",
            self.topics,
            self.replies,
            self.users,
            self.authors_created,
            self.tags_created,
            self.tags_assigned,
            self.tags_renamed,
            self.rows,
            self.elapsed.as_secs_f64(),
            self.posts_per_second()
        )?;
        writeln!(f, "accepted answers set: {}", self.answers_accepted)?;
        write!(f, "skipped {}", self.skipped_total())?;
        for (reason, n) in &self.skipped {
            write!(f, "\n  {n:>8}  {reason}")?;
        }
        Ok(())
    }
}

/// Normalises a post's raw tag names, in order and without repeats, recording renamed and skipped
/// ones for the summary. Both import formats share it.
fn normalise_tags<'a>(
    raw: impl IntoIterator<Item = &'a str>,
    records: &mut Vec<Record>,
) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for raw in raw {
        let tag = match text::normalise_tag(raw) {
            text::TagOutcome::Kept(tag) => tag,
            text::TagOutcome::Renamed(tag) => {
                records.push(Record::RenamedTag);
                tag
            }
            text::TagOutcome::Skipped => {
                records.push(Record::Skip("tag that cannot be made a valid name".into()));
                continue;
            }
        };
        if !tags.iter().any(|t| t == tag.as_str()) {
            tags.push(tag.as_str().to_owned());
        }
    }
    tags
}

/// A source row, converted.
#[derive(Debug)]
enum Record {
    /// From a users file: created or refreshed.
    User(UserRow),
    /// The owner of a post: created only if no user has that key yet.
    Author(UserRow),
    Topic {
        topic: TopicRow,
        first_post: PostRow,
        tags: Vec<String>,
    },
    Reply(PostRow),
    /// A question's accepted answer, by source keys: the answer may come later in the dump (or
    /// not at all), so these are resolved once every batch is in.
    Accepted {
        topic_key: String,
        post_key: String,
    },
    Skip(String),
    /// A source tag renamed to a valid name.
    RenamedTag,
}

/// Rows for one transaction, plus where the reader was.
#[derive(Debug, Default)]
struct Batch {
    users: Vec<UserRow>,
    authors: Vec<UserRow>,
    topics: Vec<TopicRow>,
    first_posts: Vec<PostRow>,
    tags: Vec<(usize, String)>,
    replies: Vec<PostRow>,
    /// (topic key, post key) of accepted answers.
    accepted: Vec<(String, String)>,
    skipped: BTreeMap<String, u64>,
    renamed_tags: u64,
    rows: u64,
    /// Bytes of the source read when the batch was cut.
    position: u64,
}

impl Batch {
    fn push(&mut self, record: Record) {
        match record {
            Record::User(user) => self.users.push(user),
            Record::Author(user) => self.authors.push(user),
            Record::Topic {
                topic,
                first_post,
                tags,
            } => {
                let i = self.topics.len();
                self.tags.extend(tags.into_iter().map(|t| (i, t)));
                self.topics.push(topic);
                self.first_posts.push(first_post);
            }
            Record::Reply(post) => self.replies.push(post),
            Record::Accepted {
                topic_key,
                post_key,
            } => self.accepted.push((topic_key, post_key)),
            Record::Skip(reason) => *self.skipped.entry(reason).or_default() += 1,
            Record::RenamedTag => self.renamed_tags += 1,
        }
    }

    fn len(&self) -> usize {
        self.users.len() + self.topics.len() + self.replies.len()
    }

    fn topic_keys(&self) -> Vec<&str> {
        self.topics.iter().map(|t| t.key.as_str()).collect()
    }

    /// Each topic's statistics from its posts in this batch, which are all its posts when the
    /// topic is new (see `db::import::refresh_topic_stats` for the same in SQL).
    fn topic_stats(&self) -> Vec<TopicStats> {
        let index: HashMap<&str, usize> = self
            .topics
            .iter()
            .enumerate()
            .map(|(i, topic)| (topic.key.as_str(), i))
            .collect();
        let mut stats: Vec<TopicStats> = self
            .topics
            .iter()
            .zip(&self.first_posts)
            .map(|(topic, first)| TopicStats {
                reply_count: 0,
                last_posted_at: topic.activity_at.max(first.created_at),
                first_response_at: None,
            })
            .collect();
        for reply in &self.replies {
            let Some(&i) = index.get(reply.topic_key.as_str()) else {
                continue;
            };
            let topic = &mut stats[i];
            topic.reply_count += 1;
            topic.last_posted_at = topic.last_posted_at.max(reply.created_at);
            if reply.author_key != self.topics[i].author_key {
                topic.first_response_at = Some(
                    topic
                        .first_response_at
                        .map_or(reply.created_at, |t| t.min(reply.created_at)),
                );
            }
        }
        stats
    }
}

/// Sends batches from a record reader (run on a blocking thread) to the writer.
struct Batcher {
    batch: Batch,
    size: usize,
    tx: mpsc::Sender<Result<Batch, ImportError>>,
    /// Source keys of the users already sent: a post's owner needs sending only once per import
    /// (batches are written in order, and a failed one ends the import).
    sent_users: HashSet<String>,
}

impl Batcher {
    /// Adds the records made from one source row; returns false when the writer has gone away (it
    /// failed), so reading stops.
    fn push_row(&mut self, records: impl IntoIterator<Item = Record>, position: u64) -> bool {
        self.batch.rows += 1;
        for record in records {
            match &record {
                Record::User(user) => {
                    self.sent_users.insert(user.key.clone());
                }
                Record::Author(user) if !self.sent_users.insert(user.key.clone()) => continue,
                _ => {}
            }
            self.batch.push(record);
        }
        if self.batch.len() >= self.size {
            return self.flush(position);
        }
        true
    }

    fn flush(&mut self, position: u64) -> bool {
        let mut batch = std::mem::take(&mut self.batch);
        batch.position = position;
        self.tx.blocking_send(Ok(batch)).is_ok()
    }

    /// Ends the stream; an error drops the unfinished batch, so it is all or nothing too.
    fn finish(mut self, result: Result<u64, ImportError>) {
        match result {
            Ok(position) => {
                self.flush(position);
            }
            Err(e) => {
                let _ = self.tx.blocking_send(Err(e));
            }
        }
    }
}

/// Writes a batch whose topics and posts are all new, with the per-row triggers suspended (see
/// `db::bulk_load`); an existing topic or post key fails it with a unique violation.
async fn write_new_rows(conn: &mut Conn<'_>, batch: &Batch) -> sqlx::Result<Written> {
    let mut tx = crate::db::begin_write_on(conn).await?;
    let suspended = db::bulk_load::suspend_triggers(&mut tx).await?;
    let last_ids = db::bulk_load::last_ids(&mut tx).await?;
    // New topics go in with their statistics, counted from the batch: updating them afterwards
    // moved each topic in three of its indexes (4.5 s of a million-post import).
    let stats = batch.topic_stats();
    let written = write_common(&mut tx, batch, Some(&stats), Write::New).await?;
    if written.replies < batch.replies.len() as u64 {
        // A reply was left out (see `write_batch`): count from what was written.
        db::import::refresh_topic_stats(&mut tx, &written.batch_topic_ids).await?;
    }
    db::bulk_load::refresh_statistics(
        &mut tx,
        [
            written.topics,
            written.tags_assigned,
            written.first_posts + written.replies,
        ],
    )
    .await?;
    db::bulk_load::index_new_rows(&mut tx, last_ids).await?;
    db::bulk_load::restore_triggers(&mut tx, suspended).await?;
    // Topics of earlier batches that got answers here, with the triggers back.
    let new_topics: HashSet<&str> = batch.topic_keys().into_iter().collect();
    let mut answered: Vec<i64> = batch
        .replies
        .iter()
        .filter(|reply| !new_topics.contains(reply.topic_key.as_str()))
        .filter_map(|reply| written.topic_ids.get(reply.topic_key.as_str()).copied())
        .collect();
    answered.sort_unstable();
    answered.dedup();
    db::import::refresh_topic_stats(&mut tx, &answered).await?;
    tx.commit().await?;
    Ok(written)
}

/// Writes any batch: upserts, with the triggers in place.
async fn write_rows(conn: &mut Conn<'_>, batch: &Batch) -> sqlx::Result<Written> {
    let mut tx = crate::db::begin_write_on(conn).await?;
    let new_topics = db::import::missing_topic_keys(&mut tx, &batch.topic_keys()).await?;
    let written = write_common(&mut tx, batch, None, Write::Upsert).await?;
    // The batch's topics and those its replies answer.
    let mut touched: Vec<i64> = written.topic_ids.values().copied().collect();
    touched.sort_unstable();
    db::import::refresh_topic_stats(&mut tx, &touched).await?;
    db::import::show_topics(&mut tx, &new_topics).await?;
    tx.commit().await?;
    Ok(written)
}

/// Users, topics, posts and author tags, as `mode` says; new topics get `stats` when given.
async fn write_common(
    conn: &mut Conn<'_>,
    batch: &Batch,
    stats: Option<&[TopicStats]>,
    mode: Write,
) -> sqlx::Result<Written> {
    db::import::upsert_users(conn, &batch.users, true).await?;
    let authors_created = db::import::upsert_users(conn, &batch.authors, false).await?;
    // Each author and topic is looked up once for the batch, not once per row that refers to it.
    let authors = db::import::user_ids(
        conn,
        &distinct(
            batch
                .topics
                .iter()
                .map(|t| t.author_key.as_str())
                .chain(batch.replies.iter().map(|r| r.author_key.as_str())),
        ),
    )
    .await?;
    let topics = db::import::write_topics(conn, &batch.topics, &authors, stats, mode).await?;
    let topic_ids = db::import::topic_ids(
        conn,
        &distinct(
            batch
                .topics
                .iter()
                .map(|t| t.key.as_str())
                .chain(batch.replies.iter().map(|r| r.topic_key.as_str())),
        ),
    )
    .await?;
    let first_posts =
        db::import::write_posts(conn, &batch.first_posts, &topic_ids, &authors, mode).await?;
    let replies = db::import::write_posts(conn, &batch.replies, &topic_ids, &authors, mode).await?;
    let tag_rows: Vec<TopicTagRow<'_>> = batch
        .tags
        .iter()
        .filter_map(|(i, tag)| {
            let topic = &batch.topics[*i];
            Some(TopicTagRow {
                topic_id: *topic_ids.get(topic.key.as_str())?,
                tag,
                created_at: topic.created_at,
            })
        })
        .collect();
    let batch_topic_ids: Vec<i64> = batch
        .topics
        .iter()
        .filter_map(|t| topic_ids.get(t.key.as_str()).copied())
        .collect();
    let now = crate::domain::now();
    let (tags_created, tags_assigned) =
        db::import::set_author_tags(conn, &batch_topic_ids, &tag_rows, mode, now).await?;
    Ok(Written {
        authors_created,
        topics,
        first_posts,
        replies,
        tags_created,
        tags_assigned,
        topic_ids,
        batch_topic_ids,
    })
}

/// The items in order, each once.
fn distinct<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut items: Vec<&str> = items.collect();
    items.sort_unstable();
    items.dedup();
    items
}

/// Runs `read` on a blocking thread, feeding a `Batcher`, and writes its batches on `conn`.
async fn run<F>(
    conn: &mut Conn<'_>,
    options: &ImportOptions,
    read: F,
) -> Result<ImportSummary, ImportError>
where
    F: FnOnce(&mut Batcher) -> Result<u64, ImportError> + Send + 'static,
{
    let started = Instant::now();
    let (tx, mut rx) = mpsc::channel(2);
    let size = options.batch_size.max(1);
    let reader = tokio::task::spawn_blocking(move || {
        let mut batcher = Batcher {
            batch: Batch::default(),
            size,
            tx,
            sent_users: HashSet::new(),
        };
        let result = read(&mut batcher);
        batcher.finish(result);
    });
    let mut summary = ImportSummary::default();
    let mut accepted: Vec<(String, String)> = Vec::new();
    db::import::import_mode(conn, true).await?;
    let written = async {
        while let Some(batch) = rx.recv().await {
            let mut batch = batch?;
            write_batch(conn, &batch, &mut summary).await?;
            accepted.append(&mut batch.accepted);
            options.progress.set_position(batch.position);
            // Freeing a batch's ~100,000 strings took a tenth of this task's time, which the
            // writer waits on; another thread does it.
            tokio::task::spawn_blocking(move || drop(batch));
            let rate = summary.rows as f64 / started.elapsed().as_secs_f64().max(1e-3);
            options
                .progress
                .set_message(format!("{} rows, {rate:.0} rows/s", summary.rows));
        }
        Ok::<_, ImportError>(())
    }
    .await;
    drop(rx);
    let joined = reader.await;
    // The counters of every committed batch, whether the import ran to the end or stopped.
    let counted = db::bulk_load::count_pending(conn).await;
    db::import::import_mode(conn, false).await?;
    written?;
    counted?;
    joined.map_err(|_| ImportError::ReaderLost)?;
    summary.answers_accepted = set_accepted_answers(conn, &accepted).await?;
    // Imported topics are usually older than the hot window, but a fresh dump's are not.
    let mut tx = crate::db::begin_write_on(conn).await?;
    db::topics::refresh_recent_ranks(&mut tx, crate::domain::now()).await?;
    tx.commit().await?;
    summary.elapsed = started.elapsed();
    options.progress.finish_and_clear();
    Ok(summary)
}

/// Accepted answers per transaction when they are set at the end of an import.
const ACCEPTED_PER_TRANSACTION: usize = 5_000;

/// Sets the accepted answers the dump named, now that every post is in, a bounded number per
/// write transaction. Returns how many topics changed.
async fn set_accepted_answers(
    conn: &mut Conn<'_>,
    accepted: &[(String, String)],
) -> sqlx::Result<u64> {
    let mut changed = 0;
    for chunk in accepted.chunks(ACCEPTED_PER_TRANSACTION) {
        let mut tx = crate::db::begin_write_on(conn).await?;
        changed += db::answers::set_imported(&mut tx, chunk).await?;
        tx.commit().await?;
    }
    Ok(changed)
}

/// What writing one batch did.
struct Written {
    authors_created: u64,
    topics: u64,
    first_posts: u64,
    replies: u64,
    tags_created: u64,
    tags_assigned: u64,
    /// Ids of the batch's topics and of the topics its replies answer (those that exist).
    topic_ids: db::import::Ids,
    /// Ids of the batch's own topics (those that exist after writing), in batch order.
    batch_topic_ids: Vec<i64>,
}

async fn write_batch(
    conn: &mut Conn<'_>,
    batch: &Batch,
    summary: &mut ImportSummary,
) -> Result<(), ImportError> {
    // A first import (or the part of a dump past an interrupted one) is all new rows, written with
    // the per-row triggers suspended and indexed set-based. A batch with a topic or post that is
    // already there fails that attempt on its unique key (rolled back, nothing kept) and is
    // written again with upserts and the triggers, which know how to take out old values.
    let mut attempts = 0;
    let written = loop {
        attempts += 1;
        let written = match write_new_rows(conn, batch).await {
            // On PostgreSQL suspending a trigger needs the table's owner; a user with only
            // the rights to write rows imports through the triggers instead.
            Err(e)
                if e.as_database_error()
                    .is_some_and(|e| e.is_unique_violation())
                    || db::sqlstate::is(&e, db::sqlstate::INSUFFICIENT_PRIVILEGE) =>
            {
                write_rows(conn, batch).await
            }
            written => written,
        };
        match written {
            // PostgreSQL's table locks: a member's post, taking its tables' locks in another order
            // than the batch, may deadlock with it; the server cancels one of the two, and the
            // batch (rolled back whole) is written again.
            Err(e) if db::sqlstate::is(&e, db::sqlstate::DEADLOCK_DETECTED) && attempts < 5 => {
                tracing::warn!(
                    attempts,
                    "import batch deadlocked with another writer; retrying"
                );
            }
            written => break written?,
        }
    };
    summary.rows += batch.rows;
    summary.users += batch.users.len() as u64;
    summary.authors_created += written.authors_created;
    summary.topics += written.topics;
    summary.replies += written.replies;
    summary.tags_created += written.tags_created;
    summary.tags_assigned += written.tags_assigned;
    summary.tags_renamed += batch.renamed_tags;
    for (reason, n) in &batch.skipped {
        summary.skip(reason.clone(), *n);
    }
    // Rows the joins left out: an answer whose question was removed from the dump, or (should an
    // author be missing) a question.
    summary.skip(
        "answer to a question that is not in the import",
        (batch.replies.len() as u64).saturating_sub(written.replies),
    );
    summary.skip(
        "question whose author could not be stored",
        (batch.topics.len() as u64).saturating_sub(written.topics.min(written.first_posts)),
    );
    Ok(())
}
