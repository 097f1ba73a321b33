//! The auto-tagger over JSON: suggestions while composing, decisions, retagging, and the
//! moderators' review queue, model health and "Retrain now".
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::db;
use crate::domain::TagList;
use crate::forum::review;
use crate::web::AppState;
use crate::web::dashboard::model::load_health;
use crate::web::error::{ApiError, AppError};
use crate::web::get_or_head;
use crate::web::session::{CurrentUser, Moderator};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/tags/suggest").route(web::post().to(suggest)))
        .service(web::resource("/topics/{id}/tags/{name}/{decision}").route(web::post().to(decide)))
        .service(web::resource("/topics/{id}/tags").route(web::put().to(retag)))
        .service(web::resource("/mod/review").route(get_or_head().to(review_queue)))
        .service(web::resource("/mod/model").route(get_or_head().to(model_health)))
        .service(web::resource("/mod/retrain").route(web::post().to(retrain_now)));
}

#[derive(Debug, Deserialize)]
struct SuggestBody {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

/// The tags the champion would apply to a draft. Open to anonymous readers (nothing is stored).
async fn suggest(
    state: web::Data<AppState>,
    draft: web::Json<SuggestBody>,
) -> Result<HttpResponse, ApiError> {
    let max = state.settings.max_body_bytes;
    if draft.title.len() > 4 * 300 || draft.body.len() > max {
        return Err(AppError::PayloadTooLarge.into());
    }
    let draft = draft.into_inner();
    let suggestions = state.tagger.suggest(draft.title, draft.body).await;
    let (tags, version) = match suggestions {
        Some(s) => (
            s.tags
                .into_iter()
                .zip(s.calibrated)
                .map(|((name, confidence), calibrated)| {
                    serde_json::json!({
                        "name": name,
                        "confidence": confidence,
                        "probability": calibrated.unwrap_or(f64::from(confidence)),
                        "calibrated": calibrated.is_some(),
                    })
                })
                .collect(),
            Some(s.model_version),
        ),
        None => (Vec::new(), None),
    };
    Ok(HttpResponse::Ok().json(serde_json::json!({ "tags": tags, "model_version": version })))
}

async fn decide(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<(i64, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (topic_id, tag, decision) = path.into_inner();
    let accept = match decision.as_str() {
        "accept" => true,
        "reject" => false,
        _ => return Err(AppError::NotFound.into()),
    };
    review::decide_suggestion(&state.pool, (&user.0).into(), topic_id, &tag, accept).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "topic_id": topic_id, "tag": tag, "status": if accept { "active" } else { "rejected" } })))
}

#[derive(Debug, Deserialize)]
struct RetagBody {
    tags: Vec<String>,
}

async fn retag(
    state: web::Data<AppState>,
    moderator: Moderator,
    path: web::Path<i64>,
    body: web::Json<RetagBody>,
) -> Result<HttpResponse, ApiError> {
    let topic_id = path.into_inner();
    let tags = TagList::parse(body.tags.iter())?;
    review::retag(&state.pool, (&moderator.0).into(), topic_id, &tags).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "topic_id": topic_id })))
}

async fn review_queue(
    state: web::Data<AppState>,
    _moderator: Moderator,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let queue = db::labels::review_queue(&mut conn, 200, 0).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "suggestions": queue })))
}

async fn model_health(
    state: web::Data<AppState>,
    _moderator: Moderator,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(load_health(&state).await?))
}

async fn retrain_now(
    state: web::Data<AppState>,
    moderator: Moderator,
) -> Result<HttpResponse, ApiError> {
    review::request_retrain(&state.pool, (&moderator.0).into()).await?;
    state.retrain_now.notify_one();
    Ok(HttpResponse::Accepted().json(serde_json::json!({ "requested": true })))
}
