//! `POST /api/v1/preview`: a body's HTML as it would be posted, nothing stored.
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::forum::bodies;
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::session::CurrentUser;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/preview").route(web::post().to(preview)));
}

#[derive(Debug, Deserialize)]
struct PreviewBody {
    body: String,
}

#[derive(Debug, Serialize)]
struct PreviewJson {
    html: String,
}

/// The same parsing, bounds (422 past `max_body_bytes` or too deeply nested, 413 past the JSON
/// limit) and renderer as a post; limited per account (see `limits`).
async fn preview(
    state: web::Data<AppState>,
    _user: CurrentUser,
    body: web::Json<PreviewBody>,
) -> Result<HttpResponse, ApiError> {
    let html = bodies::preview(&body.body, state.settings.max_body_bytes).await?;
    Ok(HttpResponse::Ok().json(PreviewJson { html }))
}
