//! Tag reports: use per period (trending), new tags, tags used together.
use std::collections::HashMap;

use crate::db::{Conn, on, sql};

/// One tag row of a visible topic: `(topic id, created_at, wait to first response, tag id, active)`;
/// `active` is false for a model suggestion awaiting review.
pub type TagRow = (i64, i64, Option<i64>, i64, bool);

/// The active and suggested tags of the visible topics created in `[from, to)`. The reports decide
/// which count (a topic's active tags, or its suggestions when it has none); doing that here, per
/// row, would cost a correlated subquery for every suggestion.
pub async fn rows_between(conn: &mut Conn<'_>, from: i64, to: i64) -> sqlx::Result<Vec<TagRow>> {
    on!(conn, pg, {
        let (json,): (String,) = sqlx::query_as(sql!(pg,
            "SELECT COALESCE(json_group_array(" {sqlite: "json_array"} {pg: "json_build_array"}
            "(tt.topic_id, t.created_at, t.first_response_at - t.created_at, tt.tag_id,
              CASE WHEN tt.status = 'active' THEN 1 ELSE 0 END)), '[]')
             FROM topics t JOIN topic_tags tt ON tt.topic_id = t.id
             WHERE t.created_at >= $1 AND t.created_at < $2 AND t.hidden = 0
               AND tt.status IN ('active', 'suggested')"
        ))
        .bind(from)
        .bind(to)
        .fetch_one(conn)
        .await?;
        let rows: Vec<(i64, i64, Option<i64>, i64, i64)> = super::from_json(&json)?;
        Ok(rows
            .into_iter()
            .map(|(topic, created, wait, tag, active)| (topic, created, wait, tag, active != 0))
            .collect())
    })
}

/// Pairs of active tags on the visible topics created on days `first..=last`, from the daily
/// roll-up of migration 0007: `(tag a, tag b) → topics` with a < b, pairs that count none left out.
/// A busy forum has tens of thousands of pairs a quarter: SQLite's GROUP BY sorts them all (~50 ms),
/// so the day rows come back as three flat JSON arrays (one pass, no sort) and are summed here.
pub async fn pair_counts(
    conn: &mut Conn<'_>,
    first: i64,
    last: i64,
) -> sqlx::Result<HashMap<(i64, i64), i64>> {
    on!(conn, {
        let (a, b, n): (String, String, String) = sqlx::query_as(
            "SELECT json_group_array(tag_a), json_group_array(tag_b), json_group_array(topics)
             FROM tag_pair_rollup WHERE day >= $1 AND day <= $2 AND topics <> 0",
        )
        .bind(first)
        .bind(last)
        .fetch_one(conn)
        .await?;
        let (a, b, n): (Vec<i64>, Vec<i64>, Vec<i64>) = (
            super::from_json(&a)?,
            super::from_json(&b)?,
            super::from_json(&n)?,
        );
        let mut pairs: HashMap<(i64, i64), i64> = HashMap::new();
        for ((a, b), n) in a.into_iter().zip(b).zip(n) {
            *pairs.entry((a, b)).or_default() += n;
        }
        pairs.retain(|_, n| *n > 0);
        Ok(pairs)
    })
}

/// A tag first created in the period, with its topics so far (not counting rejected suggestions).
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct NewTag {
    pub tag: String,
    pub created_at: i64,
    pub topics: i64,
}

pub async fn created_between(
    conn: &mut Conn<'_>,
    from: i64,
    to: i64,
    limit: i64,
) -> sqlx::Result<Vec<NewTag>> {
    on!(conn, {
        sqlx::query_as::<_, NewTag>(
            "SELECT g.name AS tag, g.created_at,
                    (SELECT COUNT(*) FROM topic_tags tt
                     WHERE tt.tag_id = g.id AND tt.status IN ('active', 'suggested')) AS topics
             FROM tags g WHERE g.created_at >= $1 AND g.created_at < $2
             ORDER BY topics DESC, g.created_at DESC LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}

/// Every tag's name by id (a forum has hundreds, not millions, of tags).
pub async fn names(conn: &mut Conn<'_>) -> sqlx::Result<HashMap<i64, String>> {
    on!(conn, {
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM tags")
            .fetch_all(conn)
            .await?;
        Ok(rows.into_iter().collect())
    })
}
