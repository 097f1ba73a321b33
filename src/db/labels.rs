//! The community's tags as training labels, and the model's suggestions.
use crate::db::{Conn, on};

/// A visible topic with its opening post, as the classifier reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LabelledTopic {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub score: i64,
    pub reply_count: i64,
}

/// One label: a tag on a topic that is either positive (active: human, or an accepted suggestion)
/// or negative (a rejected suggestion).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Label {
    pub topic_id: i64,
    pub tag: String,
    #[sqlx(try_from = "crate::db::Flag")]
    pub positive: bool,
}

/// Ids of the visible topics that carry at least one label, oldest first: what a retrain pages
/// through (and samples from) before it reads any text.
pub async fn labelled_topic_ids(conn: &mut Conn<'_>) -> sqlx::Result<Vec<i64>> {
    on!(conn, {
        sqlx::query_scalar(
            "SELECT t.id
             FROM topics t JOIN posts p ON p.topic_id = t.id AND p.is_first = 1
             WHERE t.hidden = 0
               AND EXISTS (SELECT 1 FROM topic_tags tt WHERE tt.topic_id = t.id AND tt.status IN ('active', 'rejected'))
             ORDER BY t.id",
        )
        .fetch_all(conn)
        .await
    })
}

/// The visible labelled topics among `ids` (one page of [`labelled_topic_ids`]), by id. The ids
/// travel as one bound JSON array, so the statement is the same for every page.
pub async fn labelled_topics_in(
    conn: &mut Conn<'_>,
    ids: &[i64],
) -> sqlx::Result<Vec<LabelledTopic>> {
    on!(conn, {
        sqlx::query_as::<_, LabelledTopic>(
            "SELECT t.id, t.title, p.body_md AS body, t.score, t.reply_count
             FROM topics t JOIN posts p ON p.topic_id = t.id AND p.is_first = 1
             WHERE t.id IN (SELECT value FROM json_each($1)) AND t.hidden = 0
               AND EXISTS (SELECT 1 FROM topic_tags tt WHERE tt.topic_id = t.id AND tt.status IN ('active', 'rejected'))
             ORDER BY t.id",
        )
        .bind(id_list(ids))
        .fetch_all(conn)
        .await
    })
}

/// The labels of the visible topics among `ids`.
pub async fn labels_in(conn: &mut Conn<'_>, ids: &[i64]) -> sqlx::Result<Vec<Label>> {
    on!(conn, {
        sqlx::query_as::<_, Label>(
            "SELECT tt.topic_id, g.name AS tag, tt.status = 'active' AS positive
             FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id JOIN topics t ON t.id = tt.topic_id
             WHERE tt.topic_id IN (SELECT value FROM json_each($1))
               AND tt.status IN ('active', 'rejected') AND t.hidden = 0
             ORDER BY tt.topic_id, g.name",
        )
        .bind(id_list(ids))
        .fetch_all(conn)
        .await
    })
}

/// `ids` as a JSON array, for `json_each`.
fn id_list(ids: &[i64]) -> String {
    let items: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", items.join(","))
}

/// Rejected suggestions on visible topics: the negative labels a retrain knows of.
pub async fn count_negative_labels(conn: &mut Conn<'_>) -> sqlx::Result<i64> {
    on!(conn, {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id
             WHERE tt.status = 'rejected' AND t.hidden = 0",
        )
        .fetch_one(conn)
        .await
    })
}

/// Every label of a visible topic.
pub async fn labels(conn: &mut Conn<'_>) -> sqlx::Result<Vec<Label>> {
    on!(conn, {
        sqlx::query_as::<_, Label>(
            "SELECT tt.topic_id, g.name AS tag, tt.status = 'active' AS positive
             FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id JOIN topics t ON t.id = tt.topic_id
             WHERE tt.status IN ('active', 'rejected') AND t.hidden = 0
             ORDER BY tt.topic_id, g.name",
        )
        .fetch_all(conn)
        .await
    })
}

/// Labels created or decided after `since` (new evidence for the next training run).
pub async fn count_new_labels(conn: &mut Conn<'_>, since: i64) -> sqlx::Result<i64> {
    on!(conn, {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM topic_tags
             WHERE status IN ('active', 'rejected') AND COALESCE(decided_at, created_at) > $1",
        )
        .bind(since)
        .fetch_one(conn)
        .await?;
        Ok(n)
    })
}

