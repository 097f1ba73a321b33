//! What a search box understands: free words mixed with `tag:NAME`, `user:NAME`, `is:answered`
//! and `is:unanswered`, and the order of the results.
use super::TagName;

/// At most this many `tag:` filters count (a topic has a handful of tags).
pub const MAX_TAGS: usize = 4;

/// One piece of what was typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Term {
    Word(String),
    /// Topics with this active tag (a valid tag name, normalised as tags are).
    Tag(String),
    /// Posts by this member (usernames compare without case).
    User(String),
    /// Topics with (`true`) or without an accepted answer.
    Answered(bool),
}

impl Term {
    fn parse(word: &str) -> Self {
        let filter = match word.split_once(':') {
            Some(("tag", name)) => TagName::parse(name)
                .ok()
                .map(|t| Term::Tag(t.as_str().to_owned())),
            Some(("user", name)) if !name.is_empty() => Some(Term::User(name.to_owned())),
            Some(("is", "answered")) => Some(Term::Answered(true)),
            Some(("is", "unanswered")) => Some(Term::Answered(false)),
            _ => None,
        };
        filter.unwrap_or_else(|| Term::Word(word.to_owned()))
    }

    /// The term as it is typed.
    pub fn text(&self) -> String {
        match self {
            Term::Word(w) => w.clone(),
            Term::Tag(t) => format!("tag:{t}"),
            Term::User(u) => format!("user:{u}"),
            Term::Answered(true) => "is:answered".into(),
            Term::Answered(false) => "is:unanswered".into(),
        }
    }
}

/// A search as typed, split into its words and filters. Of repeated `user:` and `is:` filters
/// the last one counts; `tag:` filters all count (up to [`MAX_TAGS`]). A filter with a value it
/// cannot have (`tag:` with spaces or odd characters, `is:maybe`) is an ordinary word.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SearchQuery {
    terms: Vec<Term>,
}

impl SearchQuery {
    pub fn parse(typed: &str) -> Self {
        let mut terms: Vec<Term> = Vec::new();
        for term in typed.split_whitespace().map(Term::parse) {
            let replaces = |t: &Term| match (t, &term) {
                (Term::User(_), Term::User(_)) | (Term::Answered(_), Term::Answered(_)) => true,
                (Term::Tag(a), Term::Tag(b)) => a == b,
                _ => false,
            };
            terms.retain(|t| !replaces(t));
            let tags = terms.iter().filter(|t| matches!(t, Term::Tag(_))).count();
            if !(matches!(term, Term::Tag(_)) && tags >= MAX_TAGS) {
                terms.push(term);
            }
        }
        Self { terms }
    }

    /// The free words, for the full-text index.
    pub fn text(&self) -> String {
        self.words().collect::<Vec<_>>().join(" ")
    }

    fn words(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().filter_map(|t| match t {
            Term::Word(w) => Some(w.as_str()),
            _ => None,
        })
    }

    pub fn tags(&self) -> Vec<&str> {
        self.terms
            .iter()
            .filter_map(|t| match t {
                Term::Tag(name) => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }

    pub fn user(&self) -> Option<&str> {
        self.terms.iter().find_map(|t| match t {
            Term::User(name) => Some(name.as_str()),
            _ => None,
        })
    }

    pub fn answered(&self) -> Option<bool> {
        self.terms.iter().find_map(|t| match t {
            Term::Answered(a) => Some(*a),
            _ => None,
        })
    }

    /// The filters in use, in the order typed.
    pub fn filters(&self) -> impl Iterator<Item = &Term> {
        self.terms.iter().filter(|t| !matches!(t, Term::Word(_)))
    }

    pub fn has_filters(&self) -> bool {
        self.filters().next().is_some()
    }

    /// Nothing to search for: no word and no filter.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The search as it would be typed without `term` (the link that drops a filter).
    pub fn without(&self, term: &Term) -> String {
        self.terms
            .iter()
            .filter(|t| *t != term)
            .map(Term::text)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// How results are ordered. A search of filters alone has no relevance to rank by and lists the
/// newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SearchOrder {
    #[default]
    Relevance,
    Newest,
}

impl SearchOrder {
    /// `?order=relevance|newest`; anything else (or nothing) is relevance.
    pub fn parse(order: Option<&str>) -> Self {
        match order {
            Some("newest") => SearchOrder::Newest,
            _ => SearchOrder::Relevance,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SearchOrder::Relevance => "relevance",
            SearchOrder::Newest => "newest",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_taken_out_of_the_words() {
        let q = SearchQuery::parse("tag:Qubit  noise user:Alice is:unanswered gates");
        assert_eq!(q.text(), "noise gates");
        assert_eq!(q.tags(), ["qubit"]);
        assert_eq!(q.user(), Some("Alice"));
        assert_eq!(q.answered(), Some(false));
        assert_eq!(
            q.without(&Term::Tag("qubit".into())),
            "noise user:Alice is:unanswered gates"
        );
    }

    #[test]
    fn odd_filters_are_words_and_the_last_repeat_counts() {
        let q = SearchQuery::parse("is:maybe tag: user: is:answered is:unanswered user:a user:b");
        assert_eq!(q.text(), "is:maybe tag: user:");
        assert_eq!(q.user(), Some("b"));
        assert_eq!(q.answered(), Some(false));
        let many = SearchQuery::parse("tag:a tag:b tag:a tag:c tag:d tag:e tag:f");
        assert_eq!(many.tags(), ["b", "a", "c", "d"]);
        assert!(SearchQuery::parse("  ").is_empty());
        assert!(!SearchQuery::parse("tag:rust").is_empty());
    }
}
