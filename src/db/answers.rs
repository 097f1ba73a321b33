//! Accepted answers (migration 0014): one reply per topic, stored on the topic.
use crate::db::{Conn, on, sql};

/// Marks `post_id` as the answer of `topic_id`, or clears it with `None`. Returns whether the
/// topic's answer changed.
pub async fn set(conn: &mut Conn<'_>, topic_id: i64, post_id: Option<i64>) -> sqlx::Result<bool> {
    on!(conn, {
        let done = sqlx::query(
            "UPDATE topics SET accepted_post_id = $1 WHERE id = $2 AND accepted_post_id IS DISTINCT FROM $1",
        )
        .bind(post_id)
        .bind(topic_id)
        .execute(conn)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Accepted answers of imported topics, by source keys (`topic key`, `post key`): each topic
/// gets its post when both were imported and the post is a visible reply of that topic, so a
/// re-import sets the same answers again. Returns how many topics changed.
pub async fn set_imported(conn: &mut Conn<'_>, pairs: &[(String, String)]) -> sqlx::Result<u64> {
    on!(conn, pg, {
        if pairs.is_empty() {
            return Ok(0);
        }
        let json = serde_json::to_string(pairs).expect("pairs of strings always serialise");
        let done = sqlx::query(sql!(pg,
            "UPDATE topics SET accepted_post_id = answer.post_id
             FROM (SELECT t.id AS topic_id, p.id AS post_id
                   FROM " {sqlite: "json_each($1) j"} {pg: "json_array_elements($1::json) AS j (value)"}
                   "
                   JOIN topics t ON t.source_key = j.value ->> 0
                   JOIN posts p ON p.source_key = j.value ->> 1
                   WHERE p.topic_id = t.id AND p.is_first = 0 AND p.hidden = 0) AS answer
             WHERE topics.id = answer.topic_id
               AND topics.accepted_post_id IS DISTINCT FROM answer.post_id"
        ))
        .bind(json)
        .execute(conn)
        .await?;
        Ok(done.rows_affected())
    })
}
