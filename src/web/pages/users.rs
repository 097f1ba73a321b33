//! A user's public profile: their topics and posts.
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::db::{self, posts::PostByUser, topics::TopicListItem, users::User};
use crate::web::render::{self, PageContext, ago};
use crate::web::{AppState, error::AppError, session::MaybeUser};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/u/{username}", web::get().to(show_user));
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    ctx: PageContext,
    user: User,
    topics: Vec<TopicListItem>,
    posts: Vec<PostByUser>,
}

impl UserPage {
    fn age(&self, ts: &i64) -> String {
        ago(*ts)
    }

    fn joined(&self) -> String {
        render::date(self.user.created_at)
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
    let mut conn = state.pool.acquire().await?;
    let profile = db::users::find_by_username(&mut conn, &path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let topics = db::topics::list_by_author(&mut conn, profile.id, 30).await?;
    let posts = db::posts::list_by_author(&mut conn, profile.id, 30).await?;
    render::render(&UserPage {
        ctx: PageContext::for_viewer(user.0),
        user: profile,
        topics,
        posts,
    })
}
