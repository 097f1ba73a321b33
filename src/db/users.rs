use crate::db::{Conn, on, sql};

use crate::domain::{Email, Role, Username};

/// A user row as the app needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub created_at: i64,
    pub banned_until: Option<i64>,
}

impl User {
    pub fn role(&self) -> Role {
        self.role.parse().unwrap_or(Role::Member)
    }
}

/// Inserts a user with the given role, or — when `role` is `None` — as admin if it is the first
/// account that can log in (imported accounts have no password and do not count) and member
/// otherwise. Decided in the same statement, so two concurrent first registrations cannot both
/// become admin.
pub async fn insert(
    conn: &mut Conn<'_>,
    username: &Username,
    email: &Email,
    password_hash: Option<&str>,
    role: Option<Role>,
    now: i64,
) -> sqlx::Result<i64> {
    on!(conn, {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (username, email, password_hash, role, created_at)
             VALUES ($1, $2, $3,
                     COALESCE($4, CASE WHEN EXISTS (SELECT 1 FROM users WHERE password_hash IS NOT NULL)
                                       THEN 'member' ELSE 'admin' END),
                     $5)
             RETURNING id",
        )
        .bind(username.as_str())
        .bind(email.as_str())
        .bind(password_hash)
        .bind(role.map(Role::as_str))
        .bind(now)
        .fetch_one(conn)
        .await?;
        Ok(id)
    })
}

pub async fn find_by_username(conn: &mut Conn<'_>, username: &str) -> sqlx::Result<Option<User>> {
    on!(conn, {
        sqlx::query_as::<_, User>(
            "SELECT id, username, email, password_hash, role, created_at, banned_until
             FROM users WHERE username = $1",
        )
        .bind(username)
        .fetch_optional(conn)
        .await
    })
}

