//! `/settings`: the member's password, e-mail, notification choices, bio, sessions and data;
//! and `/unsubscribe`, which works from a mail without logging in.
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::SessionToken;
use crate::db::{self, sessions::SessionRow, users::Preferences};
use crate::forum::passwords::{self, EmailChange};
use crate::forum::{ForumError, topics::Actor};
use crate::mail::UNSUBSCRIBE;
use crate::web::get_or_head;
use crate::web::render::{self, PageContext, redirect};
use crate::web::session::{self, CurrentUser, SESSION_COOKIE, Viewer};
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/settings").route(get_or_head().to(show)))
        .service(web::resource("/settings/password").route(web::post().to(change_password)))
        .service(web::resource("/settings/email").route(web::post().to(change_email)))
        .service(web::resource("/settings/email/confirm").route(get_or_head().to(confirm_email)))
        .service(web::resource("/settings/preferences").route(web::post().to(save_preferences)))
        .service(web::resource("/settings/sessions/end").route(web::post().to(end_sessions)))
        .service(web::resource("/settings/export").route(get_or_head().to(export)))
        .service(
            web::resource("/unsubscribe")
                .route(get_or_head().to(unsubscribe_form))
                .route(web::post().to(unsubscribe)),
        );
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    ctx: PageContext,
    errors: Vec<String>,
    notice: Option<String>,
    username: String,
    email: String,
    prefs: Preferences,
    mail_on: bool,
    sessions: Vec<SessionRow>,
    current_session: String,
}

impl SettingsPage {
    fn date(&self, ts: &i64) -> String {
        render::date(*ts)
    }
}

fn session_token(req: &HttpRequest) -> Option<SessionToken> {
    req.cookie(SESSION_COOKIE)
        .and_then(|c| SessionToken::from_cookie(c.value()))
}

