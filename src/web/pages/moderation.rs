//! Moderators' actions on topics and posts: lock, pin, hide.
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db::topics::TopicFlag;
use crate::forum::topics as forum;
use crate::web::render::redirect;
use crate::web::session::Moderator;
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/t/{id}/moderate").route(web::post().to(moderate_topic)))
        .service(web::resource("/p/{id}/moderate").route(web::post().to(moderate_post)));
}

#[derive(Debug, Deserialize)]
pub struct ModerationForm {
    #[serde(default)]
    csrf_token: String,
    action: String,
}

async fn moderate_topic(
    state: web::Data<AppState>,
    moderator: Moderator,
    path: web::Path<i64>,
    form: web::Form<ModerationForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = moderator.0;
    viewer.check_csrf(&form.csrf_token)?;
    let (flag, on) = match form.action.as_str() {
        "lock" => (TopicFlag::Locked, true),
        "unlock" => (TopicFlag::Locked, false),
        "pin" => (TopicFlag::Pinned, true),
        "unpin" => (TopicFlag::Pinned, false),
        "hide" => (TopicFlag::Hidden, true),
        "unhide" => (TopicFlag::Hidden, false),
        other => return Err(AppError::BadRequest(format!("unknown action {other:?}"))),
    };
    let topic_id = path.into_inner();
    forum::set_topic_flag(&state.pool, (&viewer).into(), topic_id, flag, on).await?;
    Ok(redirect(&format!("/t/{topic_id}")))
}

async fn moderate_post(
    state: web::Data<AppState>,
    moderator: Moderator,
    path: web::Path<i64>,
    form: web::Form<ModerationForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = moderator.0;
    viewer.check_csrf(&form.csrf_token)?;
    let hidden = match form.action.as_str() {
        "hide" => true,
        "unhide" => false,
        other => return Err(AppError::BadRequest(format!("unknown action {other:?}"))),
    };
    let post_id = path.into_inner();
    let topic_id = forum::set_post_hidden(&state.pool, (&viewer).into(), post_id, hidden).await?;
    Ok(redirect(&format!("/t/{topic_id}#post-{post_id}")))
}
