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
    bio: String,
    max_ban_days: i64,
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
    let ctx = PageContext::for_viewer(user.0);
    let mut conn = state.pool.acquire().await?;
    let profile = db::users::find_by_username(&mut conn, &path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let topics = TopicListItem::for_viewer(
        db::topics::list_by_author(&mut conn, profile.id, 30).await?,
        ctx.tag_viewer(),
    );
    // Moderators see the hidden posts too (a banned spammer's), marked as hidden.
    let moderator = ctx.is_moderator();
    let posts = db::posts::list_by_author(&mut conn, profile.id, 30, moderator).await?;
    let bio = db::users::preferences(&mut conn, profile.id)
        .await?
        .map(|p| p.bio)
        .unwrap_or_default();
    render::render(&UserPage {
        ctx,
        user: profile,
        topics,
        posts,
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
