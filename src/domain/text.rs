//! Plain text from rendered HTML: what the search index holds and shows in snippets, so a hit
//! never shows Markdown syntax (`**`, fences) or tags.
use std::borrow::Cow;

/// The text of an HTML body: what search indexes (an imported post's `body_md`, a local post's
/// `body_text`) and what an editor of an imported post starts from.
/// Tags are dropped (block ends become line breaks so words do not run together) and entities
/// decoded; code stays as text, which is what makes it findable.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let Some(gt) = rest[lt..].find('>') else {
            // A stray '<' with no closing '>' is text, not a tag.
            out.push_str(&decode_entities(&rest[lt..]));
            return finish(out);
        };
        let tag = &rest[lt + 1..lt + gt];
        let name = tag.trim_start_matches('/');
        let name = &name[..name.find([' ', '\t', '\n', '/']).unwrap_or(name.len())];
        // Block boundaries become line breaks so words do not run together; paragraphs get a
        // blank line, as in Markdown.
        let breaks = match name.to_ascii_lowercase().as_str() {
            "br" | "li" | "tr" => 1,
            "p" | "pre" | "div" | "blockquote" | "ul" | "ol" | "table" | "hr" | "h1" | "h2"
            | "h3" | "h4" | "h5" | "h6" => 2,
            _ => 0,
        };
        while !out.is_empty() && out.len() - out.trim_end_matches('\n').len() < breaks {
            out.push('\n');
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(&decode_entities(rest));
    finish(out)
}

/// Trims the ends and keeps at most one blank line in a row (`</p>\n\n<p>` would leave three).
/// Copies the text between newlines whole: going character by character cost 3 % of an import's
/// instructions.
fn finish(text: String) -> String {
    let mut rest = text.trim();
    let mut out = String::with_capacity(rest.len());
    while let Some(newline) = rest.find('\n') {
        out.push_str(&rest[..newline]);
        rest = &rest[newline..];
        let run = rest.len() - rest.trim_start_matches('\n').len();
        out.push_str(&"\n\n"[..run.min(2)]);
        rest = &rest[run..];
    }
    out.push_str(rest);
    out
}

/// Decodes the entities HTML bodies use: the five named ones, `&nbsp;` and numeric references.
/// Anything else is left as written.
fn decode_entities(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // Byte search: a ';' is always on a character boundary, wherever the 12-byte window ends.
        let end = rest.as_bytes()[..rest.len().min(12)]
            .iter()
            .position(|&b| b == b';');
        let decoded = end.and_then(|end| {
            let entity = &rest[1..end];
            let c = match entity {
                "lt" => '<',
                "gt" => '>',
                "amp" => '&',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                _ => {
                    let code = if let Some(hex) =
                        entity.strip_prefix("#x").or(entity.strip_prefix("#X"))
                    {
                        u32::from_str_radix(hex, 16).ok()
                    } else {
                        entity.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    char::from_u32(code?)?
                }
            };
            Some((c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}
