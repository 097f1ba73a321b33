use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits from the OS, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A session token as sent in the cookie. Only its SHA-256 is stored.
#[derive(Debug, Clone)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn generate() -> Self {
        Self(random_token())
    }

    pub fn from_cookie(value: &str) -> Option<Self> {
        let well_formed = value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit());
        well_formed.then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}
