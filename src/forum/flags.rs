//! Flags: a member asks moderators to look at a post; a moderator hides it or dismisses the flags.
//! Each resolution is logged in the same transaction.

use super::{ForumError, notifications, topics::Actor};
use crate::db::Pool;
use crate::db::notifications::{About, Kind};
use crate::db::{self, flags::Resolution, modlog::Target, topics::TopicFlag};
use crate::domain::{self, FlagNote, FlagReason, ValidationError};

/// Flags a visible post of someone else. Flagging again updates the reason of one's open flag.
pub async fn flag_post(
    pool: &Pool,
    actor: Actor,
    post_id: i64,
    reason: &str,
    note: &str,
) -> Result<(), ForumError> {
    if actor.is_banned {
        return Err(ForumError::Forbidden("banned users cannot flag posts"));
    }
    let (reason, note) = match (FlagReason::parse(reason), FlagNote::parse(note)) {
        (Ok(r), Ok(n)) => (r, n),
        (r, n) => {
            return Err(ForumError::Invalid(
                [r.err(), n.err()].into_iter().flatten().collect(),
            ));
        }
    };
    let mut tx = crate::db::begin_write(pool).await?;
    let (post, _) = super::topics::visible_post(&mut tx, actor, post_id).await?;
    if post.hidden {
        return Err(ForumError::NotFound);
    }
    if post.author_id == actor.id {
        return Err(ForumError::Forbidden("you cannot flag your own post"));
    }
    let now = domain::now();
    db::flags::insert(
        &mut tx,
        post_id,
        actor.id,
        reason.as_str(),
        note.as_str(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a moderator decided about a flagged post, as a form or the API names it.
pub fn parse_resolution(action: &str) -> Result<Resolution, ForumError> {
    match action {
        "hide" => Ok(Resolution::Hidden),
        "dismiss" => Ok(Resolution::Dismissed),
        _ => Err(ValidationError::new("action", "must be hide or dismiss").into()),
    }
}

/// Closes the open flags of a post, hiding it first when so decided (hiding an opening post hides
/// its topic, as the moderator's hide button does). Returns the post's topic id.
pub async fn resolve(
    pool: &Pool,
    actor: Actor,
    post_id: i64,
    resolution: Resolution,
) -> Result<i64, ForumError> {
    if !actor.is_moderator {
        return Err(ForumError::Forbidden("only moderators may do this"));
    }
    let now = domain::now();
    let mut tx = crate::db::begin_write(pool).await?;
    let post = db::posts::get(&mut tx, post_id, None)
        .await?
        .ok_or(ForumError::NotFound)?;
    let reporters = db::flags::resolve(&mut tx, post_id, resolution, actor.id, now).await?;
    if reporters.is_empty() {
        return Err(ForumError::NotFound);
    }
    let closed = reporters.len();
    let about = |detail| About {
        topic_id: Some(post.topic_id),
        post_id: Some(post_id),
        actor_id: Some(actor.id),
        detail,
    };
    for reporter in reporters {
        let told = about(resolution.as_str());
        notifications::moderated(&mut tx, Kind::FlagResolved, reporter, told, now).await?;
    }
    if resolution == Resolution::Hidden {
        db::posts::set_hidden(&mut tx, post_id, true).await?;
        if post.is_first {
            db::topics::set_flag(&mut tx, post.topic_id, TopicFlag::Hidden, true).await?;
        }
        let told = about("flagged by members");
        notifications::moderated(&mut tx, Kind::PostHidden, post.author_id, told, now).await?;
    }
    let target = Target::Post {
        id: post_id,
        topic_id: post.topic_id,
    };
    let detail = format!("{} open flag{}", closed, if closed == 1 { "" } else { "s" });
    let action = match resolution {
        Resolution::Hidden => "resolve_flags_hide",
        Resolution::Dismissed => "resolve_flags_dismiss",
    };
    db::modlog::record(&mut tx, actor.id, action, target, &detail, now).await?;
    tx.commit().await?;
    Ok(post.topic_id)
}
