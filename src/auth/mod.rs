//! Passwords (argon2id, hashed on a blocking thread), session tokens and CSRF tokens.
mod password;
mod token;

#[cfg(test)]
pub(crate) use password::VERIFIED;
pub use password::{PasswordError, hash_password, verify_password, warm_up};
pub use token::{SessionToken, random_token};

/// How long a session lives.
pub const SESSION_DAYS: i64 = 30;
