//! Rendering helpers shared by the pages: the page context every template gets, `render()`,
//! redirects and human-readable times.
use actix_web::HttpResponse;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use askama::Template;

use super::error::AppError;
use super::session::Viewer;

/// What the layout needs on every page: who is signed in, the token for its forms, and the
/// page's own address (for the header's "Log in" link, which comes back here).
#[derive(Debug, Clone, Default)]
pub struct PageContext {
    pub viewer: Option<Viewer>,
    pub csrf: String,
    pub path: String,
}

tokio::task_local! {
    /// The path and query of the request being answered, set by [`remember_path`].
    static REQUEST_PATH: String;
}

/// Makes the request's path known to the pages it renders (see [`PageContext::login_href`])
/// without every handler passing it down: the handler runs inside this scope.
pub async fn remember_path(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req
        .uri()
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_owned();
    REQUEST_PATH.scope(path, next.call(req)).await
}

fn request_path() -> String {
    REQUEST_PATH.try_with(Clone::clone).unwrap_or_default()
}

impl PageContext {
    pub fn anonymous() -> Self {
        Self::for_viewer(None)
    }

    pub fn for_viewer(viewer: Option<Viewer>) -> Self {
        let csrf = viewer
            .as_ref()
            .map(|v| v.csrf_token.clone())
            .unwrap_or_default();
        Self {
            viewer,
            csrf,
            path: request_path(),
        }
    }

    /// `/login?back=…` that returns to this page; plain `/login` from the front page and from
    /// the account pages themselves.
    pub fn login_href(&self) -> String {
        login_href(&self.path)
    }

    pub fn is_moderator(&self) -> bool {
        self.viewer.as_ref().is_some_and(Viewer::is_moderator)
    }

    pub fn viewer_id(&self) -> Option<i64> {
        self.viewer.as_ref().map(|v| v.id)
    }

    pub fn tag_viewer(&self) -> crate::db::tags::TagViewer {
        Viewer::tag_viewer(self.viewer.as_ref())
    }
}

pub fn render<T: Template>(page: &T) -> Result<HttpResponse, AppError> {
    render_with_status(StatusCode::OK, page)
}

pub fn render_with_status<T: Template>(
    status: StatusCode,
    page: &T,
) -> Result<HttpResponse, AppError> {
    let body = page.render()?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body))
}

/// 303 See Other: after a successful form POST, the browser GETs the result.
pub fn redirect(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// The login page's address with a way back to `path` (a path on this site).
pub fn login_href(path: &str) -> String {
    let path = local_path(Some(path));
    let plain = path == "/"
        || ["/login", "/register", "/logout"]
            .iter()
            .any(|page| path.split(['?', '#']).next() == Some(*page));
    if plain {
        return "/login".into();
    }
    let query = serde_urlencoded::to_string([("back", path)]).unwrap_or_default();
    format!("/login?{query}")
}

/// A return-to parameter (`back`, `next`) made safe to redirect to: a path on this site — `/`
/// followed by neither `/` nor `\` (which browsers read as another host), with no control
/// characters (which they drop, or which cannot be sent as a header). Anything else is `/`.
pub fn local_path(candidate: Option<&str>) -> &str {
    candidate
        .filter(|path| {
            let mut chars = path.chars();
            chars.next() == Some('/')
                && !matches!(chars.next(), Some('/' | '\\'))
                && !path.chars().any(|c| c.is_control() || c == '\\')
        })
        .unwrap_or("/")
}

/// "5 minutes ago", "3 days ago", or a date for anything older than a month.
pub fn ago(timestamp: i64) -> String {
    let seconds = (crate::domain::now() - timestamp).max(0);
    let (n, unit) = match seconds {
        0..60 => return "just now".into(),
        60..3600 => (seconds / 60, "minute"),
        3600..86_400 => (seconds / 3600, "hour"),
        86_400..2_592_000 => (seconds / 86_400, "day"),
        _ => return date(timestamp),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// `2026-11-28`.
pub fn date(timestamp: i64) -> String {
    chrono::DateTime::from_timestamp(timestamp, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// `2026-11-28T21:38:00Z`, for `<time datetime>` and the API.
pub fn iso(timestamp: i64) -> String {
    chrono::DateTime::from_timestamp(timestamp, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Page numbers from `?page=`, 1-based, bounded.
pub fn page_offset(page: Option<i64>, per_page: i64) -> (i64, i64) {
    let page = page.unwrap_or(1).clamp(1, 10_000);
    (page, (page - 1) * per_page)
}

#[cfg(test)]
mod tests {
    use super::{local_path, login_href};

    #[test]
    fn the_login_link_comes_back_to_the_page() {
        assert_eq!(
            login_href("/t/5?sort=best"),
            "/login?back=%2Ft%2F5%3Fsort%3Dbest"
        );
        assert_eq!(login_href("/"), "/login");
        assert_eq!(login_href("/login?back=%2Ft%2F5"), "/login");
        assert_eq!(login_href("//evil.example/"), "/login");
    }

    #[test]
    fn return_paths_stay_on_this_site() {
        for ok in ["/", "/mod/review?page=2", "/t/5#post-7"] {
            assert_eq!(local_path(Some(ok)), ok);
        }
        for bad in [
            "//evil.example/",
            "/\\evil.example/",
            "/\t/evil.example",
            "/\\/evil.example",
            "/a\r\nSet-Cookie: x=1",
            "https://evil.example/",
            "evil",
            "",
            "/a\\b",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local_path(None), "/");
    }
}
