//! Routing unanswered questions to the members who answer their tags: when a topic has waited
//! `after_hours` without a reply, up to [`PER_TOPIC`] members who answered most in its tags over
//! the last 90 days (read from each tag's most recently active topics) are told. A reply counts 1
//! plus its upvoted score, and [`ACCEPTED_WEIGHT`] more when it is its topic's accepted answer;
//! predicted tags stand in for an untagged topic. Nobody is told more than
//! [`PER_MEMBER_PER_DAY`] times a day, and only those who did not opt out are.
use crate::db::{Conn, on, sql};

use super::notifications::{self as notes, About, Kind};

pub const PER_TOPIC: i64 = 3;
/// What an accepted answer adds to its reply's weight: the asker said it solved the problem,
/// which says more about its author than a few votes.
pub const ACCEPTED_WEIGHT: i64 = 3;
pub const PER_MEMBER_PER_DAY: i64 = 3;
/// Topics routed per run, oldest first.
const BATCH: i64 = 50;
/// Questions older than this are no longer routed (routing is for fresh ones).
const MAX_AGE_SECS: i64 = 7 * 86_400;
const WINDOW_SECS: i64 = 90 * 86_400;

/// Of each of a topic's tags, the answerers are looked for in this many of its most recently
/// active topics (within the window): the answerers of a big tag are found from its latest
/// activity without reading all of its 90 days (on 1M generated posts the full read took 0.5 s
/// per routed topic, 25 s of a core per run of 50).
const RECENT_TOPICS_PER_TAG: i64 = 200;

/// Other topics recently active in `topic_id`'s tags (active or suggested on it), at most
/// [`RECENT_TOPICS_PER_TAG`] per tag, each read in the order of a tag's latest list.
async fn recently_active_in_tags(
    conn: &mut Conn<'_>,
    topic_id: i64,
    now: i64,
) -> sqlx::Result<Vec<i64>> {
    on!(conn, pg, {
        let tags: Vec<(i64,)> = sqlx::query_as(
            "SELECT tag_id FROM topic_tags WHERE topic_id = $1 AND status IN ('active', 'suggested')",
        )
        .bind(topic_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut topics = Vec::new();
        for (tag_id,) in tags {
            let recent: Vec<(i64,)> = sqlx::query_as(
                sql!(pg, "SELECT topic_id FROM topic_tags " {sqlite: "INDEXED BY topic_tags_active_latest "}
                "WHERE tag_id = $1 AND t_hidden = 0 AND status = 'active'
                   AND t_last_posted_at > $2 - $3 AND topic_id <> $4
                 ORDER BY t_last_posted_at DESC, topic_id DESC LIMIT $5"),
            )
            .bind(tag_id)
            .bind(now)
            .bind(WINDOW_SECS)
            .bind(topic_id)
            .bind(RECENT_TOPICS_PER_TAG)
            .fetch_all(&mut *conn)
            .await?;
            topics.extend(recent.into_iter().map(|(id,)| id));
        }
        topics.sort_unstable();
        topics.dedup();
        Ok(topics)
    })
}

/// Routes the topics due; returns the notifications written.
pub async fn route(conn: &mut Conn<'_>, after_hours: i64, now: i64) -> sqlx::Result<u64> {
    on!(conn, {
        let due: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT t.id, t.author_id FROM topics t
             WHERE t.created_at <= $1 - $2 * 3600 AND t.created_at > $1 - $3
               AND t.reply_count = 0 AND t.hidden = 0 AND t.locked = 0
               AND NOT EXISTS (SELECT 1 FROM routed_topics r WHERE r.topic_id = t.id)
             ORDER BY t.created_at LIMIT $4",
        )
        .bind(now)
        .bind(after_hours)
        .bind(MAX_AGE_SECS)
        .bind(BATCH)
        .fetch_all(&mut *conn)
        .await?;
        let mut written = 0;
        for (topic_id, author_id) in due {
            let recent = recently_active_in_tags(conn, topic_id, now).await?;
            let answerers: Vec<(i64,)> = sqlx::query_as(
                "SELECT p.author_id FROM json_each($1) recent
                 JOIN posts p ON p.topic_id = recent.value AND p.is_first = 0 AND p.hidden = 0
                             AND p.created_at > $2 - $4
                 JOIN topics answered ON answered.id = p.topic_id
                 JOIN users u ON u.id = p.author_id
                 WHERE p.author_id <> $3 AND u.notify_routed = 1 AND u.password_hash IS NOT NULL
                   AND (u.banned_until IS NULL OR u.banned_until <= $2)
                   AND (SELECT COUNT(*) FROM notifications n
                        WHERE n.user_id = u.id AND n.kind = 'routed' AND n.created_at > $2 - 86400)
                       < $5
                 GROUP BY p.author_id
                 ORDER BY SUM(1 + MAX(p.score, 0)
                              + CASE WHEN answered.accepted_post_id = p.id THEN $7 ELSE 0 END) DESC,
                          p.author_id
                 LIMIT $6",
            )
            .bind(serde_json::to_string(&recent).expect("a list of ids serialises"))
            .bind(now)
            .bind(author_id)
            .bind(WINDOW_SECS)
            .bind(PER_MEMBER_PER_DAY)
            .bind(PER_TOPIC)
            .bind(ACCEPTED_WEIGHT)
            .fetch_all(&mut *conn)
            .await?;
            let mut tx = crate::db::BeginWrite::begin_write(&mut *conn).await?;
            let about = About {
                topic_id: Some(topic_id),
                post_id: None,
                actor_id: None,
                detail: "",
            };
            let mut told = 0;
            for (user_id,) in answerers {
                told += i64::from(notes::notify(&mut tx, user_id, Kind::Routed, about, now).await?);
            }
            sqlx::query(
                "INSERT INTO routed_topics (topic_id, routed_at, notified) VALUES ($1, $2, $3)",
            )
            .bind(topic_id)
            .bind(now)
            .bind(told)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            written += told as u64;
        }
        Ok(written)
    })
}
