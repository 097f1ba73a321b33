//! The tag index and a tag's topic list.
use std::sync::Arc;

use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::lists::{
    ListPage, ListQuery, load_page, pager_urls, parse_status, period_start, status_name,
    with_status,
};
use crate::db::{
    self,
    tags::{TagCount, TagIndexRow, TagOrder},
    topics::ListOrder,
};
use crate::domain;
use crate::forum;
use crate::web::get_or_head;
use crate::web::render::{self, PageContext, redirect};
use crate::web::session::{CurrentUser, MaybeUser, Viewer};
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/tags").route(get_or_head().to(list_tags)))
        .service(web::resource("/tags/{name}").route(get_or_head().to(show_tag)))
        .service(web::resource("/tags/{name}/description").route(web::post().to(describe)));
}

/// Tags per page of the index.
pub const TAGS_PER_PAGE: i64 = 60;

#[derive(Debug, Deserialize)]
pub struct TagIndexQuery {
    /// Part of a tag's name.
    #[serde(default)]
    pub q: String,
    /// `activity` (the default), `count` or `name`.
    pub sort: Option<String>,
    pub page: Option<i64>,
}

/// One page of the tag index and whether another follows.
pub struct TagIndexPage {
    pub filter: String,
    pub order: TagOrder,
    pub page: i64,
    pub tags: Vec<TagIndexRow>,
    /// Matching tags in all.
    pub total: i64,
    pub has_next: bool,
}

/// Reads one page of the tag index for `query` (pages and API share it).
pub async fn load_index(state: &AppState, query: &TagIndexQuery) -> Result<TagIndexPage, AppError> {
    // Tag names are lower case and at most 32 characters: a longer filter matches nothing.
    let filter: String = query.q.trim().to_lowercase().chars().take(64).collect();
    let order = TagOrder::parse(query.sort.as_deref());
    let (page, offset) = render::page_offset(query.page, TAGS_PER_PAGE);
    let mut conn = state.pool.acquire().await?;
    let mut tags = db::tags::index(
        &mut conn,
        Some(filter.as_str()).filter(|f| !f.is_empty()),
        order,
        domain::now(),
        TAGS_PER_PAGE + 1,
        offset,
    )
    .await?;
    drop(conn);
    let total = tags.first().map_or(0, |t| t.total);
    let has_next = tags.len() as i64 > TAGS_PER_PAGE;
    tags.truncate(TAGS_PER_PAGE as usize);
    Ok(TagIndexPage {
        filter,
        order,
        page,
        tags,
        total,
        has_next,
    })
}

#[derive(Template)]
#[template(path = "tags.html")]
struct TagsPage {
    ctx: PageContext,
    index: TagIndexPage,
    sorts: [TagOrder; 3],
}

impl TagsPage {
    /// The index with this filter, sorted by `order`, at `page`.
    fn url(&self, order: &TagOrder, page: i64) -> String {
        let mut url = String::from("/tags");
        let mut params = Vec::new();
        if !self.index.filter.is_empty() {
            params.push(format!(
                "q={}",
                serde_urlencoded::to_string([("", self.index.filter.as_str())])
                    .map(|s| s.trim_start_matches('=').to_owned())
                    .unwrap_or_default()
            ));
        }
        if *order != TagOrder::default() {
            params.push(format!("sort={}", order.as_str()));
        }
        if page > 1 {
            params.push(format!("page={page}"));
        }
        if !params.is_empty() {
            url.push('?');
            url.push_str(&params.join("&"));
        }
        url
    }

    fn sort_label(&self, order: &TagOrder) -> &'static str {
        match order {
            TagOrder::Activity => "active now",
            TagOrder::Count => "most topics",
            TagOrder::Name => "name",
        }
    }

    fn recent_days(&self) -> i64 {
        db::tags::RECENT_DAYS
    }
}

async fn list_tags(
    state: web::Data<AppState>,
    user: MaybeUser,
    query: web::Query<TagIndexQuery>,
) -> Result<HttpResponse, AppError> {
    let index = load_index(&state, &query).await?;
    render::render(&TagsPage {
        ctx: PageContext::for_viewer(user.0),
        index,
        sorts: [TagOrder::Activity, TagOrder::Count, TagOrder::Name],
    })
}

#[derive(Debug, Deserialize)]
pub struct DescriptionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    description: String,
}

async fn describe(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<String>,
    form: web::Form<DescriptionForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let name = path.into_inner();
    forum::tags::describe(&state.pool, (&viewer).into(), &name, &form.description).await?;
    Ok(redirect(&format!("/tags/{name}")))
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
        tag: Some(tag),
    })
}
