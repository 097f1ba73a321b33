//! The moderation log: every moderator action, written in the same transaction as the action so
//! the log cannot miss one or record one that was rolled back.
use crate::db::{Conn, on};

/// What a moderator acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Topic(i64),
    /// A post, with its topic for the link.
    Post {
        id: i64,
        topic_id: i64,
    },
    User(i64),
    Tag(i64),
    /// A model version (retrain, promote), for the auto-tagger's actions.
    Model(i64),
}

impl Target {
    fn parts(self) -> (&'static str, i64, Option<i64>) {
        match self {
            Target::Topic(id) => ("topic", id, Some(id)),
            Target::Post { id, topic_id } => ("post", id, Some(topic_id)),
            Target::User(id) => ("user", id, None),
            Target::Tag(id) => ("tag", id, None),
            Target::Model(id) => ("model", id, None),
        }
    }
}

/// A log row as the log page and the API show it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Entry {
    pub id: i64,
    pub created_at: i64,
    pub moderator: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: i64,
    pub topic_id: Option<i64>,
    /// What the target is called now: a member's name, a tag's, a topic's title (a post's
    /// topic's); `None` for model versions and deleted targets.
    pub target_name: Option<String>,
    pub detail: String,
}

/// Appends one action (`lock`, `hide_post`, `resolve_flags_dismissed`, …) with a free-form detail.
pub async fn record(
    conn: &mut Conn<'_>,
    moderator_id: i64,
    action: &str,
    target: Target,
    detail: &str,
    now: i64,
) -> sqlx::Result<()> {
    on!(conn, {
        let (kind, target_id, topic_id) = target.parts();
        sqlx::query(
            "INSERT INTO moderation_log (moderator_id, action, target_kind, target_id, topic_id, detail, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(moderator_id)
        .bind(action)
        .bind(kind)
        .bind(target_id)
        .bind(topic_id)
        .bind(detail)
        .bind(now)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// The latest entries, newest first; `before` (an entry id) pages further back.
pub async fn recent(
    conn: &mut Conn<'_>,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<Entry>> {
    on!(conn, {
        sqlx::query_as::<_, Entry>(
            "SELECT l.id, l.created_at, u.username AS moderator, l.action, l.target_kind, l.target_id,
                    l.topic_id, COALESCE(tu.username, tg.name, tp.title) AS target_name, l.detail
             FROM moderation_log l JOIN users u ON u.id = l.moderator_id
             LEFT JOIN users tu ON l.target_kind = 'user' AND tu.id = l.target_id
             LEFT JOIN tags tg ON l.target_kind = 'tag' AND tg.id = l.target_id
             LEFT JOIN topics tp ON tp.id = l.topic_id
             WHERE $1 IS NULL OR l.id < $1
             ORDER BY l.id DESC LIMIT $2",
        )
        .bind(before)
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}
