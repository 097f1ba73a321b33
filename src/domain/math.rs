//! LaTeX maths to MathML on the server (pulldown-latex): `$…$` and `$$…$$` in posts written here,
//! and the MathJax-delimited maths of imported Stack Exchange posts. Browsers draw MathML
//! natively, so no script or outside service is needed. Malformed LaTeX stays visible as code.

/// Longest formula rendered; longer ones are shown as code. Real formulas are a few hundred
/// characters; the bound keeps one post's maths linear and small.
pub const MAX_FORMULA: usize = 2_000;
/// Deepest `{…}` or `\begin…\end` nesting rendered (the parser recurses on groups).
pub const MAX_GROUP_DEPTH: usize = 32;

/// The MathML of `latex`, or `None` when it does not parse or exceeds the bounds above (the
/// caller shows the source as code).
pub fn to_mathml(latex: &str, display: bool) -> Option<String> {
    if latex.len() > MAX_FORMULA || group_depth(latex) > MAX_GROUP_DEPTH {
        return None;
    }
    // The parser and renderer are a young crate that panics on some inputs (real Stack Exchange
    // posts found one in its error reporting): a panic costs that formula, never the post.
    std::panic::catch_unwind(|| render_checked(latex, display))
        .ok()
        .flatten()
}

fn render_checked(latex: &str, display: bool) -> Option<String> {
    let storage = pulldown_latex::Storage::new();
    let events: Vec<_> = pulldown_latex::Parser::new(latex, &storage).collect();
    if events.iter().any(Result::is_err) {
        return None;
    }
    let config = pulldown_latex::RenderConfig {
        display_mode: if display {
            pulldown_latex::config::DisplayMode::Block
        } else {
            pulldown_latex::config::DisplayMode::Inline
        },
        ..Default::default()
    };
    let mut mathml = String::new();
    pulldown_latex::push_mathml(&mut mathml, events.into_iter(), config).ok()?;
    Some(compact(&mathml))
}

/// Drops what the renderer spells out but MathML implies: `display="inline"` is the default,
/// and `symmetric` only matters for an operator that stretches. A one-bracket formula such as
/// `$[$` came out 25 times its source, past the 16× the renderer's output keeps to (which
/// keeps sanitising linear); it is 13 times now, drawn the same.
fn compact(mathml: &str) -> String {
    mathml
        .replace(r#"<math display="inline">"#, "<math>")
        .replace(
            r#" symmetric="false" stretchy="false""#,
            r#" stretchy="false""#,
        )
        .replace(
            r#" stretchy="false" symmetric="false""#,
            r#" stretchy="false""#,
        )
}

fn group_depth(latex: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = latex;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("\\begin") {
            depth += 1;
        } else if rest.starts_with("\\end") {
            depth = depth.saturating_sub(1);
        } else if c == '\\' {
            // An escaped brace (`\{`) is a character, not a group.
            rest = &rest[1..];
            if let Some(next) = rest.chars().next() {
                rest = &rest[next.len_utf8()..];
            }
            continue;
        } else if c == '{' {
            depth += 1;
        } else if c == '}' {
            depth = depth.saturating_sub(1);
        }
        deepest = deepest.max(depth);
        rest = &rest[c.len_utf8()..];
    }
    deepest
}

/// Replaces MathJax-delimited maths (`$$…$$`, `$…$`, `\[…\]`, `\(…\)`) in the text of sanitised
/// HTML (an imported post) with MathML, leaving `<code>` and `<pre>` alone. Formulas that do not
/// render stay as they were. One pass over the input.
pub fn render_in_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut in_code = 0usize;
    while !rest.is_empty() {
        if let Some(tag_end) = rest.starts_with('<').then(|| rest.find('>')).flatten() {
            let tag = &rest[..=tag_end];
            let name = tag
                .trim_start_matches(['<', '/'])
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if name == "code" || name == "pre" {
                if tag.starts_with("</") {
                    in_code = in_code.saturating_sub(1);
                } else {
                    in_code += 1;
                }
            }
            out.push_str(tag);
            rest = &rest[tag_end + 1..];
            continue;
        }
        // A `<` that opens no tag (no `>` follows) is text, as is everything after it.
        let text_end = match rest.find('<') {
            Some(0) | None => rest.len(),
            Some(at) => at,
        };
        let text = &rest[..text_end];
        if in_code == 0 {
            math_in_text(text, &mut out);
        } else {
            out.push_str(text);
        }
        rest = &rest[text_end..];
    }
    out
}

