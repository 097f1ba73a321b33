use super::ValidationError;

/// A topic title: 5–300 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicTitle(String);

impl TopicTitle {
    pub const MIN_CHARS: usize = 5;
    pub const MAX_CHARS: usize = 300;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let title = raw.trim();
        let len = title.chars().count();
        if len < Self::MIN_CHARS {
            return Err(ValidationError::new(
                "title",
                format!("must be at least {} characters long", Self::MIN_CHARS),
            ));
        }
        if len > Self::MAX_CHARS {
            return Err(ValidationError::new(
                "title",
                format!("must be at most {} characters long", Self::MAX_CHARS),
            ));
        }
        if title.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "title",
                "must not contain control characters",
            ));
        }
        Ok(Self(title.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Markdown post body: not blank, at most `max_bytes` bytes (64 KiB by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostBody(String);

impl PostBody {
    pub const DEFAULT_MAX_BYTES: usize = 64 * 1024;

    pub fn parse(raw: &str, max_bytes: usize) -> Result<Self, ValidationError> {
        if raw.trim().is_empty() {
            return Err(ValidationError::new("body", "must not be empty"));
        }
        if raw.len() > max_bytes {
            return Err(ValidationError::new(
                "body",
                format!("must be at most {} KiB", max_bytes / 1024),
            ));
        }
        // Normalise line endings so revisions and search see one form.
        Ok(Self(raw.replace("\r\n", "\n")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tag name, normalised: lower-case `[a-z0-9+#.-]`, 1–32 characters (spaces become '-').
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagName(String);

impl TagName {
    pub const MAX_CHARS: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let name: String = raw
            .trim()
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("-");
        if name.is_empty() {
            return Err(ValidationError::new("tags", "a tag name must not be empty"));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(ValidationError::new(
                "tags",
                format!("tag names are at most {} characters", Self::MAX_CHARS),
            ));
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "+#.-".contains(*c)))
        {
            return Err(ValidationError::new(
                "tags",
                format!("tag names may only contain a-z, 0-9, '+', '#', '.' and '-' (not {bad:?})"),
            ));
        }
        Ok(Self(name))
    }

    /// For names that came from our own database or a trusted import and are already normal.
    pub fn parse_lenient(raw: &str) -> Option<Self> {
        Self::parse(raw).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The 1–5 distinct tags of a topic, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagList(Vec<TagName>);

impl TagList {
    pub const MAX_TAGS: usize = 5;

    /// Parses a comma- or space-separated list, as typed in the compose form.
    pub fn parse_text(raw: &str) -> Result<Self, ValidationError> {
        let names: Vec<&str> = raw
            .split([',', ' ', '\t', '\n'])
            .filter(|s| !s.trim().is_empty())
            .collect();
        Self::parse(names)
    }

    pub fn parse<S: AsRef<str>>(raw: impl IntoIterator<Item = S>) -> Result<Self, ValidationError> {
        let mut tags: Vec<TagName> = Vec::new();
        for name in raw {
            let tag = TagName::parse(name.as_ref())?;
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.is_empty() {
            return Err(ValidationError::new("tags", "add at least one tag"));
        }
        if tags.len() > Self::MAX_TAGS {
            return Err(ValidationError::new(
                "tags",
                format!("at most {} tags", Self::MAX_TAGS),
            ));
        }
        Ok(Self(tags))
    }

    pub fn iter(&self) -> impl Iterator<Item = &TagName> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(
            TopicTitle::parse("  Hello world ").unwrap().as_str(),
            "Hello world"
        );
        assert!(TopicTitle::parse("abcd").is_err());
        assert!(TopicTitle::parse(&"x".repeat(301)).is_err());
        assert!(TopicTitle::parse(&"é".repeat(300)).is_ok());
    }

    #[test]
    fn bodies_must_not_be_blank_or_too_big() {
        assert!(PostBody::parse("  \n ", 100).is_err());
        assert!(PostBody::parse(&"a".repeat(101), 100).is_err());
        assert_eq!(PostBody::parse("a\r\nb", 100).unwrap().as_str(), "a\nb");
    }

    #[test]
    fn tag_names_are_normalised() {
        assert_eq!(TagName::parse(" C++ ").unwrap().as_str(), "c++");
        assert_eq!(
            TagName::parse("Machine Learning").unwrap().as_str(),
            "machine-learning"
        );
        assert_eq!(TagName::parse(".NET").unwrap().as_str(), ".net");
        assert!(TagName::parse("<script>").is_err());
        assert!(TagName::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn tag_lists_dedupe_and_bound() {
        let tags = TagList::parse_text("rust, Rust tokio").unwrap();
        assert_eq!(tags.len(), 2);
        assert!(TagList::parse_text("").is_err());
        assert!(TagList::parse_text("a b c d e f").is_err());
    }
}
