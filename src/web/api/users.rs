//! Bans over JSON: `POST /users/{name}/ban {days, reason}` and `POST /users/{name}/unban`.
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::forum::bans::{self, BanRequest};
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::render::iso;
use crate::web::session::Moderator;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/users/{name}/ban").route(web::post().to(ban)))
        .service(web::resource("/users/{name}/unban").route(web::post().to(unban)));
}

#[derive(Debug, Deserialize)]
struct BanBody {
    days: i64,
    #[serde(default)]
    reason: String,
}

async fn ban(
    state: web::Data<AppState>,
    moderator: Moderator,
    path: web::Path<String>,
    body: web::Json<BanBody>,
) -> Result<HttpResponse, ApiError> {
    let username = path.into_inner();
    let request = BanRequest {
        days: body.days,
        reason: &body.reason,
    };
    let until = bans::ban(&state.pool, (&moderator.0).into(), &username, &request).await?;
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "username": username, "banned_until": iso(until) })))
}

async fn unban(
    state: web::Data<AppState>,
    moderator: Moderator,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let username = path.into_inner();
    bans::unban(&state.pool, (&moderator.0).into(), &username).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "username": username, "banned_until": null })))
}