/// Replaces the model's pending suggestions on a topic. Tags a human already set, or a moderator
/// rejected, are left alone: a rejected tag is never suggested again for that topic.
pub async fn replace_suggestions(
    conn: &mut Conn<'_>,
    topic_id: i64,
    suggestions: &[(i64, f64, bool)],
    model_version: i64,
    now: i64,
) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("DELETE FROM topic_tags WHERE topic_id = $1 AND status = 'suggested'")
            .bind(topic_id)
            .execute(&mut *conn)
            .await?;
        for &(tag_id, confidence, apply) in suggestions {
            sqlx::query(
                "INSERT INTO topic_tags (topic_id, tag_id, source, status, confidence, model_version, created_at)
                 VALUES ($1, $2, 'model', $3, $4, $5, $6)
                 ON CONFLICT (topic_id, tag_id) DO NOTHING",
            )
            .bind(topic_id)
            .bind(tag_id)
            .bind(if apply { "active" } else { "suggested" })
            .bind(confidence)
            .bind(model_version)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    })
}

pub async fn set_predicted_quality(
    conn: &mut Conn<'_>,
    topic_id: i64,
    quality: Option<f64>,
) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("UPDATE topics SET predicted_quality = $1 WHERE id = $2")
            .bind(quality)
            .bind(topic_id)
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// Accepts or rejects a pending suggestion. Returns false when there was no such suggestion.
pub async fn decide(
    conn: &mut Conn<'_>,
    topic_id: i64,
    tag: &str,
    accept: bool,
    decided_by: i64,
    now: i64,
) -> sqlx::Result<bool> {
    on!(conn, {
        let done = sqlx::query(
            "UPDATE topic_tags SET status = $1, decided_by = $2, decided_at = $3
             WHERE topic_id = $4 AND status = 'suggested'
               AND tag_id = (SELECT id FROM tags WHERE name = $5)",
        )
        .bind(if accept { "active" } else { "rejected" })
        .bind(decided_by)
        .bind(now)
        .bind(topic_id)
        .bind(tag)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// A pending suggestion in the review queue.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PendingSuggestion {
    pub topic_id: i64,
    pub title: String,
    pub tag: String,
    pub confidence: Option<f64>,
    pub model_version: Option<i64>,
    pub created_at: i64,
}

/// Pending suggestions, least confident first (those need a human most).
pub async fn review_queue(
    conn: &mut Conn<'_>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<PendingSuggestion>> {
    on!(conn, {
        sqlx::query_as::<_, PendingSuggestion>(
            "SELECT tt.topic_id, t.title, g.name AS tag, tt.confidence, tt.model_version, tt.created_at
             FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id JOIN tags g ON g.id = tt.tag_id
             WHERE tt.status = 'suggested' AND t.hidden = 0
             ORDER BY tt.confidence ASC, tt.topic_id LIMIT $1 OFFSET $2",
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(conn)
        .await
    })
}

/// Per ISO week: decided model suggestions, and how many were accepted.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AcceptanceWeek {
    pub week_start: i64,
    pub decided: i64,
    pub accepted: i64,
}

pub async fn acceptance_by_week(
    conn: &mut Conn<'_>,
    since: i64,
) -> sqlx::Result<Vec<AcceptanceWeek>> {
    on!(conn, {
        sqlx::query_as::<_, AcceptanceWeek>(
            "SELECT (decided_at / 604800) * 604800 AS week_start, COUNT(*) AS decided,
                    CAST(SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS BIGINT) AS accepted
             FROM topic_tags
             WHERE source = 'model' AND decided_at IS NOT NULL AND decided_at >= $1
             GROUP BY week_start ORDER BY week_start",
        )
        .bind(since)
        .fetch_all(conn)
        .await
    })
}

/// Per tag: decided model suggestions, and how many were accepted (all time).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AcceptanceTag {
    pub tag: String,
    pub accepted: i64,
    pub rejected: i64,
}

pub async fn acceptance_by_tag(conn: &mut Conn<'_>) -> sqlx::Result<Vec<AcceptanceTag>> {
    on!(conn, {
        sqlx::query_as::<_, AcceptanceTag>(
            "SELECT g.name AS tag, CAST(SUM(CASE WHEN tt.status = 'active' THEN 1 ELSE 0 END) AS BIGINT) AS accepted,
                    CAST(SUM(CASE WHEN tt.status = 'rejected' THEN 1 ELSE 0 END) AS BIGINT) AS rejected
             FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id
             WHERE tt.source = 'model' AND tt.decided_at IS NOT NULL
             GROUP BY g.name ORDER BY g.name",
        )
        .fetch_all(conn)
        .await
    })
}
