//! Full-text search over titles and bodies (SQLite FTS5, bm25), with highlighted snippets, the
//! filters `tag:`, `user:` and `is:`, and relevance or newest order.
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::{self, search::Results};
use crate::domain::search::{SearchOrder, SearchQuery};
use crate::web::get_or_head;
use crate::web::render::{self, PageContext};
use crate::web::{AppState, error::AppError, session::MaybeUser};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/search").route(get_or_head().to(search)));
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
    /// `relevance` (the default) or `newest`.
    pub order: Option<String>,
    pub page: Option<i64>,
}

/// A hit ready for the page: the snippet is escaped, with `<mark>` around the matches.
pub struct ShownHit {
    pub topic_id: i64,
    pub post_id: i64,
    pub title: String,
    pub snippet_html: String,
}

/// Escapes a snippet from FTS5 and turns its match markers into `<mark>` tags. The tags always
/// balance: a marker that does not open or close a match (stored text from before bodies lost
/// their control characters) is dropped.
pub fn snippet_html(snippet: &str) -> String {
    let escaped = askama::filters::escape(snippet, askama::filters::Html)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let mut html = String::with_capacity(escaped.len() + 32);
    let mut open = false;
    for c in escaped.chars() {
        match c {
            db::search::MATCH_START if !open => {
                html.push_str("<mark>");
                open = true;
            }
            db::search::MATCH_END if open => {
                html.push_str("</mark>");
                open = false;
            }
            db::search::MATCH_START | db::search::MATCH_END => {}
            c => html.push(c),
        }
    }
    if open {
        html.push_str("</mark>");
    }
    html
}

/// Runs a search for what the user typed on the heavy pool, under its budget, or takes its results
/// from this generation's shared ones; a query with neither words nor filters finds nothing.
pub async fn run(
    state: &AppState,
    query: &SearchQuery,
    order: SearchOrder,
    limit: i64,
    offset: i64,
) -> Result<Results, AppError> {
    if db::search::fts_query(&query.text()).is_none() && !query.has_filters() {
        return Ok(Results {
            hits: Vec::new(),
            topics: 0,
            capped: false,
        });
    }
    let key = (format!("{query:?} {order:?}"), limit, offset);
    let generation = state.page_cache.generation();
    if let Some(found) = state.shared.searches.get(generation, &key) {
        return Ok((*found).clone());
    }
    let mut conn = state.heavy.acquire().await?;
    let found = db::search::search(&mut conn, query, order, limit, offset).await?;
    drop(conn);
    state
        .shared
        .searches
        .put(generation, key, std::sync::Arc::new(found.clone()));
    Ok(found)
}

/// A filter in use, and the address of the same search without it.
pub struct ShownFilter {
    pub text: String,
    pub drop_url: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ctx: PageContext,
    q: String,
    /// `relevance` or `newest`, as in `?order=`.
    order: &'static str,
    /// Filters alone are listed newest first whatever the order says.
    filters_only: bool,
    filters: Vec<ShownFilter>,
    hits: Vec<ShownHit>,
    /// Matching topics, and whether older posts were left unranked ("1,000+").
    topics: i64,
    capped: bool,
    page: i64,
    has_next: bool,
}

impl SearchPage {
    fn page_url(&self, page: i64) -> String {
        search_url(&self.q, self.order, page)
    }
}

/// A search's address; the first page and the default order are left out.
fn search_url(q: &str, order: &str, page: i64) -> String {
    let mut url = format!("/search?q={}", urlencode(q));
    if order != SearchOrder::default().as_str() {
        url.push_str(&format!("&order={order}"));
    }
    if page > 1 {
        url.push_str(&format!("&page={page}"));
    }
    url
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

async fn search(
    state: web::Data<AppState>,
    user: MaybeUser,
    query: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let per_page = super::PER_PAGE;
    let (page, offset) = render::page_offset(query.page, per_page);
    let parsed = SearchQuery::parse(&query.q);
    let order = SearchOrder::parse(query.order.as_deref());
    let Results {
        mut hits,
        topics,
        capped,
    } = run(&state, &parsed, order, per_page + 1, offset).await?;
    let has_next = hits.len() as i64 > per_page;
    hits.truncate(per_page as usize);
    let hits = hits
        .into_iter()
        .map(|h| ShownHit {
            snippet_html: snippet_html(&h.snippet),
            topic_id: h.topic_id,
            post_id: h.post_id,
            title: h.title,
        })
        .collect();
    let filters = parsed
        .filters()
        .map(|f| ShownFilter {
            text: f.text(),
            drop_url: search_url(&parsed.without(f), order.as_str(), 1),
        })
        .collect();
    render::render(&SearchPage {
        ctx: PageContext::for_viewer(user.0),
        q: query.q.clone(),
        order: order.as_str(),
        filters_only: parsed.has_filters() && db::search::fts_query(&parsed.text()).is_none(),
        filters,
        hits,
        topics,
        capped,
        page,
        has_next,
    })
}

#[cfg(test)]
mod tests {
    use super::snippet_html;

    #[test]
    fn snippet_marks_always_balance() {
        assert_eq!(
            snippet_html("a \u{2}b\u{3} <c>"),
            "a <mark>b</mark> &#60;c&#62;"
        );
        assert_eq!(snippet_html("\u{3}x \u{2}y"), "x <mark>y</mark>");
        assert_eq!(snippet_html("\u{2}\u{2}z\u{3}\u{3}"), "<mark>z</mark>");
    }
}
