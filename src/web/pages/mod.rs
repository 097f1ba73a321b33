//! HTML pages: each file is one area of the forum, with its page structs beside its handlers.
mod account;
mod answers;
pub mod drafts;
pub mod lists;

mod moderation;
pub mod notifications;
mod passwords;
pub mod search;
mod settings;
mod tag_review;
pub mod tags;
mod topics;
mod users;
mod writing;

use actix_web::web;

use super::error::payload_error;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // Room for a 64 KiB body plus title and tags; larger bodies are refused by validation with the
    // form re-shown, and only absurd payloads get a bare 413.
    let form_config = web::FormConfig::default()
        .limit(256 * 1024)
        .error_handler(|err, _req| {
            let too_large = matches!(
                err,
                actix_web::error::UrlencodedError::Overflow { .. }
                    | actix_web::error::UrlencodedError::ContentType
                    if matches!(err, actix_web::error::UrlencodedError::Overflow { .. })
            );
            payload_error(&err, too_large).into()
        });
    cfg.app_data(form_config);
    lists::routes(cfg);
    topics::routes(cfg);
    writing::routes(cfg);
    answers::routes(cfg);
    moderation::routes(cfg);
    notifications::routes(cfg);
    passwords::routes(cfg);
    settings::routes(cfg);
    tag_review::routes(cfg);
    account::routes(cfg);
    tags::routes(cfg);
    search::routes(cfg);
    users::routes(cfg);
}

/// Topics per page in every list.
pub const PER_PAGE: i64 = 30;
