//! Accepted answers as JSON: `POST /api/v1/posts/{id}/accept` (optionally `{ "topic_id": N }`,
//! which must be the reply's topic) and `DELETE` to clear it.
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::forum::answers::{self, Answer};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError};
use crate::web::session::CurrentUser;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/posts/{id}/accept")
            .route(web::post().to(accept))
            .route(web::delete().to(clear)),
    );
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AcceptBody {
    topic_id: Option<i64>,
}

fn json(answer: Answer) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "topic_id": answer.topic_id,
        "accepted_post_id": answer.accepted_post_id,
    }))
}

async fn accept(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    // The body is optional: none (or `null`) accepts the post in whatever topic it is.
    let body: AcceptBody = if body.iter().all(u8::is_ascii_whitespace) {
        AcceptBody::default()
    } else {
        serde_json::from_slice::<Option<AcceptBody>>(&body)
            .map_err(|e| AppError::BadRequest(format!("invalid JSON body: {e}")))?
            .unwrap_or_default()
    };
    let post_id = path.into_inner();
    let answer = answers::accept(&state.pool, (&user.0).into(), post_id, body.topic_id).await?;
    Ok(json(answer))
}

async fn clear(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let answer = answers::clear(&state.pool, (&user.0).into(), path.into_inner()).await?;
    Ok(json(answer))
}
