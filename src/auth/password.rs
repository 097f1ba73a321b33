use std::sync::LazyLock;

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::domain::Password;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the hashing thread stopped unexpectedly")]
    Join,
}

/// OWASP's argon2id recommendation: 19 MiB of memory, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("the OWASP argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A real hash of a random password, verified against when a username does not exist so a login
/// costs the same either way and does not reveal which usernames are taken.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(super::random_token().as_bytes(), &salt)
        .expect("hashing a random password with valid parameters succeeds")
        .to_string()
});

/// Every candidate `verify_password` checked, with whether it was against a real hash (`true`) or
/// the dummy one: lets tests show that every failed login does the same argon2 work.
#[cfg(test)]
pub(crate) static VERIFIED: std::sync::Mutex<Vec<(String, bool)>> =
    std::sync::Mutex::new(Vec::new());

/// Hashes a new password into a PHC string, off the async threads.
pub async fn hash_password(password: Password) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| PasswordError::Hash(e.to_string()))
    })
    .await
    .map_err(|_| PasswordError::Join)?
}

/// Checks a login attempt. `stored` is `None` for unknown users and for accounts without a password
/// (imported ones): the same argon2 work is done against a dummy hash and the answer is `false`.
pub async fn verify_password(
    candidate: String,
    stored: Option<String>,
) -> Result<bool, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let (phc, real) = match stored {
            Some(phc) => (phc, true),
            None => (DUMMY_HASH.clone(), false),
        };
        #[cfg(test)]
        VERIFIED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((candidate.clone(), real));
        let parsed = PasswordHash::new(&phc).map_err(|e| PasswordError::Hash(e.to_string()))?;
        let matches = argon2()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok();
        Ok(real && matches)
    })
    .await
    .map_err(|_| PasswordError::Join)?
}

/// Builds the dummy hash now so the first failed login is not slower than the others.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let hash = hash_password(Password::parse("correct horse battery").unwrap())
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify_password("correct horse battery".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("wrong horse battery".into(), Some(hash))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn unknown_users_never_verify() {
        assert!(
            !verify_password("anything at all".into(), None)
                .await
                .unwrap()
        );
    }
}
