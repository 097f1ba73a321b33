//! Atom feeds: `/latest.atom`, `/hot.atom`, `/tags/{name}.atom`, `/t/{id}.atom` and
//! `/u/{name}.atom`. Links are absolute, from `--base-url` (a feed reader fetches the feed from
//! elsewhere, and a cached feed must not carry whichever host asked first). Entries carry the
//! posts' rendered HTML; hidden topics and posts never appear. Anonymous GETs of feeds go
//! through the page cache like the pages.
use actix_web::{HttpResponse, web};
use atom_syndication::{Category, Content, Entry, Feed, FixedDateTime, Link, Person, Text};

use crate::db::Conn;
use crate::db::{self, topics::ListOrder, topics::TopicListItem};
use crate::web::get_or_head;
use crate::web::{AppState, error::AppError};

/// Entries per feed.
const ENTRIES: i64 = 30;

/// Registered before the pages: `/tags/{name}` would otherwise take `/tags/rust.atom`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/latest.atom").route(get_or_head().to(latest)))
        .service(web::resource("/hot.atom").route(get_or_head().to(hot)))
        .service(web::resource("/tags/{name}.atom").route(get_or_head().to(tag)))
        .service(web::resource("/t/{id}.atom").route(get_or_head().to(topic)))
        .service(web::resource("/u/{name}.atom").route(get_or_head().to(user)));
}

fn time(ts: i64) -> FixedDateTime {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap_or_default()
        .fixed_offset()
}

fn link(href: String, rel: &str, mime_type: Option<&str>) -> Link {
    Link {
        href,
        rel: rel.into(),
        mime_type: mime_type.map(str::to_owned),
        ..Link::default()
    }
}

fn html(value: String) -> Content {
    Content {
        value: Some(value),
        content_type: Some("html".into()),
        ..Content::default()
    }
}

fn person(state: &AppState, name: &str) -> Person {
    Person {
        name: name.to_owned(),
        uri: Some(format!("{}/u/{name}", base(state))),
        ..Person::default()
    }
}

fn base(state: &AppState) -> &str {
    state.settings.mail.base_url.trim_end_matches('/')
}

/// A feed at `path` mirroring the page at `page`, updated when its newest entry was.
fn feed(state: &AppState, title: String, path: &str, page: &str, entries: Vec<Entry>) -> Feed {
    let base = base(state);
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or_else(|| time(0));
    Feed {
        title: Text::plain(format!("{} · {title}", state.settings.mail.forum_name)),
        id: format!("{base}{path}"),
        updated,
        links: vec![
            link(
                format!("{base}{path}"),
                "self",
                Some("application/atom+xml"),
            ),
            link(format!("{base}{page}"), "alternate", Some("text/html")),
        ],
        entries,
        ..Feed::default()
    }
}

