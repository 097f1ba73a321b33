//! Markdown → safe HTML: pulldown-cmark renders, ammonia sanitises. Raw HTML in a post is shown as
//! text, never interpreted; links get `rel="nofollow ugc noopener"`; code blocks keep their language.
use std::sync::LazyLock;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd, html};

use super::ValidationError;

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .link_rel(Some("nofollow ugc noopener"))
        .add_tag_attributes("code", &["class"])
        // MathML from `math`; presentation elements and their layout attributes only.
        .add_tags(MATHML_TAGS)
        .add_tag_attributes("math", &["display", "xmlns"])
        .add_generic_attributes(MATHML_ATTRIBUTES)
        .attribute_filter(|element, attribute, value| {
            if element == "code" && attribute == "class" {
                // Only pulldown-cmark's own `language-xyz` class survives.
                let lang = value.strip_prefix("language-")?;
                let safe = !lang.is_empty()
                    && lang
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+#-_.".contains(c));
                return safe.then(|| value.into());
            }
            Some(value.into())
        });
    builder
});

const MATHML_TAGS: [&str; 27] = [
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "msup",
    "msub",
    "msubsup",
    "mfrac",
    "msqrt",
    "mroot",
    "mover",
    "munder",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "merror",
];
const MATHML_ATTRIBUTES: [&str; 21] = [
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "lspace",
    "rspace",
    "accent",
    "accentunder",
    "linethickness",
    "columnalign",
    "rowspacing",
    "columnspacing",
    "displaystyle",
    "scriptlevel",
    "movablelimits",
    "symmetric",
    "minsize",
    "maxsize",
    "largeop",
    "notation",
    "encoding",
];

/// How deeply lists, block quotes and inline markup may nest. Rendering is linear in the input
/// only while nesting is bounded: 32,767 nested list markers on one line (64 KiB) made ammonia's
/// HTML tree builder take tens of seconds. Real posts nest a few levels.
pub const MAX_NESTING: usize = 32;

/// Why a body cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error(
        "nests lists, quotes or emphasis more than {MAX_NESTING} levels deep; flatten it to post it"
    )]
    TooDeep,
}

impl From<RenderError> for ValidationError {
    fn from(e: RenderError) -> Self {
        ValidationError::new("body", e.to_string())
    }
}

/// Renders a body (an imported one: `@name`s are left as text, they name people elsewhere). The
/// output is safe to embed in a page without escaping. Work is linear in the input: a body that
/// nests deeper than [`MAX_NESTING`] is refused, before ammonia sees it.
pub fn render(markdown: &str) -> Result<String, RenderError> {
    render_with(markdown, false).map(|(html, _)| html)
}

/// Most mentions a post may notify; more are shown as text.
pub const MAX_MENTIONS: usize = 10;

/// Renders a post written here: as [`render`], and each `@username` outside code becomes a link to
/// that profile. Returns the HTML and the mentioned names (at most [`MAX_MENTIONS`], distinct,
/// lower-cased).
pub fn render_post(markdown: &str) -> Result<(String, Vec<String>), RenderError> {
    render_with(markdown, true)
}

fn render_with(markdown: &str, link_mentions: bool) -> Result<(String, Vec<String>), RenderError> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_MATH;
    let mut events = Vec::new();
    let mut mentions = Vec::new();
    let mut depth = 0usize;
    // Mentions are not linked inside code blocks or inside another link.
    let mut plain_text_depth = 0usize;
    for event in Parser::new_ext(markdown, options) {
        match &event {
            Event::Start(tag) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(RenderError::TooDeep);
                }
                if matches!(
                    tag,
                    Tag::CodeBlock(_) | Tag::Link { .. } | Tag::Image { .. }
                ) {
                    plain_text_depth += 1;
                }
            }
            Event::End(tag) => {
                depth = depth.saturating_sub(1);
                if matches!(tag, TagEnd::CodeBlock | TagEnd::Link | TagEnd::Image) {
                    plain_text_depth = plain_text_depth.saturating_sub(1);
                }
            }
            _ => {}
        }
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            Event::InlineMath(latex) => events.push(math_event(latex, false)),
            Event::DisplayMath(latex) => events.push(math_event(latex, true)),
            Event::Text(text) if link_mentions && plain_text_depth == 0 => {
                link_mentions_in(&text, &mut events, &mut mentions);
            }
            other => events.push(other),
        }
    }
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events.into_iter());
    Ok((SANITIZER.clean(&unsafe_html).to_string(), mentions))
}

