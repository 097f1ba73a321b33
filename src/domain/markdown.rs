//! Markdown → safe HTML: pulldown-cmark renders, ammonia sanitises. Raw HTML in a post is shown as
//! text, never interpreted; links get `rel="nofollow ugc noopener"`; code blocks keep their language.
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, html};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .link_rel(Some("nofollow ugc noopener"))
        .add_tag_attributes("code", &["class"])
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

/// Renders a post body. The output is safe to embed in a page without escaping.
pub fn render(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        other => other,
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events);
    SANITIZER.clean(&unsafe_html).to_string()
}

/// Sanitises HTML that came from elsewhere (e.g. a Stack Exchange dump) with the same policy.
pub fn sanitize_html(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = render("hi <script>alert(1)</script>");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn code_blocks_keep_their_language() {
        let html = render("```rust\nfn main() {}\n```");
        assert!(html.contains(r#"<code class="language-rust">"#), "{html}");
    }

    #[test]
    fn hostile_language_classes_are_dropped() {
        let html = render("```x\" onclick=\"alert(1)\nboom\n```");
        assert!(!html.contains("onclick"), "{html}");
    }

    #[test]
    fn links_are_marked_as_user_content() {
        let html = render("[x](https://example.org) [y](javascript:alert(1))");
        assert!(html.contains(r#"rel="nofollow ugc noopener""#), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }
}
