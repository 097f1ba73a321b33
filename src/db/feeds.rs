//! What the Atom feeds show: visible posts only, with their rendered HTML.
use std::collections::HashMap;

use crate::db::{Conn, on};

/// The rendered opening posts of the given topics, by topic id (hidden ones left out).
pub async fn opening_html(
    conn: &mut Conn<'_>,
    topic_ids: &[i64],
) -> sqlx::Result<HashMap<i64, String>> {
    on!(conn, {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT p.topic_id, p.body_html FROM posts p
             WHERE p.topic_id IN (SELECT value FROM json_each($1)) AND p.is_first = 1
               AND p.hidden = 0",
        )
        .bind(super::json_ids(topic_ids))
        .fetch_all(conn)
        .await?;
        Ok(rows.into_iter().collect())
    })
}

/// A member's post as their feed shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedPost {
    pub id: i64,
    pub topic_id: i64,
    pub topic_title: String,
    #[sqlx(try_from = "crate::db::Flag")]
    pub is_first: bool,
    pub body_html: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

/// A member's newest visible posts in visible topics.
pub async fn posts_by_author(
    conn: &mut Conn<'_>,
    author_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<FeedPost>> {
    on!(conn, {
        sqlx::query_as::<_, FeedPost>(
            "SELECT p.id, p.topic_id, t.title AS topic_title, p.is_first, p.body_html, p.created_at,
                    p.edited_at
             FROM posts p JOIN topics t ON t.id = p.topic_id
             WHERE p.author_id = $1 AND p.hidden = 0 AND t.hidden = 0
             ORDER BY p.created_at DESC, p.id DESC LIMIT $2",
        )
        .bind(author_id)
        .bind(limit)
        .fetch_all(conn)
        .await
    })
}
