//! A user's public profile: their topics and posts; for moderators, the ban and unban forms.
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::{self, posts::PostByUser, topics::TopicListItem, users::User};
use crate::domain;
use crate::forum::bans::{self, BanRequest, MAX_BAN_DAYS};
use crate::web::get_or_head;
use crate::web::render::{self, PageContext, ago, redirect};
use crate::web::session::{MaybeUser, Moderator};
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/u/{username}").route(get_or_head().to(show_user)))
        .service(web::resource("/u/{username}/topics").route(get_or_head().to(show_topics)))
        .service(web::resource("/u/{username}/posts").route(get_or_head().to(show_posts)))
        .service(web::resource("/u/{username}/ban").route(web::post().to(ban)))
        .service(web::resource("/u/{username}/unban").route(web::post().to(unban)));
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    ctx: PageContext,
    user: User,
    topics: Vec<TopicListItem>,
    posts: Vec<PostByUser>,
    /// Which lists the page shows: both on the profile, one on its "older" pages.
    section: Section,
    older_topics: Option<String>,
    older_posts: Option<String>,
    bio: String,
    max_ban_days: i64,
}

/// A profile shows the newest topics and posts; each list pages on by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Both,
    Topics,
    Posts,
}

impl Section {
    fn topics(&self) -> bool {
        *self != Section::Posts
    }

    fn posts(&self) -> bool {
        *self != Section::Topics
    }
}

/// Rows per profile list page.
const PROFILE_PAGE: i64 = 30;

#[derive(Debug, Deserialize)]
struct OlderQuery {
    before: Option<String>,
}

impl OlderQuery {
    /// Where the page starts; an unreadable cursor is a 400.
    fn before(&self) -> Result<Option<db::OlderThan>, AppError> {
        self.before
            .as_deref()
            .map(|text| {
                db::OlderThan::decode(text)
                    .ok_or_else(|| AppError::BadRequest(format!("bad cursor {text:?}")))
            })
            .transpose()
    }
}

impl UserPage {
    fn age(&self, ts: &i64) -> String {
        ago(*ts)
    }

    fn joined(&self) -> String {
        render::date(self.user.created_at)
    }

    /// "until 2026-05-01" while a ban runs.
    fn banned_until(&self) -> Option<String> {
        self.user
            .banned_until
            .filter(|until| *until > domain::now())
            .map(render::date)
    }

    fn can_ban(&self) -> bool {
        self.ctx.is_moderator() && !self.user.role().is_moderator()
    }

    fn excerpt(&self, post: &PostByUser) -> String {
        let text: String = post.body_md.chars().take(200).collect();
        if text.len() < post.body_md.len() {
            format!("{text}…")
        } else {
            text
        }
    }
}

async fn show_user(
    state: web::Data<AppState>,
    user: MaybeUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    profile(&state, user, &path.into_inner(), Section::Both, None).await
}

async fn show_topics(
    state: web::Data<AppState>,
    user: MaybeUser,
    path: web::Path<String>,
    query: web::Query<OlderQuery>,
) -> Result<HttpResponse, AppError> {
    let before = query.before()?;
    profile(&state, user, &path.into_inner(), Section::Topics, before).await
}

async fn show_posts(
    state: web::Data<AppState>,
    user: MaybeUser,
    path: web::Path<String>,
    query: web::Query<OlderQuery>,
) -> Result<HttpResponse, AppError> {
    let before = query.before()?;
    profile(&state, user, &path.into_inner(), Section::Posts, before).await
}

async fn profile(
    state: &AppState,
    user: MaybeUser,
    username: &str,
    section: Section,
    before: Option<db::OlderThan>,
) -> Result<HttpResponse, AppError> {
    let ctx = PageContext::for_viewer(user.0);
    let mut conn = state.pool.acquire().await?;
    let profile = db::users::find_by_username(&mut conn, username)
        .await?
        .ok_or(AppError::NotFound)?;
    let older = |list: &str, next: Option<db::OlderThan>| {
        next.map(|c| format!("/u/{}/{list}?before={}", profile.username, c.encode()))
    };
    let (topics, older_topics) = if section.topics() {
        let (topics, next) =
            db::topics::list_by_author(&mut conn, profile.id, PROFILE_PAGE, before).await?;
        (
            TopicListItem::for_viewer(topics, ctx.tag_viewer()),
            older("topics", next),
        )
    } else {
        (Vec::new(), None)
    };
    let (posts, older_posts) = if section.posts() {
        // Moderators see the hidden posts too (a banned spammer's), marked as hidden.
        let moderator = ctx.is_moderator();
        let (posts, next) =
            db::posts::list_by_author(&mut conn, profile.id, PROFILE_PAGE, moderator, before)
                .await?;
        (posts, older("posts", next))
    } else {
        (Vec::new(), None)
    };
    let bio = db::users::preferences(&mut conn, profile.id)
        .await?
        .map(|p| p.bio)
        .unwrap_or_default();
    render::render(&UserPage {
        ctx,
        user: profile,
        topics,
        posts,
        section,
        older_topics,
        older_posts,
        bio,
        max_ban_days: MAX_BAN_DAYS,
    })
}

#[derive(Debug, Deserialize)]
pub struct BanForm {
    #[serde(default)]
    csrf_token: String,
    days: i64,
    #[serde(default)]
    reason: String,
}

async fn ban(
    state: web::Data<AppState>,
    moderator: Moderator,
    path: web::Path<String>,
    form: web::Form<BanForm>,
) -> Result<HttpResponse, AppError> {
    moderator.0.check_csrf(&form.csrf_token)?;
    let username = path.into_inner();
    let request = BanRequest {
        days: form.days,
        reason: &form.reason,
    };
    bans::ban(&state.pool, (&moderator.0).into(), &username, &request).await?;
    Ok(redirect(&format!("/u/{username}")))
}

#[derive(Debug, Deserialize)]
pub struct UnbanForm {
    #[serde(default)]
    csrf_token: String,
}

async fn unban(
    state: web::Data<AppState>,
    moderator: Moderator,
    path: web::Path<String>,
    form: web::Form<UnbanForm>,
) -> Result<HttpResponse, AppError> {
    moderator.0.check_csrf(&form.csrf_token)?;
    let username = path.into_inner();
    bans::unban(&state.pool, (&moderator.0).into(), &username).await?;
    Ok(redirect(&format!("/u/{username}")))
}
