//! "Forgot password?" and the reset link it mails.
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::account::anonymous_form;
use crate::forum::{ForumError, passwords};
use crate::web::get_or_head;
use crate::web::render::PageContext;
use crate::web::session;
use crate::web::{AppState, error::AppError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/forgot")
            .route(get_or_head().to(forgot_form))
            .route(web::post().to(forgot)),
    )
    .service(
        web::resource("/reset")
            .route(get_or_head().to(reset_form))
            .route(web::post().to(reset)),
    );
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    ctx: PageContext,
    errors: Vec<String>,
    email: String,
    mail_on: bool,
    sent: bool,
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    ctx: PageContext,
    errors: Vec<String>,
    token: String,
    live: bool,
    done: bool,
}

async fn forgot_form(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    anonymous_form(&req, &state, StatusCode::OK, |ctx| ForgotPage {
        ctx,
        errors: Vec::new(),
        email: String::new(),
        mail_on: state.mailer.is_on(),
        sent: false,
    })
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
}

/// The same answer whether or not the address has an account.
async fn forgot(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    session::check_anon_csrf(&req, &form.csrf_token)?;
    if let Err(e) = state.limits.password_reset(&req) {
        let Some((status, errors)) = e.form_messages() else {
            return Err(e);
        };
        return anonymous_form(&req, &state, status, |ctx| ForgotPage {
            ctx,
            errors,
            email: form.email.clone(),
            mail_on: true,
            sent: false,
        });
    }
    passwords::forgot(&state.pool, &state.mailer, &form.email).await?;
    anonymous_form(&req, &state, StatusCode::OK, |ctx| ForgotPage {
        ctx,
        errors: Vec::new(),
        email: String::new(),
        mail_on: state.mailer.is_on(),
        sent: state.mailer.is_on(),
    })
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn reset_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let live = passwords::reset_is_live(&state.pool, &query.token).await?;
    let status = if live {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    anonymous_form(&req, &state, status, |ctx| ResetPage {
        ctx,
        errors: Vec::new(),
        token: query.token.clone(),
        live,
        done: false,
    })
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

async fn reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    session::check_anon_csrf(&req, &form.csrf_token)?;
    let (status, errors, live, done) =
        match passwords::reset(&state.pool, &form.token, &form.password).await {
            Ok(_) => (StatusCode::OK, Vec::new(), false, true),
            Err(ForumError::Invalid(errors)) if errors.iter().any(|e| e.field == "token") => {
                (StatusCode::GONE, Vec::new(), false, false)
            }
            Err(ForumError::Invalid(errors)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                errors.iter().map(|e| e.message.clone()).collect(),
                true,
                false,
            ),
            Err(e) => return Err(e.into()),
        };
    anonymous_form(&req, &state, status, |ctx| ResetPage {
        ctx,
        errors,
        token: form.token.clone(),
        live,
        done,
    })
}