pub async fn find_by_id(conn: &mut Conn<'_>, id: i64) -> sqlx::Result<Option<User>> {
    on!(conn, {
        sqlx::query_as::<_, User>(
            "SELECT id, username, email, password_hash, role, created_at, banned_until
             FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(conn)
        .await
    })
}

/// Returns whether a user with that name existed.
pub async fn set_role(conn: &mut Conn<'_>, username: &str, role: Role) -> sqlx::Result<bool> {
    on!(conn, {
        let done = sqlx::query("UPDATE users SET role = $1 WHERE username = $2")
            .bind(role.as_str())
            .bind(username)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

pub async fn count(conn: &mut Conn<'_>) -> sqlx::Result<i64> {
    on!(conn, {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(conn)
            .await?;
        Ok(n)
    })
}

/// Bans a user until `until` (unix seconds) for `reason` (may be empty), or lifts the ban with
/// `None` (the reason goes with it).
pub async fn set_banned_until(
    conn: &mut Conn<'_>,
    user_id: i64,
    until: Option<i64>,
    reason: &str,
) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("UPDATE users SET banned_until = $1, ban_reason = $2 WHERE id = $3")
            .bind(until)
            .bind(if until.is_some() { reason } else { "" })
            .bind(user_id)
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// The reason given for a user's ban ('' when none was, or when not banned).
pub async fn ban_reason(conn: &mut Conn<'_>, user_id: i64) -> sqlx::Result<String> {
    on!(conn, {
        let reason: Option<(String,)> =
            sqlx::query_as("SELECT ban_reason FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(conn)
                .await?;
        Ok(reason.map(|(r,)| r).unwrap_or_default())
    })
}

/// Case-insensitive, as the column's collation compares.
pub async fn find_by_email(conn: &mut Conn<'_>, email: &str) -> sqlx::Result<Option<User>> {
    on!(conn, pg, {
        sqlx::query_as::<_, User>(sql!(pg,
            "SELECT id, username, email, password_hash, role, created_at, banned_until
             FROM users WHERE email = $1" {sqlite: " COLLATE NOCASE"}))
        .bind(email)
        .fetch_optional(conn)
        .await
    })
}

pub async fn set_password_hash(conn: &mut Conn<'_>, user_id: i64, hash: &str) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user_id)
            .execute(conn)
            .await?;
        Ok(())
    })
}

pub async fn set_email(conn: &mut Conn<'_>, user_id: i64, email: &str) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(email)
            .bind(user_id)
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// What a member chose on their settings page.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct Preferences {
    pub bio: String,
    #[sqlx(try_from = "crate::db::Flag")]
    pub notify_replies: bool,
    #[sqlx(try_from = "crate::db::Flag")]
    pub notify_mentions: bool,
    #[sqlx(try_from = "crate::db::Flag")]
    pub notify_watched: bool,
    #[sqlx(try_from = "crate::db::Flag")]
    pub notify_moderation: bool,
    #[sqlx(try_from = "crate::db::Flag")]
    pub notify_routed: bool,
    /// `app`, `immediate` or `digest`.
    pub email_delivery: String,
}

pub async fn preferences(conn: &mut Conn<'_>, user_id: i64) -> sqlx::Result<Option<Preferences>> {
    on!(conn, {
        sqlx::query_as::<_, Preferences>(
            "SELECT bio, notify_replies, notify_mentions, notify_watched, notify_moderation,
                    notify_routed, email_delivery
             FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_optional(conn)
        .await
    })
}

pub async fn set_preferences(
    conn: &mut Conn<'_>,
    user_id: i64,
    p: &Preferences,
) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query(
            "UPDATE users SET bio = $2, notify_replies = $3, notify_mentions = $4, notify_watched = $5,
                              notify_moderation = $6, notify_routed = $7, email_delivery = $8
             WHERE id = $1",
        )
        .bind(user_id)
        .bind(&p.bio)
        .bind(i64::from(p.notify_replies))
        .bind(i64::from(p.notify_mentions))
        .bind(i64::from(p.notify_watched))
        .bind(i64::from(p.notify_moderation))
        .bind(i64::from(p.notify_routed))
        .bind(&p.email_delivery)
        .execute(conn)
        .await?;
        Ok(())
    })
}

/// Stops every notification e-mail (the unsubscribe link).
pub async fn stop_email(conn: &mut Conn<'_>, user_id: i64) -> sqlx::Result<bool> {
    on!(conn, {
        let done = sqlx::query("UPDATE users SET email_delivery = 'app' WHERE id = $1")
            .bind(user_id)
            .execute(conn)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Whether a member's daily digest may go out: none sent since `since`.
pub async fn digest_due(conn: &mut Conn<'_>, user_id: i64, since: i64) -> sqlx::Result<bool> {
    on!(conn, {
        let (due,): (crate::db::Flag,) = sqlx::query_as(
            "SELECT digest_sent_at IS NULL OR digest_sent_at <= $2 FROM users WHERE id = $1",
        )
        .bind(user_id)
        .bind(since)
        .fetch_one(conn)
        .await?;
        Ok(due.into())
    })
}

pub async fn set_digest_sent(conn: &mut Conn<'_>, user_id: i64, now: i64) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("UPDATE users SET digest_sent_at = $2 WHERE id = $1")
            .bind(user_id)
            .bind(now)
            .execute(conn)
            .await?;
        Ok(())
    })
}

/// Everything a member wrote and chose, as one JSON document (their "download my data"), built
/// by the engine's JSON functions in one statement.
pub async fn export(conn: &mut Conn<'_>, user_id: i64) -> sqlx::Result<String> {
    on!(conn, pg, {
        let (json,): (String,) = sqlx::query_as(if pg {
            "SELECT json_build_object(
               'user', (SELECT json_build_object('id', id, 'username', username, 'email', email,
                                           'role', role, 'created_at', created_at, 'bio', bio,
                                           'email_delivery', email_delivery)
                        FROM users WHERE id = $1),
               'topics', (SELECT COALESCE(json_agg(json_build_object('id', id, 'title', title,
                                                              'created_at', created_at)), '[]'::json)
                          FROM topics WHERE author_id = $1),
               'posts', (SELECT COALESCE(json_agg(json_build_object('id', id, 'topic_id', topic_id,
                                                             'body', body_md, 'created_at', created_at,
                                                             'edited_at', edited_at)), '[]'::json)
                         FROM posts WHERE author_id = $1),
               'votes', (SELECT COALESCE(json_agg(json_build_object('post_id', post_id, 'value', value,
                                                             'created_at', created_at)), '[]'::json)
                         FROM votes WHERE user_id = $1),
               'watched_topics', (SELECT COALESCE(json_agg(topic_id), '[]'::json) FROM topic_watches
                                  WHERE user_id = $1),
               'watched_tags', (SELECT COALESCE(json_agg(g.name), '[]'::json) FROM tag_watches w
                                JOIN tags g ON g.id = w.tag_id WHERE w.user_id = $1),
               'notifications', (SELECT COALESCE(json_agg(json_build_object('kind', kind,
                                                                     'topic_id', topic_id,
                                                                     'post_id', post_id,
                                                                     'created_at', created_at,
                                                                     'read_at', read_at)), '[]'::json)
                                 FROM notifications WHERE user_id = $1))::text"
        } else {
            "SELECT json_object(
               'user', (SELECT json_object('id', id, 'username', username, 'email', email,
                                           'role', role, 'created_at', created_at, 'bio', bio,
                                           'email_delivery', email_delivery)
                        FROM users WHERE id = $1),
               'topics', (SELECT json_group_array(json_object('id', id, 'title', title,
                                                              'created_at', created_at))
                          FROM topics WHERE author_id = $1),
               'posts', (SELECT json_group_array(json_object('id', id, 'topic_id', topic_id,
                                                             'body', body_md, 'created_at', created_at,
                                                             'edited_at', edited_at))
                         FROM posts WHERE author_id = $1),
               'votes', (SELECT json_group_array(json_object('post_id', post_id, 'value', value,
                                                             'created_at', created_at))
                         FROM votes WHERE user_id = $1),
               'watched_topics', (SELECT json_group_array(topic_id) FROM topic_watches
                                  WHERE user_id = $1),
               'watched_tags', (SELECT json_group_array(g.name) FROM tag_watches w
                                JOIN tags g ON g.id = w.tag_id WHERE w.user_id = $1),
               'notifications', (SELECT json_group_array(json_object('kind', kind,
                                                                     'topic_id', topic_id,
                                                                     'post_id', post_id,
                                                                     'created_at', created_at,
                                                                     'read_at', read_at))
                                 FROM notifications WHERE user_id = $1))"
        })
        .bind(user_id)
        .fetch_one(conn)
        .await?;
        Ok(json)
    })
}
