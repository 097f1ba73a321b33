//! Time to first response, overall and per tag. Only visible topics count: a hidden one was spam
//! or removed, and nobody was meant to answer it. `waits` reads the topics themselves (exact, for
//! small periods); the rest read the daily roll-up `response_rollup` of migration 0007.
use std::collections::HashMap;

use sqlx::SqliteConnection;

use crate::domain::report::WaitHistogram;

/// Waits (seconds to the first response by someone other than the author) of the topics created
/// in `[from, to)`, `None` for those still unanswered.
pub async fn waits(
    conn: &mut SqliteConnection,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<Option<i64>>> {
    let (json,): (String,) = sqlx::query_as(
        "SELECT COALESCE(json_group_array(first_response_at - created_at), '[]') FROM topics
         WHERE created_at >= ?1 AND created_at < ?2 AND hidden = 0",
    )
    .bind(from)
    .bind(to)
    .fetch_one(conn)
    .await?;
    super::from_json(&json)
}

/// The summed histogram columns of `response_rollup` (migration 0007), as one JSON array.
macro_rules! bucket_sums {
    () => {
        "json_array(
                    SUM(b0), SUM(b1), SUM(b2), SUM(b3), SUM(b4), SUM(b5), SUM(b6), SUM(b7), SUM(b8),
                    SUM(b9), SUM(b10), SUM(b11), SUM(b12), SUM(b13), SUM(b14), SUM(b15), SUM(b16),
                    SUM(b17), SUM(b18), SUM(b19), SUM(b20), SUM(b21), SUM(b22), SUM(b23), SUM(b24),
                    SUM(b25), SUM(b26), SUM(b27), SUM(b28), SUM(b29), SUM(b30), SUM(b31), SUM(b32),
                    SUM(b33), SUM(b34), SUM(b35), SUM(b36), SUM(b37), SUM(b38), SUM(b39), SUM(b40),
                    SUM(b41), SUM(b42), SUM(b43), SUM(b44), SUM(b45), SUM(b46), SUM(b47), SUM(b48),
                    SUM(b49), SUM(b50), SUM(b51), SUM(b52), SUM(b53), SUM(b54), SUM(b55), SUM(b56),
                    SUM(b57))"
    };
}

fn histogram(topics: i64, answered: i64, buckets: &str) -> sqlx::Result<WaitHistogram> {
    Ok(WaitHistogram {
        topics,
        answered,
        buckets: super::from_json(buckets)?,
    })
}

/// The whole forum's visible topics created on days `first..=last`, from the daily roll-up.
pub async fn overall_histogram(
    conn: &mut SqliteConnection,
    first: i64,
    last: i64,
) -> sqlx::Result<WaitHistogram> {
    let (topics, answered, buckets): (i64, i64, String) = sqlx::query_as(concat!(
        "SELECT COALESCE(SUM(topics), 0), COALESCE(SUM(answered), 0), ",
        bucket_sums!(),
        " FROM response_rollup WHERE day >= ?1 AND day <= ?2 AND tag_id = 0"
    ))
    .bind(first)
    .bind(last)
    .fetch_one(conn)
    .await?;
    // SUM over no rows is NULL: an empty period has no buckets.
    let buckets: Vec<Option<i64>> = super::from_json(&buckets)?;
    Ok(WaitHistogram {
        topics,
        answered,
        buckets: buckets.into_iter().map(Option::unwrap_or_default).collect(),
    })
}

/// Per tag: `(tag id, topics, answered)` of the visible topics created on days `first..=last`
/// (tags that count none left out). The day rows come back as flat JSON arrays and are summed
/// here: SQLite's GROUP BY would sort every (day, tag) row of the period first.
pub async fn tag_counts(
    conn: &mut SqliteConnection,
    first: i64,
    last: i64,
) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    let (tags, topics, answered): (String, String, String) = sqlx::query_as(
        "SELECT json_group_array(tag_id), json_group_array(topics), json_group_array(answered)
         FROM response_rollup WHERE day >= ?1 AND day <= ?2 AND tag_id > 0 AND topics <> 0",
    )
    .bind(first)
    .bind(last)
    .fetch_one(conn)
    .await?;
    let (tags, topics, answered): (Vec<i64>, Vec<i64>, Vec<i64>) = (
        super::from_json(&tags)?,
        super::from_json(&topics)?,
        super::from_json(&answered)?,
    );
    let mut sums: HashMap<i64, (i64, i64)> = HashMap::new();
    for ((tag, n), a) in tags.into_iter().zip(topics).zip(answered) {
        let sum = sums.entry(tag).or_default();
        sum.0 += n;
        sum.1 += a;
    }
    Ok(sums
        .into_iter()
        .filter(|(_, (n, _))| *n > 0)
        .map(|(tag, (n, a))| (tag, n, a))
        .collect())
}

/// The wait histograms of the given tags over days `first..=last`, only for the tags that are
/// shown: summing 58 columns for every tag of a busy forum costs more than the page may.
pub async fn tag_histograms(
    conn: &mut SqliteConnection,
    first: i64,
    last: i64,
    tag_ids: &[i64],
) -> sqlx::Result<HashMap<i64, WaitHistogram>> {
    let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(concat!(
        "SELECT tag_id, SUM(topics), SUM(answered), ",
        bucket_sums!(),
        " FROM response_rollup
         WHERE day >= ?1 AND day <= ?2 AND tag_id IN (SELECT value FROM json_each(?3))
         GROUP BY tag_id"
    ))
    .bind(first)
    .bind(last)
    .bind(crate::db::json_ids(tag_ids))
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(tag, topics, answered, buckets)| Ok((tag, histogram(topics, answered, &buckets)?)))
        .collect()
}