fn respond(feed: &Feed) -> Result<HttpResponse, AppError> {
    let mut body = Vec::new();
    feed.write_to(&mut body)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("cannot write a feed: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .body(body))
}

/// One entry per topic, with its opening post.
async fn topic_entries(
    state: &AppState,
    conn: &mut Conn<'_>,
    topics: Vec<TopicListItem>,
) -> Result<Vec<Entry>, AppError> {
    let ids: Vec<i64> = topics.iter().map(|t| t.topic.id).collect();
    let mut bodies = db::feeds::opening_html(conn, &ids).await?;
    let base = base(state);
    Ok(topics
        .into_iter()
        .filter_map(|item| {
            let t = item.topic;
            let body = bodies.remove(&t.id)?;
            let url = format!("{base}/t/{}", t.id);
            Some(Entry {
                title: Text::plain(t.title),
                id: url.clone(),
                updated: time(t.last_posted_at),
                published: Some(time(t.created_at)),
                authors: vec![person(state, &t.author_name)],
                categories: item
                    .tags
                    .into_iter()
                    .filter(|tag| !tag.is_suggested())
                    .map(|tag| Category {
                        term: tag.name,
                        ..Category::default()
                    })
                    .collect(),
                links: vec![link(url, "alternate", Some("text/html"))],
                content: Some(html(body)),
                ..Entry::default()
            })
        })
        .collect())
}

async fn list_feed(
    state: web::Data<AppState>,
    order: ListOrder,
    tag: Option<(i64, &str)>,
    title: String,
    path: &str,
    page: &str,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.pool.acquire().await?;
    let topics = db::topics::list(
        &mut conn,
        order,
        tag.map(|t| t.0),
        db::tags::TagViewer::Public,
        None,
        ENTRIES,
        db::topics::PageAt::Offset(0),
    )
    .await?
    .topics;
    let entries = topic_entries(&state, &mut conn, topics).await?;
    respond(&feed(&state, title, path, page, entries))
}

async fn latest(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let title = "Latest topics".to_owned();
    list_feed(
        state,
        ListOrder::Latest,
        None,
        title,
        "/latest.atom",
        "/latest",
    )
    .await
}

async fn hot(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    list_feed(
        state,
        ListOrder::Hot,
        None,
        "Hot topics".into(),
        "/hot.atom",
        "/",
    )
    .await
}

async fn tag(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let name = path.into_inner();
    let mut conn = state.pool.acquire().await?;
    let tag = db::tags::find(&mut conn, &name)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let title = format!("Topics tagged {}", tag.name);
    let path = format!("/tags/{}.atom", tag.name);
    let page = format!("/tags/{}?order=latest", tag.name);
    let tag = Some((tag.id, tag.name.as_str()));
    list_feed(state.clone(), ListOrder::Latest, tag, title, &path, &page).await
}

/// A topic's posts, the newest first.
async fn topic(state: web::Data<AppState>, path: web::Path<i64>) -> Result<HttpResponse, AppError> {
    let topic_id = path.into_inner();
    let mut conn = state.pool.acquire().await?;
    let topic = db::topics::get(&mut conn, topic_id)
        .await?
        .filter(|t| !t.hidden)
        .ok_or(AppError::NotFound)?;
    let posts = db::posts::list_for_topic(&mut conn, topic_id, None, false).await?;
    drop(conn);
    let base = base(&state).to_owned();
    let mut entries: Vec<Entry> = posts
        .into_iter()
        .map(|p| {
            let url = format!("{base}/t/{topic_id}#post-{}", p.id);
            let title = if p.is_first {
                topic.title.clone()
            } else if topic.accepted_post_id == Some(p.id) {
                format!("Accepted answer to {} by {}", topic.title, p.author_name)
            } else {
                format!("Reply to {} by {}", topic.title, p.author_name)
            };
            Entry {
                title: Text::plain(title),
                id: url.clone(),
                updated: time(p.edited_at.unwrap_or(p.created_at)),
                published: Some(time(p.created_at)),
                authors: vec![person(&state, &p.author_name)],
                links: vec![link(url, "alternate", Some("text/html"))],
                content: Some(html(p.body_html)),
                ..Entry::default()
            }
        })
        .collect();
    entries.reverse();
    entries.truncate(ENTRIES as usize);
    let page = format!("/t/{topic_id}");
    let path = format!("/t/{topic_id}.atom");
    respond(&feed(&state, topic.title.clone(), &path, &page, entries))
}

/// A member's newest posts.
async fn user(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let name = path.into_inner();
    let mut conn = state.pool.acquire().await?;
    let user = db::users::find_by_username(&mut conn, &name)
        .await?
        .ok_or(AppError::NotFound)?;
    let posts = db::feeds::posts_by_author(&mut conn, user.id, ENTRIES).await?;
    drop(conn);
    let base = base(&state).to_owned();
    let entries = posts
        .into_iter()
        .map(|p| {
            let url = format!("{base}/t/{}#post-{}", p.topic_id, p.id);
            let title = if p.is_first {
                p.topic_title
            } else {
                format!("Reply to {}", p.topic_title)
            };
            Entry {
                title: Text::plain(title),
                id: url.clone(),
                updated: time(p.edited_at.unwrap_or(p.created_at)),
                published: Some(time(p.created_at)),
                authors: vec![person(&state, &user.username)],
                links: vec![link(url, "alternate", Some("text/html"))],
                content: Some(html(p.body_html)),
                ..Entry::default()
            }
        })
        .collect();
    let page = format!("/u/{}", user.username);
    let path = format!("/u/{}.atom", user.username);
    let title = format!("Posts by {}", user.username);
    respond(&feed(&state, title, &path, &page, entries))
}
