use super::{ForumError, bodies, collect, notifications};
use crate::db::notifications::{About, Kind};
use crate::db::posts::Post;
use crate::db::topics::Topic;
use crate::db::{self, modlog::Target, tags::TagSource, topics::TopicFlag};
use crate::db::{Conn, Pool};
use crate::domain::{self, PostBody, TagList, TopicTitle, ValidationError};

/// Who is acting, as the use cases need it.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub id: i64,
    pub is_moderator: bool,
    pub is_banned: bool,
}

impl Actor {
    pub(crate) fn ensure_can_post(&self) -> Result<(), ForumError> {
        if self.is_banned {
            Err(ForumError::Forbidden("banned users cannot post"))
        } else {
            Ok(())
        }
    }
}

/// A new topic as typed, before parsing.
pub struct TopicDraft<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub tags: TagInput<'a>,
}

/// Tags as a form sends them (one text field) or as the API does (a list).
pub enum TagInput<'a> {
    Text(&'a str),
    List(&'a [String]),
}

impl TagInput<'_> {
    fn parse(&self) -> Result<TagList, ValidationError> {
        match self {
            TagInput::Text(text) => TagList::parse_text(text),
            TagInput::List(list) => TagList::parse(list.iter()),
        }
    }
}

/// Creates a topic with its opening post and the author's tags. Returns the topic id.
pub async fn create_topic(
    pool: &Pool,
    actor: Actor,
    draft: &TopicDraft<'_>,
    max_body_bytes: usize,
) -> Result<i64, ForumError> {
    actor.ensure_can_post()?;
    let (title, body, tags) = collect(
        TopicTitle::parse(draft.title),
        PostBody::parse(draft.body, max_body_bytes),
        draft.tags.parse(),
    )?;
    let body = bodies::render(body).await?;
    let now = domain::now();
    let mut tx = crate::db::begin_write(pool).await?;
    let topic_id = db::topics::insert(&mut tx, &title, actor.id, now).await?;
    let post_id = db::posts::insert(&mut tx, topic_id, actor.id, true, &body, now).await?;
    db::tags::set_human_tags(&mut tx, topic_id, &tags, TagSource::Author, actor.id, now).await?;
    let mentions = body.mentions();
    notifications::topic_created(&mut tx, topic_id, post_id, actor.id, mentions, now).await?;
    tx.commit().await?;
    Ok(topic_id)
}

/// Adds a reply. Locked topics take replies from moderators only. Returns the post id.
pub async fn reply(
    pool: &Pool,
    actor: Actor,
    topic_id: i64,
    body: &str,
    max_body_bytes: usize,
) -> Result<i64, ForumError> {
    actor.ensure_can_post()?;
    let body = PostBody::parse(body, max_body_bytes)?;
    // Checked before rendering, so a reply that will be refused costs no render, and again in
    // the transaction, where a moderator may have locked or hidden the topic meanwhile.
    let mut conn = pool.acquire().await?;
    writable_topic(&mut conn, actor, topic_id).await?;
    drop(conn);
    let body = bodies::render(body).await?;
    let mut tx = crate::db::begin_write(pool).await?;
    let topic = writable_topic(&mut tx, actor, topic_id).await?;
    let now = domain::now();
    let post_id = db::posts::insert(&mut tx, topic_id, actor.id, false, &body, now).await?;
    db::topics::record_reply(&mut tx, topic_id, actor.id, now).await?;
    notifications::replied(&mut tx, &topic, post_id, actor.id, body.mentions(), now).await?;
    tx.commit().await?;
    Ok(post_id)
}

/// A topic the actor may see, as its page decides: hidden topics are moderators' only.
pub(crate) async fn visible_topic(
    conn: &mut Conn<'_>,
    actor: Actor,
    topic_id: i64,
) -> Result<Topic, ForumError> {
    db::topics::get(conn, topic_id)
        .await?
        .filter(|t| !t.hidden || actor.is_moderator)
        .ok_or(ForumError::NotFound)
}

/// A visible topic the actor may write in: locked topics take writes from moderators only.
async fn writable_topic(
    conn: &mut Conn<'_>,
    actor: Actor,
    topic_id: i64,
) -> Result<Topic, ForumError> {
    let topic = visible_topic(conn, actor, topic_id).await?;
    if topic.locked && !actor.is_moderator {
        return Err(ForumError::Forbidden("this topic is locked"));
    }
    Ok(topic)
}

/// A post the actor may see: in a visible topic, and not hidden unless they moderate.
pub(crate) async fn visible_post(
    conn: &mut Conn<'_>,
    actor: Actor,
    post_id: i64,
) -> Result<(Post, Topic), ForumError> {
    let post = db::posts::get(conn, post_id, None)
        .await?
        .filter(|p| !p.hidden || actor.is_moderator)
        .ok_or(ForumError::NotFound)?;
    let topic = visible_topic(conn, actor, post.topic_id).await?;
    Ok((post, topic))
}

/// An edit as typed. `title` and `tags` apply only to a topic's opening post.
pub struct PostEdit<'a> {
    pub title: Option<&'a str>,
    pub body: &'a str,
    pub tags: Option<TagInput<'a>>,
}

/// A post its author (outside a locked topic) or a moderator may edit.
async fn editable_post(
    conn: &mut Conn<'_>,
    actor: Actor,
    post_id: i64,
) -> Result<(Post, Topic), ForumError> {
    let (post, topic) = visible_post(conn, actor, post_id).await?;
    if post.author_id != actor.id && !actor.is_moderator {
        return Err(ForumError::Forbidden("you can only edit your own posts"));
    }
    if topic.locked && !actor.is_moderator {
        return Err(ForumError::Forbidden("this topic is locked"));
    }
    Ok((post, topic))
}

