//! The forum's use cases (register, log in, post, reply, edit, vote, moderate), shared by the HTML
//! pages and the JSON API so both enforce the same rules. Each write is one transaction.
pub mod accounts;
pub mod answers;
pub mod bans;
pub mod bodies;
pub mod flags;
pub mod notifications;
pub mod passwords;
pub mod reports;
pub mod review;
pub mod tags;
pub mod topics;

use crate::domain::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum ForumError {
    #[error("invalid input")]
    Invalid(Vec<ValidationError>),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(&'static str),
    /// The account is banned: the right password, but no login.
    #[error("this account is banned")]
    Banned(bans::Ban),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Password(#[from] crate::auth::PasswordError),
    #[error("mail could not be sent: {0}")]
    Mail(String),
    #[error("a background task failed")]
    Task(#[from] tokio::task::JoinError),
}

impl From<ValidationError> for ForumError {
    fn from(e: ValidationError) -> Self {
        ForumError::Invalid(vec![e])
    }
}

/// Runs several parsers and reports every failure at once, so a form shows all its problems.
pub(crate) fn collect<A, B, C>(
    a: Result<A, ValidationError>,
    b: Result<B, ValidationError>,
    c: Result<C, ValidationError>,
) -> Result<(A, B, C), ForumError> {
    match (a, b, c) {
        (Ok(a), Ok(b), Ok(c)) => Ok((a, b, c)),
        (a, b, c) => Err(ForumError::Invalid(
            [a.err(), b.err(), c.err()].into_iter().flatten().collect(),
        )),
    }
}
