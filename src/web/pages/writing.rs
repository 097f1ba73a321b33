//! Writing: compose a topic, reply, edit a post. A refused submission never loses what was typed:
//! every refusal (see `drafts`) shows the same form again with the text and a fresh token.
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::drafts::{self, Draft, DraftTarget, Shown};
use crate::db::{self, topics::Topic};
use crate::forum::topics::{self as forum, PostEdit, TagInput, TopicDraft};
use crate::web::get_or_head;
use crate::web::render::{self, PageContext, redirect};
use crate::web::session::{CurrentUser, MaybeUser, Viewer};
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/new")
            .route(get_or_head().to(new_topic_form))
            .route(web::post().to(create_topic)),
    )
    .service(web::resource("/new/preview").route(web::post().to(preview_topic)))
    .service(
        web::resource("/t/{id}/reply")
            .route(get_or_head().to(reply_form))
            .route(web::post().to(create_reply)),
    )
    .service(web::resource("/t/{id}/reply/preview").route(web::post().to(preview_reply)))
    .service(
        web::resource("/p/{id}/edit")
            .route(get_or_head().to(edit_form))
            .route(web::post().to(save_edit)),
    );
}

#[derive(Template)]
#[template(path = "compose.html")]
struct ComposePage {
    ctx: PageContext,
    shown: Shown,
    title: String,
    body: String,
    tags: String,
}

#[derive(Template)]
#[template(path = "reply.html")]
struct ReplyPage {
    ctx: PageContext,
    shown: Shown,
    topic: Topic,
    body: String,
}

#[derive(Template)]
#[template(path = "edit.html")]
struct EditPage {
    ctx: PageContext,
    shown: Shown,
    post_id: i64,
    topic_id: i64,
    is_first: bool,
    title: String,
    body: String,
    tags: String,
}

/// What the three forms send: the text, and the session's token.
#[derive(Debug, Deserialize)]
pub struct WriteForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(flatten)]
    draft: Draft,
}

/// The form of `target` holding `draft`, with what `shown` says above it. Edits are shown to
/// their author and moderators only, as the edit page is.
pub(super) async fn form_page(
    state: &AppState,
    viewer: Viewer,
    target: DraftTarget,
    draft: Draft,
    shown: Shown,
) -> Result<HttpResponse, AppError> {
    let status = shown.status;
    let retry_after = shown.retry_after_secs;
    let mut response = match target {
        DraftTarget::Compose => render::render_with_status(
            status,
            &ComposePage {
                ctx: PageContext::for_viewer(Some(viewer)),
                shown,
                title: draft.title.unwrap_or_default(),
                body: draft.body,
                tags: draft.tags.unwrap_or_default(),
            },
        )?,
        DraftTarget::Reply(topic_id) => {
            let topic = load_visible_topic(state, &viewer, topic_id).await?;
            render::render_with_status(
                status,
                &ReplyPage {
                    ctx: PageContext::for_viewer(Some(viewer)),
                    shown,
                    topic,
                    body: draft.body,
                },
            )?
        }
        DraftTarget::Edit(post_id) => {
            let mut conn = state.pool.acquire().await?;
            let post = db::posts::get(&mut conn, post_id, None)
                .await?
                .filter(|p| !p.hidden || viewer.is_moderator())
                .ok_or(AppError::NotFound)?;
            drop(conn);
            if post.author_id != viewer.id && !viewer.is_moderator() {
                return Err(AppError::forbidden("you can only edit your own posts"));
            }
            render::render_with_status(
                status,
                &EditPage {
                    ctx: PageContext::for_viewer(Some(viewer)),
                    shown,
                    post_id,
                    topic_id: post.topic_id,
                    is_first: post.is_first,
                    title: draft.title.unwrap_or_default(),
                    body: draft.body,
                    tags: draft.tags.unwrap_or_default(),
                },
            )?
        }
    };
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
    }
    Ok(response)
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

async fn new_topic_form(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let draft = Draft::default();
    form_page(&state, user.0, DraftTarget::Compose, draft, Shown::fresh()).await
}

async fn reply_form(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let target = DraftTarget::Reply(path.into_inner());
    form_page(&state, user.0, target, Draft::default(), Shown::fresh()).await
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
    drop(conn);
    let draft = Draft {
        title: post.is_first.then_some(topic.title),
        body: post.body_md,
        tags: post.is_first.then_some(tags),
    };
    form_page(
        &state,
        viewer,
        DraftTarget::Edit(post.id),
        draft,
        Shown::fresh(),
    )
    .await
}

