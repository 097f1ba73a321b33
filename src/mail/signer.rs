//! Signed tokens for links that act without a login (unsubscribing from mail): `user.purpose`
//! signed with HMAC-SHA256 under the forum's secret, so only this forum can make one and each is
//! bound to one member and one purpose.
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The purpose unsubscribe links (in notification mail) are signed for.
pub const UNSUBSCRIBE: &str = "unsubscribe";

#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

impl Signer {
    pub fn new(key: Vec<u8>) -> Self {
        Self { key }
    }

    fn mac(&self, user_id: i64, purpose: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes a key of any size");
        mac.update(format!("{user_id}.{purpose}").as_bytes());
        mac
    }

    /// A token for `user_id` and `purpose`: `<user id>.<hex signature>`.
    pub fn sign(&self, user_id: i64, purpose: &str) -> String {
        let signature = self.mac(user_id, purpose).finalize().into_bytes();
        format!("{user_id}.{}", hex::encode(signature))
    }

    /// The member a token was made for, when it is genuine for `purpose` (checked in constant
    /// time).
    pub fn verify(&self, token: &str, purpose: &str) -> Option<i64> {
        let (user, signature) = token.split_once('.')?;
        let user_id: i64 = user.parse().ok()?;
        let signature = hex::decode(signature).ok()?;
        self.mac(user_id, purpose)
            .verify_slice(&signature)
            .ok()
            .map(|()| user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_for_its_member_and_purpose_only() {
        let signer = Signer::new(b"secret".to_vec());
        let token = signer.sign(42, "unsubscribe");
        assert_eq!(signer.verify(&token, "unsubscribe"), Some(42));
        assert_eq!(signer.verify(&token, "other"), None);
        let forged = token.replacen("42.", "43.", 1);
        assert_eq!(signer.verify(&forged, "unsubscribe"), None);
        assert_eq!(
            Signer::new(b"other".to_vec()).verify(&token, "unsubscribe"),
            None
        );
        assert_eq!(signer.verify("junk", "unsubscribe"), None);
    }
}
