//! The JSON API under `/api/v1`. Writes need the session cookie and the `X-CSRF-Token` header
//! (checked by the `CurrentUser` extractor); errors are `{ "error": { code, message, fields } }`.
mod answers;
mod auth;
mod notifications;
mod preview;
pub mod reports;
mod tagging;
mod topics;
mod users;

use actix_web::web;

use super::error::{ApiError, payload_error};

pub fn routes(cfg: &mut web::ServiceConfig) {
    let json_config = web::JsonConfig::default()
        .limit(256 * 1024)
        .error_handler(|err, _req| {
            let too_large = matches!(
                err,
                actix_web::error::JsonPayloadError::Overflow { .. }
                    | actix_web::error::JsonPayloadError::OverflowKnownLength { .. }
            );
            ApiError(payload_error(&err, too_large)).into()
        });
    let query_config = web::QueryConfig::default()
        .error_handler(|err, _req| ApiError(payload_error(&err, false)).into());
    cfg.app_data(json_config).app_data(query_config);
    answers::routes(cfg);
    auth::routes(cfg);
    notifications::routes(cfg);
    preview::routes(cfg);
    topics::routes(cfg);
    tagging::routes(cfg);
    reports::routes(cfg);
    users::routes(cfg);
}
