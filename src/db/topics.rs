use crate::db::{Conn, on, sql};

use super::tags::{self, TagViewer, TopicTag};
use crate::domain::{TopicTitle, ranking};

macro_rules! summary_columns {
    () => {
        "t.id, t.title, t.author_id, u.username AS author_name, t.created_at, t.last_posted_at, t.reply_count,
         t.view_count, t.score, t.pinned, t.locked, t.hot_rank,
         t.accepted_post_id IS NOT NULL AS answered"
    };
}

/// One topic with its author's name, for the topic page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Topic {
    pub id: i64,
    pub title: String,
    pub author_id: i64,
    pub author_name: String,
    pub created_at: i64,
    pub last_posted_at: i64,
    pub reply_count: i64,
    pub view_count: i64,
    pub score: i64,
    #[sqlx(try_from = "crate::db::Flag")]
    pub locked: bool,
    #[sqlx(try_from = "crate::db::Flag")]
    pub pinned: bool,
    #[sqlx(try_from = "crate::db::Flag")]
    pub hidden: bool,
    pub first_response_at: Option<i64>,
    pub predicted_quality: Option<f64>,
    /// The reply accepted as the answer (migration 0014).
    pub accepted_post_id: Option<i64>,
    /// Attribution of an imported topic (migration 0003); all `None` for local ones.
    pub source_url: Option<String>,
    pub source_author_name: Option<String>,
    pub source_author_url: Option<String>,
    pub source_license: Option<String>,
}

impl Topic {
    /// The licence deed to link to, when the licence is one we know.
    pub fn source_license_url(&self) -> Option<&'static str> {
        let license = self.source_license.as_deref()?;
        crate::domain::license::ContentLicense::parse(license).map(|l| l.url())
    }
}

/// A row of a topic list.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TopicSummary {
    pub id: i64,
    pub title: String,
    /// Whose suggestions these are (see `TagViewer`).
    #[serde(skip)]
    pub author_id: i64,
    pub author_name: String,
    pub created_at: i64,
    pub last_posted_at: i64,
    pub reply_count: i64,
    pub view_count: i64,
    pub score: i64,
    #[sqlx(try_from = "crate::db::Flag")]
    pub pinned: bool,
    #[sqlx(try_from = "crate::db::Flag")]
    pub locked: bool,
    /// Whether a reply is accepted as the answer.
    #[sqlx(try_from = "crate::db::Flag")]
    pub answered: bool,
    /// For the hot list's cursors only.
    #[serde(skip)]
    pub hot_rank: f64,
}

/// A list row with its tags (active and suggested, until [`TopicListItem::for_viewer`]).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TopicListItem {
    #[serde(flatten)]
    pub topic: TopicSummary,
    pub tags: Vec<TopicTag>,
}