/// Edits a post (its author or a moderator), keeping the old text as a revision. Returns the
/// topic id. Everything is parsed and rendered before the write transaction begins.
pub async fn edit_post(
    pool: &Pool,
    actor: Actor,
    post_id: i64,
    edit: &PostEdit<'_>,
    max_body_bytes: usize,
) -> Result<i64, ForumError> {
    actor.ensure_can_post()?;
    let mut conn = pool.acquire().await?;
    let (post, _) = editable_post(&mut conn, actor, post_id).await?;
    drop(conn);
    let title = match (post.is_first, edit.title) {
        (true, Some(title)) => Some(TopicTitle::parse(title)),
        _ => None,
    };
    let tags = match (post.is_first, &edit.tags) {
        (true, Some(tags)) => Some(tags.parse()),
        _ => None,
    };
    let (title, body, tags) = collect(
        title.transpose(),
        PostBody::parse(edit.body, max_body_bytes),
        tags.transpose(),
    )?;
    let body = bodies::render(body).await?;
    let now = domain::now();
    let mut tx = crate::db::begin_write(pool).await?;
    // Again inside the transaction: the topic may have been locked while the body rendered.
    let (post, topic) = editable_post(&mut tx, actor, post_id).await?;
    let previous_title = post.is_first.then_some(topic.title.as_str());
    db::posts::edit(&mut tx, post_id, previous_title, &body, actor.id, now).await?;
    if let Some(title) = title {
        db::topics::set_title(&mut tx, topic.id, &title).await?;
    }
    if let Some(tags) = tags {
        let source = if post.author_id == actor.id {
            TagSource::Author
        } else {
            TagSource::Moderator
        };
        db::tags::set_human_tags(&mut tx, topic.id, &tags, source, actor.id, now).await?;
    }
    if post.author_id != actor.id {
        // A moderator changed someone else's words: that belongs in the log.
        let target = Target::Post {
            id: post_id,
            topic_id: topic.id,
        };
        db::modlog::record(&mut tx, actor.id, "edit_post", target, "", now).await?;
    }
    tx.commit().await?;
    Ok(topic.id)
}

/// Votes +1 / -1 on someone else's visible post, or withdraws the vote with 0. Returns the
/// post's new score.
pub async fn vote(pool: &Pool, actor: Actor, post_id: i64, value: i64) -> Result<i64, ForumError> {
    actor.ensure_can_post()?;
    if !(-1..=1).contains(&value) {
        return Err(ValidationError::new("value", "must be 1, -1 or 0").into());
    }
    let now = domain::now();
    let mut tx = crate::db::begin_write(pool).await?;
    let (post, _) = visible_post(&mut tx, actor, post_id).await?;
    if post.hidden {
        return Err(ForumError::NotFound);
    }
    if post.author_id == actor.id {
        return Err(ForumError::Forbidden("you cannot vote on your own posts"));
    }
    let score = db::votes::cast(&mut tx, actor.id, post_id, value, now).await?;
    if post.is_first {
        db::topics::refresh_rank(&mut tx, post.topic_id, now).await?;
    }
    tx.commit().await?;
    Ok(score)
}

/// Locks, pins or hides a topic (moderators only).
pub async fn set_topic_flag(
    pool: &Pool,
    actor: Actor,
    topic_id: i64,
    flag: TopicFlag,
    on: bool,
) -> Result<(), ForumError> {
    if !actor.is_moderator {
        return Err(ForumError::Forbidden("only moderators may do this"));
    }
    let mut tx = crate::db::begin_write(pool).await?;
    if !db::topics::set_flag(&mut tx, topic_id, flag, on).await? {
        return Err(ForumError::NotFound);
    }
    let action = match (flag, on) {
        (TopicFlag::Locked, true) => "lock",
        (TopicFlag::Locked, false) => "unlock",
        (TopicFlag::Pinned, true) => "pin",
        (TopicFlag::Pinned, false) => "unpin",
        (TopicFlag::Hidden, true) => "hide",
        (TopicFlag::Hidden, false) => "unhide",
    };
    let target = Target::Topic(topic_id);
    db::modlog::record(&mut tx, actor.id, action, target, "", domain::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Hides or shows a post (moderators only). Returns the post's topic id.
pub async fn set_post_hidden(
    pool: &Pool,
    actor: Actor,
    post_id: i64,
    hidden: bool,
) -> Result<i64, ForumError> {
    if !actor.is_moderator {
        return Err(ForumError::Forbidden("only moderators may do this"));
    }
    let mut tx = crate::db::begin_write(pool).await?;
    let post = db::posts::get(&mut tx, post_id, None)
        .await?
        .ok_or(ForumError::NotFound)?;
    db::posts::set_hidden(&mut tx, post_id, hidden).await?;
    if post.is_first {
        // Hiding the opening post hides the whole topic from lists.
        db::topics::set_flag(&mut tx, post.topic_id, TopicFlag::Hidden, hidden).await?;
    }
    if hidden {
        let about = About {
            topic_id: Some(post.topic_id),
            post_id: Some(post_id),
            actor_id: Some(actor.id),
            detail: "hidden by a moderator",
        };
        let now = domain::now();
        notifications::moderated(&mut tx, Kind::PostHidden, post.author_id, about, now).await?;
    }
    let action = if hidden { "hide_post" } else { "unhide_post" };
    let target = Target::Post {
        id: post_id,
        topic_id: post.topic_id,
    };
    db::modlog::record(&mut tx, actor.id, action, target, "", domain::now()).await?;
    tx.commit().await?;
    Ok(post.topic_id)
}
