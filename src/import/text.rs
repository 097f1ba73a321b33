//! Small conversions every source needs: dates, HTML to searchable text, usernames, tag names.

use crate::domain::TagName;

/// Parses `2016-08-02T15:40:20.623` (Stack Exchange) or `2016-08-02T15:47:56Z` (JSON Lines) as UTC
/// unix seconds. Fractions are dropped: every stored time is whole seconds.
pub fn parse_time(raw: &str) -> Option<i64> {
    let b = raw.trim().as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b' ') {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        let s = std::str::from_utf8(&b[from..to]).ok()?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 7)?, num(8, 10)?)?;
    let time = date.and_hms_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?)?;
    Some(time.and_utc().timestamp())
}

pub use crate::domain::text::html_to_text;

/// A local username for someone known elsewhere as `display_name`: `[A-Za-z0-9_-]`, 3–24 characters
/// (room for a `-<id>` suffix when the name is taken), or `user<id>` when too little is left.
pub fn username_base(display_name: &str, id: &str) -> String {
    let mut name = String::with_capacity(display_name.len());
    for c in display_name.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            name.push(c);
        } else if c.is_whitespace() && !name.ends_with('-') {
            name.push('-');
        }
    }
    name.truncate(24);
    let name = name.trim_matches('-');
    if name.len() < 3 {
        format!("user{}", id.trim_start_matches('-'))
    } else {
        name.to_owned()
    }
}

/// Local usernames to try for an imported user, in order: the display name made valid, then with
/// the source id, then one derived from the source key (unique unless a local user took it).
pub fn usernames(display_name: &str, id: &str, key: &str) -> Vec<String> {
    use sha2::{Digest, Sha256};
    let base = username_base(display_name, id);
    let id = id.trim_start_matches('-');
    let mut with_id = base.clone();
    with_id.truncate(32 - id.len().min(20) - 1);
    let with_id = format!(
        "{}-{}",
        with_id.trim_end_matches('-'),
        &id[..id.len().min(20)]
    );
    let hashed = format!(
        "imported-{}",
        hex::encode(&Sha256::digest(key.as_bytes())[..6])
    );
    vec![base, with_id, hashed]
}

/// What became of one source tag.
#[derive(Debug, PartialEq, Eq)]
pub enum TagOutcome {
    Kept(TagName),
    /// Not a valid local tag name as it was; this is the closest valid one.
    Renamed(TagName),
    Skipped,
}

/// Normalises a source tag: valid names are kept; others (too long, `devel::lang:python`, …) get
/// invalid characters replaced by '-' and are cut to the maximum length.
pub fn normalise_tag(raw: &str) -> TagOutcome {
    if let Ok(tag) = TagName::parse(raw) {
        return TagOutcome::Kept(tag);
    }
    let mut name = String::with_capacity(raw.len());
    for c in raw.trim().to_lowercase().chars() {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() || "+#.".contains(c) {
            c
        } else {
            '-'
        };
        if !(c == '-' && (name.is_empty() || name.ends_with('-'))) {
            name.push(c);
        }
    }
    name.truncate(TagName::MAX_CHARS);
    match TagName::parse(name.trim_end_matches('-')) {
        Ok(tag) => TagOutcome::Renamed(tag),
        Err(_) => TagOutcome::Skipped,
    }
}

/// Splits a Stack Exchange tag list: `<a><b>` (older dumps) or `|a|b|` (newer ones).
pub fn split_tags(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(['<', '>', '|']).filter(|t| !t.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_time_spellings_parse() {
        assert_eq!(parse_time("2016-08-02T15:40:20.623"), Some(1_470_152_420));
        assert_eq!(parse_time("2016-08-02T15:40:20Z"), Some(1_470_152_420));
        assert_eq!(parse_time("2016-13-02T15:40:20"), None);
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn html_becomes_searchable_text() {
        let text = html_to_text(
            "<p>Use <code>a &lt; b &amp;&amp; c</code>.</p>\n<pre><code>x = 1\n</code></pre><p>&#x201C;ok&#8221; &bogus; AT&T</p>",
        );
        assert_eq!(text, "Use a < b && c.\n\nx = 1\n\n“ok” &bogus; AT&T");
        assert_eq!(html_to_text("<p>a</p>\n\n<p>b</p>\n"), "a\n\nb");
        assert_eq!(html_to_text("1 < 2 and no tag"), "1 < 2 and no tag");
        assert_eq!(
            html_to_text("\n<p>a\n\n\n\nb\n \n\n\nc</p>\n"),
            "a\n\nb\n \n\nc"
        );
    }

    #[test]
    fn usernames_are_made_local() {
        assert_eq!(username_base("José Pérez", "7"), "Jos-Prez");
        assert_eq!(username_base("李", "42"), "user42");
        assert_eq!(username_base("  a  b  ", "-1"), "a-b");
        assert_eq!(username_base("  a  ", "-1"), "user1");
        assert_eq!(username_base(&"x".repeat(40), "1").len(), 24);
        let names = usernames("Ann Lee", "123", "ai.stackexchange.com:u:123");
        assert_eq!(names[..2], ["Ann-Lee", "Ann-Lee-123"]);
        assert!(
            names
                .iter()
                .all(|n| crate::domain::Username::parse(n).is_ok()),
            "{names:?}"
        );
    }

    #[test]
    fn tags_are_kept_renamed_or_skipped() {
        assert_eq!(
            normalise_tag("python"),
            TagOutcome::Kept(TagName::parse("python").unwrap())
        );
        let TagOutcome::Renamed(tag) = normalise_tag("devel::lang:python") else {
            panic!("renamed")
        };
        assert_eq!(tag.as_str(), "devel-lang-python");
        let TagOutcome::Renamed(long) = normalise_tag(&"ab-".repeat(20)) else {
            panic!("renamed")
        };
        assert!(long.as_str().len() <= 32 && !long.as_str().ends_with('-'));
        assert_eq!(normalise_tag("::"), TagOutcome::Skipped);
    }

    #[test]
    fn both_tag_list_formats_split() {
        assert_eq!(split_tags("<a><b-c>").collect::<Vec<_>>(), ["a", "b-c"]);
        assert_eq!(split_tags("|a|b-c|").collect::<Vec<_>>(), ["a", "b-c"]);
        assert_eq!(split_tags("").count(), 0);
    }
}
