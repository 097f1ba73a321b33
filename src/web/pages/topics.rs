//! Reading topics: the thread page, and votes on its posts (writing is in `writing`).
use actix_web::http::Method;
use std::sync::Arc;

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::{self, posts::Post, tags::TopicTag, topics::Topic};
use crate::domain::ranking;
use crate::forum::topics as forum;
use crate::web::get_or_head;
use crate::web::render::{self, PageContext, ago, redirect};
use crate::web::session::{CurrentUser, MaybeUser};
use crate::web::shared::TopicData;
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/t/{id}").route(get_or_head().to(show_topic)))
        .service(web::resource("/p/{id}/vote").route(web::post().to(vote)));
}

#[derive(Template)]
#[template(path = "topic.html")]
struct ShowTopicPage {
    ctx: PageContext,
    topic: Topic,
    tags: Vec<TopicTag>,
    posts: Vec<Post>,
    /// Replies in "best" order (Wilson lower bound of their votes) rather than by time.
    best: bool,
    /// Whether the member watches this topic (`None` for anonymous readers).
    watching: Option<bool>,
    /// The posts the member flagged: their flag control reads "Flagged".
    flagged: Vec<i64>,
    /// The post just flagged (`?flagged=`), when the member did flag it: the thanks notice.
    just_flagged: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    sort: Option<String>,
    /// Set by the redirect after a flag: the post flagged.
    flagged: Option<i64>,
}

impl ShowTopicPage {
    fn age(&self, ts: &i64) -> String {
        ago(*ts)
    }

    fn iso(&self, ts: &i64) -> String {
        render::iso(*ts)
    }

    fn can_edit(&self, post: &Post) -> bool {
        self.ctx
            .viewer
            .as_ref()
            .is_some_and(|v| v.id == post.author_id || v.is_moderator())
    }

    /// Moderators and the topic's author may accept or reject suggested tags.
    fn can_review(&self) -> bool {
        self.ctx
            .viewer
            .as_ref()
            .is_some_and(|v| v.id == self.topic.author_id || v.is_moderator())
    }

    fn human_tags(&self) -> String {
        let names: Vec<&str> = self
            .tags
            .iter()
            .filter(|t| !t.is_suggested())
            .map(|t| t.name.as_str())
            .collect();
        names.join(", ")
    }

    fn is_answer(&self, post: &Post) -> bool {
        self.topic.accepted_post_id == Some(post.id)
    }

    /// The topic's author and moderators choose the answer among the visible replies.
    fn can_accept(&self, post: &Post) -> bool {
        !post.is_first && !post.hidden && self.can_review()
    }

    fn has_flagged(&self, post: &Post) -> bool {
        self.flagged.contains(&post.id)
    }

    fn can_reply(&self) -> bool {
        self.ctx.viewer.is_some() && (!self.topic.locked || self.ctx.is_moderator())
    }
}

async fn show_topic(
    state: web::Data<AppState>,
    user: MaybeUser,
    path: web::Path<i64>,
    query: web::Query<ShowQuery>,
    method: Method,
) -> Result<HttpResponse, AppError> {
    let topic_id = path.into_inner();
    let ctx = PageContext::for_viewer(user.0);
    let shared = shared_topic(&state, topic_id, ctx.is_moderator()).await?;
    let mut posts = shared.posts.clone();
    let mut flagged = Vec::new();
    let watching = match ctx.viewer_id() {
        Some(id) => {
            let own = viewer_topic(&state, topic_id, id).await?;
            for post in &mut posts {
                if let Some((_, value)) = own.votes.iter().find(|(post_id, _)| *post_id == post.id)
                {
                    post.my_vote = *value;
                }
            }
            flagged = own.flagged.clone();
            Some(own.watching)
        }
        None => None,
    };
    // The notice follows the database, not the address: only a post this member did flag.
    let just_flagged = query.flagged.filter(|id| flagged.contains(id));
    let topic = shared.topic.clone();
    let mut tags = shared.tags.clone();
    ctx.tag_viewer().filter(topic.author_id, &mut tags);
    let best = query.sort.as_deref() == Some("best");
    if best && let Some((_opening, replies)) = posts.split_first_mut() {
        ranking::sort_best(replies, Post::best_votes);
    }
    crate::forum::answers::accepted_first(&mut posts, topic.accepted_post_id);
    state.record_view(&method, topic_id);
    render::render(&ShowTopicPage {
        ctx,
        topic,
        tags,
        posts,
        best,
        watching,
        flagged,
        just_flagged,
    })
}

/// A member's votes, flags and watch on a topic, kept for this generation (see `shared`).
async fn viewer_topic(
    state: &AppState,
    topic_id: i64,
    viewer_id: i64,
) -> Result<Arc<db::posts::ViewerTopic>, AppError> {
    let generation = state.page_cache.generation();
    let key = (topic_id, viewer_id);
    if let Some(own) = state.shared.viewer_topics.get(generation, &key) {
        return Ok(own);
    }
    let mut conn = state.pool.acquire().await?;
    let own = Arc::new(db::posts::viewer_topic(&mut conn, topic_id, viewer_id).await?);
    state.shared.viewer_topics.put(generation, key, own.clone());
    Ok(own)
}

/// The topic, its posts (without anyone's votes) and tags, shared by all its readers in this
/// generation (see `shared`); hidden topics exist for moderators only.
async fn shared_topic(
    state: &AppState,
    topic_id: i64,
    moderator: bool,
) -> Result<Arc<TopicData>, AppError> {
    let generation = state.page_cache.generation();
    if let Some(data) = state.shared.topics.get(generation, &(topic_id, moderator)) {
        return Ok(data);
    }
    let mut conn = state.pool.acquire().await?;
    let topic = db::topics::get(&mut conn, topic_id)
        .await?
        .filter(|t| !t.hidden || moderator)
        .ok_or(AppError::NotFound)?;
    let posts = db::posts::list_for_topic(&mut conn, topic_id, None, moderator).await?;
    let tags = db::tags::for_topics(&mut conn, &[topic_id]).await?;
    drop(conn);
    let data = Arc::new(TopicData { topic, posts, tags });
    state
        .shared
        .topics
        .put(generation, (topic_id, moderator), data.clone());
    Ok(data)
}

#[derive(Debug, Deserialize)]
pub struct VoteForm {
    #[serde(default)]
    csrf_token: String,
    value: i64,
}

async fn vote(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<VoteForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let post_id = path.into_inner();
    forum::vote(&state.pool, (&viewer).into(), post_id, form.value).await?;
    let mut conn = state.pool.acquire().await?;
    let post = db::posts::get(&mut conn, post_id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(redirect(&format!("/t/{}#post-{post_id}", post.topic_id)))
}