impl TopicListItem {
    /// The rows as `viewer` may see them: suggestions only on the topics they decide on.
    pub fn for_viewer(mut items: Vec<Self>, viewer: TagViewer) -> Vec<Self> {
        for item in &mut items {
            viewer.filter(item.topic.author_id, &mut item.tags);
        }
        items
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    Latest,
    Hot,
    /// Highest score among topics created since the given time.
    Top {
        since: i64,
    },
}

pub async fn insert(
    conn: &mut Conn<'_>,
    title: &TopicTitle,
    author_id: i64,
    now: i64,
) -> sqlx::Result<i64> {
    on!(conn, {
        let hot = ranking::hot(0, 0, now, now);
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO topics (title, author_id, created_at, last_posted_at, hot_rank, active_rank)
             VALUES ($1, $2, $3, $3, $4, $4) RETURNING id",
        )
        .bind(title.as_str())
        .bind(author_id)
        .bind(now)
        .bind(hot)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

pub async fn get(conn: &mut Conn<'_>, id: i64) -> sqlx::Result<Option<Topic>> {
    on!(conn, {
        sqlx::query_as::<_, Topic>(
            "SELECT t.id, t.title, t.author_id, u.username AS author_name, t.created_at,
                    t.last_posted_at, t.reply_count, t.view_count, t.score, t.locked, t.pinned,
                    t.hidden, t.first_response_at, t.predicted_quality, t.accepted_post_id, t.source_url,
                    u.source_name AS source_author_name, u.source_url AS source_author_url,
                    t.source_license
             FROM topics t JOIN users u ON u.id = t.author_id
             WHERE t.id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await
    })
}

/// Visible topics in the given order, optionally of one tag, optionally only the answered
/// (`Some(true)`) or unanswered (`Some(false)`) ones: one page, read by keyset (a cursor)
/// or, for old `?page=N` links, by offset. Fetches one row more than it shows to know whether
/// another page follows in the direction read.
///
/// A tag's list holds the topics where `viewer` sees the tag: active, or suggested where the
/// viewer decides on it. The rows' tags are all of them; the caller filters them for the viewer
/// with [`TopicListItem::for_viewer`] (lists without a tag are the same for everyone, so they
/// can be shared).
pub async fn list(
    conn: &mut Conn<'_>,
    order: ListOrder,
    tag_id: Option<i64>,
    viewer: TagViewer,
    answered: Option<bool>,
    per_page: i64,
    at: PageAt,
) -> sqlx::Result<TopicPage> {
    on!(conn, pg, {
        let since = match order {
            ListOrder::Top { since } => Some(since),
            _ => None,
        };
        let sql = list_sql(pg, order, tag_id.map(|_| viewer), at);
        let member = match viewer {
            TagViewer::Member(id) => Some(id),
            TagViewer::Public | TagViewer::Moderator => None,
        };
        let (offset, cursor) = match at {
            PageAt::Offset(offset) => (offset, None),
            PageAt::After(c) | PageAt::Before(c) => (0, Some(c)),
        };
        let mut topics = sqlx::query_as::<_, TopicSummary>(sqlx::AssertSqlSafe(sql))
            .bind(per_page + 1)
            .bind(offset)
            .bind(since)
            .bind(tag_id)
            .bind(cursor.map(|c| i64::from(c.pinned)))
            .bind(cursor.map(|c| c.key))
            .bind(cursor.map(|c| c.id))
            .bind(answered)
            .bind(member)
            .fetch_all(&mut *conn)
            .await?;
        let more = topics.len() as i64 > per_page;
        topics.truncate(per_page as usize);
        let backwards = matches!(at, PageAt::Before(_));
        if backwards {
            topics.reverse();
        }
        let (has_prev, has_next) = match at {
            PageAt::Offset(offset) => (offset > 0, more),
            PageAt::After(_) => (true, more),
            PageAt::Before(_) => (more, true),
        };
        let in_tag = tag_id.is_some();
        let prev = topics
            .first()
            .filter(|_| has_prev)
            .map(|t| Cursor::of(order, in_tag, t));
        let next = topics
            .last()
            .filter(|_| has_next)
            .map(|t| Cursor::of(order, in_tag, t));
        Ok(TopicPage {
            topics: with_tags(conn, topics).await?,
            prev,
            next,
        })
    })
}

/// Where a list page starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PageAt {
    /// Skip this many rows (old `?page=N` links; the cost grows with N).
    Offset(i64),
    /// The rows after the cursor's row, in list order.
    After(Cursor),
    /// The rows before it.
    Before(Cursor),
}

/// One page of a list and the cursors of the pages around it (`None` at either end).
#[derive(Debug, Clone)]
pub struct TopicPage {
    pub topics: Vec<TopicListItem>,
    pub prev: Option<Cursor>,
    pub next: Option<Cursor>,
}

/// A row's place in a list order: (pinned, sort key, id), compared as a row value. Tag lists do
/// not float pinned topics, so their cursors carry `pinned = false`. The key is a time, a score or
/// a hot rank; integers of those sizes are exact as `f64`, and SQLite compares numerically.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cursor {
    pub pinned: bool,
    pub key: f64,
    pub id: i64,
}

impl Cursor {
    fn of(order: ListOrder, in_tag: bool, t: &TopicSummary) -> Self {
        let key = match order {
            ListOrder::Latest => t.last_posted_at as f64,
            ListOrder::Hot => t.hot_rank,
            ListOrder::Top { .. } => t.score as f64,
        };
        let pinned = t.pinned && !in_tag && !matches!(order, ListOrder::Top { .. });
        Self {
            pinned,
            key,
            id: t.id,
        }
    }

    /// The cursor as it appears in `?after=` / `?before=`: `pinned_key_id`.
    pub fn encode(&self) -> String {
        format!("{}_{}_{}", u8::from(self.pinned), self.key, self.id)
    }

    /// Reads a cursor written by [`Cursor::encode`]; anything else is `None`.
    pub fn decode(text: &str) -> Option<Self> {
        let mut parts = text.splitn(3, '_');
        let pinned = match parts.next()? {
            "0" => false,
            "1" => true,
            _ => return None,
        };
        let key: f64 = parts.next()?.parse().ok().filter(|k: &f64| k.is_finite())?;
        let id = parts.next()?.parse().ok()?;
        Some(Self { pinned, key, id })
    }
}

/// Parameters: $1 limit, $2 offset, $3 created-since (NULL but for Top), $4 tag id (tag lists),
/// $5, $6, $7 the cursor's pinned, key and id (keyset pages), $8 answered (NULL: every topic),
/// $9 the member whose own topics' suggestions count (tag lists of `TagViewer::Member`). The SQL
/// is put together from the constant fragments below only.
fn list_sql(pg: bool, order: ListOrder, tag_viewer: Option<TagViewer>, at: PageAt) -> String {
    let (from, filter, pinned, key, id) = if let Some(viewer) = tag_viewer {
        let key = match order {
            ListOrder::Latest => "tt.t_last_posted_at",
            ListOrder::Hot => "tt.t_hot_rank",
            ListOrder::Top { .. } => "tt.t_score",
        };
        // Each status condition matches a partial index's word for word: `status = 'active'`
        // those of migration 0016 (what nearly every reader walks), the `IN` those of 0013.
        let statuses = match viewer {
            TagViewer::Public => "tt.status = 'active'",
            TagViewer::Moderator => "tt.status IN ('active', 'suggested')",
            TagViewer::Member(_) => {
                "tt.status IN ('active', 'suggested') AND (tt.status = 'active' OR t.author_id = $9)"
            }
        };
        (
            "topic_tags tt JOIN topics t ON t.id = tt.topic_id JOIN users u ON u.id = t.author_id",
            format!(
                "tt.tag_id = $4 AND {statuses} AND tt.t_hidden = 0
                 AND ($3 IS NULL OR tt.t_created_at >= $3)
                 AND ($8 IS NULL OR (t.accepted_post_id IS NOT NULL) = $8)"
            ),
            None,
            key,
            "tt.topic_id",
        )
    } else {
        // The hints name the index whose order the list reads. SQLite 3.51 (the bundled one)
        // otherwise takes the other list's index for the keyset's row-value bound, using only
        // `pinned < ?` of it, and sorts every topic: a cursor page of 100k topics took 90-140 ms
        // instead of 1 ms. Top reads by score and skips the topics older than its period
        // (migration 0018): 1-6 ms, where a range on the creation time sorted a month's
        // topics (90 ms).
        let (pinned, key, from) = match order {
            ListOrder::Latest => (
                Some("t.pinned"),
                "t.last_posted_at",
                sql!(pg, "topics t " {sqlite: "INDEXED BY topics_latest "} "JOIN users u ON u.id = t.author_id"),
            ),
            ListOrder::Hot => (
                Some("t.pinned"),
                "t.hot_rank",
                sql!(pg, "topics t " {sqlite: "INDEXED BY topics_hot "} "JOIN users u ON u.id = t.author_id"),
            ),
            ListOrder::Top { .. } => (
                None,
                "t.score",
                sql!(pg, "topics t " {sqlite: "INDEXED BY topics_score "} "JOIN users u ON u.id = t.author_id"),
            ),
        };
        (
            from,
            "t.hidden = 0 AND ($3 IS NULL OR t.created_at >= $3)
             AND ($8 IS NULL OR (t.accepted_post_id IS NOT NULL) = $8)"
                .to_owned(),
            pinned,
            key,
            "t.id",
        )
    };
    let (direction, compare) = match at {
        PageAt::Before(_) => ("ASC", ">"),
        PageAt::After(_) | PageAt::Offset(_) => ("DESC", "<"),
    };
    let columns = match pinned {
        Some(pinned) => vec![pinned, key, id],
        None => vec![key, id],
    };
    let order_by = columns
        .iter()
        .map(|c| format!("{c} {direction}"))
        .collect::<Vec<_>>()
        .join(", ");
    let keyset = match at {
        PageAt::Offset(_) => String::new(),
        _ => {
            let bound = if pinned.is_some() {
                "($5, $6, $7)"
            } else {
                "($6, $7)"
            };
            format!(" AND ({}) {compare} {bound}", columns.join(", "))
        }
    };
    format!(
        "SELECT {} FROM {from} WHERE {filter}{keyset} ORDER BY {order_by} LIMIT $1 OFFSET $2",
        summary_columns!()
    )
}

/// Topics started by one user, newest first: `limit` of them from `before` (the newest without
/// it), and where the next page starts when there is one. Reads the author's index in order.
pub async fn list_by_author(
    conn: &mut Conn<'_>,
    author_id: i64,
    limit: i64,
    before: Option<super::OlderThan>,
) -> sqlx::Result<(Vec<TopicListItem>, Option<super::OlderThan>)> {
    on!(conn, pg, {
        // The plain bound on the time is one the author's index seeks to (an OR of both bounds read
        // the author's rows from the newest on: 0.37 ms against 0.05 ms at a prolific member's
        // middle page); the id breaks ties within that second.
        let mut topics = sqlx::query_as::<_, TopicSummary>(sql!(pg,
            "SELECT " summary_columns!()
            " FROM topics t " {sqlite: "INDEXED BY topics_by_author "} "JOIN users u ON u.id = t.author_id
             WHERE t.author_id = $1 AND t.hidden = 0
               AND t.created_at <= coalesce($3, 9223372036854775807)
               AND ($3 IS NULL OR t.created_at < $3 OR t.id < $4)
             ORDER BY t.created_at DESC, t.id DESC LIMIT $2"
        ))
        .bind(author_id)
        .bind(limit + 1)
        .bind(before.map(|b| b.created_at))
        .bind(before.map(|b| b.id))
        .fetch_all(&mut *conn)
        .await?;
        let next = super::OlderThan::cut_page(&mut topics, limit, |t| super::OlderThan {
            created_at: t.created_at,
            id: t.id,
        });
        Ok((with_tags(conn, topics).await?, next))
    })
}

/// Attaches each topic's visible tags with one query for the whole page.
pub async fn with_tags(
    conn: &mut Conn<'_>,
    topics: Vec<TopicSummary>,
) -> sqlx::Result<Vec<TopicListItem>> {
    on!(conn, {
        let ids: Vec<i64> = topics.iter().map(|t| t.id).collect();
        let mut tags = tags::for_topics(conn, &ids).await?;
        Ok(topics
            .into_iter()
            .map(|topic| {
                let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut tags)
                    .into_iter()
                    .partition(|t| t.topic_id == topic.id);
                tags = rest;
                TopicListItem { topic, tags: mine }
            })
            .collect())
    })
}

pub async fn set_title(conn: &mut Conn<'_>, id: i64, title: &TopicTitle) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("UPDATE topics SET title = $1 WHERE id = $2")
            .bind(title.as_str())
            .bind(id)
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// Moderator switches on a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicFlag {
    Locked,
    Pinned,
    Hidden,
}

pub async fn set_flag(
    conn: &mut Conn<'_>,
    id: i64,
    flag: TopicFlag,
    on: bool,
) -> sqlx::Result<bool> {
    on!(conn, {
        let sql = match flag {
            TopicFlag::Locked => "UPDATE topics SET locked = $1 WHERE id = $2",
            TopicFlag::Pinned => "UPDATE topics SET pinned = $1 WHERE id = $2",
            TopicFlag::Hidden => "UPDATE topics SET hidden = $1 WHERE id = $2",
        };
        let done = sqlx::query(sql)
            .bind(i64::from(on))
            .bind(id)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Counts a reply: bumps the reply count and last post time, and records the first response by
/// someone other than the author (for time-to-first-response reports).
pub async fn record_reply(
    conn: &mut Conn<'_>,
    topic_id: i64,
    replier_id: i64,
    now: i64,
) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query(
            "UPDATE topics SET reply_count = reply_count + 1, last_posted_at = $1,
                    first_response_at = COALESCE(first_response_at,
                                                 CASE WHEN author_id <> $2 THEN $1 END)
             WHERE id = $3",
        )
        .bind(now)
        .bind(replier_id)
        .bind(topic_id)
        .execute(&mut *conn)
        .await?;
        refresh_rank(conn, topic_id, now).await
    })
}

/// Recomputes one topic's stored hot and active ranks.
pub async fn refresh_rank(conn: &mut Conn<'_>, topic_id: i64, now: i64) -> sqlx::Result<()> {
    on!(conn, {
        let row: Option<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT score, reply_count, created_at, last_posted_at FROM topics WHERE id = $1",
        )
        .bind(topic_id)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((score, replies, created_at, last_posted_at)) = row {
            sqlx::query("UPDATE topics SET hot_rank = $1, active_rank = $2 WHERE id = $3")
                .bind(ranking::hot(score, replies, created_at, now))
                .bind(ranking::active(score, replies, last_posted_at, now))
                .bind(topic_id)
                .execute(conn)
                .await?;
        }
        Ok(())
    })
}

