//! Pure forum types, parsed once at the edge: inner layers take `TopicTitle`, never a raw `String`.
mod account;
mod content;
mod flag;
pub mod license;
pub mod markdown;
pub mod math;
pub mod ranking;
pub mod report;
mod role;
pub mod search;
pub mod text;

pub use account::{Email, Password, Username};
pub use content::{
    PostBody, RenderedBody, TagDescription, TagList, TagName, TopicTitle, searchable_text,
    strip_control,
};
pub use flag::{FlagNote, FlagReason};
pub use role::Role;

/// A value a user typed that we refuse, naming the form field it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Current time as unix seconds, the unit every stored timestamp uses.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
