use crate::db::{Conn, on};

use crate::domain::{TagList, TagName};

/// Where a tag on a topic came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagSource {
    Author,
    Moderator,
    Model,
}

impl TagSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TagSource::Author => "author",
            TagSource::Moderator => "moderator",
            TagSource::Model => "model",
        }
    }
}

/// A tag as shown on a topic (never a rejected one).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TopicTag {
    #[serde(skip)]
    pub topic_id: i64,
    pub name: String,
    pub source: String,
    pub status: String,
    pub confidence: Option<f64>,
}

impl TopicTag {
    pub fn is_suggested(&self) -> bool {
        self.status == "suggested"
    }

    /// Confidence as a whole percentage, written beside suggested tags.
    pub fn confidence_percent(&self) -> i64 {
        (self.confidence.unwrap_or(0.0) * 100.0).round() as i64
    }
}

/// Who is looking at tags. A suggestion no person has checked is shown only to those who decide
/// on it, the topic's author and the moderators; everyone else sees the active tags alone, so a
/// model's guess is never published as if it were the forum's word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagViewer {
    /// Anonymous readers (and the feeds).
    Public,
    /// A signed-in member: the suggestions on their own topics.
    Member(i64),
    Moderator,
}

impl TagViewer {
    /// Whether this viewer sees the unreviewed suggestions on a topic by `author_id`.
    pub fn sees_suggestions_of(self, author_id: i64) -> bool {
        match self {
            TagViewer::Public => false,
            TagViewer::Member(id) => id == author_id,
            TagViewer::Moderator => true,
        }
    }

    /// Drops the suggestions this viewer may not see from a topic's tags.
    pub fn filter(self, author_id: i64, tags: &mut Vec<TopicTag>) {
        if !self.sees_suggestions_of(author_id) {
            tags.retain(|t| !t.is_suggested());
        }
    }
}

/// A tag with how many visible topics carry it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TagCount {
    pub id: i64,
    pub name: String,
    /// What moderators wrote (Markdown), and its rendering (migration 0016).
    pub description: String,
    pub description_html: String,
    pub topics: i64,
}

/// A row of the tag index.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TagIndexRow {
    pub name: String,
    pub description_html: String,
    /// Visible topics with the tag active.
    pub topics: i64,
    /// Of those, the ones started in the last [`RECENT_DAYS`] days.
    pub recent: i64,
    /// Matching tags in all (the same on every row; for the pager).
    #[serde(skip)]
    pub total: i64,
}

/// How the tag index is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TagOrder {
    /// Most topics started recently first, then the most topics: the tags in use now.
    #[default]
    Activity,
    Count,
    Name,
}

impl TagOrder {
    /// `?sort=activity|count|name`; anything else is activity.
    pub fn parse(sort: Option<&str>) -> Self {
        match sort {
            Some("count") => TagOrder::Count,
            Some("name") => TagOrder::Name,
            _ => TagOrder::Activity,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TagOrder::Activity => "activity",
            TagOrder::Count => "count",
            TagOrder::Name => "name",
        }
    }
}

/// "Recent" for the tag index's activity.
pub const RECENT_DAYS: i64 = 30;

/// One page of the tag index: tags whose name contains `filter` (names starting with it first),
/// in `order`. Each count is a range of one of the active-tag indexes of migration 0016, so the
/// cost is a seek per tag rather than a read of its topics; the whole index is counted and
/// sorted per call, which the page cache and its twin for members spare all but one reader.
pub async fn index(
    conn: &mut Conn<'_>,
    filter: Option<&str>,
    order: TagOrder,
    now: i64,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<TagIndexRow>> {
    on!(conn, {
        let order_by = match order {
            TagOrder::Activity => "recent DESC, topics DESC, name",
            TagOrder::Count => "topics DESC, name",
            TagOrder::Name => "name",
        };
        // The filter orders first by whether the name starts with it; `substr` rather than LIKE,
        // whose `%` and `_` a filter could contain.
        let sql = format!(
            "WITH counted AS (
                 SELECT g.name, g.description_html,
                        (SELECT COUNT(*) FROM topic_tags tt
                         WHERE tt.tag_id = g.id AND tt.status = 'active' AND tt.t_hidden = 0) AS topics,
                        (SELECT COUNT(*) FROM topic_tags tt
                         WHERE tt.tag_id = g.id AND tt.status = 'active' AND tt.t_hidden = 0
                           AND tt.t_created_at >= $2) AS recent,
                        $1 IS NOT NULL AND substr(g.name, 1, length($1)) = $1 AS prefix
                 FROM tags g
                 WHERE $1 IS NULL OR instr(g.name, $1) > 0)
             SELECT name, description_html, topics, recent, COUNT(*) OVER () AS total
             FROM counted ORDER BY prefix DESC, {order_by} LIMIT $3 OFFSET $4"
        );
        sqlx::query_as::<_, TagIndexRow>(sqlx::AssertSqlSafe(sql))
            .bind(filter)
            .bind(now - RECENT_DAYS * 86_400)
            .bind(limit)
            .bind(offset)
            .fetch_all(conn)
            .await
    })
}

