//! Text → tokens, keeping the technical tokens that carry the most tag evidence.

/// Replaces every number, so `1.2`, `2024` and `0x1f` share one embedding.
pub const NUM: &str = "<num>";

/// Splits text into lower-case tokens.
///
/// A token is a run of letters, digits and `_`, extended by the joiners that technical names use:
/// `.` (`node.js`, a leading one in `.net`), `::` (`std::vector`), `-` and `'` between word characters,
/// and trailing `+`/`#` (`c++`, `c#`). Everything else is a separator, except that code is kept as the
/// words it contains. Pure numbers (with `.`, `,`, or a hex prefix) become [`NUM`].
pub fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    tokenize_into(text, &mut out);
    out
}

/// Like [`tokenize`], appending to `out`.
pub fn tokenize_into(text: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_dotted = c == '.' && i + 1 < chars.len() && chars[i + 1].is_alphabetic();
        let leading_dot_ok = starts_dotted && (i == 0 || !word(chars[i - 1]));
        if !word(c) && !leading_dot_ok {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        loop {
            if i < chars.len() && word(chars[i]) {
                i += 1;
            } else if i + 1 < chars.len()
                && matches!(chars[i], '.' | '-' | '\'')
                && word(chars[i + 1])
            {
                i += 2;
            } else if i + 2 < chars.len()
                && chars[i] == ':'
                && chars[i + 1] == ':'
                && word(chars[i + 2])
            {
                i += 3;
            } else {
                break;
            }
        }
        // `c++`, `c#`, `f#`, `g++`: a run of `+`/`#` after a short word, not followed by another
        // word character, so `a+b` stays split.
        let mut end = i;
        while end < chars.len() && matches!(chars[end], '+' | '#') {
            end += 1;
        }
        if end > i && i - start <= 3 && !chars.get(end).is_some_and(|&c| word(c)) {
            i = end;
        }
        let token: String = chars[start..i].iter().collect();
        out.push(if is_number(&token) {
            NUM.to_string()
        } else {
            token
        });
    }
}

fn is_number(token: &str) -> bool {
    let digits = token
        .strip_prefix("0x")
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()));
    digits.is_some()
        || (token.starts_with(|c: char| c.is_ascii_digit())
            && token
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == ','))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_technical_tokens_whole() {
        let tokens = tokenize("Using C++ and C# with .NET, Node.js; std::vector in __init__ (F#)?");
        assert_eq!(
            tokens,
            [
                "using",
                "c++",
                "and",
                "c#",
                "with",
                ".net",
                "node.js",
                "std::vector",
                "in",
                "__init__",
                "f#"
            ]
        );
    }

    #[test]
    fn numbers_become_num_and_words_with_digits_stay() {
        assert_eq!(
            tokenize("Python3 took 2.5s, 1.000 runs at 0x1F"),
            ["python3", "took", "2.5s", NUM, "runs", "at", NUM]
        );
        assert_eq!(
            tokenize("version 3.11 in 2024."),
            ["version", NUM, "in", NUM]
        );
    }

    #[test]
    fn code_is_kept_as_its_words() {
        assert_eq!(
            tokenize("`x = foo.bar(1)` don't a+b"),
            ["x", "foo.bar", NUM, "don't", "a", "b"]
        );
        assert_eq!(tokenize("real-time"), ["real-time"]);
    }
}
