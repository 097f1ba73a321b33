//! The tag index and a tag's topic list.
use std::sync::Arc;

use actix_web::{HttpResponse, web};
use askama::Template;

use super::lists::{
    ListPage, ListQuery, load_page, pager_urls, parse_status, period_start, status_name,
    with_status,
};
use crate::db::{self, tags::TagCount, topics::ListOrder};
use crate::web::get_or_head;
use crate::web::render::{self, PageContext};
use crate::web::session::{MaybeUser, Viewer};
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/tags").route(get_or_head().to(list_tags)))
        .service(web::resource("/tags/{name}").route(get_or_head().to(show_tag)));
}

#[derive(Template)]
#[template(path = "tags.html")]
struct TagsPage {
    ctx: PageContext,
    tags: Vec<TagCount>,
}

async fn list_tags(state: web::Data<AppState>, user: MaybeUser) -> Result<HttpResponse, AppError> {
    let mut conn = state.pool.acquire().await?;
    let tags = db::tags::list_with_counts(&mut conn).await?;
    render::render(&TagsPage {
        ctx: PageContext::for_viewer(user.0),
        tags,
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct TagQuery {
    order: Option<String>,
    #[serde(flatten)]
    list: ListQuery,
}

/// A tag by name with its topic count, shared by all readers in this generation (counting a big
/// tag's topics on every view cost more than the page itself).
pub async fn find_tag(state: &AppState, name: String) -> Result<Arc<TagCount>, AppError> {
    let generation = state.page_cache.generation();
    if let Some(tag) = state.shared.tags.get(generation, &name) {
        return Ok(tag);
    }
    let mut conn = state.pool.acquire().await?;
    let tag = Arc::new(
        db::tags::find(&mut conn, &name)
            .await?
            .ok_or(AppError::NotFound)?,
    );
    drop(conn);
    state.shared.tags.put(generation, name, tag.clone());
    Ok(tag)
}

async fn show_tag(
    state: web::Data<AppState>,
    user: MaybeUser,
    path: web::Path<String>,
    query: web::Query<TagQuery>,
) -> Result<HttpResponse, AppError> {
    let tag = find_tag(&state, path.into_inner()).await?;
    let (active, order, period) = match query.order.as_deref() {
        Some("latest") => ("latest", ListOrder::Latest, ""),
        Some("top") => {
            let (period, since) = period_start(query.list.period.as_deref());
            ("top", ListOrder::Top { since }, period)
        }
        _ => ("hot", ListOrder::Hot, ""),
    };
    let answered = parse_status(query.list.status.as_deref()).unwrap_or(None);
    let status = status_name(answered);
    let viewer = Viewer::tag_viewer(user.0.as_ref());
    let page = load_page(&state, order, Some(tag.id), viewer, answered, &query.list).await?;
    let base_url = match active {
        "top" => format!("/tags/{}?order=top&period={period}", tag.name),
        _ => format!("/tags/{}?order={active}", tag.name),
    };
    let (prev_url, next_url) = pager_urls(&with_status(&base_url, status), &page);
    render::render(&ListPage {
        ctx: PageContext::for_viewer(user.0),
        heading: format!("Topics tagged {}", tag.name),
        active,
        period,
        topics: page.topics,
        prev_url,
        next_url,
        base_url,
        status,
        past_the_end: query.list.is_later_page(),
    })
}
