use crate::db::{Conn, on};

use crate::domain::search::{SearchOrder, SearchQuery};

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

/// The same words for PostgreSQL: all but the last (for `plainto_tsquery`, which makes each an
/// AND-ed term and cannot be broken by any text) and the last one (a prefix, through
/// `to_tsquery(quote_literal(last) || ':*')`). Backslashes are dropped: `quote_literal` would
/// write them as an `E''` string, which `to_tsquery` does not read.
pub fn pg_query(text: &str) -> Option<(String, String)> {
    let text: String = text
        .chars()
        .filter(|c| !c.is_control() && *c != '\\')
        .collect();
    let mut words: Vec<&str> = text.split_whitespace().take(16).collect();
    let last = words.pop()?.to_string();
    Some((words.join(" "), last))
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

/// Visible topics matching `query`, one row per topic (its best post, with a snippet), best
/// first by bm25 (titles weigh 5× bodies) or newest first, among the newest [`CANDIDATES`]
/// matching posts. The filters (`tag:`, `user:`, `is:`) narrow the candidates as they are read,
/// so a filtered search still ranks up to a thousand of its own matches. A query of filters
/// alone lists the newest matches: opening posts (topics), or with `user:` the member's posts.
///
/// Only the page's rows get a snippet: `snippet()` re-tokenises a document. The snippet is found
/// with the query's words as exact terms (`$5`, the query without its trailing `*`): with a prefix,
/// FTS5 merges the doclists of every term sharing it even to look at one rowid (12 ms each for
/// `production*` on 1M posts, against 0.4 ms exact). A hit that matched through the prefix only
/// shows the start of its post. The `CROSS JOIN`s fix the join order: the full-text index (or
/// the filter's index) first, then each candidate's post and topic by primary key; in the outer
/// query the page stays the outer loop, so the second full-text lookup is one rowid per hit.
/// `MIN(rank)` (or `MAX(created_at)`) with bare columns takes the other columns from that post.
pub async fn search(
    conn: &mut Conn<'_>,
    query: &SearchQuery,
    order: SearchOrder,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Results> {
    on!(conn, pg, {
        // $1 the full-text query and $5 the snippet's terms: see `search_sql` and `pg_search_sql`.
        let (words, snippet_terms) = if pg {
            pg_query(&query.text()).map_or((None, None), |(most, last)| (Some(most), Some(last)))
        } else {
            let fts = fts_query(&query.text());
            let exact = fts
                .as_deref()
                .map(|q| q.strip_suffix('*').unwrap_or(q).to_string());
            (fts, exact)
        };
        let tags = query.tags();
        let sql = if pg {
            pg_search_sql(words.is_some(), query, order)
        } else {
            search_sql(words.is_some(), query, order)
        };
        let rows = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
            .bind(words.as_deref())
            .bind(limit)
            .bind(offset)
            .bind(CANDIDATES)
            .bind(snippet_terms.as_deref())
            .bind(serde_json::to_string(&tags).expect("a list of strings always serialises"))
            .bind(tags.len() as i64)
            .bind(query.user())
            .bind(query.answered())
            .bind(tags.first().copied())
            .fetch_all(conn)
            .await?;
        let (topics, candidates) = rows.first().map_or((0, 0), |r| (r.topics, r.candidates));
        Ok(Results {
            hits: rows.into_iter().map(|r| r.hit).collect(),
            topics,
            capped: candidates >= CANDIDATES,
        })
    })
}

/// Parameters: $1 the FTS5 query (NULL without words), $2 limit, $3 offset, $4 [`CANDIDATES`],
/// $5 the snippet's exact terms, $6 the `tag:` names as a JSON array and $7 their number, $10 the
/// first of them, $8 the `user:` name, $9 `is:answered` (1) or `is:unanswered` (0). Put together
/// from the constant fragments below only, so each statement names just the filters it uses and
/// SQLite plans it for them.
fn search_sql(words: bool, query: &SearchQuery, order: SearchOrder) -> String {
    let mut filters = String::new();
    let user = query.user().is_some();
    let tags = !query.tags().is_empty();
    if tags {
        filters.push_str(
            " AND (SELECT COUNT(*) FROM topic_tags ft JOIN tags fg ON fg.id = ft.tag_id
                   WHERE ft.topic_id = t.id AND ft.status = 'active'
                     AND fg.name IN (SELECT value FROM json_each($6))) = $7",
        );
    }
    if user && words {
        filters.push_str(" AND p.author_id = (SELECT id FROM users WHERE username = $8)");
    }
    if query.answered().is_some() {
        filters.push_str(" AND (t.accepted_post_id IS NOT NULL) = $9");
    }
    let candidates = if words {
        format!(
            "SELECT search_index.rowid AS post_id, p.topic_id, p.created_at,
                    bm25(search_index, 5.0, 1.0) AS rank
             FROM search_index
             CROSS JOIN posts p ON p.id = search_index.rowid
             CROSS JOIN topics t ON t.id = p.topic_id
             WHERE search_index MATCH $1 AND p.hidden = 0 AND t.hidden = 0{filters}
             ORDER BY search_index.rowid DESC LIMIT $4"
        )
    } else if user {
        // The member's posts, newest first, from `posts_by_author`.
        format!(
            "SELECT p.id AS post_id, p.topic_id, p.created_at, 0.0 AS rank
             FROM posts p CROSS JOIN topics t ON t.id = p.topic_id
             WHERE p.author_id = (SELECT id FROM users WHERE username = $8)
               AND p.hidden = 0 AND t.hidden = 0{filters}
             ORDER BY p.created_at DESC LIMIT $4"
        )
    } else if tags {
        // The first tag's topics, newest first, from `topic_tags_active_new` (0016).
        format!(
            "SELECT p.id AS post_id, tt.topic_id, tt.t_created_at AS created_at, 0.0 AS rank
             FROM topic_tags tt
             CROSS JOIN topics t ON t.id = tt.topic_id
             CROSS JOIN posts p ON p.topic_id = t.id AND p.is_first = 1
             WHERE tt.tag_id = (SELECT id FROM tags WHERE name = $10) AND tt.status = 'active'
               AND tt.t_hidden = 0 AND p.hidden = 0{filters}
             ORDER BY tt.t_created_at DESC LIMIT $4"
        )
    } else {
        format!(
            "SELECT p.id AS post_id, t.id AS topic_id, t.created_at, 0.0 AS rank
             FROM topics t CROSS JOIN posts p ON p.topic_id = t.id AND p.is_first = 1
             WHERE t.hidden = 0 AND p.hidden = 0{filters}
             ORDER BY t.created_at DESC LIMIT $4"
        )
    };
    let (best, page_order) = match (order, words) {
        (SearchOrder::Relevance, true) => ("MIN(rank) AS rank, created_at", "rank, topic_id"),
        _ => (
            "rank, MAX(created_at) AS created_at",
            "created_at DESC, topic_id DESC",
        ),
    };
    let text = "COALESCE(p.body_text, p.body_md)";
    let start =
        format!("substr({text}, 1, 160) || CASE WHEN length({text}) > 160 THEN '…' ELSE '' END");
    let snippet = if words {
        format!(
            "COALESCE((SELECT snippet(search_index, 1, char(2), char(3), '…', 24)
                       FROM search_index
                       WHERE search_index MATCH $5 AND search_index.rowid = page.post_id),
                      {start})"
        )
    } else {
        start
    };
    format!(
        "WITH candidates AS MATERIALIZED ({candidates}),
         best AS MATERIALIZED (
             SELECT topic_id, post_id, {best} FROM candidates GROUP BY topic_id),
         page AS (SELECT topic_id, post_id, rank, created_at FROM best
                  ORDER BY {page_order} LIMIT $2 OFFSET $3)
         SELECT page.topic_id, page.post_id, t.title, {snippet} AS snippet, page.rank,
                (SELECT COUNT(*) FROM best) AS topics,
                (SELECT COUNT(*) FROM candidates) AS candidates
         FROM page
         JOIN posts p ON p.id = page.post_id
         JOIN topics t ON t.id = page.topic_id
         ORDER BY {}",
        page_order
            .split(", ")
            .map(|c| format!("page.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// [`search_sql`] on PostgreSQL, same parameters but $1 and $5, which are the words but the last
/// and the last word (see [`pg_query`]). The full-text index is `search_index` (migration
/// `postgres/0001`): titles weigh 1.0 (A) and bodies 0.2 (D) in `ts_rank_cd`, five to one as in
/// the bm25 of SQLite, negated so that smaller is better there too. Each topic's best post is
/// found with `DISTINCT ON`; the snippet is `ts_headline` of the post's text.
fn pg_search_sql(words: bool, query: &SearchQuery, order: SearchOrder) -> String {
    let mut filters = String::new();
    let user = query.user().is_some();
    let tags = !query.tags().is_empty();
    if tags {
        filters.push_str(
            " AND (SELECT COUNT(*) FROM topic_tags ft JOIN tags fg ON fg.id = ft.tag_id
                   WHERE ft.topic_id = t.id AND ft.status = 'active'
                     AND fg.name IN (SELECT json_array_elements_text($6::json))) = $7",
        );
    }
    if user && words {
        filters.push_str(" AND p.author_id = (SELECT id FROM users WHERE username = $8)");
    }
    if query.answered().is_some() {
        filters.push_str(" AND (t.accepted_post_id IS NOT NULL) = $9");
    }
    let tsquery = "(plainto_tsquery('english', $1)
                    && to_tsquery('english', quote_literal($5) || ':*'))";
    let candidates = if words {
        format!(
            "SELECT si.post_id, p.topic_id, p.created_at,
                    (-ts_rank_cd('{{0.2,0.2,0.2,1.0}}', si.tsv, {tsquery}))::float8 AS rank
             FROM search_index si
             JOIN posts p ON p.id = si.post_id
             JOIN topics t ON t.id = p.topic_id
             WHERE si.tsv @@ {tsquery} AND p.hidden = 0 AND t.hidden = 0{filters}
             ORDER BY si.post_id DESC LIMIT $4"
        )
    } else if user {
        format!(
            "SELECT p.id AS post_id, p.topic_id, p.created_at, 0.0::float8 AS rank
             FROM posts p JOIN topics t ON t.id = p.topic_id
             WHERE p.author_id = (SELECT id FROM users WHERE username = $8)
               AND p.hidden = 0 AND t.hidden = 0{filters}
             ORDER BY p.created_at DESC LIMIT $4"
        )
    } else if tags {
        format!(
            "SELECT p.id AS post_id, tt.topic_id, tt.t_created_at AS created_at, 0.0::float8 AS rank
             FROM topic_tags tt
             JOIN topics t ON t.id = tt.topic_id
             JOIN posts p ON p.topic_id = t.id AND p.is_first = 1
             WHERE tt.tag_id = (SELECT id FROM tags WHERE name = $10) AND tt.status = 'active'
               AND tt.t_hidden = 0 AND p.hidden = 0{filters}
             ORDER BY tt.t_created_at DESC LIMIT $4"
        )
    } else {
        format!(
            "SELECT p.id AS post_id, t.id AS topic_id, t.created_at, 0.0::float8 AS rank
             FROM topics t JOIN posts p ON p.topic_id = t.id AND p.is_first = 1
             WHERE t.hidden = 0 AND p.hidden = 0{filters}
             ORDER BY t.created_at DESC LIMIT $4"
        )
    };
    let (best_order, page_order) = match (order, words) {
        (SearchOrder::Relevance, true) => ("rank, post_id DESC", "rank, topic_id"),
        _ => (
            "created_at DESC, post_id DESC",
            "created_at DESC, topic_id DESC",
        ),
    };
    let text = "COALESCE(p.body_text, p.body_md)";
    let start =
        format!("substr({text}, 1, 160) || CASE WHEN length({text}) > 160 THEN '…' ELSE '' END");
    let snippet = if words {
        format!(
            "COALESCE(ts_headline('english', {text}, {tsquery},
                                  'StartSel=' || chr(2) || ', StopSel=' || chr(3)
                                  || ', MaxWords=24, MinWords=8, MaxFragments=1'),
                      {start})"
        )
    } else {
        start
    };
    format!(
        "WITH candidates AS MATERIALIZED ({candidates}),
         best AS MATERIALIZED (
             SELECT DISTINCT ON (topic_id) topic_id, post_id, rank, created_at FROM candidates
             ORDER BY topic_id, {best_order}),
         page AS (SELECT topic_id, post_id, rank, created_at FROM best
                  ORDER BY {page_order} LIMIT $2 OFFSET $3)
         SELECT page.topic_id, page.post_id, t.title, {snippet} AS snippet, page.rank,
                (SELECT COUNT(*) FROM best) AS topics,
                (SELECT COUNT(*) FROM candidates) AS candidates
         FROM page
         JOIN posts p ON p.id = page.post_id
         JOIN topics t ON t.id = page.topic_id
         ORDER BY {}",
        page_order
            .split(", ")
            .map(|c| format!("page.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
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

    #[test]
    fn postgres_gets_the_words_and_the_last_one_apart() {
        assert_eq!(pg_query("  "), None);
        assert_eq!(pg_query("tokio"), Some((String::new(), "tokio".into())));
        assert_eq!(
            pg_query("c++ async\\ tok\0io"),
            Some(("c++ async".into(), "tokio".into()))
        );
    }
}
