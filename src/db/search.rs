use sqlx::SqliteConnection;

/// Highlight markers put around matches by FTS5's `snippet()`. Control characters cannot occur in
/// a stored title and are vanishingly rare in bodies, so the web layer can escape the snippet and
/// then turn them into `<mark>` safely.
pub const MATCH_START: char = '\u{2}';
pub const MATCH_END: char = '\u{3}';

/// One search hit: the post that matched, in its topic.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Hit {
    pub topic_id: i64,
    pub post_id: i64,
    pub title: String,
    pub snippet: String,
    pub rank: f64,
}

/// Turns what a user typed into a safe FTS5 query: each word becomes a quoted phrase (so `c++`,
/// `"` or `NEAR` cannot break the syntax), all must match, the last one as a prefix.
/// Control characters are dropped first: FTS5 reads a NUL as the end of the query (an
/// "unterminated string" error), and the snippet markers must not come from the user.
pub fn fts_query(text: &str) -> Option<String> {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    let words: Vec<String> = text
        .split_whitespace()
        .take(16)
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(format!("{}*", words.join(" ")))
}

/// Visible posts matching `query` (already an FTS5 query from [`fts_query`]), best first (bm25,
/// titles weigh 5× bodies).
///
/// The page of hits is chosen first and only its rows get a snippet: `snippet()` re-tokenises a
/// document, and computed for every match of a common word (over 100,000 posts in a big forum)
/// it took minutes. The `CROSS JOIN`s fix the join order SQLite must use: the full-text index
/// first, then each match's post and topic by primary key. Left free, SQLite 3.51 walks every
/// visible topic's posts and runs the full-text query once per post (minutes on 1M posts, even
/// for a rare word); and in the outer query the page stays the outer loop, so the second
/// full-text lookup is one rowid per hit.
pub async fn search(
    conn: &mut SqliteConnection,
    query: &str,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Hit>> {
    sqlx::query_as::<_, Hit>(
        "WITH page AS (
             SELECT search_index.rowid AS post_id, bm25(search_index, 5.0, 1.0) AS rank
             FROM search_index
             CROSS JOIN posts p ON p.id = search_index.rowid
             CROSS JOIN topics t ON t.id = p.topic_id
             WHERE search_index MATCH ?1 AND p.hidden = 0 AND t.hidden = 0
             ORDER BY rank LIMIT ?2 OFFSET ?3)
         SELECT p.topic_id, p.id AS post_id, t.title,
                snippet(search_index, 1, char(2), char(3), '…', 24) AS snippet,
                page.rank
         FROM page
         CROSS JOIN search_index ON search_index.rowid = page.post_id
         JOIN posts p ON p.id = page.post_id
         JOIN topics t ON t.id = p.topic_id
         WHERE search_index MATCH ?1
         ORDER BY page.rank",
    )
    .bind(query)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_quoted_into_phrases() {
        assert_eq!(fts_query("  ").as_deref(), None);
        assert_eq!(
            fts_query("c++ tokio").as_deref(),
            Some("\"c++\" \"tokio\"*")
        );
        assert_eq!(
            fts_query("say \"hi\"").as_deref(),
            Some("\"say\" \"\"\"hi\"\"\"*")
        );
        assert_eq!(fts_query("rust\0").as_deref(), Some("\"rust\"*"));
        assert_eq!(fts_query("\0\u{2}").as_deref(), None);
    }
}
