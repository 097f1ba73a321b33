//! Deciding on suggested tags from the topic page (moderators, and authors for their own topics)
//! and retagging (moderators).
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::domain::TagList;
use crate::forum::review;
use crate::web::render::{local_path, redirect};
use crate::web::session::{CurrentUser, Moderator};
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/t/{id}/tags/{name}/{decision}").route(web::post().to(decide)))
        .service(web::resource("/t/{id}/retag").route(web::post().to(retag)));
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf_token: String,
    /// Where to go afterwards (the review queue sends its own address); local paths only.
    back: Option<String>,
}

async fn decide(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, String, String)>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let (topic_id, tag, decision) = path.into_inner();
    let accept = match decision.as_str() {
        "accept" => true,
        "reject" => false,
        _ => return Err(AppError::NotFound),
    };
    review::decide_suggestion(&state.pool, (&viewer).into(), topic_id, &tag, accept).await?;
    let back = match form.back.as_deref() {
        Some(back) => local_path(Some(back)).to_owned(),
        None => format!("/t/{topic_id}"),
    };
    Ok(redirect(&back))
}

#[derive(Debug, Deserialize)]
pub struct RetagForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    tags: String,
}

async fn retag(
    state: web::Data<AppState>,
    moderator: Moderator,
    path: web::Path<i64>,
    form: web::Form<RetagForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = moderator.0;
    viewer.check_csrf(&form.csrf_token)?;
    let topic_id = path.into_inner();
    let tags = TagList::parse_text(&form.tags)?;
    review::retag(&state.pool, (&viewer).into(), topic_id, &tags).await?;
    Ok(redirect(&format!("/t/{topic_id}")))
}
