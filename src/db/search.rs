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

/// How many of the newest matching posts a search ranks. A common word matches hundreds of
/// thousands of posts; scoring all of them took over a second on 1M posts. The newest thousand
/// (FTS5 walks its doclists by rowid, newest first, and stops) are ranked in milliseconds, and for
/// a forum the recent answers are the ones worth finding first.
pub const CANDIDATES: i64 = 1_000;

/// A page of search results and how many topics matched among the candidates.
#[derive(Debug, Clone)]
pub struct Results {
    pub hits: Vec<Hit>,
    /// Topics among the candidates (all matching topics unless `capped`).
    pub topics: i64,
    /// The candidate set was full: older posts may match too.
    pub capped: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    #[sqlx(flatten)]
    hit: Hit,
    topics: i64,
    candidates: i64,
}

/// Visible topics matching `query` (already an FTS5 query from [`fts_query`]), one row per topic
/// (its best post, with a snippet), best first by bm25 (titles weigh 5× bodies) among the newest
/// [`CANDIDATES`] matching posts.
///
/// Only the page's rows get a snippet: `snippet()` re-tokenises a document. The snippet is found
/// with the query's words as exact terms (`?5`, the query without its trailing `*`): with a prefix,
/// FTS5 merges the doclists of every term sharing it even to look at one rowid (12 ms each for
/// `production*` on 1M posts, against 0.4 ms exact). A hit that matched through the prefix only
/// shows the start of its post. The `CROSS JOIN`s fix
/// the join order: the full-text index first, then each candidate's post and topic by primary key
/// (left free, SQLite walks every visible topic's posts and runs the full-text query once per
/// post); in the outer query the page stays the outer loop, so the second full-text lookup is one
/// rowid per hit. `MIN(rank)` with bare columns takes the other columns from the best post.
pub async fn search(
    conn: &mut SqliteConnection,
    query: &str,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Results> {
    let rows = sqlx::query_as::<_, Row>(
        "WITH candidates AS MATERIALIZED (
             SELECT rowid AS post_id, bm25(search_index, 5.0, 1.0) AS rank
             FROM search_index WHERE search_index MATCH ?1
             ORDER BY rowid DESC LIMIT ?4),
         best AS MATERIALIZED (
             SELECT p.topic_id, c.post_id, MIN(c.rank) AS rank
             FROM candidates c
             CROSS JOIN posts p ON p.id = c.post_id
             CROSS JOIN topics t ON t.id = p.topic_id
             WHERE p.hidden = 0 AND t.hidden = 0
             GROUP BY p.topic_id),
         page AS (SELECT topic_id, post_id, rank FROM best ORDER BY rank, topic_id LIMIT ?2 OFFSET ?3)
         SELECT page.topic_id, page.post_id, t.title,
                COALESCE((SELECT snippet(search_index, 1, char(2), char(3), '…', 24)
                          FROM search_index
                          WHERE search_index MATCH ?5 AND search_index.rowid = page.post_id),
                         substr(p.body_md, 1, 160)) AS snippet,
                page.rank,
                (SELECT COUNT(*) FROM best) AS topics,
                (SELECT COUNT(*) FROM candidates) AS candidates
         FROM page
         JOIN posts p ON p.id = page.post_id
         JOIN topics t ON t.id = page.topic_id
         ORDER BY page.rank, page.topic_id",
    )
    .bind(query)
    .bind(limit)
    .bind(offset)
    .bind(CANDIDATES)
    .bind(query.strip_suffix('*').unwrap_or(query))
    .fetch_all(conn)
    .await?;
    let (topics, candidates) = rows.first().map_or((0, 0), |r| (r.topics, r.candidates));
    Ok(Results {
        hits: rows.into_iter().map(|r| r.hit).collect(),
        topics,
        capped: candidates >= CANDIDATES,
    })
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
