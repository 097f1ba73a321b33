//! Topics, replies, votes, tags and search as JSON.
use actix_web::http::Method;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db::{self, posts::Post, tags::TopicTag, topics::ListOrder, topics::TopicListItem};
use crate::domain::search::{SearchOrder, SearchQuery};
use crate::forum::topics::{self as forum, PostEdit, TagInput, TopicDraft};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError};
use crate::web::get_or_head;
use crate::web::pages::tags::{TagIndexQuery, load_index};
use crate::web::pages::{lists, search};
use crate::web::render::iso;
use crate::web::session::{CurrentUser, MaybeUser, Viewer};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/topics")
            .route(get_or_head().to(list_topics))
            .route(web::post().to(create_topic)),
    )
    .service(web::resource("/topics/{id}").route(get_or_head().to(show_topic)))
    .service(web::resource("/topics/{id}/replies").route(web::post().to(create_reply)))
    .service(web::resource("/posts/{id}").route(web::patch().to(edit_post)))
    .service(web::resource("/posts/{id}/vote").route(web::post().to(vote)))
    .service(web::resource("/tags").route(get_or_head().to(list_tags)))
    .service(web::resource("/search").route(get_or_head().to(search_topics)));
}

#[derive(Debug, Deserialize)]
struct ListParams {
    order: Option<String>,
    tag: Option<String>,
    #[serde(flatten)]
    list: lists::ListQuery,
}

#[derive(Serialize)]
struct TopicPage {
    topics: Vec<TopicListItem>,
    has_next: bool,
    /// Cursors for `?after=` / `?before=`; `null` at either end.
    next: Option<String>,
    prev: Option<String>,
}

async fn list_topics(
    state: web::Data<AppState>,
    user: MaybeUser,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let order = match params.order.as_deref() {
        None | Some("hot") => ListOrder::Hot,
        Some("latest") => ListOrder::Latest,
        Some("top") => ListOrder::Top {
            since: lists::period_start(params.list.period.as_deref()).1,
        },
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "unknown order {other:?} (hot, latest or top)"
            ))
            .into());
        }
    };
    let answered =
        lists::parse_status(params.list.status.as_deref()).map_err(AppError::BadRequest)?;
    let tag_id = match &params.tag {
        None => None,
        Some(name) => Some(
            crate::web::pages::tags::find_tag(&state, name.clone())
                .await?
                .id,
        ),
    };
    let viewer = Viewer::tag_viewer(user.0.as_ref());
    let page = lists::load_page(&state, order, tag_id, viewer, answered, &params.list).await?;
    Ok(HttpResponse::Ok().json(TopicPage {
        has_next: page.next.is_some(),
        next: page.next.map(|c| c.encode()),
        prev: page.prev.map(|c| c.encode()),
        topics: page.topics,
    }))
}

#[derive(Serialize)]
struct TopicJson {
    id: i64,
    title: String,
    author: String,
    created_at: String,
    reply_count: i64,
    view_count: i64,
    score: i64,
    locked: bool,
    pinned: bool,
    /// The accepted answer, which `posts` lists right after the question.
    accepted_post_id: Option<i64>,
    tags: Vec<TopicTag>,
    posts: Vec<PostJson>,
}

#[derive(Serialize)]
struct PostJson {
    id: i64,
    author: String,
    body_md: String,
    body_html: String,
    created_at: String,
    edited_at: Option<String>,
    score: i64,
    my_vote: i64,
    hidden: bool,
    accepted: bool,
}

impl From<Post> for PostJson {
    fn from(p: Post) -> Self {
        Self {
            id: p.id,
            author: p.author_name,
            body_md: p.body_md,
            body_html: p.body_html,
            created_at: iso(p.created_at),
            edited_at: p.edited_at.map(iso),
            score: p.score,
            my_vote: p.my_vote,
            hidden: p.hidden,
            accepted: false,
        }
    }
}

