//! Notifications, the watch lists behind them, and the fan-out queue the notify job works off.
use crate::db::{Conn, on, sql};

/// What happened, as stored in `notifications.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Reply,
    Mention,
    Accepted,
    FlagResolved,
    PostHidden,
    Retagged,
    WatchedTopic,
    WatchedTag,
    Routed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Reply => "reply",
            Kind::Mention => "mention",
            Kind::Accepted => "accepted",
            Kind::FlagResolved => "flag_resolved",
            Kind::PostHidden => "post_hidden",
            Kind::Retagged => "retagged",
            Kind::WatchedTopic => "watched_topic",
            Kind::WatchedTag => "watched_tag",
            Kind::Routed => "routed",
        }
    }

    /// The `users` column that says whether the member wants this kind.
    fn preference(self) -> &'static str {
        match self {
            Kind::Reply => "notify_replies",
            Kind::Mention => "notify_mentions",
            Kind::Accepted | Kind::FlagResolved | Kind::PostHidden | Kind::Retagged => {
                "notify_moderation"
            }
            Kind::WatchedTopic | Kind::WatchedTag => "notify_watched",
            Kind::Routed => "notify_routed",
        }
    }
}

/// One notification as its recipient sees it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub topic_id: Option<i64>,
    pub post_id: Option<i64>,
    pub topic_title: Option<String>,
    pub actor_name: Option<String>,
    pub detail: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// Where a notification points and who caused it.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    pub topic_id: Option<i64>,
    pub post_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub detail: &'a str,
}

