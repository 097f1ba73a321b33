//! Nothing typed is lost. A refused compose, reply or edit — invalid (422), a stale or missing
//! token (403), over the rate limit (429) — shows its form again with the text, the session's
//! current token and a message that says what happened and what to do. A submission whose session
//! has ended gets the login page carrying the text in hidden fields; logging in shows the form
//! again, filled in, and nothing is posted until the member presses the button.
use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::web::session::{self, Viewer};
use crate::web::{AppState, error::AppError};

/// What a member typed into compose (title, body, tags), reply (body) or edit.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Draft {
    pub title: Option<String>,
    #[serde(default)]
    pub body: String,
    pub tags: Option<String>,
}

/// The form a draft belongs to, known from the path it was posted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftTarget {
    Compose,
    Reply(i64),
    Edit(i64),
}

impl DraftTarget {
    /// The form behind a write path (its preview's included); `None` for any other path.
    pub fn of_path(path: &str) -> Option<Self> {
        let path = path.strip_suffix("/preview").unwrap_or(path);
        if path == "/new" {
            return Some(DraftTarget::Compose);
        }
        let id = |rest: Option<&str>, tail: &str| {
            rest.and_then(|r| r.strip_suffix(tail))
                .and_then(|id| id.parse::<i64>().ok())
                .filter(|id| *id > 0)
        };
        if let Some(id) = id(path.strip_prefix("/t/"), "/reply") {
            return Some(DraftTarget::Reply(id));
        }
        id(path.strip_prefix("/p/"), "/edit").map(DraftTarget::Edit)
    }

    /// Where the form posts to.
    pub fn path(self) -> String {
        match self {
            DraftTarget::Compose => "/new".into(),
            DraftTarget::Reply(id) => format!("/t/{id}/reply"),
            DraftTarget::Edit(id) => format!("/p/{id}/edit"),
        }
    }
}

/// What a form page shows above the fields, and with what status.
#[derive(Debug, Clone)]
pub struct Shown {
    pub status: StatusCode,
    /// Validation messages ("Please fix the following").
    pub errors: Vec<String>,
    /// What happened to the submission and what to do now.
    pub notice: Option<String>,
    /// The body's HTML, when the member asked for a preview.
    pub preview: Option<String>,
    pub retry_after_secs: Option<u64>,
}

impl Shown {
    /// A form as first opened.
    pub fn fresh() -> Self {
        Self {
            status: StatusCode::OK,
            errors: Vec::new(),
            notice: None,
            preview: None,
            retry_after_secs: None,
        }
    }

    fn notice(status: StatusCode, notice: String) -> Self {
        Self {
            status,
            notice: Some(notice),
            ..Self::fresh()
        }
    }
}

/// "1 minute", "17 minutes": a rate limit's wait, rounded up to whole minutes.
fn minutes(secs: u64) -> String {
    let n = secs.div_ceil(60).max(1);
    format!("{n} minute{}", if n == 1 { "" } else { "s" })
}

/// How a refusal reads on the form, or `None` for errors that get the error page (a topic that
/// is gone, an internal error). A form one may not see at all (another's post to edit) is
/// refused by `form_page` itself.
fn shown_for(error: &AppError) -> Option<Shown> {
    Some(match error {
        AppError::Validation(errors) => Shown {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors: errors.iter().map(ToString::to_string).collect(),
            ..Shown::fresh()
        },
        AppError::Csrf => Shown::notice(
            StatusCode::FORBIDDEN,
            "Nothing was posted: this form's security token was missing or out of date (the \
             page may have been opened before you last logged in). Your text is kept below with \
             a fresh token: check it and press the button again."
                .into(),
        ),
        AppError::TooManyRequests { retry_after_secs } => Shown {
            retry_after_secs: Some(*retry_after_secs),
            ..Shown::notice(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Nothing was posted: you have reached this forum's limit for now. Your text \
                     is kept below: wait {} and press the button again.",
                    minutes(*retry_after_secs)
                ),
            )
        },
        // A topic locked, or an account banned, while the text was typed: it is kept to copy.
        AppError::Forbidden(why) => Shown::notice(
            StatusCode::FORBIDDEN,
            format!("Nothing was posted: {why}. Your text is kept below so that you can copy it."),
        ),
        _ => return None,
    })
}

