//! The HTTP edge: routes, extractors, the error mapping, HTML pages (askama) and the JSON API.
//! Handlers are thin: parse → `forum`/`db` → render or redirect.
use crate::db::Pool;
pub mod api;
mod assets;
pub mod avatar;
pub mod cache;
pub mod client;
pub mod dashboard;
pub mod deadline;
pub mod error;
mod feeds;
pub mod headers;
pub mod heavy;
pub mod limits;
pub mod nodes;
pub mod pages;
pub mod render;
pub mod request_span;
pub mod session;
pub mod session_cache;
pub mod shared;
pub mod unread;

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::{HttpResponse, Route, guard, web};

use crate::config::Settings;
use crate::db::views::ViewCounter;
use crate::forum::{ForumError, topics::Actor};
use crate::mail::{Mailer, Signer};
use crate::tagging::Tagger;
use error::AppError;
use session::Viewer;

/// Everything a handler may need, shared by all workers.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub settings: Arc<Settings>,
    pub views: Arc<ViewCounter>,
    pub tagger: Arc<Tagger>,
    /// Wakes the retrain job when a moderator presses "Retrain now".
    pub retrain_now: Arc<tokio::sync::Notify>,
    /// When the retrain job next looks for new labels (unix seconds), for the dashboard.
    pub next_retrain_check: Arc<std::sync::atomic::AtomicI64>,
    /// Abuse limits' counters (see `limits`).
    pub limits: Arc<limits::Limits>,
    /// Rendered public pages for anonymous readers (see `cache`).
    pub page_cache: Arc<cache::PageCache>,
    /// Search, reports and exports (see `heavy`).
    pub heavy: Arc<heavy::HeavyPool>,
    /// Page data all viewers share (see `shared`).
    pub shared: Arc<shared::SharedPages>,
    /// Live sessions, kept in memory (see `session_cache`).
    pub sessions: Arc<session_cache::SessionCache>,
    /// Members' unread-notification counts (see `unread`).
    pub unread: Arc<unread::UnreadCounts>,
    /// Outgoing mail (does nothing without `--smtp-url`).
    pub mailer: Arc<Mailer>,
    /// Signs links that act without a login (unsubscribe).
    pub signer: Signer,
    /// This server among those sharing a PostgreSQL database (see `nodes`).
    pub node_id: Arc<str>,
}

impl AppState {
    pub fn new(
        pool: Pool,
        heavy: heavy::HeavyPool,
        settings: Arc<Settings>,
        mailer: Mailer,
        signer: Signer,
    ) -> Self {
        let suggest_precision = settings.tagging.suggest_precision;
        Self {
            heavy: Arc::new(heavy),
            mailer: Arc::new(mailer),
            signer,
            limits: Arc::new(limits::Limits::new(settings.limits.clone())),
            page_cache: Arc::new(cache::PageCache::new(std::time::Duration::from_secs(
                settings.page_cache_secs,
            ))),
            shared: Arc::new(shared::SharedPages::new(std::time::Duration::from_secs(
                settings.page_cache_secs,
            ))),
            pool,
            settings,
            unread: Arc::default(),
            sessions: Arc::new(session_cache::SessionCache::new()),
            views: Arc::default(),
            tagger: Arc::new(crate::tagging::Tagger::with_suggest_precision(
                suggest_precision,
            )),
            retrain_now: Arc::default(),
            next_retrain_check: Arc::default(),
            node_id: nodes::new_node_id().into(),
        }
    }
}

/// Registers every route of the app. Each path is one `web::resource`, so a method it does not
/// serve gets 405 with an `Allow` header (actix-web's resource default) rather than the 404 of an
/// unknown path.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(error::path_config())
        .app_data(error::query_config())
        .service(web::scope("/api/v1").configure(api::routes))
        .configure(feeds::routes)
        .configure(pages::routes)
        .configure(dashboard::routes)
        .configure(assets::routes)
        .configure(avatar::routes)
        .default_service(web::to(not_found));
}

/// The route for anything read: GET, and HEAD with the same status and headers. The handler runs
/// as for GET; actix-http then writes the headers (Content-Length included) and drops the body.
pub fn get_or_head() -> Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

async fn not_found(req: actix_web::HttpRequest) -> HttpResponse {
    AppError::NotFound.response_for(req.path())
}

impl AppState {
    /// Counts a reader of a topic. A HEAD (a link checker, an uptime monitor) is not one.
    pub fn record_view(&self, method: &Method, topic_id: i64) {
        if method != Method::HEAD {
            self.views.record(topic_id);
        }
    }

    /// Suggests tags for a topic just written. A failure is logged, never shown: the post is saved.
    pub async fn auto_tag(&self, topic_id: i64) {
        let auto_apply = self.settings.tagging.auto_apply_confidence;
        if let Err(e) =
            crate::tagging::autotag::auto_tag(&self.pool, &self.tagger, topic_id, auto_apply).await
        {
            tracing::warn!(topic_id, error = ?e, "auto-tagging failed");
        }
    }
}

impl From<ForumError> for AppError {
    fn from(e: ForumError) -> Self {
        match e {
            ForumError::Invalid(errors) => AppError::Validation(errors),
            ForumError::NotFound => AppError::NotFound,
            ForumError::Forbidden(why) => AppError::forbidden(why),
            ForumError::Banned(ban) => AppError::Banned(ban),
            ForumError::Database(e) => AppError::Internal(e.into()),
            ForumError::Password(e) => AppError::Internal(e.into()),
            ForumError::Task(e) => AppError::Internal(e.into()),
            ForumError::Mail(e) => AppError::Internal(anyhow::anyhow!(e)),
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
