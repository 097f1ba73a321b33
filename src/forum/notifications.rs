//! Who hears of what. Direct notifications are written in the event's own transaction (the reply,
//! the accepted answer, the moderator's action); watchers of a topic or tag are queued for the
//! notify job, so a post's cost does not grow with its audience.

use super::ForumError;
use super::topics::Actor;
use crate::db::notifications::{self as db_notes, About, Fanout, Kind, Notification, Watched};
use crate::db::{self, topics::Topic};
use crate::db::{Conn, Pool};
use crate::domain;

/// A new topic: its author watches it, the people it mentions are told, its tags' watchers are
/// queued.
pub(crate) async fn topic_created(
    conn: &mut Conn<'_>,
    topic_id: i64,
    post_id: i64,
    author_id: i64,
    mentions: &[String],
    now: i64,
) -> sqlx::Result<()> {
    db_notes::set_watch(conn, author_id, Watched::Topic(topic_id), true, now).await?;
    mentioned(conn, topic_id, post_id, author_id, mentions, None, now).await?;
    db_notes::enqueue(conn, Fanout::NewTopic, topic_id, post_id, author_id, now).await
}

/// A reply: the topic's author is told, then the people it mentions, then the topic's watchers
/// (queued).
pub(crate) async fn replied(
    conn: &mut Conn<'_>,
    topic: &Topic,
    post_id: i64,
    author_id: i64,
    mentions: &[String],
    now: i64,
) -> sqlx::Result<()> {
    let about = About {
        topic_id: Some(topic.id),
        post_id: Some(post_id),
        actor_id: Some(author_id),
        detail: "",
    };
    let told = db_notes::notify(conn, topic.author_id, Kind::Reply, about, now)
        .await?
        .then_some(topic.author_id);
    mentioned(conn, topic.id, post_id, author_id, mentions, told, now).await?;
    db_notes::enqueue(conn, Fanout::NewReply, topic.id, post_id, author_id, now).await
}

async fn mentioned(
    conn: &mut Conn<'_>,
    topic_id: i64,
    post_id: i64,
    author_id: i64,
    mentions: &[String],
    already_told: Option<i64>,
    now: i64,
) -> sqlx::Result<()> {
    if mentions.is_empty() {
        return Ok(());
    }
    let about = About {
        topic_id: Some(topic_id),
        post_id: Some(post_id),
        actor_id: Some(author_id),
        detail: "",
    };
    for user_id in db_notes::user_ids_named(conn, mentions).await? {
        if Some(user_id) != already_told {
            db_notes::notify(conn, user_id, Kind::Mention, about, now).await?;
        }
    }
    Ok(())
}

/// A moderator acted on someone's content: tells its author, with `detail` (the reason, the tags).
pub(crate) async fn moderated(
    conn: &mut Conn<'_>,
    kind: Kind,
    recipient: i64,
    about: About<'_>,
    now: i64,
) -> sqlx::Result<()> {
    db_notes::notify(conn, recipient, kind, about, now)
        .await
        .map(drop)
}

/// Notifications per page of `/notifications` and the API.
pub const PAGE: i64 = 30;

/// A member's notifications, newest first, and how many are unread.
pub async fn list(
    pool: &Pool,
    actor: Actor,
    before: Option<i64>,
) -> Result<(Vec<Notification>, i64), ForumError> {
    let mut conn = pool.acquire().await?;
    let notes = db_notes::list(&mut conn, actor.id, before, PAGE).await?;
    let unread = db_notes::unread_count(&mut conn, actor.id).await?;
    Ok((notes, unread))
}

/// Marks some (`Some(ids)`) or all of a member's notifications read.
pub async fn mark_read(pool: &Pool, actor: Actor, ids: Option<&[i64]>) -> Result<u64, ForumError> {
    let mut conn = pool.acquire().await?;
    Ok(db_notes::mark_read(&mut conn, actor.id, ids, domain::now()).await?)
}

/// Watches or stops watching a topic the member can see.
pub async fn watch_topic(
    pool: &Pool,
    actor: Actor,
    topic_id: i64,
    on: bool,
) -> Result<(), ForumError> {
    let mut conn = pool.acquire().await?;
    db::topics::get(&mut conn, topic_id)
        .await?
        .filter(|t| !t.hidden || actor.is_moderator)
        .ok_or(ForumError::NotFound)?;
    let what = Watched::Topic(topic_id);
    db_notes::set_watch(&mut conn, actor.id, what, on, domain::now()).await?;
    Ok(())
}

/// Watches or stops watching a tag, by name.
pub async fn watch_tag(pool: &Pool, actor: Actor, name: &str, on: bool) -> Result<(), ForumError> {
    let mut conn = pool.acquire().await?;
    let tag_id = db::tags::id_of(&mut conn, name)
        .await?
        .ok_or(ForumError::NotFound)?;
    let what = Watched::Tag(tag_id);
    db_notes::set_watch(&mut conn, actor.id, what, on, domain::now()).await?;
    Ok(())
}