/// A formula as MathML, or as code when it does not render (never an error for the post).
fn math_event(latex: pulldown_cmark::CowStr<'_>, display: bool) -> Event<'_> {
    match super::math::to_mathml(&latex, display) {
        Some(mathml) => Event::InlineHtml(mathml.into()),
        None => Event::Code(latex),
    }
}

/// Splits a text event at each `@username` (3–32 of `[A-Za-z0-9_-]`, not preceded by a word
/// character, so `me@example.org` is no mention) into text and a profile link.
fn link_mentions_in<'a>(text: &str, events: &mut Vec<Event<'a>>, mentions: &mut Vec<String>) {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut rest = text;
    let mut pending = String::new();
    while let Some(at) = rest.find('@') {
        let before = &rest[..at];
        let name_len = rest[at + 1..]
            .find(|c: char| !is_name(c))
            .unwrap_or(rest.len() - at - 1);
        let name = &rest[at + 1..at + 1 + name_len];
        let starts_word = before
            .chars()
            .next_back()
            .or_else(|| pending.chars().next_back())
            .is_none_or(|c| !is_name(c) && c != '@');
        let key = name.to_lowercase();
        let room = mentions.contains(&key) || mentions.len() < MAX_MENTIONS;
        if starts_word && (3..=32).contains(&name_len) && room {
            pending.push_str(before);
            if !pending.is_empty() {
                events.push(Event::Text(std::mem::take(&mut pending).into()));
            }
            let link = Tag::Link {
                link_type: LinkType::Inline,
                dest_url: format!("/u/{name}").into(),
                title: "".into(),
                id: "".into(),
            };
            events.push(Event::Start(link));
            events.push(Event::Text(format!("@{name}").into()));
            events.push(Event::End(TagEnd::Link));
            if !mentions.contains(&key) {
                mentions.push(key);
            }
        } else {
            pending.push_str(&rest[..at + 1 + name_len]);
        }
        rest = &rest[at + 1 + name_len..];
    }
    pending.push_str(rest);
    if !pending.is_empty() {
        events.push(Event::Text(pending.into()));
    }
}

/// How deeply imported HTML may nest. html5ever's tree builder is quadratic in the depth
/// (13,107 nested `<div>`s, 64 KiB, took 0.9 s; `<ul><li>` 1.4 s); real posts nest a few levels.
pub const MAX_HTML_NESTING: usize = 256;

/// Sanitises HTML that came from elsewhere (e.g. a Stack Exchange dump) with the same policy.
/// HTML that nests deeper than [`MAX_HTML_NESTING`] is refused before it is parsed.
pub fn sanitize_html(html: &str) -> Result<String, RenderError> {
    if html_nesting(html) > MAX_HTML_NESTING {
        return Err(RenderError::TooDeep);
    }
    // Stack Exchange posts carry MathJax-delimited maths in their text.
    Ok(SANITIZER
        .clean(&super::math::render_in_html(html))
        .to_string())
}

