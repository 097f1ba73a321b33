//! Time to first response, overall and per tag. Only visible topics count: a hidden one was spam
//! or removed, and nobody was meant to answer it. `waits` reads the topics themselves (exact, for
//! small periods); the rest read the daily roll-ups `response_waits` and `response_rollup` of migration 0017.
use std::collections::HashMap;

use crate::db::{Conn, on, sql};
use crate::domain::report::{WAIT_BUCKET_EDGES, WaitHistogram};

/// Waits (seconds to the first response by someone other than the author) of the topics created
/// in `[from, to)`, `None` for those still unanswered.
pub async fn waits(conn: &mut Conn<'_>, from: i64, to: i64) -> sqlx::Result<Vec<Option<i64>>> {
    on!(conn, {
        let (json,): (String,) = sqlx::query_as(
            "SELECT COALESCE(json_group_array(first_response_at - created_at), '[]') FROM topics
             WHERE created_at >= $1 AND created_at < $2 AND hidden = 0",
        )
        .bind(from)
        .bind(to)
        .fetch_one(conn)
        .await?;
        super::from_json(&json)
    })
}

/// One row per (tag, day, wait bucket) of the visible topics with ids above `after`, added to
/// `response_waits` (migration 0017; its triggers add the totals to `response_rollup`): tag 0 for the whole forum, then their active tags, or the
/// model's suggestions where a topic has no active tag. The importer's set-based twin of the
/// roll-up triggers, and with `after = 0` the rebuild.
pub async fn add_topics_after(conn: &mut Conn<'_>, after: i64) -> sqlx::Result<()> {
    on!(conn, pg, {
        sqlx::query(
            sql!(pg, "WITH counted AS (
                 SELECT t.id, t.created_at / 86400 AS day,
                        COALESCE((SELECT bucket FROM wait_buckets WHERE lower_s <= t.wait_s
                                  ORDER BY lower_s DESC LIMIT 1), -1) AS bucket
                 FROM topics t WHERE t.id > $1 AND t.hidden = 0)
             INSERT " {sqlite: "OR FAIL "} "INTO response_waits (day, tag_id, bucket, topics)
             SELECT day, tag_id, bucket, COUNT(*) FROM (
                 SELECT day, 0 AS tag_id, bucket FROM counted
                 UNION ALL
                 SELECT c.day, tt.tag_id, c.bucket FROM counted c JOIN topic_tags tt ON tt.topic_id = c.id
                 WHERE tt.status = 'active'
                    OR (tt.status = 'suggested' AND NOT EXISTS (
                            SELECT 1 FROM topic_tags a
                            WHERE a.topic_id = tt.topic_id AND a.status = 'active'))) AS sub1
             WHERE true
             GROUP BY 1, 2, 3
             ON CONFLICT (tag_id, day, bucket) DO UPDATE SET topics = response_waits.topics + excluded.topics"),
        )
        .bind(after)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// Makes `wait_buckets` hold [`WAIT_BUCKET_EDGES`], the one definition of the buckets, and
/// rebuilds the roll-up from the topics when it did not (migration 0017 leaves the table empty;
/// a change of the edges in the code lands here too). Returns whether it rebuilt.
pub async fn sync_wait_buckets(conn: &mut Conn<'_>) -> sqlx::Result<bool> {
    on!(conn, {
        // Every open (the server, each CLI command) gets here: look before taking the write lock,
        // then look again under it, in case another process rebuilt in between.
        if stored_edges_match(conn).await? {
            return Ok(false);
        }
        let mut tx = crate::db::BeginWrite::begin_write(&mut *conn).await?;
        if stored_edges_match(&mut tx).await? {
            return Ok(false);
        }
        for sql in [
            "DELETE FROM wait_buckets",
            "DELETE FROM response_waits",
            "DELETE FROM response_rollup",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO wait_buckets (lower_s, bucket) SELECT value, key FROM json_each($1)",
        )
        .bind(crate::db::json_ids(&WAIT_BUCKET_EDGES))
        .execute(&mut *tx)
        .await?;
        add_topics_after(&mut tx, 0).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Whether `wait_buckets` holds [`WAIT_BUCKET_EDGES`].
async fn stored_edges_match(conn: &mut Conn<'_>) -> sqlx::Result<bool> {
    on!(conn, {
        let stored: Vec<(i64,)> =
            sqlx::query_as("SELECT lower_s FROM wait_buckets ORDER BY bucket")
                .fetch_all(conn)
                .await?;
        Ok(stored.into_iter().map(|(edge,)| edge).eq(WAIT_BUCKET_EDGES))
    })
}

/// Three parallel `json_group_array` columns of integers, decoded.
fn columns((a, b, c): (String, String, String)) -> sqlx::Result<(Vec<i64>, Vec<i64>, Vec<i64>)> {
    Ok((
        super::from_json(&a)?,
        super::from_json(&b)?,
        super::from_json(&c)?,
    ))
}

/// The histogram of `(bucket, topics)` cells.
fn histogram(cells: impl IntoIterator<Item = (i64, i64)>) -> WaitHistogram {
    let mut histogram = WaitHistogram::empty();
    for (bucket, topics) in cells {
        histogram.add_cell(bucket, topics);
    }
    histogram
}

/// The whole forum's visible topics created on days `first..=last`, from the daily roll-up.
pub async fn overall_histogram(
    conn: &mut Conn<'_>,
    first: i64,
    last: i64,
) -> sqlx::Result<WaitHistogram> {
    on!(conn, {
        let cells: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT bucket, CAST(SUM(topics) AS BIGINT) FROM response_waits
             WHERE tag_id = 0 AND day >= $1 AND day <= $2 GROUP BY bucket",
        )
        .bind(first)
        .bind(last)
        .fetch_all(conn)
        .await?;
        Ok(histogram(cells))
    })
}

/// Per tag: `(tag id, topics, answered)` of the visible topics created on days `first..=last`
/// (tags that count none left out). The day rows come back as flat JSON arrays and are summed
/// here: SQLite's GROUP BY would sort every (day, tag) row of the period first.
pub async fn tag_counts(
    conn: &mut Conn<'_>,
    first: i64,
    last: i64,
) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    on!(conn, {
        let (tags, topics, answered) = columns(
            sqlx::query_as(
                "SELECT json_group_array(tag_id), json_group_array(topics), json_group_array(answered)
                 FROM response_rollup WHERE day >= $1 AND day <= $2 AND tag_id > 0 AND topics <> 0",
            )
            .bind(first)
            .bind(last)
            .fetch_one(conn)
            .await?,
        )?;
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
    })
}

/// The wait histograms of the given tags over days `first..=last`, only for the tags that are
/// shown. As in [`tag_counts`], the cells come back as flat JSON arrays and are summed here: a
/// GROUP BY (tag, bucket) sorted the 56k cells of 50 busy tags over 90 days and took twice as
/// long.
pub async fn tag_histograms(
    conn: &mut Conn<'_>,
    first: i64,
    last: i64,
    tag_ids: &[i64],
) -> sqlx::Result<HashMap<i64, WaitHistogram>> {
    on!(conn, {
        let (tags, buckets, topics) = columns(
            sqlx::query_as(
                "SELECT json_group_array(tag_id), json_group_array(bucket), json_group_array(topics)
                 FROM response_waits
                 WHERE tag_id IN (SELECT value FROM json_each($3)) AND day >= $1 AND day <= $2
                   AND topics <> 0",
            )
            .bind(first)
            .bind(last)
            .bind(crate::db::json_ids(tag_ids))
            .fetch_one(conn)
            .await?,
        )?;
        let mut histograms: HashMap<i64, WaitHistogram> = HashMap::new();
        for ((tag, bucket), n) in tags.into_iter().zip(buckets).zip(topics) {
            histograms
                .entry(tag)
                .or_insert_with(WaitHistogram::empty)
                .add_cell(bucket, n);
        }
        Ok(histograms)
    })
}
