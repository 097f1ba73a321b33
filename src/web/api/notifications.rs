//! `notifications`, `notifications/read`, and watching topics and tags.
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::forum::notifications as forum;
use crate::web::AppState;
use crate::web::error::{ApiError, AppError};
use crate::web::get_or_head;
use crate::web::pages::notifications::{describe, link};
use crate::web::render::iso;
use crate::web::session::CurrentUser;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/notifications").route(get_or_head().to(list)))
        .service(web::resource("/notifications/read").route(web::post().to(mark_read)))
        .service(
            web::resource("/topics/{id}/watch")
                .route(web::post().to(watch_topic))
                .route(web::delete().to(unwatch_topic)),
        )
        .service(
            web::resource("/tags/{name}/watch")
                .route(web::post().to(watch_tag))
                .route(web::delete().to(unwatch_tag)),
        );
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    before: Option<i64>,
}

#[derive(Serialize)]
struct NotificationJson {
    id: i64,
    kind: String,
    text: String,
    url: String,
    topic_id: Option<i64>,
    post_id: Option<i64>,
    actor: Option<String>,
    detail: String,
    created_at: String,
    read: bool,
}

async fn list(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let actor = (&user.0).into();
    let (notes, unread) = forum::list(&state.pool, actor, query.before).await?;
    let notifications: Vec<NotificationJson> = notes
        .iter()
        .map(|n| NotificationJson {
            id: n.id,
            kind: n.kind.clone(),
            text: describe(n),
            url: link(n),
            topic_id: n.topic_id,
            post_id: n.post_id,
            actor: n.actor_name.clone(),
            detail: n.detail.clone(),
            created_at: iso(n.created_at),
            read: n.read_at.is_some(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "unread": unread,
        "notifications": notifications,
    })))
}

/// `{"ids": [1, 2]}` or `{"all": true}`.
#[derive(Debug, Deserialize)]
pub struct ReadBody {
    ids: Option<Vec<i64>>,
    #[serde(default)]
    all: bool,
}

async fn mark_read(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<ReadBody>,
) -> Result<HttpResponse, ApiError> {
    let ids = match (&body.ids, body.all) {
        (None, true) => None,
        (Some(ids), false) if ids.len() <= 1000 => Some(ids.as_slice()),
        _ => {
            return Err(AppError::BadRequest(
                "send {\"ids\": [...]} (at most 1000) or {\"all\": true}".into(),
            )
            .into());
        }
    };
    let marked = forum::mark_read(&state.pool, (&user.0).into(), ids).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "marked": marked })))
}

async fn watch_topic(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    forum::watch_topic(&state.pool, (&user.0).into(), path.into_inner(), true).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn unwatch_topic(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    forum::watch_topic(&state.pool, (&user.0).into(), path.into_inner(), false).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn watch_tag(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    forum::watch_tag(&state.pool, (&user.0).into(), &path, true).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn unwatch_tag(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    forum::watch_tag(&state.pool, (&user.0).into(), &path, false).await?;
    Ok(HttpResponse::NoContent().finish())
}