/// The deepest nesting of elements in `html`, counted from its tags alone (opening tags minus
/// closing ones, without void and self-closed elements). Not a parser: an upper bound of what a
/// parser would build from well-formed input, which dumps are, found in one pass.
fn html_nesting(html: &str) -> usize {
    const VOID: [&str; 14] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    ];
    let bytes = html.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut at = 0;
    while let Some(found) = bytes[at..].iter().position(|&b| b == b'<') {
        let start = at + found + 1;
        at = start;
        let closing = bytes.get(start) == Some(&b'/');
        let name_start = start + usize::from(closing);
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 {
            continue;
        }
        let name = &html[name_start..name_start + name_len];
        let tag_end = bytes[name_start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(bytes.len(), |p| name_start + p);
        // The scan goes on after the tag: every byte is looked at a bounded number of times.
        at = tag_end;
        let self_closed = bytes.get(tag_end - 1) == Some(&b'/');
        if closing {
            depth = depth.saturating_sub(1);
        } else if !self_closed && !VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_ok(markdown: &str) -> String {
        render(markdown).expect("renders")
    }

    #[test]
    fn nesting_is_bounded_before_parsing() {
        assert_eq!(
            render(&format!("{}x", "- ".repeat(32_000))),
            Err(RenderError::TooDeep)
        );
        assert_eq!(
            render(&format!("{}x", "> ".repeat(32_000))),
            Err(RenderError::TooDeep)
        );
        let nested = (0..MAX_NESTING / 2).map(|_| "> ").collect::<String>() + "x";
        assert!(render(&nested).unwrap().contains("<blockquote>"));
    }

    #[test]
    fn imported_html_is_refused_past_its_nesting_bound() {
        assert_eq!(html_nesting("<p>a<br>b<img src=x/></p><p><b>c</b></p>"), 2);
        assert_eq!(html_nesting("<div><br/><hr></div> a < b"), 1);
        assert_eq!(
            sanitize_html(&"<div>".repeat(MAX_HTML_NESTING + 1)),
            Err(RenderError::TooDeep)
        );
        assert!(sanitize_html(&"<div>x</div>".repeat(10_000)).is_ok());
    }

    #[test]
    fn mentions_outside_code_become_profile_links() {
        let (html, names) =
            render_post("hi @Alice and @bob_2, not me@example.org, `@carol`, [@dan](/x) @al")
                .unwrap();
        assert_eq!(names, ["alice", "bob_2"]);
        assert!(
            html.contains(r#"<a href="/u/Alice" rel="nofollow ugc noopener">@Alice</a>"#),
            "{html}"
        );
        assert!(
            html.contains("me@example.org") && !html.contains("/u/example"),
            "{html}"
        );
        assert!(
            html.contains("<code>@carol</code>") && !html.contains("/u/carol"),
            "{html}"
        );
        assert!(
            !html.contains("/u/dan") && !html.contains("/u/al\""),
            "{html}"
        );
        let (_, none) = render_post("```\n@erin\n```").unwrap();
        assert!(none.is_empty());
        let many: String = (0..20).map(|i| format!("@user{i} ")).collect();
        assert_eq!(render_post(&many).unwrap().1.len(), MAX_MENTIONS);
        assert!(!render("@alice").unwrap().contains("href"));
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = render_ok("hi <script>alert(1)</script>");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn code_blocks_keep_their_language() {
        let html = render_ok("```rust\nfn main() {}\n```");
        assert!(html.contains(r#"<code class="language-rust">"#), "{html}");
    }

    #[test]
    fn hostile_language_classes_are_dropped() {
        let html = render_ok("```x\" onclick=\"alert(1)\nboom\n```");
        assert!(!html.contains("onclick"), "{html}");
    }

    #[test]
    fn links_are_marked_as_user_content() {
        let html = render_ok("[x](https://example.org) [y](javascript:alert(1))");
        assert!(html.contains(r#"rel="nofollow ugc noopener""#), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }
}

/// Generated bodies: a short unit of Markdown's meaningful tokens repeated up to the size limit,
/// the shape every super-linear input found so far had.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    const TOKENS: &[&str] = &[
        "- ",
        "* ",
        "+ ",
        "1. ",
        "> ",
        ">",
        "*",
        "**",
        "_",
        "~~",
        "`",
        "```",
        "[",
        "]",
        "](",
        ")",
        "![",
        "<",
        ">",
        "&amp",
        "|",
        "\n",
        "\n\n",
        "    ",
        "#",
        "a",
        " ",
        "\\",
        "<http://a>",
        "[^a]",
        "$",
        "---\n",
    ];

    fn body() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(prop::sample::select(TOKENS), 1..12),
            1usize..=65_536,
        )
            .prop_map(|(unit, size)| {
                let unit: String = unit.concat();
                let mut body = unit.repeat(size / unit.len() + 1);
                body.truncate(body.floor_char_boundary(size));
                body
            })
    }

    /// Bodies of nothing but tiny formulas, the densest maths a body can be (the property test
    /// found `[$[$[$…`, 19 times its size before `math::compact`).
    #[test]
    fn dense_tiny_formulas_keep_the_output_bound() {
        for unit in [
            "[$", "$[$ ", "$]($ ", "$|$ ", "$<$ ", "$(a)$ ", "$[a]$ ", "$a$ ",
        ] {
            for size in [24, 4096] {
                let body = unit.repeat(size / unit.len());
                let html = render(&body).expect("no nesting");
                assert!(
                    html.len() <= 16 * body.len() + 64,
                    "{unit:?} × {size}: {}",
                    html.len()
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Never a panic; refused only for nesting; and HTML that grows linearly with the input,
        /// which is what keeps the sanitiser linear (its cost follows the HTML it is given).
        #[test]
        fn any_body_renders_or_is_refused_for_its_nesting(body in body()) {
            match render(&body) {
                Ok(html) => prop_assert!(html.len() <= 16 * body.len() + 64, "{}", html.len()),
                Err(RenderError::TooDeep) => {}
            }
        }

        #[test]
        fn any_html_is_sanitised_or_refused_for_its_nesting(body in body()) {
            let html = body.replace('a', "<div>").replace('*', "</div>");
            match sanitize_html(&html) {
                Ok(clean) => prop_assert!(!clean.contains("<script")),
                Err(RenderError::TooDeep) => prop_assert!(html_nesting(&html) > MAX_HTML_NESTING),
            }
        }
    }
}
