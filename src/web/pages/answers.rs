//! The accept button on the topic page: `POST /p/{id}/accept` with `action=accept|clear`.
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::forum::answers;
use crate::web::render::redirect;
use crate::web::session::CurrentUser;
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/p/{id}/accept").route(web::post().to(accept)));
}

#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    csrf_token: String,
    /// The topic the page showed, so a stale page cannot accept a reply elsewhere.
    topic_id: Option<i64>,
    #[serde(default)]
    action: String,
}

async fn accept(
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
    form: web::Form<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let post_id = path.into_inner();
    let actor = (&viewer).into();
    let answer = match form.action.as_str() {
        "clear" => answers::clear(&state.pool, actor, post_id).await?,
        _ => answers::accept(&state.pool, actor, post_id, form.topic_id).await?,
    };
    Ok(redirect(&format!("/t/{}#post-{post_id}", answer.topic_id)))
}
