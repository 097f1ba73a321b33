//! Register, log in, log out.
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::drafts::{self, Draft, DraftTarget};
use crate::auth::SessionToken;
use crate::db::users::User;
use crate::forum::accounts;
use crate::web::get_or_head;
use crate::web::render::{self, PageContext, redirect};
use crate::web::session::{self, CurrentUser, MaybeUser, SESSION_COOKIE, Viewer};
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/login")
            .route(get_or_head().to(login_form))
            .route(web::post().to(login)),
    )
    .service(
        web::resource("/register")
            .route(get_or_head().to(register_form))
            .route(web::post().to(register)),
    )
    .service(web::resource("/register/confirm").route(get_or_head().to(confirm_registration)))
    .service(web::resource("/logout").route(web::post().to(logout)));
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: PageContext,
    errors: Vec<String>,
    username: String,
    carried: Carried,
}

/// What the login form carries through the round trip: where to go back to and, when a write
/// found its session ended, the text typed into it.
#[derive(Debug, Clone, Default)]
pub(super) struct Carried {
    /// A path on this site (see `render::local_path`); `/` when none was given.
    pub back: String,
    pub draft: Option<Draft>,
    /// Why the login page is shown, when it was not asked for.
    pub notice: Option<String>,
}

/// The login page for `carried`, with its anonymous CSRF cookie.
pub(super) fn login_page(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    carried: Carried,
) -> Result<HttpResponse, AppError> {
    anonymous_form(req, state, status, |ctx| LoginPage {
        ctx,
        errors: Vec::new(),
        username: String::new(),
        carried,
    })
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage {
    ctx: PageContext,
    errors: Vec<String>,
    username: String,
    email: String,
}

/// After a sign-up when the forum sends mail: the same page whether or not the address was known.
#[derive(Template)]
#[template(path = "check_mail.html")]
struct CheckMailPage {
    ctx: PageContext,
    email: String,
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The link in the sign-up mail: makes the account and signs it in.
async fn confirm_registration(
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    match accounts::confirm_registration(&state.pool, &query.token).await? {
        Some((_, token)) => Ok(signed_in(&token, state.settings.secure_cookies)),
        None => Err(AppError::NotFound),
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    back: Option<String>,
    draft_title: Option<String>,
    draft_body: Option<String>,
    draft_tags: Option<String>,
}

impl LoginForm {
    fn carried(&self) -> Carried {
        Carried {
            back: render::local_path(self.back.as_deref()).to_owned(),
            draft: self.draft_body.clone().map(|body| Draft {
                title: self.draft_title.clone(),
                body,
                tags: self.draft_tags.clone(),
            }),
            notice: None,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct BackQuery {
    back: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// An anonymous form page with its CSRF cookie set when new.
pub(super) fn anonymous_form<T: Template>(
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    build: impl FnOnce(PageContext) -> T,
) -> Result<HttpResponse, AppError> {
    let (csrf, cookie) = session::anon_csrf(req, state.settings.secure_cookies);
    let ctx = PageContext {
        csrf,
        ..PageContext::anonymous()
    };
    let mut response = render::render_with_status(status, &build(ctx))?;
    if let Some(cookie) = cookie {
        response
            .add_cookie(&cookie)
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(response)
}

async fn login_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: MaybeUser,
    query: web::Query<BackQuery>,
) -> Result<HttpResponse, AppError> {
    let back = render::local_path(query.back.as_deref()).to_owned();
    if user.0.is_some() {
        return Ok(redirect(&back));
    }
    let carried = Carried {
        back,
        ..Carried::default()
    };
    login_page(&req, &state, StatusCode::OK, carried)
}

/// Sets the new session cookie and sends the browser home.
fn signed_in(token: &SessionToken, secure: bool) -> HttpResponse {
    with_session(redirect("/"), token, secure)
}

fn with_session(mut response: HttpResponse, token: &SessionToken, secure: bool) -> HttpResponse {
    response
        .add_cookie(&session::session_cookie(token, secure))
        .expect("a session cookie is a valid header value");
    response
}

/// Where a successful login lands: the form with a carried draft (not posted), else the page
/// the member came from.
async fn after_login(
    state: &AppState,
    user: &User,
    csrf_token: String,
    carried: Carried,
) -> Result<HttpResponse, AppError> {
    let target = DraftTarget::of_path(&carried.back);
    let (Some(draft), Some(target)) = (carried.draft, target) else {
        return Ok(redirect(&carried.back));
    };
    let viewer = Viewer {
        id: user.id,
        username: user.username.clone(),
        role: user.role(),
        csrf_token,
        banned_until: user.banned_until,
        unread: state
            .unread
            .get(&state.pool, &state.page_cache, user.id)
            .await?,
    };
    // A form that can no longer be shown (the topic was hidden meanwhile) is not worth a failed
    // login: the member lands where the form was.
    Ok(drafts::resume(state, viewer, target, draft)
        .await
        .unwrap_or_else(|_| redirect(&carried.back)))
}

async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    if let Err(error) = session::check_anon_csrf(&req, &form.csrf_token) {
        // Shown again rather than an error page: the form may carry a draft (see `drafts`).
        return anonymous_form(&req, &state, StatusCode::FORBIDDEN, |ctx| LoginPage {
            ctx,
            errors: vec![error.to_string()],
            username: form.username.clone(),
            carried: form.carried(),
        });
    }
    let refused = |error: AppError| {
        refused_form(&req, &state, error, |ctx, errors| LoginPage {
            ctx,
            errors,
            username: form.username.clone(),
            carried: form.carried(),
        })
    };
    let attempt = match state.limits.login_attempt(&req, &form.username) {
        Ok(attempt) => attempt,
        Err(e) => return refused(e),
    };
    let previous = req
        .cookie(SESSION_COOKIE)
        .and_then(|c| SessionToken::from_cookie(c.value()));
    let outcome = accounts::login(
        &state.pool,
        &form.username,
        &form.password,
        previous.as_ref(),
    )
    .await;
    attempt.report(&outcome);
    match outcome {
        Ok((user, token, csrf)) => {
            let response = after_login(&state, &user, csrf, form.carried()).await?;
            Ok(with_session(
                response,
                &token,
                state.settings.secure_cookies,
            ))
        }
        Err(e) => refused(e.into()),
    }
}

/// Shows an anonymous form again after a refusal it can explain (422, 429 with `Retry-After`),
/// keeping what was typed; any other error gets the error page.
fn refused_form<T: Template>(
    req: &HttpRequest,
    state: &AppState,
    error: AppError,
    build: impl FnOnce(PageContext, Vec<String>) -> T,
) -> Result<HttpResponse, AppError> {
    let Some((status, messages)) = error.form_messages() else {
        return Err(error);
    };
    let mut response = anonymous_form(req, state, status, |ctx| build(ctx, messages))?;
    let mut retry = HttpResponse::build(status);
    error.with_retry_after(&mut retry);
    for (name, value) in retry.finish().headers() {
        response.headers_mut().insert(name.clone(), value.clone());
    }
    Ok(response)
}

async fn register_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: MaybeUser,
) -> Result<HttpResponse, AppError> {
    if user.0.is_some() {
        return Ok(redirect("/"));
    }
    anonymous_form(&req, &state, StatusCode::OK, |ctx| RegisterPage {
        ctx,
        errors: Vec::new(),
        username: String::new(),
        email: String::new(),
    })
}

async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    session::check_anon_csrf(&req, &form.csrf_token)?;
    let form = form.into_inner();
    let refused = |error: AppError| {
        refused_form(&req, &state, error, |ctx, errors| RegisterPage {
            ctx,
            errors,
            username: form.username.clone(),
            email: form.email.clone(),
        })
    };
    let registration = match state.limits.registration(&req) {
        Ok(registration) => registration,
        Err(e) => return refused(e),
    };
    if state.mailer.is_on() {
        let (username, email, password) = (&form.username, &form.email, &form.password);
        return match accounts::register_by_mail(
            &state.pool,
            &state.mailer,
            username,
            email,
            password,
        )
        .await
        {
            Ok(()) => {
                registration.created();
                render::render(&CheckMailPage {
                    ctx: PageContext::anonymous(),
                    email: form.email.clone(),
                })
            }
            Err(e) => refused(e.into()),
        };
    }
    match accounts::register(&state.pool, &form.username, &form.email, &form.password).await {
        Ok(user) => {
            registration.created();
            let mut conn = state.pool.acquire().await?;
            let (token, _) = accounts::open_session(&mut conn, user.id).await?;
            Ok(signed_in(&token, state.settings.secure_cookies))
        }
        Err(e) => refused(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf_token: String,
}

async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, AppError> {
    user.0.check_csrf(&form.csrf_token)?;
    if let Some(token) = req
        .cookie(SESSION_COOKIE)
        .and_then(|c| SessionToken::from_cookie(c.value()))
    {
        accounts::logout(&state.pool, &token).await?;
    }
    let mut response = redirect("/");
    response
        .add_cookie(&session::expired_session_cookie(
            state.settings.secure_cookies,
        ))
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(response)
}
