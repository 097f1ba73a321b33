use super::ValidationError;

/// 3–32 characters of `[A-Za-z0-9_-]`; compared case-insensitively by the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let name = raw.trim();
        let len = name.chars().count();
        if !(3..=32).contains(&len) {
            return Err(ValidationError::new(
                "username",
                "must be 3 to 32 characters long",
            ));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(ValidationError::new(
                "username",
                "may only contain letters, digits, '_' and '-'",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A plausible e-mail address: something@domain.tld, no spaces, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let email = raw.trim();
        let valid = email.len() <= 254
            && !email.chars().any(char::is_whitespace)
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            });
        if valid {
            Ok(Self(email.to_owned()))
        } else {
            Err(ValidationError::new(
                "email",
                "must be a valid e-mail address",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The most common passwords of public breach lists that are at least 10 characters long
/// (shorter ones are already refused by the length rule).
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "0123456789",
    "12345678910",
    "123456789a",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "qwertyuiop",
    "password12",
    "password123",
    "password1234",
    "passw0rd123",
    "iloveyou12",
    "qwerty1234",
    "qwerty12345",
    "qwerty123456",
    "1234qwerty",
    "abcdefghij",
    "aaaaaaaaaa",
    "1111111111",
    "0000000000",
    "letmein123",
    "welcome123",
    "administrator",
    "football123",
    "baseball123",
    "princess123",
    "sunshine123",
    "superman123",
    "starwars123",
    "trustno1234",
    "changeme123",
    "q1w2e3r4t5",
    "zaq12wsxcde",
    "asdfghjkl1",
    "monkey12345",
    "dragon12345",
    "michael123",
    "charlie123",
    "computer123",
    "internet123",
];

/// A new password: at least 10 characters, at most 1,024 (argon2 cost is bounded), not a common one.
/// Never printed: `Debug` hides it.
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let len = raw.chars().count();
        if len < 10 {
            return Err(ValidationError::new(
                "password",
                "must be at least 10 characters long",
            ));
        }
        if len > 1024 {
            return Err(ValidationError::new(
                "password",
                "must be at most 1024 characters long",
            ));
        }
        let lowered = raw.to_lowercase();
        if COMMON_PASSWORDS.contains(&lowered.as_str()) {
            return Err(ValidationError::new(
                "password",
                "is one of the most common passwords; choose another",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_allow_only_the_safe_alphabet() {
        assert!(Username::parse("alice_99-x").is_ok());
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse(&"a".repeat(33)).is_err());
        assert!(Username::parse("<script>").is_err());
        assert!(Username::parse("bob smith").is_err());
    }

    #[test]
    fn emails_need_a_domain_with_a_dot() {
        assert!(Email::parse("a@example.org").is_ok());
        assert!(Email::parse("a@localhost").is_err());
        assert!(Email::parse("no-at-sign.org").is_err());
        assert!(Email::parse("a b@example.org").is_err());
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("Password123").is_err());
        assert!(Password::parse("correct horse battery").is_ok());
    }
}