/// The form of `target` again with `draft` and what went wrong; errors without a form message
/// are returned for the usual error page.
pub async fn refused(
    state: &AppState,
    viewer: Viewer,
    target: DraftTarget,
    draft: Draft,
    error: AppError,
) -> Result<HttpResponse, AppError> {
    let Some(shown) = shown_for(&error) else {
        return Err(error);
    };
    super::writing::form_page(state, viewer, target, draft, shown).await
}

/// The rate limiter's refusal of a form write (see `limits::enforce`, which runs before the
/// handler): the form again with the text read from the refused request's body.
pub async fn limited(
    req: ServiceRequest,
    target: DraftTarget,
    error: AppError,
) -> ServiceResponse<BoxBody> {
    let (request, mut payload) = req.into_parts();
    let state = request
        .app_data::<web::Data<AppState>>()
        .expect("AppState is registered on the App")
        .clone();
    let viewer = session::lookup(&request).await.ok().flatten();
    let form = web::Form::<Draft>::from_request(&request, &mut payload).await;
    let response = match (viewer, form) {
        (Some(viewer), Ok(form)) => {
            match refused(&state, viewer, target, form.into_inner(), error).await {
                Ok(response) => response,
                Err(error) => error.response_for(request.path()),
            }
        }
        _ => error.response_for(request.path()),
    };
    ServiceResponse::new(request, response)
}

/// A write whose session has ended: the login page, carrying the draft and the way back.
pub fn login_to_continue(
    req: &HttpRequest,
    state: &AppState,
    target: DraftTarget,
    draft: Draft,
) -> Result<HttpResponse, AppError> {
    let notice = "Your session had ended, so nothing was posted. Log in and you will be back at \
                  the form with your text, ready to post.";
    super::account::login_page(
        req,
        state,
        StatusCode::UNAUTHORIZED,
        super::account::Carried {
            back: target.path(),
            draft: Some(draft),
            notice: Some(notice.into()),
        },
    )
}

/// After a login that carried a draft: the form with the text, not yet posted.
pub async fn resume(
    state: &AppState,
    viewer: Viewer,
    target: DraftTarget,
    draft: Draft,
) -> Result<HttpResponse, AppError> {
    let shown = Shown::notice(
        StatusCode::OK,
        "You are logged in. Your text is below and has not been posted yet: check it and press \
         the button to post it."
            .into(),
    );
    super::writing::form_page(state, viewer, target, draft, shown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_paths_name_their_forms_and_nothing_else_does() {
        assert_eq!(DraftTarget::of_path("/new"), Some(DraftTarget::Compose));
        assert_eq!(
            DraftTarget::of_path("/new/preview"),
            Some(DraftTarget::Compose)
        );
        assert_eq!(
            DraftTarget::of_path("/t/12/reply"),
            Some(DraftTarget::Reply(12))
        );
        assert_eq!(
            DraftTarget::of_path("/t/12/reply/preview"),
            Some(DraftTarget::Reply(12))
        );
        assert_eq!(
            DraftTarget::of_path("/p/3/edit"),
            Some(DraftTarget::Edit(3))
        );
        for other in [
            "/",
            "/t/12",
            "/t/x/reply",
            "/t/-1/reply",
            "/p/3/vote",
            "//new",
            "/newer",
        ] {
            assert_eq!(DraftTarget::of_path(other), None, "{other}");
        }
        for target in [
            DraftTarget::Compose,
            DraftTarget::Reply(5),
            DraftTarget::Edit(9),
        ] {
            assert_eq!(DraftTarget::of_path(&target.path()), Some(target));
        }
    }

    #[test]
    fn waits_are_whole_minutes_rounded_up() {
        assert_eq!(minutes(1), "1 minute");
        assert_eq!(minutes(60), "1 minute");
        assert_eq!(minutes(61), "2 minutes");
        assert_eq!(minutes(515), "9 minutes");
    }
}
