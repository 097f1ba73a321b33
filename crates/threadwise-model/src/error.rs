//! The one error type of the model module.
use std::path::PathBuf;

/// Everything that can go wrong when training, evaluating, saving or loading a classifier.
///
/// Messages name the offending value so that an operator can fix the input without reading code.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A hyper-parameter is out of range.
    #[error("invalid parameter `{name}` = {value}: {reason}")]
    InvalidParam {
        name: &'static str,
        value: String,
        reason: &'static str,
    },
    /// Reading a data or model file failed.
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A line of a JSON Lines data file is not a valid example.
    #[error("{path}:{line}: {reason}")]
    BadExample {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    /// The training data cannot produce a classifier (e.g. no tag has enough examples).
    #[error("not enough training data: {0}")]
    NotEnoughData(String),
    /// Training was stopped through the stop flag before a first model was ready.
    #[error("training was stopped before the first epoch finished")]
    Stopped,
    /// A saved model is truncated, corrupt or was written by an incompatible version.
    #[error("invalid model file: {0}")]
    BadModel(String),
}

impl ModelError {
    pub(crate) fn param(
        name: &'static str,
        value: impl std::fmt::Display,
        reason: &'static str,
    ) -> Self {
        ModelError::InvalidParam {
            name,
            value: value.to_string(),
            reason,
        }
    }
}
