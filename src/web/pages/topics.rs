//! Reading and writing topics: the thread page, compose, reply, edit and vote.
use actix_web::http::{Method, StatusCode};
use std::sync::Arc;

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::{self, posts::Post, tags::TopicTag, topics::Topic};
use crate::domain::ranking;
use crate::forum::ForumError;
use crate::forum::topics::{self as forum, PostEdit, TagInput, TopicDraft};
use crate::web::get_or_head;
use crate::web::render::{self, PageContext, ago, redirect};
use crate::web::session::{CurrentUser, MaybeUser, Viewer};
use crate::web::shared::TopicData;
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/t/{id}").route(get_or_head().to(show_topic)))
        .service(
            web::resource("/new")
                .route(get_or_head().to(new_topic_form))
                .route(web::post().to(create_topic)),
        )
        .service(
            web::resource("/t/{id}/reply")
                .route(get_or_head().to(reply_form))
                .route(web::post().to(create_reply)),
        )
        .service(
            web::resource("/p/{id}/edit")
                .route(get_or_head().to(edit_form))
                .route(web::post().to(save_edit)),
        )
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
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    sort: Option<String>,
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
    let watching = match ctx.viewer_id() {
        Some(id) => {
            let mut conn = state.pool.acquire().await?;
            let own = db::posts::viewer_topic(&mut conn, topic_id, id).await?;
            for post in &mut posts {
                if let Some((_, value)) = own.votes.iter().find(|(post_id, _)| *post_id == post.id)
                {
                    post.my_vote = *value;
                }
            }
            Some(own.watching)
        }
        None => None,
    };
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
    })
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

#[derive(Template)]
#[template(path = "compose.html")]
struct ComposePage {
    ctx: PageContext,
    errors: Vec<String>,
    title: String,
    body: String,
    tags: String,
}

#[derive(Debug, Deserialize)]
pub struct TopicForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    tags: String,
}

async fn new_topic_form(user: CurrentUser) -> Result<HttpResponse, AppError> {
    render::render(&ComposePage {
        ctx: PageContext::for_viewer(Some(user.0)),
        errors: Vec::new(),
        title: String::new(),
        body: String::new(),
        tags: String::new(),
    })
}

/// Validation problems re-show the form with the messages and the user's input (422); other
/// failures become the usual error page.
fn messages_or_error(error: ForumError) -> Result<Vec<String>, AppError> {
    match error {
        ForumError::Invalid(errors) => Ok(errors.iter().map(ToString::to_string).collect()),
        other => Err(other.into()),
    }
}

async fn create_topic(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<TopicForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let draft = TopicDraft {
        title: &form.title,
        body: &form.body,
        tags: TagInput::Text(&form.tags),
    };
    match forum::create_topic(
        &state.pool,
        (&viewer).into(),
        &draft,
        state.settings.max_body_bytes,
    )
    .await
    {
        Ok(topic_id) => {
            state.auto_tag(topic_id).await;
            Ok(redirect(&format!("/t/{topic_id}")))
        }
        Err(e) => {
            let form = form.into_inner();
            render::render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ComposePage {
                    errors: messages_or_error(e)?,
                    ctx: PageContext::for_viewer(Some(viewer)),
                    title: form.title,
                    body: form.body,
                    tags: form.tags,
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "reply.html")]
struct ReplyPage {
    ctx: PageContext,
    topic: Topic,
    errors: Vec<String>,
    body: String,
}

#[derive(Debug, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    body: String,
}

async fn load_visible_topic(
    state: &AppState,
    viewer: &Viewer,
    topic_id: i64,
) -> Result<Topic, AppError> {
    let mut conn = state.pool.acquire().await?;
    db::topics::get(&mut conn, topic_id)
        .await?
        .filter(|t| !t.hidden || viewer.is_moderator())
        .ok_or(AppError::NotFound)
}

async fn reply_form(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let topic = load_visible_topic(&state, &user.0, path.into_inner()).await?;
    render::render(&ReplyPage {
        ctx: PageContext::for_viewer(Some(user.0)),
        topic,
        errors: Vec::new(),
        body: String::new(),
    })
}

async fn create_reply(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<ReplyForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let topic_id = path.into_inner();
    let max = state.settings.max_body_bytes;
    match forum::reply(&state.pool, (&viewer).into(), topic_id, &form.body, max).await {
        Ok(post_id) => Ok(redirect(&format!("/t/{topic_id}#post-{post_id}"))),
        Err(e) => {
            let errors = messages_or_error(e)?;
            let topic = load_visible_topic(&state, &viewer, topic_id).await?;
            render::render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ReplyPage {
                    ctx: PageContext::for_viewer(Some(viewer)),
                    topic,
                    errors,
                    body: form.into_inner().body,
                },
            )
        }
    }
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    ctx: PageContext,
    post_id: i64,
    topic_id: i64,
    is_first: bool,
    errors: Vec<String>,
    title: String,
    body: String,
    tags: String,
}

#[derive(Debug, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    csrf_token: String,
    title: Option<String>,
    #[serde(default)]
    body: String,
    tags: Option<String>,
}

async fn edit_form(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    let mut conn = state.pool.acquire().await?;
    let post = db::posts::get(&mut conn, path.into_inner(), None)
        .await?
        .ok_or(AppError::NotFound)?;
    if post.author_id != viewer.id && !viewer.is_moderator() {
        return Err(AppError::forbidden("you can only edit your own posts"));
    }
    let topic = db::topics::get(&mut conn, post.topic_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let tags = db::tags::for_topics(&mut conn, &[topic.id])
        .await?
        .into_iter()
        .filter(|t| !t.is_suggested())
        .map(|t| t.name)
        .collect::<Vec<_>>()
        .join(", ");
    render::render(&EditPage {
        ctx: PageContext::for_viewer(Some(viewer)),
        post_id: post.id,
        topic_id: topic.id,
        is_first: post.is_first,
        errors: Vec::new(),
        title: topic.title,
        body: post.body_md,
        tags,
    })
}

async fn save_edit(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let post_id = path.into_inner();
    let edit = PostEdit {
        title: form.title.as_deref(),
        body: &form.body,
        tags: form.tags.as_deref().map(TagInput::Text),
    };
    let max = state.settings.max_body_bytes;
    match forum::edit_post(&state.pool, (&viewer).into(), post_id, &edit, max).await {
        Ok(topic_id) => {
            state.auto_tag(topic_id).await;
            Ok(redirect(&format!("/t/{topic_id}#post-{post_id}")))
        }
        Err(e) => {
            let errors = messages_or_error(e)?;
            let form = form.into_inner();
            let mut conn = state.pool.acquire().await?;
            let post = db::posts::get(&mut conn, post_id, None)
                .await?
                .ok_or(AppError::NotFound)?;
            render::render_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &EditPage {
                    ctx: PageContext::for_viewer(Some(viewer)),
                    post_id,
                    topic_id: post.topic_id,
                    is_first: post.is_first,
                    errors,
                    title: form.title.unwrap_or_default(),
                    body: form.body,
                    tags: form.tags.unwrap_or_default(),
                },
            )
        }
    }
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
