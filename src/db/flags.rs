//! Flags: members' reports that a post needs a moderator, and their resolution.
use crate::db::{Conn, on};

/// A flagged post in the moderators' queue, with its open flags rolled up.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct FlaggedPost {
    pub post_id: i64,
    pub topic_id: i64,
    pub topic_title: String,
    pub author_name: String,
    pub body_md: String,
    #[sqlx(try_from = "crate::db::Flag")]
    pub post_hidden: bool,
    pub open_flags: i64,
    /// Distinct reasons, comma-separated (`spam,abuse`).
    pub reasons: String,
    /// Reporters' notes, joined with " | ".
    pub notes: String,
    pub first_flagged_at: i64,
}

/// Records a member's flag. Flagging the same post again replaces the reason of an open flag and
/// leaves a resolved one alone (a moderator already looked).
pub async fn insert(
    conn: &mut Conn<'_>,
    post_id: i64,
    reporter_id: i64,
    reason: &str,
    note: &str,
    now: i64,
) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query(
            "INSERT INTO flags (post_id, reporter_id, reason, note, created_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (post_id, reporter_id) DO UPDATE SET reason = excluded.reason, note = excluded.note
             WHERE flags.status = 'open'",
        )
        .bind(post_id)
        .bind(reporter_id)
        .bind(reason)
        .bind(note)
        .bind(now)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// The open queue, oldest first (the longest-waiting report is the most overdue).
pub async fn list_open(conn: &mut Conn<'_>, limit: i64) -> sqlx::Result<Vec<FlaggedPost>> {
    on!(conn, {
        sqlx::query_as::<_, FlaggedPost>(
            "SELECT f.post_id, p.topic_id, t.title AS topic_title, u.username AS author_name,
                    p.body_md, p.hidden AS post_hidden, f.open_flags, f.reasons, f.notes,
                    f.first_flagged_at
             FROM (SELECT post_id, COUNT(*) AS open_flags, GROUP_CONCAT(DISTINCT reason) AS reasons,
                          COALESCE(GROUP_CONCAT(NULLIF(note, ''), ' | '), '') AS notes,
                          MIN(created_at) AS first_flagged_at
                   FROM flags WHERE status = 'open' GROUP BY post_id) f
             JOIN posts p ON p.id = f.post_id
             JOIN topics t ON t.id = p.topic_id
             JOIN users u ON u.id = p.author_id
             ORDER BY f.first_flagged_at, f.post_id
             LIMIT $1",
        )
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}

pub async fn count_open(conn: &mut Conn<'_>) -> sqlx::Result<i64> {
    on!(conn, {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(DISTINCT post_id) FROM flags WHERE status = 'open'")
                .fetch_one(conn)
                .await?;
        Ok(n)
    })
}

/// How a moderator settled a post's flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The post was hidden.
    Hidden,
    /// The post is fine.
    Dismissed,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Hidden => "hidden",
            Resolution::Dismissed => "dismissed",
        }
    }
}

/// Closes every open flag of a post. Returns the reporters whose flags were open.
pub async fn resolve(
    conn: &mut Conn<'_>,
    post_id: i64,
    resolution: Resolution,
    moderator_id: i64,
    now: i64,
) -> sqlx::Result<Vec<i64>> {
    on!(conn, {
        let reporters: Vec<(i64,)> = sqlx::query_as(
            "UPDATE flags SET status = $1, resolved_by = $2, resolved_at = $3
             WHERE post_id = $4 AND status = 'open'
             RETURNING reporter_id",
        )
        .bind(resolution.as_str())
        .bind(moderator_id)
        .bind(now)
        .bind(post_id)
        .fetch_all(conn)
        .await?;
        Ok(reporters.into_iter().map(|(id,)| id).collect())
    })
}