/// The member behind a write, or the login page carrying the draft when the session has ended;
/// a stale token shows the form again. `Err` holds the response to send instead.
async fn writer(
    req: &HttpRequest,
    state: &AppState,
    user: MaybeUser,
    target: DraftTarget,
    form: WriteForm,
) -> Result<(Viewer, Draft), Result<HttpResponse, AppError>> {
    let Some(viewer) = user.0 else {
        return Err(drafts::login_to_continue(req, state, target, form.draft));
    };
    if let Err(error) = viewer.check_csrf(&form.csrf_token) {
        return Err(drafts::refused(state, viewer, target, form.draft, error).await);
    }
    Ok((viewer, form.draft))
}

async fn create_topic(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: MaybeUser,
    form: web::Form<WriteForm>,
) -> Result<HttpResponse, AppError> {
    let target = DraftTarget::Compose;
    let (viewer, draft) = match writer(&req, &state, user, target, form.into_inner()).await {
        Ok(writer) => writer,
        Err(response) => return response,
    };
    let topic = TopicDraft {
        title: draft.title.as_deref().unwrap_or_default(),
        body: &draft.body,
        tags: TagInput::Text(draft.tags.as_deref().unwrap_or_default()),
    };
    let max = state.settings.max_body_bytes;
    match forum::create_topic(&state.pool, (&viewer).into(), &topic, max).await {
        Ok(topic_id) => {
            state.auto_tag(topic_id).await;
            Ok(redirect(&format!("/t/{topic_id}")))
        }
        Err(e) => drafts::refused(&state, viewer, target, draft, e.into()).await,
    }
}

async fn create_reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: MaybeUser,
    path: web::Path<i64>,
    form: web::Form<WriteForm>,
) -> Result<HttpResponse, AppError> {
    let topic_id = path.into_inner();
    let target = DraftTarget::Reply(topic_id);
    let (viewer, draft) = match writer(&req, &state, user, target, form.into_inner()).await {
        Ok(writer) => writer,
        Err(response) => return response,
    };
    let max = state.settings.max_body_bytes;
    match forum::reply(&state.pool, (&viewer).into(), topic_id, &draft.body, max).await {
        Ok(post_id) => Ok(redirect(&format!("/t/{topic_id}#post-{post_id}"))),
        Err(e) => drafts::refused(&state, viewer, target, draft, e.into()).await,
    }
}

async fn save_edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: MaybeUser,
    path: web::Path<i64>,
    form: web::Form<WriteForm>,
) -> Result<HttpResponse, AppError> {
    let post_id = path.into_inner();
    let target = DraftTarget::Edit(post_id);
    let (viewer, draft) = match writer(&req, &state, user, target, form.into_inner()).await {
        Ok(writer) => writer,
        Err(response) => return response,
    };
    let edit = PostEdit {
        title: draft.title.as_deref(),
        body: &draft.body,
        tags: draft.tags.as_deref().map(TagInput::Text),
    };
    let max = state.settings.max_body_bytes;
    match forum::edit_post(&state.pool, (&viewer).into(), post_id, &edit, max).await {
        Ok(topic_id) => {
            state.auto_tag(topic_id).await;
            Ok(redirect(&format!("/t/{topic_id}#post-{post_id}")))
        }
        Err(e) => drafts::refused(&state, viewer, target, draft, e.into()).await,
    }
}

/// The form's "Preview" button without JavaScript: the same form again with the rendered body
/// above it; nothing is posted.
async fn preview(
    req: HttpRequest,
    state: &AppState,
    user: MaybeUser,
    target: DraftTarget,
    form: WriteForm,
) -> Result<HttpResponse, AppError> {
    let (viewer, draft) = match writer(&req, state, user, target, form).await {
        Ok(writer) => writer,
        Err(response) => return response,
    };
    let max = state.settings.max_body_bytes;
    match crate::forum::bodies::preview(&draft.body, max).await {
        Ok(html) => {
            let shown = Shown {
                preview: Some(html),
                ..Shown::fresh()
            };
            form_page(state, viewer, target, draft, shown).await
        }
        Err(e) => drafts::refused(state, viewer, target, draft, e.into()).await,
    }
}

async fn preview_topic(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: MaybeUser,
    form: web::Form<WriteForm>,
) -> Result<HttpResponse, AppError> {
    preview(req, &state, user, DraftTarget::Compose, form.into_inner()).await
}

async fn preview_reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: MaybeUser,
    path: web::Path<i64>,
    form: web::Form<WriteForm>,
) -> Result<HttpResponse, AppError> {
    let target = DraftTarget::Reply(path.into_inner());
    preview(req, &state, user, target, form.into_inner()).await
}