/// Notifies `user_id` of `kind`, unless they turned that kind off or caused it themselves. Members
/// who read only in the app have nothing to mail, so their row is born mailed (`mailed_at = 0`).
/// Returns whether a notification was written.
pub async fn notify(
    conn: &mut Conn<'_>,
    user_id: i64,
    kind: Kind,
    about: About<'_>,
    now: i64,
) -> sqlx::Result<bool> {
    on!(conn, {
        // The preference column comes from `Kind`, never from input.
        let sql = format!(
            "INSERT INTO notifications (user_id, kind, topic_id, post_id, actor_id, detail, created_at,
                                        mailed_at)
             SELECT id, $2, $3, $4, $5, $6, $7, CASE email_delivery WHEN 'app' THEN 0 END
             FROM users WHERE id = $1 AND {} = 1 AND id IS DISTINCT FROM $5",
            kind.preference()
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .bind(kind.as_str())
            .bind(about.topic_id)
            .bind(about.post_id)
            .bind(about.actor_id)
            .bind(about.detail)
            .bind(now)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// The ids of existing accounts among `names` (compared case-insensitively).
pub async fn user_ids_named(conn: &mut Conn<'_>, names: &[String]) -> sqlx::Result<Vec<i64>> {
    on!(conn, pg, {
        let names = serde_json::to_string(names).expect("a list of strings always serialises");
        let rows: Vec<(i64,)> = sqlx::query_as(sql!(pg,
            "SELECT DISTINCT u.id FROM "
            {sqlite: "json_each($1) j"} {pg: "json_array_elements_text($1::json) AS j (value)"}
            " JOIN users u ON u.username = j.value"
        ))
        .bind(names)
        .fetch_all(conn)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    })
}

/// A member's notifications, newest first, older than `before` (an id) when given.
pub async fn list(
    conn: &mut Conn<'_>,
    user_id: i64,
    before: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<Notification>> {
    on!(conn, {
        sqlx::query_as::<_, Notification>(
            "SELECT n.id, n.kind, n.topic_id, n.post_id, t.title AS topic_title,
                    a.username AS actor_name, n.detail, n.created_at, n.read_at
             FROM notifications n
             LEFT JOIN topics t ON t.id = n.topic_id
             LEFT JOIN users a ON a.id = n.actor_id
             WHERE n.user_id = $1 AND n.id < COALESCE($2, 9223372036854775807)
             ORDER BY n.id DESC LIMIT $3",
        )
        .bind(user_id)
        .bind(before)
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}

pub async fn unread_count(conn: &mut Conn<'_>, user_id: i64) -> sqlx::Result<i64> {
    on!(conn, {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(conn)
        .await?;
        Ok(n)
    })
}

/// Marks the member's notifications read: those listed, or all when `ids` is `None`. Returns how
/// many changed.
pub async fn mark_read(
    conn: &mut Conn<'_>,
    user_id: i64,
    ids: Option<&[i64]>,
    now: i64,
) -> sqlx::Result<u64> {
    on!(conn, {
        let done = match ids {
            Some(ids) => {
                sqlx::query(
                    "UPDATE notifications SET read_at = $3
                     WHERE user_id = $1 AND read_at IS NULL AND id IN (SELECT value FROM json_each($2))",
                )
                .bind(user_id)
                .bind(super::json_ids(ids))
                .bind(now)
                .execute(conn)
                .await?
            }
            None => {
                sqlx::query(
                    "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
                )
                .bind(user_id)
                .bind(now)
                .execute(conn)
                .await?
            }
        };
        Ok(done.rows_affected())
    })
}

/// What members watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    Topic(i64),
    /// By tag id.
    Tag(i64),
}

/// Starts or stops watching. Watching twice is watching.
pub async fn set_watch(
    conn: &mut Conn<'_>,
    user_id: i64,
    what: Watched,
    on: bool,
    now: i64,
) -> sqlx::Result<()> {
    on!(conn, {
        let (sql, id) = match (what, on) {
            (Watched::Topic(id), true) => (
                "INSERT INTO topic_watches (user_id, topic_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                id,
            ),
            (Watched::Topic(id), false) => (
                "DELETE FROM topic_watches WHERE user_id = $1 AND topic_id = $2 AND $3 IS NOT NULL",
                id,
            ),
            (Watched::Tag(id), true) => (
                "INSERT INTO tag_watches (user_id, tag_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                id,
            ),
            (Watched::Tag(id), false) => (
                "DELETE FROM tag_watches WHERE user_id = $1 AND tag_id = $2 AND $3 IS NOT NULL",
                id,
            ),
        };
        sqlx::query(sql)
            .bind(user_id)
            .bind(id)
            .bind(now)
            .execute(conn)
            .await?;
        Ok(())
    })
}

pub async fn is_watching(conn: &mut Conn<'_>, user_id: i64, what: Watched) -> sqlx::Result<bool> {
    on!(conn, {
        let (sql, id) = match what {
            Watched::Topic(id) => (
                "SELECT EXISTS (SELECT 1 FROM topic_watches WHERE user_id = $1 AND topic_id = $2)",
                id,
            ),
            Watched::Tag(id) => (
                "SELECT EXISTS (SELECT 1 FROM tag_watches WHERE user_id = $1 AND tag_id = $2)",
                id,
            ),
        };
        let (yes,): (crate::db::Flag,) = sqlx::query_as(sql)
            .bind(user_id)
            .bind(id)
            .fetch_one(conn)
            .await?;
        Ok(yes.into())
    })
}

/// Fan-out work: a new topic for its tags' watchers, or a reply for its topic's watchers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fanout {
    NewTopic,
    NewReply,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedFanout {
    pub id: i64,
    pub kind: String,
    pub topic_id: i64,
    pub post_id: i64,
    pub actor_id: i64,
}

pub async fn enqueue(
    conn: &mut Conn<'_>,
    kind: Fanout,
    topic_id: i64,
    post_id: i64,
    actor_id: i64,
    now: i64,
) -> sqlx::Result<()> {
    on!(conn, {
        let kind = match kind {
            Fanout::NewTopic => "new_topic",
            Fanout::NewReply => "new_reply",
        };
        sqlx::query(
            "INSERT INTO notification_queue (kind, topic_id, post_id, actor_id, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(kind)
        .bind(topic_id)
        .bind(post_id)
        .bind(actor_id)
        .bind(now)
        .execute(conn)
        .await?;
        Ok(())
    })
}

pub async fn queued(conn: &mut Conn<'_>, limit: i64) -> sqlx::Result<Vec<QueuedFanout>> {
    on!(conn, {
        sqlx::query_as::<_, QueuedFanout>(
            "SELECT id, kind, topic_id, post_id, actor_id FROM notification_queue ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}

/// Notifies the watchers of one queued event (set-based: one statement, whatever their number)
/// and takes it off the queue. Members already told of this post directly (its topic's author,
/// those it mentions) are not told again; hidden topics notify nobody. Returns the notifications
/// written.
pub async fn fan_out(conn: &mut Conn<'_>, item: &QueuedFanout, now: i64) -> sqlx::Result<u64> {
    on!(conn, {
        let watchers = if item.kind == "new_topic" {
            "SELECT DISTINCT w.user_id FROM topic_tags tt
             JOIN tag_watches w ON w.tag_id = tt.tag_id
             WHERE tt.topic_id = $1 AND tt.status = 'active'"
        } else {
            "SELECT w.user_id FROM topic_watches w WHERE w.topic_id = $1"
        };
        let (kind, preference) = if item.kind == "new_topic" {
            (Kind::WatchedTag, Kind::WatchedTag.preference())
        } else {
            (Kind::WatchedTopic, Kind::WatchedTopic.preference())
        };
        let sql = format!(
            "INSERT INTO notifications (user_id, kind, topic_id, post_id, actor_id, detail, created_at,
                                        mailed_at)
             SELECT u.id, $4, $1, $2, $3, '', $5, CASE u.email_delivery WHEN 'app' THEN 0 END
             FROM ({watchers}) w
             JOIN users u ON u.id = w.user_id
             JOIN topics t ON t.id = $1
             WHERE u.{preference} = 1 AND u.id <> $3 AND t.hidden = 0
               AND NOT EXISTS (SELECT 1 FROM notifications n
                               WHERE n.post_id = $2 AND n.user_id = u.id)"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(item.topic_id)
            .bind(item.post_id)
            .bind(item.actor_id)
            .bind(kind.as_str())
            .bind(now)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM notification_queue WHERE id = $1")
            .bind(item.id)
            .execute(conn)
            .await?;
        Ok(done.rows_affected())
    })
}

/// A notification waiting for its e-mail, with what the mail needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Unmailed {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub email: String,
    pub email_delivery: String,
    pub kind: String,
    pub topic_id: Option<i64>,
    pub post_id: Option<i64>,
    pub topic_title: Option<String>,
    pub actor_name: Option<String>,
    pub detail: String,
    pub created_at: i64,
}

/// Notifications not yet mailed, created after `since` (older ones are marked mailed without a
/// mail: e-mail switched on later does not flood members with the past).
pub async fn unmailed(conn: &mut Conn<'_>, since: i64, limit: i64) -> sqlx::Result<Vec<Unmailed>> {
    on!(conn, {
        sqlx::query(
            "UPDATE notifications SET mailed_at = 0 WHERE mailed_at IS NULL AND created_at < $1",
        )
        .bind(since)
        .execute(&mut *conn)
        .await?;
        sqlx::query_as::<_, Unmailed>(
            "SELECT n.id, n.user_id, u.username, u.email, u.email_delivery, n.kind, n.topic_id,
                    n.post_id, t.title AS topic_title, a.username AS actor_name, n.detail,
                    n.created_at
             FROM notifications n
             JOIN users u ON u.id = n.user_id
             LEFT JOIN topics t ON t.id = n.topic_id
             LEFT JOIN users a ON a.id = n.actor_id
             WHERE n.mailed_at IS NULL
             ORDER BY n.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}

pub async fn mark_mailed(conn: &mut Conn<'_>, ids: &[i64], now: i64) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query(
            "UPDATE notifications SET mailed_at = $2 WHERE id IN (SELECT value FROM json_each($1))",
        )
        .bind(super::json_ids(ids))
        .bind(now)
        .execute(conn)
        .await?;
        Ok(())
    })
}
