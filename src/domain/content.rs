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
        if raw.len() > max_bytes {
            return Err(ValidationError::new(
                "body",
                format!("must be at most {} KiB", max_bytes / 1024),
            ));
        }
        // Line endings in one form, so revisions and search see one text; other control
        // characters dropped: they mean nothing in Markdown, and U+0002 / U+0003 are the search
        // snippets' match markers.
        let body = strip_control(&raw.replace("\r\n", "\n"));
        if body.trim().is_empty() {
            return Err(ValidationError::new("body", "must not be empty"));
        }
        Ok(Self(body))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A tag's description as a moderator writes it: Markdown, at most [`Self::MAX_CHARS`]
/// characters (a line or a short paragraph beside the tag's name), rendered by the posts'
/// renderer. Blank clears it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagDescription {
    markdown: String,
    html: String,
}

impl TagDescription {
    pub const MAX_CHARS: usize = 1_000;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let text = strip_control(&raw.replace("\r\n", "\n"));
        let text = text.trim();
        if text.chars().count() > Self::MAX_CHARS {
            return Err(ValidationError::new(
                "description",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        let html = if text.is_empty() {
            String::new()
        } else {
            super::markdown::render(text)
                .map_err(|e| ValidationError::new("description", e.to_string()))?
        };
        Ok(Self {
            markdown: text.to_owned(),
            html,
        })
    }

    pub fn markdown(&self) -> &str {
        &self.markdown
    }

    pub fn html(&self) -> &str {
        &self.html
    }
}

/// A body with its HTML, rendered before the write that stores it (rendering is CPU work that
/// grows with the body: it runs on a blocking thread, never inside a transaction).
#[derive(Debug, Clone)]
pub struct RenderedBody {
    body: PostBody,
    html: String,
    mentions: Vec<String>,
    text: Option<String>,
}

impl RenderedBody {
    pub fn render(body: PostBody) -> Result<Self, ValidationError> {
        let (html, mentions) = super::markdown::render_post(body.as_str())?;
        let text = searchable_text(body.as_str(), &html);
        Ok(Self {
            body,
            html,
            mentions,
            text,
        })
    }

    /// The text a reader sees, for search, where it differs from the Markdown (`posts.body_text`).
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The usernames the body mentions (`@name`), lower-cased.
    pub fn mentions(&self) -> &[String] {
        &self.mentions
    }

    pub fn markdown(&self) -> &str {
        self.body.as_str()
    }

    pub fn html(&self) -> &str {
        &self.html
    }
}

/// What search indexes for a post rendered to `html` from `source` (`posts.body_text`): the
/// rendered text without control characters (the snippet markers must not come from a post),
/// or `None` when that is `source` itself.
pub fn searchable_text(source: &str, html: &str) -> Option<String> {
    let text = strip_control(&super::text::html_to_text(html));
    (text != source).then_some(text)
}

/// `text` without C0 control characters other than tab and newline (a lone CR becomes a newline).
pub fn strip_control(text: &str) -> String {
    if !text
        .chars()
        .any(|c| c.is_ascii_control() && c != '\t' && c != '\n')
    {
        return text.to_owned();
    }
    text.chars()
        .filter_map(|c| match c {
            '\r' => Some('\n'),
            '\t' | '\n' => Some(c),
            c if c.is_ascii_control() => None,
            c => Some(c),
        })
        .collect()
}

/// A tag name, normalised: lower-case `[a-z0-9+#.-]`, 1–32 characters (spaces become '-').
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagName(String);

impl TagName {
    pub const MAX_CHARS: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        // Refused before any copy is made: a name is at most 32 characters of at most 4 bytes.
        if raw.trim().len() > Self::MAX_CHARS * 4 {
            return Err(Self::too_long());
        }
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
            return Err(Self::too_long());
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

    fn too_long() -> ValidationError {
        ValidationError::new(
            "tags",
            format!("tag names are at most {} characters", Self::MAX_CHARS),
        )
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
    /// Names accepted before duplicates are removed ("rust, Rust" is one tag): room for typing a
    /// tag twice, but a list of thousands is refused before any of it is parsed.
    pub const MAX_NAMES_GIVEN: usize = 2 * Self::MAX_TAGS;

    /// Parses a comma- or space-separated list, as typed in the compose form.
    pub fn parse_text(raw: &str) -> Result<Self, ValidationError> {
        let names = raw
            .split([',', ' ', '\t', '\n'])
            .filter(|s| !s.trim().is_empty());
        Self::parse(names)
    }

    /// Parses a list of names. A list longer than [`Self::MAX_NAMES_GIVEN`] is refused after
    /// counting, before a name is parsed, so the work is bounded whatever the input's size.
    pub fn parse<S: AsRef<str>>(raw: impl IntoIterator<Item = S>) -> Result<Self, ValidationError> {
        let mut given = Vec::with_capacity(Self::MAX_NAMES_GIVEN);
        for name in raw {
            if given.len() == Self::MAX_NAMES_GIVEN {
                return Err(Self::too_many());
            }
            given.push(name);
        }
        let mut tags: Vec<TagName> = Vec::with_capacity(Self::MAX_TAGS);
        for name in given {
            let tag = TagName::parse(name.as_ref())?;
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.is_empty() {
            return Err(ValidationError::new("tags", "add at least one tag"));
        }
        if tags.len() > Self::MAX_TAGS {
            return Err(Self::too_many());
        }
        Ok(Self(tags))
    }

    fn too_many() -> ValidationError {
        ValidationError::new("tags", format!("at most {} tags", Self::MAX_TAGS))
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
    fn search_keeps_a_second_text_only_where_markdown_differs_from_it() {
        assert_eq!(searchable_text("plain words", "<p>plain words</p>\n"), None);
        assert_eq!(
            searchable_text(
                "**bold** `x`",
                "<p><strong>bold</strong> <code>x</code></p>"
            ),
            Some("bold x".to_owned())
        );
    }

    #[test]
    fn tag_descriptions_are_bounded_markdown() {
        let d = TagDescription::parse("  A *systems* language.\r\n ").unwrap();
        assert_eq!(d.markdown(), "A *systems* language.");
        assert!(d.html().contains("<em>systems</em>"));
        assert_eq!(TagDescription::parse(" ").unwrap().html(), "");
        let long = "x".repeat(TagDescription::MAX_CHARS + 1);
        assert_eq!(
            TagDescription::parse(&long).unwrap_err().field,
            "description"
        );
    }

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
        assert_eq!(TagList::parse_text("a a b b c c d d e e").unwrap().len(), 5);
    }

    #[test]
    fn a_flood_of_tag_names_is_refused_after_counting_them() {
        // 45,000 distinct names: refused at the eleventh, whichever names follow.
        let flood: Vec<String> = (0..45_000).map(|i| format!("t{i}")).collect();
        let error = TagList::parse(flood.iter()).unwrap_err();
        assert_eq!(error.message, "at most 5 tags");
        let text = flood.join(",");
        assert_eq!(
            TagList::parse_text(&text).unwrap_err().message,
            "at most 5 tags"
        );
        assert!(TagName::parse(&"é".repeat(100_000)).is_err());
    }

    #[test]
    fn bodies_lose_control_characters_but_keep_tabs_and_newlines() {
        let body = PostBody::parse("a\u{2}b\u{3}\tc\r\nd\re\0", 100).unwrap();
        assert_eq!(body.as_str(), "ab\tc\nd\ne");
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Whatever is typed, the parsers answer (no panic), and what they accept keeps their
        /// promises: bounded, normalised, and a fixed point of parsing again.
        #[test]
        fn parsers_accept_only_what_they_promise(text in "\\PC{0,400}|[-, a-zA-Z+#.\\t\\n\\r\\x00-\\x1f]{0,400}") {
            if let Ok(title) = TopicTitle::parse(&text) {
                let chars = title.as_str().chars().count();
                prop_assert!((TopicTitle::MIN_CHARS..=TopicTitle::MAX_CHARS).contains(&chars));
                prop_assert_eq!(TopicTitle::parse(title.as_str()).ok(), Some(title.clone()));
            }
            if let Ok(body) = PostBody::parse(&text, 1024) {
                let stray = ['\r', '\0', '\u{2}', '\u{3}'];
                prop_assert!(!body.as_str().contains(stray), "control characters kept");
                prop_assert_eq!(PostBody::parse(body.as_str(), 1024).ok(), Some(body.clone()));
            }
            if let Ok(tags) = TagList::parse_text(&text) {
                prop_assert!((1..=TagList::MAX_TAGS).contains(&tags.len()));
                for tag in tags.iter() {
                    let again = TagName::parse(tag.as_str()).ok();
                    prop_assert_eq!(again.as_ref(), Some(tag));
                }
            }
        }
    }
}