/// Recomputes ranks of every topic that still has a non-zero rank or was active in the last week;
/// ranks decay with time, so the rank job calls this periodically. Returns how many were updated.
pub async fn refresh_recent_ranks(conn: &mut Conn<'_>, now: i64) -> sqlx::Result<u64> {
    on!(conn, {
        let week_ago = now - 7 * 24 * 3600;
        let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT id, score, reply_count, created_at, last_posted_at FROM topics
             WHERE last_posted_at >= $1 OR hot_rank > 0 OR active_rank > 0",
        )
        .bind(week_ago)
        .fetch_all(&mut *conn)
        .await?;
        for (id, score, replies, created_at, last_posted_at) in &rows {
            sqlx::query("UPDATE topics SET hot_rank = $1, active_rank = $2 WHERE id = $3")
                .bind(ranking::hot(*score, *replies, *created_at, now))
                .bind(ranking::active(*score, *replies, *last_posted_at, now))
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(rows.len() as u64)
    })
}

/// Adds page views counted in memory since the last flush.
pub async fn add_views(conn: &mut Conn<'_>, topic_id: i64, views: i64) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("UPDATE topics SET view_count = view_count + $1 WHERE id = $2")
            .bind(views)
            .bind(topic_id)
            .execute(conn)
            .await?;
        Ok(())
    })
}
