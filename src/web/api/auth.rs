//! `auth/register`, `auth/login`, `auth/logout`, `me`.
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::auth::SessionToken;
use crate::db::users::User;
use crate::forum::{accounts, passwords};
use crate::web::AppState;
use crate::web::error::ApiError;
use crate::web::get_or_head;
use crate::web::session::{self, CurrentUser, SESSION_COOKIE};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/auth/register").route(web::post().to(register)))
        .service(web::resource("/auth/login").route(web::post().to(login)))
        .service(web::resource("/auth/logout").route(web::post().to(logout)))
        .service(web::resource("/auth/forgot").route(web::post().to(forgot)))
        .service(web::resource("/auth/reset").route(web::post().to(reset)))
        .service(web::resource("/me").route(get_or_head().to(me)))
        .service(web::resource("/me/password").route(web::post().to(change_password)));
}

#[derive(Debug, Deserialize)]
struct RegisterBody {
    username: String,
    email: String,
    password: String,
}

#[derive(Debug, Deserialize)]
struct LoginBody {
    username: String,
    password: String,
}

#[derive(Debug, Serialize)]
pub struct UserJson {
    pub id: i64,
    pub username: String,
    pub role: String,
}

impl From<&User> for UserJson {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            username: u.username.clone(),
            role: u.role.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
struct SessionJson {
    user: UserJson,
    csrf_token: String,
}

/// Signs the new user in straight away, as the HTML form does.
async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    let registration = state.limits.registration(&req)?;
    if state.mailer.is_on() {
        let (username, email, password) = (&body.username, &body.email, &body.password);
        accounts::register_by_mail(&state.pool, &state.mailer, username, email, password).await?;
        registration.created();
        return Ok(HttpResponse::Accepted().json(serde_json::json!({
            "message": "check your inbox: the link in the mail finishes signing up"
        })));
    }
    let user = accounts::register(&state.pool, &body.username, &body.email, &body.password).await?;
    registration.created();
    let mut conn = state.pool.acquire().await?;
    let (token, csrf_token) = accounts::open_session(&mut conn, user.id).await?;
    Ok(HttpResponse::Created()
        .cookie(session::session_cookie(
            &token,
            state.settings.secure_cookies,
        ))
        .json(SessionJson {
            user: (&user).into(),
            csrf_token,
        }))
}

async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    let attempt = state.limits.login_attempt(&req, &body.username)?;
    let previous = req
        .cookie(SESSION_COOKIE)
        .and_then(|c| SessionToken::from_cookie(c.value()));
    let outcome = accounts::login(
        &state.pool,
        &body.username,
        &body.password,
        previous.as_ref(),
    )
    .await;
    attempt.report(&outcome);
    let (user, token, csrf_token) = outcome?;
    Ok(HttpResponse::Ok()
        .cookie(session::session_cookie(
            &token,
            state.settings.secure_cookies,
        ))
        .json(SessionJson {
            user: (&user).into(),
            csrf_token,
        }))
}

async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    _user: CurrentUser,
) -> Result<HttpResponse, ApiError> {
    if let Some(token) = req
        .cookie(SESSION_COOKIE)
        .and_then(|c| SessionToken::from_cookie(c.value()))
    {
        accounts::logout(&state.pool, &token).await?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(session::expired_session_cookie(
            state.settings.secure_cookies,
        ))
        .finish())
}

async fn me(user: CurrentUser) -> HttpResponse {
    let v = user.0;
    HttpResponse::Ok().json(serde_json::json!({
        "user": { "id": v.id, "username": v.username, "role": v.role },
        "csrf_token": v.csrf_token,
    }))
}

#[derive(Debug, Deserialize)]
struct ForgotBody {
    email: String,
}

/// 202 whether or not the address has an account.
async fn forgot(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<ForgotBody>,
) -> Result<HttpResponse, ApiError> {
    state.limits.password_reset(&req)?;
    passwords::forgot(&state.pool, &state.mailer, &body.email).await?;
    let message = if state.mailer.is_on() {
        "if an account uses that address, a reset link is on its way"
    } else {
        "this forum sends no e-mail: ask an administrator for a reset link"
    };
    Ok(HttpResponse::Accepted().json(serde_json::json!({ "message": message })))
}

#[derive(Debug, Deserialize)]
struct ResetBody {
    token: String,
    password: String,
}

async fn reset(
    state: web::Data<AppState>,
    body: web::Json<ResetBody>,
) -> Result<HttpResponse, ApiError> {
    passwords::reset(&state.pool, &body.token, &body.password).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize)]
struct PasswordBody {
    current_password: String,
    new_password: String,
}

/// Other sessions end; this one stays.
async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<PasswordBody>,
) -> Result<HttpResponse, ApiError> {
    let token = req
        .cookie(SESSION_COOKIE)
        .and_then(|c| SessionToken::from_cookie(c.value()))
        .ok_or(crate::web::error::AppError::Unauthorized)?;
    let actor = (&user.0).into();
    passwords::change_password(
        &state.pool,
        actor,
        &token,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
