//! The front page and the other topic lists: hot (default), latest, top by period.
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::PER_PAGE;
use crate::db::{
    self,
    tags::TagViewer,
    topics::{Cursor, ListOrder, PageAt, TopicListItem},
};
use crate::domain;
use crate::web::get_or_head;
use crate::web::render::{self, PageContext, ago};
use crate::web::session::{MaybeUser, Viewer};
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").route(get_or_head().to(hot)))
        .service(web::resource("/latest").route(get_or_head().to(latest)))
        .service(web::resource("/top").route(get_or_head().to(top)));
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default, deserialize_with = "page_number")]
    pub page: Option<i64>,
    pub period: Option<String>,
    /// Keyset cursors (see `db::topics::Cursor`); old `?page=N` links still work by offset.
    pub after: Option<String>,
    pub before: Option<String>,
    pub status: Option<String>,
}

/// `?status=answered|unanswered` as the list filter (`None`: every topic).
pub fn parse_status(status: Option<&str>) -> Result<Option<bool>, String> {
    match status {
        None | Some("" | "all") => Ok(None),
        Some("answered") => Ok(Some(true)),
        Some("unanswered") => Ok(Some(false)),
        Some(other) => Err(format!("unknown status {other:?} (answered or unanswered)")),
    }
}

/// The name of a status filter, for the page's tabs and links.
pub fn status_name(answered: Option<bool>) -> &'static str {
    match answered {
        None => "",
        Some(true) => "answered",
        Some(false) => "unanswered",
    }
}

/// `base_url` filtered by `status` (empty: all topics), from its first page.
pub fn with_status(base_url: &str, status: &str) -> String {
    if status.is_empty() {
        return base_url.to_owned();
    }
    with_param(base_url, "status", status)
}

/// `url` with one more query parameter (`value` is already URL-safe).
fn with_param(url: &str, key: &str, value: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{key}={value}")
}

/// `?page=N` as text: inside a `#[serde(flatten)]` query (the tag page's, the API's) every value
/// arrives as a string, which a plain `i64` field refuses.
fn page_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    Ok(text.and_then(|t| t.parse().ok()))
}

impl ListQuery {
    /// Whether this asks for a page other than the first.
    pub fn is_later_page(&self) -> bool {
        self.after.is_some() || self.before.is_some() || self.page.is_some_and(|p| p > 1)
    }

    /// Where the requested page starts; an unreadable cursor is a 400.
    pub fn page_at(&self) -> Result<PageAt, AppError> {
        let cursor = |text: &str| {
            Cursor::decode(text).ok_or_else(|| AppError::BadRequest(format!("bad cursor {text:?}")))
        };
        Ok(match (&self.after, &self.before) {
            (Some(after), _) => PageAt::After(cursor(after)?),
            (None, Some(before)) => PageAt::Before(cursor(before)?),
            (None, None) => PageAt::Offset(render::page_offset(self.page, PER_PAGE).1),
        })
    }
}

/// A top-list period as in `?period=`.
pub fn period_start(period: Option<&str>) -> (&'static str, i64) {
    let day = 86_400;
    let now = domain::now();
    match period {
        Some("day") => ("day", now - day),
        Some("month") => ("month", now - 30 * day),
        Some("year") => ("year", now - 365 * day),
        Some("all") => ("all", i64::MIN),
        _ => ("week", now - 7 * day),
    }
}

#[derive(Template)]
#[template(path = "lists.html")]
pub struct ListPage {
    pub ctx: PageContext,
    pub heading: String,
    pub active: &'static str,
    pub period: &'static str,
    pub topics: Vec<TopicListItem>,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    /// The list's own address without its status (the tabs link to its siblings).
    pub base_url: String,
    /// `answered`, `unanswered` or empty (all topics).
    pub status: &'static str,
    /// A page past the first (by number or cursor): empty, it says "no more" rather than "none".
    pub past_the_end: bool,
    /// On a tag's list: the tag, its count and description.
    pub tag: Option<std::sync::Arc<db::tags::TagCount>>,
}

impl ListPage {
    pub fn age(&self, ts: &i64) -> String {
        ago(*ts)
    }

    /// The Atom feed of this list: a tag's, the latest topics', or the hot ones (for the rest).
    pub fn feed_url(&self) -> String {
        let path = self.base_url.split('?').next().unwrap_or("/");
        match path {
            "/latest" => "/latest.atom".into(),
            _ if path.starts_with("/tags/") => format!("{path}.atom"),
            _ => "/hot.atom".into(),
        }
    }

