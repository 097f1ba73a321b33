//! The classifier inside the forum: which model serves, how topics get suggested tags, and how a
//! new version is trained from the community's labels and judged against the champion.
pub mod autotag;
pub mod dataset;
pub mod quality;
pub mod retrain;
mod settings;
mod tagger;

pub use settings::TaggingSettings;
pub use tagger::{ServingModel, Suggestions, Tagger, TrainingProgress};

/// At most this many tags are suggested for one topic.
pub const MAX_SUGGESTIONS: usize = 5;

/// The held-out precision a tag's suggestions must reach, unless `--suggest-precision` says
/// otherwise.
pub const DEFAULT_SUGGEST_PRECISION: f64 = 0.8;
