//! Accepted answers: the topic's author or a moderator marks one reply as the answer, changes or
//! clears it. The answer's author is told in the same transaction; a moderator's choice on
//! someone else's topic goes in the moderation log.

use super::ForumError;
use super::topics::{Actor, visible_post};
use crate::db::notifications::{self as db_notes, About, Kind};
use crate::db::{self, modlog::Target, posts::Post, topics::Topic};
use crate::db::{Conn, Pool};
use crate::domain::{self, ValidationError};

/// What the topic's answer is after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub topic_id: i64,
    pub accepted_post_id: Option<i64>,
}

fn ensure_may_choose(actor: Actor, topic: &Topic) -> Result<(), ForumError> {
    actor.ensure_can_post()?;
    if actor.id != topic.author_id && !actor.is_moderator {
        return Err(ForumError::Forbidden(
            "only the topic's author or a moderator may choose its answer",
        ));
    }
    Ok(())
}

/// Accepts reply `post_id` as the answer of its topic. `topic_id`, when the caller names one,
/// must be the reply's topic. Nothing is written on refusal.
pub async fn accept(
    pool: &Pool,
    actor: Actor,
    post_id: i64,
    topic_id: Option<i64>,
) -> Result<Answer, ForumError> {
    let mut tx = db::begin_write(pool).await?;
    let (post, topic) = visible_post(&mut tx, actor, post_id).await?;
    if topic_id.is_some_and(|id| id != topic.id) {
        return Err(ValidationError::new("post_id", "is a reply in another topic").into());
    }
    ensure_may_choose(actor, &topic)?;
    if post.is_first {
        return Err(
            ValidationError::new("post_id", "the question cannot be its own answer").into(),
        );
    }
    if post.hidden {
        return Err(ValidationError::new("post_id", "a hidden post cannot be the answer").into());
    }
    let now = domain::now();
    if db::answers::set(&mut tx, topic.id, Some(post.id)).await? {
        record(&mut tx, actor, &topic, &post, "accept_answer", now).await?;
        let about = About {
            topic_id: Some(topic.id),
            post_id: Some(post.id),
            actor_id: Some(actor.id),
            detail: "",
        };
        // `notify` skips the actor: accepting one's own reply tells nobody.
        db_notes::notify(&mut tx, post.author_id, Kind::Accepted, about, now).await?;
    }
    tx.commit().await?;
    Ok(Answer {
        topic_id: topic.id,
        accepted_post_id: Some(post.id),
    })
}

/// Clears the answer of `post_id`'s topic if it is that post (otherwise nothing changes).
pub async fn clear(pool: &Pool, actor: Actor, post_id: i64) -> Result<Answer, ForumError> {
    let mut tx = db::begin_write(pool).await?;
    let (post, topic) = visible_post(&mut tx, actor, post_id).await?;
    ensure_may_choose(actor, &topic)?;
    let mut accepted = topic.accepted_post_id;
    if accepted == Some(post.id) && db::answers::set(&mut tx, topic.id, None).await? {
        record(&mut tx, actor, &topic, &post, "clear_answer", domain::now()).await?;
        accepted = None;
    }
    tx.commit().await?;
    Ok(Answer {
        topic_id: topic.id,
        accepted_post_id: accepted,
    })
}

/// A moderator choosing on someone else's topic is a moderation action.
async fn record(
    conn: &mut Conn<'_>,
    actor: Actor,
    topic: &Topic,
    post: &Post,
    action: &str,
    now: i64,
) -> sqlx::Result<()> {
    if actor.id == topic.author_id {
        return Ok(());
    }
    let target = Target::Post {
        id: post.id,
        topic_id: topic.id,
    };
    db::modlog::record(conn, actor.id, action, target, "", now).await
}

/// Puts the accepted answer right after the question (the thread's order otherwise stays).
pub fn accepted_first(posts: &mut [Post], accepted: Option<i64>) {
    let Some(accepted) = accepted else { return };
    if let Some(at) = posts.iter().position(|p| p.id == accepted && !p.is_first) {
        let start = usize::from(posts.first().is_some_and(|p| p.is_first));
        if at >= start {
            posts[start..=at].rotate_right(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(id: i64, is_first: bool) -> Post {
        Post {
            id,
            topic_id: 1,
            author_id: 1,
            author_name: "a".into(),
            is_first,
            body_md: String::new(),
            body_html: String::new(),
            created_at: id,
            edited_at: None,
            score: 0,
            upvotes: 0,
            downvotes: 0,
            source_score: 0,
            hidden: false,
            my_vote: 0,
        }
    }

    fn ids(posts: &[Post]) -> Vec<i64> {
        posts.iter().map(|p| p.id).collect()
    }

    #[test]
    fn the_accepted_answer_moves_right_under_the_question_and_the_rest_keep_their_order() {
        let mut posts = vec![
            post(1, true),
            post(2, false),
            post(3, false),
            post(4, false),
        ];
        accepted_first(&mut posts, Some(4));
        assert_eq!(ids(&posts), [1, 4, 2, 3]);
        accepted_first(&mut posts, None);
        assert_eq!(ids(&posts), [1, 4, 2, 3]);
        // An answer that is not in the list (hidden from this reader) changes nothing.
        accepted_first(&mut posts, Some(9));
        assert_eq!(ids(&posts), [1, 4, 2, 3]);
    }
}
