//! One error type for every handler, mapped once to an HTTP response: an HTML page for browsers
//! (`AppError`) or `{ "error": { code, message, fields } }` for the API (`ApiError`). Internal
//! errors are logged here, once, and never shown.
use actix_web::body::EitherBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use serde::Serialize;

use crate::domain::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input")]
    Validation(Vec<ValidationError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("you need to log in")]
    Unauthorized,
    #[error("the security token of this form is missing or stale; reload the page and try again")]
    Csrf,
    #[error("{0}")]
    Forbidden(String),
    #[error("{}", banned_message(.0))]
    Banned(crate::forum::bans::Ban),
    #[error("not found")]
    NotFound,
    #[error("this address does not accept that method")]
    MethodNotAllowed,
    #[error("{0}")]
    Conflict(String),
    #[error("the request is too large")]
    PayloadTooLarge,
    #[error("the request's body did not arrive in time")]
    RequestTimeout,
    #[error("too many requests; try again in {}", human_wait(*retry_after_secs))]
    TooManyRequests { retry_after_secs: u64 },
    /// Heavy work (search, reports, exports) is at its limit or ran past its time budget.
    #[error("the server is busy with heavy requests; try again in {}", human_wait(*retry_after_secs))]
    Busy { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// "40 seconds", "1 minute", "17 minutes": a wait as people say it, rounded up.
pub fn human_wait(secs: u64) -> String {
    let (n, unit) = match secs {
        0..60 => (secs, "second"),
        _ => (secs.div_ceil(60), "minute"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// "this account is banned until 2026-12-10. The moderators' reason: spam." — or permanently, or
/// without a reason when none was given.
fn banned_message(ban: &crate::forum::bans::Ban) -> String {
    let until = if ban.is_permanent(crate::domain::now()) {
        "permanently".to_owned()
    } else {
        format!("until {}", super::render::date(ban.until))
    };
    if ban.reason.is_empty() {
        format!("this account is banned {until}; no reason was given")
    } else {
        format!(
            "this account is banned {until}. The moderators' reason: {}",
            ban.reason
        )
    }
}

impl AppError {
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden(message.into())
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::Validation(_) => "invalid",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::Csrf => "csrf",
            AppError::Forbidden(_) => "forbidden",
            AppError::Banned(_) => "banned",
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Conflict(_) => "conflict",
            AppError::PayloadTooLarge => "too_large",
            AppError::RequestTimeout => "timeout",
            AppError::TooManyRequests { .. } => "rate_limited",
            AppError::Busy { .. } => "busy",
            AppError::Internal(_) => "internal",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Csrf | AppError::Forbidden(_) | AppError::Banned(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn messages(&self) -> Vec<String> {
        match self {
            AppError::Validation(errors) => errors.iter().map(ToString::to_string).collect(),
            other => vec![other.to_string()],
        }
    }

    fn log(&self) {
        if let AppError::Internal(e) = self {
            tracing::error!(error = ?e, "internal error");
        }
    }

    /// The messages a form shows when this error refuses it (a 422's, a 429's, a ban's), with
    /// the status to answer; `None` for errors that get the usual error page.
    pub fn form_messages(&self) -> Option<(StatusCode, Vec<String>)> {
        matches!(
            self,
            AppError::Validation(_) | AppError::TooManyRequests { .. } | AppError::Banned(_)
        )
        .then(|| (self.status(), self.messages()))
    }

    pub fn with_retry_after(&self, builder: &mut actix_web::HttpResponseBuilder) {
        if let AppError::TooManyRequests { retry_after_secs }
        | AppError::Busy { retry_after_secs } = self
        {
            builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        AppError::Validation(vec![e])
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        // Only the heavy pool's budget interrupts statements (SQLITE_INTERRUPT, or PostgreSQL's
        // query_canceled from `statement_timeout`): the query ran past its budget, which is a 503
        // to retry, not an internal error.
        let interrupted = e
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|code| code == "9" || code == "57014");
        if interrupted {
            AppError::Busy {
                retry_after_secs: super::heavy::RETRY_AFTER_SECS,
            }
        } else {
            AppError::Internal(e.into())
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(e)
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<crate::auth::PasswordError> for AppError {
    fn from(e: crate::auth::PasswordError) -> Self {
        AppError::Internal(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: super::render::PageContext,
    status: u16,
    title: &'static str,
    messages: Vec<String>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        if matches!(self, AppError::Unauthorized) {
            // Browsers are sent to the login page rather than shown a bare 401.
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/login"))
                .finish();
        }
        let status = self.status();
        let view = ErrorView {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error"),
            messages: self.messages(),
        };
        let body = view.render(super::render::PageContext::anonymous());
        let mut builder = HttpResponse::build(status);
        self.with_retry_after(&mut builder);
        builder.extensions_mut().insert(view);
        builder.content_type(ContentType::html()).body(body)
    }
}

/// What an HTML error page says. Errors become responses without the request, so the page is
/// first rendered with the anonymous header; [`with_viewer`] renders it again for a signed-in
/// viewer from this copy, kept in the response's extensions.
#[derive(Debug, Clone)]
struct ErrorView {
    status: u16,
    title: &'static str,
    messages: Vec<String>,
}

impl ErrorView {
    fn render(&self, ctx: super::render::PageContext) -> String {
        let page = ErrorPage {
            ctx,
            status: self.status,
            title: self.title,
            messages: self.messages.clone(),
        };
        page.render()
            .unwrap_or_else(|_| format!("{} {}", self.status, self.title))
    }
}

/// Error pages with the viewer's own header (their name, bell and moderation links), not the
/// logged-out one: a 403 or 404 must not look as if the session were gone.
pub async fn with_viewer(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl actix_web::body::MessageBody, String>>, actix_web::Error>
{
    let res = next.call(req).await?;
    let Some(view) = res.response().extensions().get::<ErrorView>().cloned() else {
        return Ok(res.map_into_left_body());
    };
    let viewer = super::session::lookup(res.request()).await.ok().flatten();
    if viewer.is_none() {
        return Ok(res.map_into_left_body());
    }
    let body = view.render(super::render::PageContext::for_viewer(viewer));
    Ok(res.map_body(|_, _| body).map_into_right_body())
}

/// Path segments that do not parse (`/t/abc`) are pages that do not exist: the HTML 404, or the
/// API's JSON one, never actix-web's plain-text parse error.
pub fn path_config() -> actix_web::web::PathConfig {
    actix_web::web::PathConfig::default().error_handler(|_, req| {
        if is_api_path(req.path()) {
            ApiError(AppError::NotFound).into()
        } else {
            AppError::NotFound.into()
        }
    })
}

/// Query strings that do not parse: a 400 that says which parameter, as a page or JSON.
pub fn query_config() -> actix_web::web::QueryConfig {
    actix_web::web::QueryConfig::default().error_handler(|err, req| {
        let error = AppError::BadRequest(format!("the address's parameters do not fit: {err}"));
        if is_api_path(req.path()) {
            ApiError(error).into()
        } else {
            error.into()
        }
    })
}

/// The JSON face of [`AppError`], for `/api/v1`.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub AppError);

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
    fields: serde_json::Map<String, serde_json::Value>,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log();
        let mut fields = serde_json::Map::new();
        if let AppError::Validation(errors) = &self.0 {
            for e in errors {
                fields.insert(e.field.to_owned(), e.message.clone().into());
            }
        }
        if let AppError::Banned(ban) = &self.0 {
            let permanent = ban.is_permanent(crate::domain::now());
            fields.insert("banned_until".into(), super::render::iso(ban.until).into());
            fields.insert("permanent".into(), permanent.into());
            fields.insert("reason".into(), ban.reason.clone().into());
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.0.code(),
                message: self.0.to_string(),
                fields,
            },
        };
        let mut builder = HttpResponse::build(self.0.status());
        self.0.with_retry_after(&mut builder);
        builder.json(body)
    }
}

macro_rules! api_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                ApiError(e.into())
            }
        }
    )*};
}
api_error_from!(
    ValidationError,
    sqlx::Error,
    anyhow::Error,
    crate::auth::PasswordError
);

/// Turns a body-parsing failure (malformed JSON or form, too large) into our error type.
pub fn payload_error(error: &dyn std::fmt::Display, too_large: bool) -> AppError {
    if too_large {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest(format!("malformed request: {error}"))
    }
}

/// Whether a request path belongs to the JSON API, whose errors are JSON rather than pages.
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/")
}

impl AppError {
    /// The response for a request to `path`: the API's JSON under `/api/`, a page elsewhere.
    pub fn response_for(self, path: &str) -> HttpResponse {
        if is_api_path(path) {
            ApiError(self).error_response()
        } else {
            self.error_response()
        }
    }
}

/// Gives actix-web's bare 405 (a known path asked with a method it does not serve) the body every
/// other error has, a page or the API's JSON, keeping its `Allow` header. Handlers never answer
/// 405 themselves, so every 405 comes from routing.
pub fn method_not_allowed_bodies<B: 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().handler(StatusCode::METHOD_NOT_ALLOWED, method_not_allowed)
}

fn method_not_allowed<B>(routed: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let (request, bare) = routed.into_parts();
    let mut response = AppError::MethodNotAllowed.response_for(request.path());
    if let Some(allow) = bare.headers().get(header::ALLOW) {
        response.headers_mut().insert(header::ALLOW, allow.clone());
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, response).map_body(|_, body| EitherBody::right(body)),
    ))
}
