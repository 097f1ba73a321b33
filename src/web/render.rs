//! Rendering helpers shared by the pages: the page context every template gets, `render()`,
//! redirects and human-readable times.
use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use askama::Template;

use super::error::AppError;
use super::session::Viewer;

/// What the layout needs on every page: who is signed in and the token for its forms.
#[derive(Debug, Clone, Default)]
pub struct PageContext {
    pub viewer: Option<Viewer>,
    pub csrf: String,
}

impl PageContext {
    pub fn anonymous() -> Self {
        Self::default()
    }

    pub fn for_viewer(viewer: Option<Viewer>) -> Self {
        let csrf = viewer
            .as_ref()
            .map(|v| v.csrf_token.clone())
            .unwrap_or_default();
        Self { viewer, csrf }
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
    use super::local_path;

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
