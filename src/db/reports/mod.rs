//! The moderators' report queries. Each reads a period `[from, to)` of unix seconds or days; the
//! arithmetic on what they return (percentiles, changes, scores) lives in `domain`, the assembly in
//! `forum::reports`. Daily counts come from the roll-up tables of migration 0002.
//!
//! Queries that hand back one value per topic (100k of them on a big forum) return them as one
//! JSON array built by SQLite: decoding rows one by one through the driver costs several times
//! more than the query itself.
pub mod activity;
pub mod answers;
pub mod content;
pub mod people;
pub mod response;
pub mod tags;

/// Decodes a JSON array built by `json_group_array`, reporting a mismatch as a decode error.
fn from_json<T: serde::de::DeserializeOwned>(json: &str) -> sqlx::Result<T> {
    serde_json::from_str(json).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}