async fn show_topic(
    state: web::Data<AppState>,
    user: MaybeUser,
    path: web::Path<i64>,
    method: Method,
) -> Result<HttpResponse, ApiError> {
    let topic_id = path.into_inner();
    let viewer = user.0;
    let is_moderator = viewer.as_ref().is_some_and(|v| v.is_moderator());
    let mut conn = state.pool.acquire().await?;
    let topic = db::topics::get(&mut conn, topic_id)
        .await?
        .filter(|t| !t.hidden || is_moderator)
        .ok_or(AppError::NotFound)?;
    let mut posts = db::posts::list_for_topic(
        &mut conn,
        topic_id,
        viewer.as_ref().map(|v| v.id),
        is_moderator,
    )
    .await?;
    let mut tags = db::tags::for_topics(&mut conn, &[topic_id]).await?;
    Viewer::tag_viewer(viewer.as_ref()).filter(topic.author_id, &mut tags);
    crate::forum::answers::accepted_first(&mut posts, topic.accepted_post_id);
    let accepted = topic.accepted_post_id;
    state.record_view(&method, topic_id);
    Ok(HttpResponse::Ok().json(TopicJson {
        id: topic.id,
        title: topic.title,
        author: topic.author_name,
        created_at: iso(topic.created_at),
        reply_count: topic.reply_count,
        view_count: topic.view_count,
        score: topic.score,
        locked: topic.locked,
        pinned: topic.pinned,
        accepted_post_id: accepted,
        tags,
        posts: posts
            .into_iter()
            .map(|p| {
                let is_answer = Some(p.id) == accepted;
                PostJson {
                    accepted: is_answer,
                    ..PostJson::from(p)
                }
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize)]
struct NewTopicBody {
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
}

async fn create_topic(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<NewTopicBody>,
) -> Result<HttpResponse, ApiError> {
    let draft = TopicDraft {
        title: &body.title,
        body: &body.body,
        tags: TagInput::List(&body.tags),
    };
    let topic_id = forum::create_topic(
        &state.pool,
        (&user.0).into(),
        &draft,
        state.settings.max_body_bytes,
    )
    .await?;
    state.auto_tag(topic_id).await;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/topics/{topic_id}")))
        .json(serde_json::json!({ "id": topic_id, "url": format!("/t/{topic_id}") })))
}

#[derive(Debug, Deserialize)]
struct ReplyBody {
    body: String,
}

async fn create_reply(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: web::Json<ReplyBody>,
) -> Result<HttpResponse, ApiError> {
    let topic_id = path.into_inner();
    let max = state.settings.max_body_bytes;
    let post_id = forum::reply(&state.pool, (&user.0).into(), topic_id, &body.body, max).await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "id": post_id, "topic_id": topic_id })))
}

#[derive(Debug, Deserialize)]
struct EditBody {
    title: Option<String>,
    body: String,
    tags: Option<Vec<String>>,
}

async fn edit_post(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: web::Json<EditBody>,
) -> Result<HttpResponse, ApiError> {
    let post_id = path.into_inner();
    let edit = PostEdit {
        title: body.title.as_deref(),
        body: &body.body,
        tags: body.tags.as_deref().map(TagInput::List),
    };
    let max = state.settings.max_body_bytes;
    let topic_id = forum::edit_post(&state.pool, (&user.0).into(), post_id, &edit, max).await?;
    state.auto_tag(topic_id).await;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "id": post_id, "topic_id": topic_id })))
}

#[derive(Debug, Deserialize)]
struct VoteBody {
    value: i64,
}

async fn vote(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    body: web::Json<VoteBody>,
) -> Result<HttpResponse, ApiError> {
    let post_id = path.into_inner();
    let score = forum::vote(&state.pool, (&user.0).into(), post_id, body.value).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "post_id": post_id, "score": score })))
}

/// The tag index as the page has it: `?q=` filters names, `?sort=activity|count|name`, `?page=`.
async fn list_tags(
    state: web::Data<AppState>,
    query: web::Query<TagIndexQuery>,
) -> Result<HttpResponse, ApiError> {
    let index = load_index(&state, &query).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "tags": index.tags,
        "total": index.total,
        "sort": index.order.as_str(),
        "page": index.page,
        "has_next": index.has_next,
    })))
}

#[derive(Debug, Deserialize)]
struct SearchParams {
    #[serde(default)]
    q: String,
    order: Option<String>,
    page: Option<i64>,
}

#[derive(Serialize)]
struct HitJson {
    topic_id: i64,
    post_id: i64,
    title: String,
    snippet_html: String,
    rank: f64,
}

async fn search_topics(
    state: web::Data<AppState>,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    let per_page = crate::web::pages::PER_PAGE;
    let (page, offset) = crate::web::render::page_offset(params.page, per_page);
    let query = SearchQuery::parse(&params.q);
    let order = match params.order.as_deref() {
        None | Some("relevance" | "newest") => SearchOrder::parse(params.order.as_deref()),
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "unknown order {other:?} (relevance or newest)"
            ))
            .into());
        }
    };
    let found = search::run(&state, &query, order, per_page, offset).await?;
    let results: Vec<HitJson> = found
        .hits
        .into_iter()
        .map(|h| HitJson {
            snippet_html: search::snippet_html(&h.snippet),
            topic_id: h.topic_id,
            post_id: h.post_id,
            title: h.title,
            rank: h.rank,
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "query": params.q,
        "words": query.text(),
        "filters": query.filters().map(|f| f.text()).collect::<Vec<_>>(),
        "order": order.as_str(),
        "page": page,
        "topics": found.topics,
        "capped": found.capped,
        "results": results,
    })))
}
