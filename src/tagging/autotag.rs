//! Suggested tags for a topic, stored beside the human ones.

use super::Tagger;
use crate::db;
use crate::db::Pool;
use crate::domain::{self, TagName};

/// Predicts tags for a topic's current title and opening post and stores them as suggestions
/// (or as active tags when `auto_apply` is set and the confidence reaches it). Returns how many
/// suggestions were made; 0 when no model serves.
pub async fn auto_tag(
    pool: &Pool,
    tagger: &Tagger,
    topic_id: i64,
    auto_apply: Option<f32>,
) -> anyhow::Result<usize> {
    if tagger.current().is_none() {
        return Ok(0);
    }
    let mut conn = pool.acquire().await?;
    let Some(topic) = db::topics::get(&mut conn, topic_id).await? else {
        return Ok(0);
    };
    let body = db::posts::list_for_topic(&mut conn, topic_id, None, true)
        .await?
        .into_iter()
        .find(|p| p.is_first)
        .map(|p| p.body_md)
        .unwrap_or_default();
    drop(conn);
    let Some(suggestions) = tagger.suggest(topic.title, body).await else {
        return Ok(0);
    };
    let now = domain::now();
    let mut tx = crate::db::begin_write(pool).await?;
    let mut rows = Vec::with_capacity(suggestions.tags.len());
    for (name, confidence) in &suggestions.tags {
        let Some(tag) = TagName::parse_lenient(name) else {
            continue;
        };
        let tag_id = db::tags::ensure(&mut tx, &tag, now).await?;
        let apply = auto_apply.is_some_and(|min| *confidence >= min);
        rows.push((tag_id, f64::from(*confidence), apply));
    }
    db::labels::replace_suggestions(&mut tx, topic_id, &rows, suggestions.model_version, now)
        .await?;
    db::labels::set_predicted_quality(&mut tx, topic_id, suggestions.quality.map(f64::from))
        .await?;
    tx.commit().await?;
    Ok(rows.len())
}
