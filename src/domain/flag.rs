//! What a member may say when flagging a post, parsed once at the edge.
use super::ValidationError;

/// Why a post was flagged; the queue groups and counts by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagReason {
    Spam,
    Abuse,
    OffTopic,
    Other,
}

impl FlagReason {
    pub const ALL: [FlagReason; 4] = [Self::Spam, Self::Abuse, Self::OffTopic, Self::Other];

    pub fn parse(reason: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == reason.trim())
            .ok_or_else(|| {
                ValidationError::new("reason", "must be one of spam, abuse, off_topic, other")
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Abuse => "abuse",
            Self::OffTopic => "off_topic",
            Self::Other => "other",
        }
    }
}

/// A reporter's optional words for the moderators, at most 500 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagNote(String);

impl FlagNote {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(note: &str) -> Result<Self, ValidationError> {
        let note = note.trim();
        if note.chars().count() > Self::MAX_CHARS {
            return Err(ValidationError::new(
                "note",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(note.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_parse_from_their_names_only() {
        assert_eq!(FlagReason::parse(" spam ").unwrap(), FlagReason::Spam);
        assert_eq!(
            FlagReason::parse("off_topic").unwrap().as_str(),
            "off_topic"
        );
        assert!(FlagReason::parse("boring").is_err());
    }

    #[test]
    fn notes_are_trimmed_and_bounded() {
        assert_eq!(FlagNote::parse("  see link ").unwrap().as_str(), "see link");
        assert!(FlagNote::parse(&"x".repeat(501)).is_err());
    }
}
