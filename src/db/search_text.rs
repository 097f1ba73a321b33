//! `posts.body_text` for the posts written before migration 0016: the text search indexes (and
//! cuts snippets from) is the rendered text, which SQL cannot compute from HTML.
use crate::db::{Conn, on};

use crate::domain::searchable_text;

/// Posts read and written per transaction: a batch is a few hundred KB of bodies.
const BATCH: i64 = 500;

/// Fills `body_text` batch by batch from where the last call stopped (each batch its own short
/// transaction, so a big forum's first start after the upgrade can be interrupted and resumed),
/// until every post from before the migration has been looked at. Returns the posts filled.
/// The update trigger re-indexes each filled post with its text.
pub async fn fill_body_text(conn: &mut Conn<'_>) -> sqlx::Result<u64> {
    on!(conn, {
        let mut filled = 0;
        loop {
            let last: Option<(Option<i64>,)> =
                sqlx::query_as("SELECT last_post_id FROM search_text_backfill WHERE id = 1")
                    .fetch_optional(&mut *conn)
                    .await?;
            let Some((Some(last),)) = last else {
                return Ok(filled);
            };
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT id, body_md, body_html FROM posts
                 WHERE id > $1 AND body_text IS NULL ORDER BY id LIMIT $2",
            )
            .bind(last)
            .bind(BATCH)
            .fetch_all(&mut *conn)
            .await?;
            let texts: Vec<(i64, String, &str)> = rows
                .iter()
                .filter_map(|(id, md, html)| Some((*id, searchable_text(md, html)?, html.as_str())))
                .collect();
            let next = match rows.last() {
                Some((id, ..)) if rows.len() as i64 == BATCH => Some(*id),
                _ => None,
            };
            let mut tx = crate::db::BeginWrite::begin_write(&mut *conn).await?;
            for (id, text, html) in &texts {
                // Unless another process rewrote the post since it was read.
                let done = sqlx::query(
                    "UPDATE posts SET body_text = $1
                     WHERE id = $2 AND body_text IS NULL AND body_html = $3",
                )
                .bind(text)
                .bind(id)
                .bind(html)
                .execute(&mut *tx)
                .await?;
                filled += done.rows_affected();
            }
            sqlx::query("UPDATE search_text_backfill SET last_post_id = $1 WHERE id = 1")
                .bind(next)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
    })
}