/// `text` (HTML-escaped) with its delimited formulas as MathML.
fn math_in_text(text: &str, out: &mut String) {
    const DELIMITERS: [(&str, &str, bool); 4] = [
        ("$$", "$$", true),
        ("\\[", "\\]", true),
        ("\\(", "\\)", false),
        ("$", "$", false),
    ];
    let mut rest = text;
    // A delimiter with no closer left in the text is not looked for again, and a closer is only
    // looked for within a formula's length: the scan stays linear in the text.
    let mut exhausted = [false; DELIMITERS.len()];
    'scan: while !rest.is_empty() {
        let Some(start) = rest.find(['$', '\\']) else {
            break;
        };
        for (d, (open, close, display)) in DELIMITERS.into_iter().enumerate() {
            if exhausted[d] || !rest[start..].starts_with(open) {
                continue;
            }
            let body_start = start + open.len();
            let window = &rest[body_start..floor_char_boundary(rest, body_start + MAX_FORMULA + 2)];
            let found = if open == "$" {
                inline_dollar_close(window)
            } else {
                window.find(close)
            };
            let Some(len) = found else {
                // None within a formula's length; none at all when the window reached the end.
                exhausted[d] = body_start + window.len() == rest.len();
                continue;
            };
            let source = unescape(&rest[body_start..body_start + len]);
            if source.trim().is_empty() {
                continue;
            }
            if let Some(mathml) = to_mathml(&source, display) {
                out.push_str(&rest[..start]);
                out.push_str(&mathml);
                rest = &rest[body_start + len + close.len()..];
                continue 'scan;
            }
        }
        // Not a formula here: keep the character and look further.
        let next = start + rest[start..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&rest[..next]);
        rest = &rest[next..];
    }
    out.push_str(rest);
}

/// The largest char boundary of `text` at or below `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Where a `$…$` formula starting at `body` ends, with pandoc's rules so that prices stay text:
/// the opening `$` is followed by a non-space, the closing one follows a non-space and is not
/// followed by a digit, and neither is half of a `$$`.
fn inline_dollar_close(body: &str) -> Option<usize> {
    if body.starts_with(char::is_whitespace) || body.starts_with('$') {
        return None;
    }
    let bytes = body.as_bytes();
    let mut at = 0;
    while let Some(found) = body[at..].find('$') {
        let i = at + found;
        at = i + 1;
        let doubled = bytes.get(i + 1) == Some(&b'$') || (i > 0 && bytes[i - 1] == b'$');
        if doubled {
            at = i + 2;
            continue;
        }
        let after_space = i == 0 || body[..i].ends_with(char::is_whitespace);
        let before_digit = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !after_space && !before_digit {
            return Some(i);
        }
    }
    None
}

/// The LaTeX inside escaped HTML text (`&lt;` is `<`).
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_mathml_and_malformed_ones_do_not() {
        let inline = to_mathml(r"|\psi\rangle = \alpha|0\rangle", false).expect("renders");
        assert!(
            inline.starts_with("<math") && inline.contains("ψ"),
            "{inline}"
        );
        assert!(
            to_mathml(r"x^2", true)
                .unwrap()
                .contains(r#"display="block""#)
        );
        assert_eq!(to_mathml(r"\frac{1}{", false), None);
        assert_eq!(to_mathml(&"{".repeat(40), false), None);
        assert_eq!(to_mathml(&"x".repeat(MAX_FORMULA + 1), false), None);
    }

    #[test]
    fn scanning_stays_linear_on_unclosed_delimiters() {
        // 64 KiB of openers without closers: each is looked at once, within a window.
        for opener in ["$", "\\(", "\\[", "$$", "$a "] {
            let text = opener.repeat(65_536 / opener.len());
            assert_eq!(render_in_html(&text), text, "{opener}");
        }
    }

    #[test]
    fn imported_html_gets_its_mathjax_maths_rendered_outside_code() {
        let html =
            r"<p>A qubit $|\psi\rangle$ costs $5 and $$a &lt; b$$.</p><pre><code>$x$</code></pre>";
        let out = render_in_html(html);
        assert_eq!(out.matches("<math").count(), 2, "{out}");
        assert!(
            out.contains("<code>$x$</code>"),
            "code is left alone: {out}"
        );
        assert!(out.contains("costs $5 and "), "a price is text: {out}");
        // A `<` opening no tag is text (this looped forever once).
        assert!(render_in_html("a < $x$").starts_with("a < <math"));
        let unbalanced = "<p>It costs $5.</p>";
        assert_eq!(render_in_html(unbalanced), unbalanced);
    }
}