    /// This list filtered by `status` (empty: all topics), from its first page.
    pub fn status_url(&self, status: &str) -> String {
        with_status(&self.base_url, status)
    }

    pub fn description_max_chars(&self) -> usize {
        domain::TagDescription::MAX_CHARS
    }
}

/// The pager's links: `base_url` with `after=` / `before=` cursors.
pub fn pager_urls(
    base_url: &str,
    page: &db::topics::TopicPage,
) -> (Option<String>, Option<String>) {
    let link = |dir: &str, c: &Cursor| with_param(base_url, dir, &c.encode());
    (
        page.prev.as_ref().map(|c| link("before", c)),
        page.next.as_ref().map(|c| link("after", c)),
    )
}

/// Loads one page of a list (`PER_PAGE` rows) with the cursors around it, its rows' tags as
/// `viewer` may see them.
pub async fn load_page(
    state: &AppState,
    order: ListOrder,
    tag_id: Option<i64>,
    viewer: TagViewer,
    answered: Option<bool>,
    query: &ListQuery,
) -> Result<db::topics::TopicPage, AppError> {
    let mut page = load_shared_page(state, order, tag_id, viewer, answered, query).await?;
    page.topics = TopicListItem::for_viewer(page.topics, viewer);
    Ok(page)
}

/// The page with all its rows' tags, shared by the viewers who get the same rows: everyone for
/// lists without a tag; for a tag's list, the readers who see the tag's suggestions on the same
/// topics (see `db::topics::list`).
async fn load_shared_page(
    state: &AppState,
    order: ListOrder,
    tag_id: Option<i64>,
    viewer: TagViewer,
    answered: Option<bool>,
    query: &ListQuery,
) -> Result<db::topics::TopicPage, AppError> {
    let viewer = if tag_id.is_some() {
        viewer
    } else {
        TagViewer::Public
    };
    let at = query.page_at()?;
    // Top lists' start time moves every second; the period names the list as well.
    let order_key = match order {
        ListOrder::Top { .. } => format!("top {:?}", query.period),
        other => format!("{other:?}"),
    };
    let key = format!("{order_key} {tag_id:?} {viewer:?} {answered:?} {at:?}");
    let generation = state.page_cache.generation();
    if let Some(page) = state.shared.lists.get(generation, &key) {
        return Ok((*page).clone());
    }
    let mut conn = state.pool.acquire().await?;
    let page = db::topics::list(&mut conn, order, tag_id, viewer, answered, PER_PAGE, at).await?;
    drop(conn);
    state
        .shared
        .lists
        .put(generation, key, std::sync::Arc::new(page.clone()));
    Ok(page)
}

async fn show_list(
    state: web::Data<AppState>,
    user: MaybeUser,
    order: ListOrder,
    active: &'static str,
    heading: &str,
    period: &'static str,
    query: &ListQuery,
) -> Result<HttpResponse, AppError> {
    // An unknown status on a page shows every topic (links only ever carry known ones).
    let answered = parse_status(query.status.as_deref()).unwrap_or(None);
    let status = status_name(answered);
    let viewer = Viewer::tag_viewer(user.0.as_ref());
    let page = load_page(&state, order, None, viewer, answered, query).await?;
    let base_url = match active {
        "top" => format!("/top?period={period}"),
        "latest" => "/latest".into(),
        _ => "/".into(),
    };
    let (prev_url, next_url) = pager_urls(&with_status(&base_url, status), &page);
    render::render(&ListPage {
        ctx: PageContext::for_viewer(user.0),
        heading: heading.into(),
        active,
        period,
        topics: page.topics,
        prev_url,
        next_url,
        base_url,
        status,
        past_the_end: query.is_later_page(),
        tag: None,
    })
}

async fn hot(
    state: web::Data<AppState>,
    user: MaybeUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    show_list(state, user, ListOrder::Hot, "hot", "Hot topics", "", &query).await
}

async fn latest(
    state: web::Data<AppState>,
    user: MaybeUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    show_list(
        state,
        user,
        ListOrder::Latest,
        "latest",
        "Latest topics",
        "",
        &query,
    )
    .await
}

async fn top(
    state: web::Data<AppState>,
    user: MaybeUser,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let (period, since) = period_start(query.period.as_deref());
    let heading = format!("Top topics of the {period}");
    show_list(
        state,
        user,
        ListOrder::Top { since },
        "top",
        &heading,
        period,
        &query,
    )
    .await
}