/// Sets a tag's description (already parsed and rendered); `None` when there is no such tag.
pub async fn set_description(
    conn: &mut Conn<'_>,
    name: &str,
    markdown: &str,
    html: &str,
) -> sqlx::Result<Option<i64>> {
    on!(conn, {
        let row: Option<(i64,)> = sqlx::query_as(
            "UPDATE tags SET description = $2, description_html = $3 WHERE name = $1 RETURNING id",
        )
        .bind(name)
        .bind(markdown)
        .bind(html)
        .fetch_optional(conn)
        .await?;
        Ok(row.map(|(id,)| id))
    })
}

/// Returns the tag's id, creating the tag on first use.
pub async fn ensure(conn: &mut Conn<'_>, name: &TagName, now: i64) -> sqlx::Result<i64> {
    on!(conn, {
        sqlx::query(
            "INSERT INTO tags (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await?;
        let (id,): (i64,) = sqlx::query_as("SELECT id FROM tags WHERE name = $1")
            .bind(name.as_str())
            .fetch_one(conn)
            .await?;
        Ok(id)
    })
}

pub async fn id_of(conn: &mut Conn<'_>, name: &str) -> sqlx::Result<Option<i64>> {
    on!(conn, {
        let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM tags WHERE name = $1")
            .bind(name)
            .fetch_optional(conn)
            .await?;
        Ok(row.map(|(id,)| id))
    })
}

pub async fn find(conn: &mut Conn<'_>, name: &str) -> sqlx::Result<Option<TagCount>> {
    on!(conn, {
        sqlx::query_as::<_, TagCount>(
            "SELECT g.id, g.name, g.description, g.description_html,
                    (SELECT COUNT(*) FROM topic_tags tt
                     WHERE tt.tag_id = g.id AND tt.status = 'active' AND tt.t_hidden = 0) AS topics
             FROM tags g WHERE g.name = $1",
        )
        .bind(name)
        .fetch_optional(conn)
        .await
    })
}

/// Visible (active or suggested) tags of the given topics, confident and human ones first.
pub async fn for_topics(conn: &mut Conn<'_>, topic_ids: &[i64]) -> sqlx::Result<Vec<TopicTag>> {
    on!(conn, {
        if topic_ids.is_empty() {
            return Ok(Vec::new());
        }
        sqlx::query_as::<_, TopicTag>(
            "SELECT tt.topic_id, g.name, tt.source, tt.status, tt.confidence
             FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id
             WHERE tt.topic_id IN (SELECT value FROM json_each($1)) AND tt.status IN ('active', 'suggested')
             ORDER BY tt.topic_id, tt.status = 'suggested', g.name",
        )
        .bind(super::json_ids(topic_ids))
        .fetch_all(conn)
        .await
    })
}

/// Sets the human tags of a topic to exactly `tags`: new ones are added as active with `source`,
/// human tags no longer listed are removed, and model rows (suggested or rejected) are left alone
/// unless a listed tag matches one — then it becomes an active human tag.
pub async fn set_human_tags(
    conn: &mut Conn<'_>,
    topic_id: i64,
    tags: &TagList,
    source: TagSource,
    decided_by: i64,
    now: i64,
) -> sqlx::Result<()> {
    on!(conn, {
        let mut keep = Vec::with_capacity(tags.len());
        for name in tags.iter() {
            let tag_id = ensure(&mut *conn, name, now).await?;
            keep.push(tag_id);
            sqlx::query(
                "INSERT INTO topic_tags (topic_id, tag_id, source, status, decided_by, decided_at, created_at)
                 VALUES ($1, $2, $3, 'active', $4, $5, $5)
                 ON CONFLICT (topic_id, tag_id) DO UPDATE SET
                     source = CASE WHEN topic_tags.status = 'active' THEN topic_tags.source ELSE excluded.source END,
                     status = 'active',
                     decided_by = CASE WHEN topic_tags.status = 'active' THEN topic_tags.decided_by ELSE excluded.decided_by END,
                     decided_at = CASE WHEN topic_tags.status = 'active' THEN topic_tags.decided_at ELSE excluded.decided_at END",
            )
            .bind(topic_id)
            .bind(tag_id)
            .bind(source.as_str())
            .bind(decided_by)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query(
            "DELETE FROM topic_tags
             WHERE topic_id = $1 AND source IN ('author', 'moderator')
               AND tag_id NOT IN (SELECT value FROM json_each($2))",
        )
        .bind(topic_id)
        .bind(super::json_ids(&keep))
        .execute(conn)
        .await?;
        Ok(())
    })
}
