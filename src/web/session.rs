//! Who is asking: the session cookie, looked up in memory (see `session_cache`) or the database,
//! as extractors.
//! `MaybeUser` for pages anyone may see, `CurrentUser` for members' actions, `Moderator` for
//! moderators' ones. For `/api/` writes, `CurrentUser` also demands the `X-CSRF-Token` header.
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web::Data};
use futures_util::future::LocalBoxFuture;

use super::AppState;
use super::error::{ApiError, AppError};
use crate::auth::SessionToken;
use crate::domain::{self, Role};

pub const SESSION_COOKIE: &str = "tw_session";
/// Double-submit CSRF cookie for the anonymous forms (login, register).
pub const ANON_CSRF_COOKIE: &str = "tw_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub csrf_token: String,
    pub banned_until: Option<i64>,
    /// Unread notifications, for the header's bell.
    pub unread: i64,
}

impl Viewer {
    pub fn is_moderator(&self) -> bool {
        self.role.is_moderator()
    }

    /// Which tag suggestions this viewer sees (`tag_viewer(None)` for anonymous readers).
    pub fn tag_viewer(viewer: Option<&Viewer>) -> crate::db::tags::TagViewer {
        use crate::db::tags::TagViewer;
        match viewer {
            None => TagViewer::Public,
            Some(v) if v.is_moderator() => TagViewer::Moderator,
            Some(v) => TagViewer::Member(v.id),
        }
    }

    pub fn is_banned(&self) -> bool {
        self.banned_until.is_some_and(|until| until > domain::now())
    }

    /// Compares a submitted CSRF token with the session's in constant time.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        if tokens_match(&self.csrf_token, submitted) {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }
}

pub fn tokens_match(expected: &str, submitted: &str) -> bool {
    use sha2::{Digest, Sha256};
    // Comparing digests keeps the comparison time independent of where the strings differ.
    !expected.is_empty()
        && Sha256::digest(expected.as_bytes()) == Sha256::digest(submitted.as_bytes())
}

fn is_api(req: &HttpRequest) -> bool {
    super::error::is_api_path(req.path())
}

fn to_actix(req: &HttpRequest, error: AppError) -> actix_web::Error {
    if is_api(req) {
        ApiError(error).into()
    } else if matches!(error, AppError::Unauthorized)
        && matches!(*req.method(), Method::GET | Method::HEAD)
    {
        // A page that needs a login: log in, then come back to it.
        let path = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
        let login = super::render::redirect(&super::render::login_href(path));
        actix_web::error::InternalError::from_response(error, login).into()
    } else {
        error.into()
    }
}

/// Looks the session up once per request and caches the answer in the request's extensions.
pub(crate) async fn lookup(req: &HttpRequest) -> Result<Option<Viewer>, AppError> {
    if let Some(cached) = req.extensions().get::<Option<Viewer>>() {
        return Ok(cached.clone());
    }
    let token = req
        .cookie(SESSION_COOKIE)
        .and_then(|c| SessionToken::from_cookie(c.value()));
    let viewer = match token {
        None => None,
        Some(token) => {
            let state = req
                .app_data::<Data<AppState>>()
                .expect("AppState is registered on the App");
            let found = state
                .sessions
                .find(&state.pool, &token.hash(), domain::now())
                .await?;
            match found {
                None => None,
                Some(s) => Some(Viewer {
                    unread: state
                        .unread
                        .get(&state.pool, &state.page_cache, s.user_id)
                        .await?,
                    id: s.user_id,
                    role: s.role.parse().unwrap_or(Role::Member),
                    username: s.username,
                    csrf_token: s.csrf_token,
                    banned_until: s.banned_until,
                }),
            }
        }
    };
    req.extensions_mut().insert(viewer.clone());
    Ok(viewer)
}

pub struct MaybeUser(pub Option<Viewer>);

impl FromRequest for MaybeUser {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            lookup(&req)
                .await
                .map(MaybeUser)
                .map_err(|e| to_actix(&req, e))
        })
    }
}

pub struct CurrentUser(pub Viewer);

async fn require_user(req: &HttpRequest) -> Result<Viewer, AppError> {
    let viewer = lookup(req).await?.ok_or(AppError::Unauthorized)?;
    if is_api(req) && !matches!(*req.method(), Method::GET | Method::HEAD) {
        let submitted = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        viewer.check_csrf(submitted)?;
    }
    Ok(viewer)
}

impl FromRequest for CurrentUser {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            require_user(&req)
                .await
                .map(CurrentUser)
                .map_err(|e| to_actix(&req, e))
        })
    }
}

pub struct Moderator(pub Viewer);

impl FromRequest for Moderator {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let viewer = require_user(&req).await.map_err(|e| to_actix(&req, e))?;
            if viewer.is_moderator() {
                Ok(Moderator(viewer))
            } else {
                Err(to_actix(
                    &req,
                    AppError::forbidden("only moderators may do this"),
                ))
            }
        })
    }
}

/// The session cookie for a fresh login.
pub fn session_cookie(token: &SessionToken, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token.as_str().to_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(CookieDuration::days(crate::auth::SESSION_DAYS))
        .finish()
}

/// A cookie that tells the browser to forget the session.
pub fn expired_session_cookie(secure: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build(SESSION_COOKIE, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish();
    cookie.make_removal();
    cookie
}

/// The anonymous CSRF token of this browser, and the cookie to set when it is new.
pub fn anon_csrf(req: &HttpRequest, secure: bool) -> (String, Option<Cookie<'static>>) {
    if let Some(existing) = req.cookie(ANON_CSRF_COOKIE)
        && existing.value().len() == 64
    {
        return (existing.value().to_owned(), None);
    }
    let token = crate::auth::random_token();
    let cookie = Cookie::build(ANON_CSRF_COOKIE, token.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish();
    (token, Some(cookie))
}

/// Checks a submitted anonymous-form token against the browser's CSRF cookie.
pub fn check_anon_csrf(req: &HttpRequest, submitted: &str) -> Result<(), AppError> {
    let expected = req
        .cookie(ANON_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if tokens_match(&expected, submitted) {
        Ok(())
    } else {
        Err(AppError::Csrf)
    }
}
