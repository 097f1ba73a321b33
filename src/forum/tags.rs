//! Describing tags: moderators write what a tag is for, and the moderation log says who did.

use super::{ForumError, topics::Actor};
use crate::db::Pool;
use crate::db::{self, modlog::Target};
use crate::domain::{self, TagDescription};

/// How much of a new description the moderation log keeps.
const LOGGED_CHARS: usize = 200;

/// Sets the description of the tag `name` (moderators only); blank clears it.
pub async fn describe(pool: &Pool, actor: Actor, name: &str, raw: &str) -> Result<(), ForumError> {
    if !actor.is_moderator {
        return Err(ForumError::Forbidden("only moderators may describe tags"));
    }
    // Rendered before the write begins (bounded: a thousand characters).
    let description = TagDescription::parse(raw)?;
    let mut tx = db::begin_write(pool).await?;
    let tag_id =
        db::tags::set_description(&mut tx, name, description.markdown(), description.html())
            .await?
            .ok_or(ForumError::NotFound)?;
    let detail: String = description.markdown().chars().take(LOGGED_CHARS).collect();
    db::modlog::record(
        &mut tx,
        actor.id,
        "describe_tag",
        Target::Tag(tag_id),
        &detail,
        domain::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
