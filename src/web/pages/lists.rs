//! The front page and the other topic lists: hot (default), latest, top by period.
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::PER_PAGE;
use crate::db::{self, topics::ListOrder, topics::TopicListItem};
use crate::domain;
use crate::web::get_or_head;
use crate::web::render::{self, PageContext, ago};
use crate::web::{AppState, error::AppError, session::MaybeUser};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").route(get_or_head().to(hot)))
        .service(web::resource("/latest").route(get_or_head().to(latest)))
        .service(web::resource("/top").route(get_or_head().to(top)));
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub page: Option<i64>,
    pub period: Option<String>,
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
    pub page: i64,
    pub has_next: bool,
    /// The list's address without its page and status.
    pub base_url: String,
    /// `answered`, `unanswered` or empty (all topics).
    pub status: &'static str,
}

impl ListPage {
    pub fn age(&self, ts: &i64) -> String {
        ago(*ts)
    }

    pub fn page_url(&self, page: i64) -> String {
        let url = self.status_url(self.status);
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}page={page}")
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
        if status.is_empty() {
            return self.base_url.clone();
        }
        let sep = if self.base_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{sep}status={status}", self.base_url)
    }
}

/// Loads one page of a list: `PER_PAGE` rows and whether more follow.
pub async fn load_page(
    state: &AppState,
    order: ListOrder,
    tag_id: Option<i64>,
    answered: Option<bool>,
    page: Option<i64>,
) -> Result<(i64, Vec<TopicListItem>, bool), AppError> {
    let (page, offset) = render::page_offset(page, PER_PAGE);
    let mut conn = state.pool.acquire().await?;
    let mut topics =
        db::topics::list(&mut conn, order, tag_id, answered, PER_PAGE + 1, offset).await?;
    let has_next = topics.len() as i64 > PER_PAGE;
    topics.truncate(PER_PAGE as usize);
    Ok((page, topics, has_next))
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
    let (page, topics, has_next) = load_page(&state, order, None, answered, query.page).await?;
    let base_url = match active {
        "top" => format!("/top?period={period}"),
        "latest" => "/latest".into(),
        _ => "/".into(),
    };
    render::render(&ListPage {
        ctx: PageContext::for_viewer(user.0),
        heading: heading.into(),
        active,
        period,
        topics,
        page,
        has_next,
        base_url,
        status: status_name(answered),
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