/// The settings page, with a notice or the errors of what was just submitted.
async fn page(
    req: &HttpRequest,
    state: &AppState,
    viewer: Viewer,
    status: StatusCode,
    errors: Vec<String>,
    notice: Option<String>,
) -> Result<HttpResponse, AppError> {
    let mut conn = state.pool.acquire().await?;
    let user = db::users::find_by_id(&mut conn, viewer.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let prefs = db::users::preferences(&mut conn, viewer.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sessions = db::sessions::list_for_user(&mut conn, viewer.id, crate::domain::now()).await?;
    render::render_with_status(
        status,
        &SettingsPage {
            ctx: PageContext::for_viewer(Some(viewer)),
            errors,
            notice,
            username: user.username,
            email: user.email,
            prefs,
            mail_on: state.mailer.is_on(),
            sessions,
            current_session: session_token(req).map(|t| t.hash()).unwrap_or_default(),
        },
    )
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<HttpResponse, AppError> {
    page(&req, &state, user.0, StatusCode::OK, Vec::new(), None).await
}

/// What a settings form answers: the page with a notice, or again with the problems (422).
async fn outcome(
    req: &HttpRequest,
    state: &AppState,
    viewer: Viewer,
    result: Result<String, ForumError>,
) -> Result<HttpResponse, AppError> {
    match result {
        Ok(notice) => page(req, state, viewer, StatusCode::OK, Vec::new(), Some(notice)).await,
        Err(ForumError::Invalid(errors)) => {
            let errors = errors.iter().map(ToString::to_string).collect();
            page(
                req,
                state,
                viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let token = session_token(&req).ok_or(AppError::Unauthorized)?;
    let actor: Actor = (&viewer).into();
    let result = passwords::change_password(
        &state.pool,
        actor,
        &token,
        &form.current_password,
        &form.new_password,
    )
    .await
    .map(|()| "Your password was changed; your other sessions ended.".to_owned());
    outcome(&req, &state, viewer, result).await
}

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn change_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<EmailForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let actor: Actor = (&viewer).into();
    let result = passwords::change_email(
        &state.pool,
        &state.mailer,
        actor,
        &form.password,
        &form.email,
    )
    .await
    .map(|done| match done {
        EmailChange::Changed => "Your e-mail address was changed.".to_owned(),
        EmailChange::ConfirmationSent => {
            "We sent a link to the new address: open it to make the change.".to_owned()
        }
    });
    outcome(&req, &state, viewer, result).await
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn confirm_email(
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    if passwords::confirm_email(&state.pool, &query.token).await? {
        Ok(redirect("/settings"))
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Debug, Deserialize)]
pub struct PreferencesForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    notify_replies: Option<String>,
    #[serde(default)]
    notify_mentions: Option<String>,
    #[serde(default)]
    notify_watched: Option<String>,
    #[serde(default)]
    notify_moderation: Option<String>,
    #[serde(default)]
    notify_routed: Option<String>,
    #[serde(default)]
    email_delivery: String,
    #[serde(default)]
    bio: String,
}

/// Longest bio, in characters.
const MAX_BIO_CHARS: usize = 500;

async fn save_preferences(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<PreferencesForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let result = match parse_preferences(form.into_inner()) {
        Ok(prefs) => {
            let mut conn = state.pool.acquire().await?;
            db::users::set_preferences(&mut conn, viewer.id, &prefs).await?;
            Ok("Saved.".to_owned())
        }
        Err(e) => Err(e),
    };
    outcome(&req, &state, viewer, result).await
}

fn parse_preferences(form: PreferencesForm) -> Result<Preferences, ForumError> {
    use crate::domain::ValidationError;
    let bio = crate::domain::strip_control(form.bio.trim());
    if bio.chars().count() > MAX_BIO_CHARS {
        let message = format!("must be at most {MAX_BIO_CHARS} characters");
        return Err(ValidationError::new("bio", message).into());
    }
    if !matches!(form.email_delivery.as_str(), "app" | "immediate" | "digest") {
        return Err(
            ValidationError::new("email_delivery", "must be app, immediate or digest").into(),
        );
    }
    Ok(Preferences {
        bio,
        notify_replies: form.notify_replies.is_some(),
        notify_mentions: form.notify_mentions.is_some(),
        notify_watched: form.notify_watched.is_some(),
        notify_moderation: form.notify_moderation.is_some(),
        notify_routed: form.notify_routed.is_some(),
        email_delivery: form.email_delivery,
    })
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

/// "Log out everywhere": every session of the account ends, this one too.
async fn end_sessions(
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    let viewer = user.0;
    viewer.check_csrf(&form.csrf_token)?;
    let mut conn = state.pool.acquire().await?;
    db::sessions::delete_for_user(&mut conn, viewer.id).await?;
    let mut response = redirect("/login");
    response
        .add_cookie(&session::expired_session_cookie(
            state.settings.secure_cookies,
        ))
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(response)
}

async fn export(state: web::Data<AppState>, user: CurrentUser) -> Result<HttpResponse, AppError> {
    let mut conn = state.heavy.acquire().await?;
    let json = db::users::export(&mut conn, user.0.id).await?;
    let file = format!("attachment; filename=\"{}-data.json\"", user.0.username);
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CONTENT_DISPOSITION, file))
        .body(json))
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    ctx: PageContext,
    token: String,
    done: bool,
}

/// The link in every notification mail: a page with one button (a mail scanner that follows links
/// does not unsubscribe anyone), no login needed.
async fn unsubscribe_form(
    state: web::Data<AppState>,
    user: crate::web::session::MaybeUser,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    state
        .signer
        .verify(&query.token, UNSUBSCRIBE)
        .ok_or(AppError::NotFound)?;
    render::render(&UnsubscribePage {
        ctx: PageContext::for_viewer(user.0),
        token: query.token.clone(),
        done: false,
    })
}

/// The signed token is the authority here, so no CSRF token is asked (RFC 8058's one-click POST
/// from mail clients carries none).
async fn unsubscribe(
    state: web::Data<AppState>,
    user: crate::web::session::MaybeUser,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let user_id = state
        .signer
        .verify(&query.token, UNSUBSCRIBE)
        .ok_or(AppError::NotFound)?;
    let mut conn = state.pool.acquire().await?;
    db::users::stop_email(&mut conn, user_id).await?;
    render::render(&UnsubscribePage {
        ctx: PageContext::for_viewer(user.0),
        token: query.token.clone(),
        done: true,
    })
}
