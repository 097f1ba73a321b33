//! Flags as pages: the member's flag form (on the topic page), the moderators' queue with its
//! hide / dismiss buttons, and the moderation log.
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::Nav;
use crate::db::{self, flags::FlaggedPost, modlog::Entry};
use crate::forum::flags;
use crate::web::get_or_head;
use crate::web::render::{self, PageContext, ago, redirect};
use crate::web::session::{CurrentUser, Moderator};
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/p/{id}/flag").route(web::post().to(flag_post)))
        .service(web::resource("/mod/flags").route(get_or_head().to(queue)))
        .service(web::resource("/mod/flags/{post_id}/resolve").route(web::post().to(resolve)))
        .service(web::resource("/mod/log").route(get_or_head().to(log)));
}

#[derive(Debug, Deserialize)]
pub struct FlagForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

async fn flag_post(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<FlagForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let post_id = path.into_inner();
    flags::flag_post(
        &state.pool,
        (&viewer).into(),
        post_id,
        &form.reason,
        &form.note,
    )
    .await?;
    let mut conn = state.pool.acquire().await?;
    let post = db::posts::get(&mut conn, post_id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(redirect(&format!(
        "/t/{}?flagged={post_id}#post-{post_id}",
        post.topic_id
    )))
}

#[derive(Template)]
#[template(path = "mod/flags.html")]
struct QueuePage {
    ctx: PageContext,
    nav: Nav,
    queue: Vec<FlaggedPost>,
}

impl QueuePage {
    fn age(&self, ts: &i64) -> String {
        ago(*ts)
    }

    fn excerpt(&self, body: &str) -> String {
        let mut text: String = body.chars().take(280).collect();
        if body.chars().count() > 280 {
            text.push('…');
        }
        text
    }
}

async fn queue(state: web::Data<AppState>, moderator: Moderator) -> Result<HttpResponse, AppError> {
    let mut conn = state.pool.acquire().await?;
    let queue = db::flags::list_open(&mut conn, 200).await?;
    drop(conn);
    render::render(&QueuePage {
        ctx: PageContext::for_viewer(Some(moderator.0)),
        nav: Nav {
            active: "flags",
            period: 30,
        },
        queue,
    })
}

#[derive(Debug, Deserialize)]
pub struct ResolveForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    action: String,
}

async fn resolve(
    state: web::Data<AppState>,
    moderator: Moderator,
    path: web::Path<i64>,
    form: web::Form<ResolveForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = moderator.0;
    viewer.check_csrf(&form.csrf_token)?;
    let resolution = flags::parse_resolution(&form.action)?;
    flags::resolve(&state.pool, (&viewer).into(), path.into_inner(), resolution).await?;
    Ok(redirect("/mod/flags"))
}

#[derive(Template)]
#[template(path = "mod/log.html")]
struct LogPage {
    ctx: PageContext,
    nav: Nav,
    entries: Vec<Entry>,
    older: Option<i64>,
}

impl LogPage {
    fn age(&self, ts: &i64) -> String {
        ago(*ts)
    }

    fn iso(&self, ts: &i64) -> String {
        render::iso(*ts)
    }
}

#[derive(Debug, Deserialize)]
pub struct LogQuery {
    before: Option<i64>,
}

const LOG_PAGE: i64 = 100;

async fn log(
    state: web::Data<AppState>,
    moderator: Moderator,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.pool.acquire().await?;
    let entries = db::modlog::recent(&mut conn, query.before, LOG_PAGE).await?;
    drop(conn);
    let older = (entries.len() as i64 == LOG_PAGE)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    render::render(&LogPage {
        ctx: PageContext::for_viewer(Some(moderator.0)),
        nav: Nav {
            active: "log",
            period: 30,
        },
        entries,
        older,
    })
}
