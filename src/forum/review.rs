//! Deciding on the model's suggestions and retagging: every decision is a label for the next
//! training run, and moderators' decisions go to the moderation log.

use super::{ForumError, notifications, topics::Actor};
use crate::db::Pool;
use crate::db::notifications::{About, Kind};
use crate::db::{self, modlog::Target, tags::TagSource};
use crate::domain::{self, TagList};

/// Accepts or rejects a suggested tag. Moderators may decide on any topic, authors on their own.
pub async fn decide_suggestion(
    pool: &Pool,
    actor: Actor,
    topic_id: i64,
    tag: &str,
    accept: bool,
) -> Result<(), ForumError> {
    let mut tx = crate::db::begin_write(pool).await?;
    let topic = db::topics::get(&mut tx, topic_id)
        .await?
        .filter(|t| !t.hidden || actor.is_moderator)
        .ok_or(ForumError::NotFound)?;
    if topic.author_id != actor.id && !actor.is_moderator {
        return Err(ForumError::Forbidden(
            "only moderators and the topic's author decide on suggested tags",
        ));
    }
    let now = domain::now();
    if !db::labels::decide(&mut tx, topic_id, tag, accept, actor.id, now).await? {
        return Err(ForumError::NotFound);
    }
    if actor.is_moderator {
        let action = if accept { "accept_tag" } else { "reject_tag" };
        db::modlog::record(&mut tx, actor.id, action, Target::Topic(topic_id), tag, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sets a topic's human tags (moderators only). Pending suggestions that are now listed become
/// active; the others stay pending.
pub async fn retag(
    pool: &Pool,
    actor: Actor,
    topic_id: i64,
    tags: &TagList,
) -> Result<(), ForumError> {
    if !actor.is_moderator {
        return Err(ForumError::Forbidden("only moderators may retag topics"));
    }
    let mut tx = crate::db::begin_write(pool).await?;
    let topic = db::topics::get(&mut tx, topic_id)
        .await?
        .ok_or(ForumError::NotFound)?;
    let now = domain::now();
    db::tags::set_human_tags(&mut tx, topic_id, tags, TagSource::Moderator, actor.id, now).await?;
    let names: Vec<&str> = tags.iter().map(|t| t.as_str()).collect();
    let about = About {
        topic_id: Some(topic_id),
        post_id: None,
        actor_id: Some(actor.id),
        detail: &names.join(", "),
    };
    notifications::moderated(&mut tx, Kind::Retagged, topic.author_id, about, now).await?;
    db::modlog::record(
        &mut tx,
        actor.id,
        "retag",
        Target::Topic(topic_id),
        &names.join(", "),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records a moderator's "Retrain now"; the retrain job picks it up.
pub async fn request_retrain(pool: &Pool, actor: Actor) -> Result<(), ForumError> {
    if !actor.is_moderator {
        return Err(ForumError::Forbidden(
            "only moderators may retrain the model",
        ));
    }
    let mut conn = pool.acquire().await?;
    db::model_versions::request_retrain(&mut conn, actor.id, domain::now()).await?;
    Ok(())
}
