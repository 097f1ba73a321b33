//! Topics with the tags the reports count them under: their active tags, or — for a topic without
//! any — the model's suggestions, so untagged topics still show in per-tag figures.
use std::collections::HashMap;

use crate::db::Conn;
use crate::db::reports::tags as db;

pub struct TaggedTopic {
    pub created_at: i64,
    /// Seconds to the first response by someone other than the author.
    pub wait: Option<i64>,
    /// The tags the topic counts under (active, or suggested when none is active).
    pub tags: Vec<i64>,
}

/// The visible topics created in `[from, to)` that have any tag or suggestion.
pub async fn tagged_topics(
    conn: &mut Conn<'_>,
    from: i64,
    to: i64,
) -> sqlx::Result<Vec<TaggedTopic>> {
    // Per topic: the topic (its `tags` gathering the active ones) and its suggestions.
    let mut topics: HashMap<i64, (TaggedTopic, Vec<i64>)> = HashMap::new();
    for (topic_id, created_at, wait, tag_id, active) in db::rows_between(conn, from, to).await? {
        let (topic, suggested) = topics.entry(topic_id).or_insert_with(|| {
            let topic = TaggedTopic {
                created_at,
                wait,
                tags: Vec::new(),
            };
            (topic, Vec::new())
        });
        if active {
            topic.tags.push(tag_id);
        } else {
            suggested.push(tag_id);
        }
    }
    Ok(topics
        .into_values()
        .map(|(mut topic, suggested)| {
            if topic.tags.is_empty() {
                topic.tags = suggested;
            }
            topic
        })
        .collect())
}
