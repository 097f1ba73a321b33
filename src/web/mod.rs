//! The HTTP edge: routes, extractors, the error mapping, HTML pages (askama) and the JSON API.
//! Handlers are thin: parse → `forum`/`db` → render or redirect.
pub mod api;
mod assets;
pub mod dashboard;
pub mod error;
pub mod pages;
pub mod render;
pub mod session;

use std::sync::Arc;

use actix_web::{HttpResponse, web};
use sqlx::SqlitePool;

use crate::config::Settings;
use crate::db::views::ViewCounter;
use crate::forum::{ForumError, topics::Actor};
use error::AppError;
use session::Viewer;

/// Everything a handler may need, shared by all workers.
#[derive(Clone)]
pub struct AppState {
    pub pool: SqlitePool,
    pub settings: Arc<Settings>,
    pub views: Arc<ViewCounter>,
}

impl AppState {
    pub fn new(pool: SqlitePool, settings: Arc<Settings>) -> Self {
        Self {
            pool,
            settings,
            views: Arc::default(),
        }
    }
}

/// Registers every route of the app.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::scope("/api/v1").configure(api::routes))
        .configure(pages::routes)
        .configure(dashboard::routes)
        .configure(assets::routes)
        .default_service(web::to(not_found));
}

async fn not_found(req: actix_web::HttpRequest) -> HttpResponse {
    use actix_web::ResponseError;
    if req.path().starts_with("/api/") {
        error::ApiError(AppError::NotFound).error_response()
    } else {
        AppError::NotFound.error_response()
    }
}

impl From<ForumError> for AppError {
    fn from(e: ForumError) -> Self {
        match e {
            ForumError::Invalid(errors) => AppError::Validation(errors),
            ForumError::NotFound => AppError::NotFound,
            ForumError::Forbidden(why) => AppError::forbidden(why),
            ForumError::Database(e) => AppError::Internal(e.into()),
            ForumError::Password(e) => AppError::Internal(e.into()),
        }
    }
}

impl From<ForumError> for error::ApiError {
    fn from(e: ForumError) -> Self {
        error::ApiError(e.into())
    }
}

impl From<&Viewer> for Actor {
    fn from(v: &Viewer) -> Self {
        Actor {
            id: v.id,
            is_moderator: v.is_moderator(),
            is_banned: v.is_banned(),
        }
    }
}
