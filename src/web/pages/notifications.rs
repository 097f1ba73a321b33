//! The member's notifications (`/notifications`) and watching topics and tags.
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::notifications::Notification;
use crate::forum::notifications as forum;
use crate::web::get_or_head;
use crate::web::render::{self, PageContext, ago, local_path, redirect};
use crate::web::session::CurrentUser;
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/notifications").route(get_or_head().to(show)))
        .service(web::resource("/notifications/read").route(web::post().to(mark_read)))
        .service(web::resource("/t/{id}/watch").route(web::post().to(watch_topic)))
        .service(web::resource("/tags/{name}/watch").route(web::post().to(watch_tag)));
}

/// A notification as a sentence with a link, for the page and the API.
pub fn describe(n: &Notification) -> String {
    let who = n.actor_name.as_deref().unwrap_or("someone");
    let topic = n.topic_title.as_deref().unwrap_or("a topic");
    match n.kind.as_str() {
        "reply" => format!("{who} replied to your topic “{topic}”"),
        "mention" => format!("{who} mentioned you in “{topic}”"),
        "accepted" => format!("{who} accepted your answer in “{topic}”"),
        "flag_resolved" => format!(
            "Your flag on a post in “{topic}” was resolved: {}",
            n.detail
        ),
        "post_hidden" => format!("A moderator hid your post in “{topic}”: {}", n.detail),
        "retagged" => format!("A moderator retagged your topic “{topic}”: {}", n.detail),
        "watched_topic" => format!("{who} replied in “{topic}”, which you watch"),
        "watched_tag" => format!("{who} posted “{topic}” in a tag you watch"),
        "routed" => format!("“{topic}” has no answer yet, and you answer its tags: can you help?"),
        _ => format!("Something happened in “{topic}”"),
    }
}

/// Where a notification leads: the exact post, or the topic.
pub fn link(n: &Notification) -> String {
    match (n.topic_id, n.post_id) {
        (Some(topic), Some(post)) => format!("/t/{topic}#post-{post}"),
        (Some(topic), None) => format!("/t/{topic}"),
        _ => "/notifications".into(),
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    ctx: PageContext,
    notifications: Vec<Notification>,
    unread: i64,
    older: Option<i64>,
}

impl NotificationsPage {
    fn text(&self, n: &Notification) -> String {
        describe(n)
    }

    fn href(&self, n: &Notification) -> String {
        link(n)
    }

    fn age(&self, ts: &i64) -> String {
        ago(*ts)
    }
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    before: Option<i64>,
}

async fn show(
    state: web::Data<AppState>,
    user: CurrentUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    let (notifications, unread) = forum::list(&state.pool, (&viewer).into(), query.before).await?;
    let older = (notifications.len() as i64 == forum::PAGE)
        .then(|| notifications.last().map(|n| n.id))
        .flatten();
    render::render(&NotificationsPage {
        ctx: PageContext::for_viewer(Some(viewer)),
        notifications,
        unread,
        older,
    })
}

#[derive(Debug, Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    csrf_token: String,
    /// One notification, or all when absent.
    id: Option<i64>,
    /// Where to go afterwards (the notification's own link); local paths only.
    next: Option<String>,
}

async fn mark_read(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<ReadForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let ids = form.id.map(|id| vec![id]);
    forum::mark_read(&state.pool, (&viewer).into(), ids.as_deref()).await?;
    let next = match form.next.as_deref() {
        Some(next) => local_path(Some(next)),
        None => "/notifications",
    };
    Ok(redirect(next))
}

#[derive(Debug, Deserialize)]
pub struct WatchForm {
    #[serde(default)]
    csrf_token: String,
    /// "1" to watch, "0" to stop.
    on: u8,
}

async fn watch_topic(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<WatchForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let topic_id = path.into_inner();
    forum::watch_topic(&state.pool, (&viewer).into(), topic_id, form.on == 1).await?;
    Ok(redirect(&format!("/t/{topic_id}")))
}

async fn watch_tag(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    form: web::Form<WatchForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let name = path.into_inner();
    forum::watch_tag(&state.pool, (&viewer).into(), &name, form.on == 1).await?;
    Ok(redirect(&format!("/tags/{name}")))
}
