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
    pub base_url: String,
}

impl ListPage {
    pub fn age(&self, ts: &i64) -> String {
        ago(*ts)
    }

    pub fn page_url(&self, page: i64) -> String {
        let sep = if self.base_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{sep}page={page}", self.base_url)
    }
}

/// Loads one page of a list: `PER_PAGE` rows and whether more follow.
pub async fn load_page(
    state: &AppState,
    order: ListOrder,
    tag_id: Option<i64>,
    page: Option<i64>,
) -> Result<(i64, Vec<TopicListItem>, bool), AppError> {
    let (page, offset) = render::page_offset(page, PER_PAGE);
    let mut conn = state.pool.acquire().await?;
    let mut topics = db::topics::list(&mut conn, order, tag_id, PER_PAGE + 1, offset).await?;
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
    let (page, topics, has_next) = load_page(&state, order, None, query.page).await?;
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
