//! Training examples and the JSON Lines reader for the `../shared/data` format.
use super::ModelError;
use serde::Deserialize;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// One labelled post: what the classifier learns from and is evaluated on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The topic's title.
    pub title: String,
    /// The post's body (Markdown or plain text; code is kept, it is strong evidence).
    pub body: String,
    /// The human tags.
    pub tags: Vec<String>,
    /// Whether the topic got a positive score or an answer; `None` when unknown, in which case the
    /// quality head is not trained on this example.
    pub quality: Option<bool>,
    /// Tags a moderator rejected for this post: confirmed negatives, weighted above the other
    /// absent tags in the logistic regression (`ClassifierParams::rejected_weight`).
    pub rejected: Vec<String>,
}

#[derive(Deserialize)]
struct Line {
    title: String,
    body: String,
    tags: Vec<String>,
    #[serde(default)]
    score: Option<i64>,
    #[serde(default)]
    answer_count: Option<i64>,
}

/// Reads a JSON Lines file with one `{"title", "body", "tags", "score"?, "answer_count"?}` per line.
///
/// `quality` is `score > 0 || answer_count > 0` when either field is present and not null, otherwise
/// `None`. Blank lines are skipped; any other bad line is an error naming the file and line.
pub fn read_jsonl(path: impl AsRef<Path>) -> Result<Vec<Example>, ModelError> {
    let path = path.as_ref();
    let io = |source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut examples = Vec::new();
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io)?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line = serde_json::from_str(&line).map_err(|e| ModelError::BadExample {
            path: path.to_path_buf(),
            line: index + 1,
            reason: e.to_string(),
        })?;
        let quality = match (parsed.score, parsed.answer_count) {
            (None, None) => None,
            (score, answers) => Some(score.unwrap_or(0) > 0 || answers.unwrap_or(0) > 0),
        };
        examples.push(Example {
            title: parsed.title,
            body: parsed.body,
            tags: parsed.tags,
            quality,
            rejected: Vec::new(),
        });
    }
    Ok(examples)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_quality_from_score_and_answers_and_names_bad_lines() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            r#"{{"title":"a","body":"b","tags":["x"],"score":0,"answer_count":2}}"#
        )
        .unwrap();
        writeln!(
            file,
            r#"{{"title":"a","body":"b","tags":["x"],"score":null,"answer_count":null}}"#
        )
        .unwrap();
        writeln!(file, r#"{{"title":"a","body":"b","tags":[],"score":-1}}"#).unwrap();
        writeln!(file).unwrap();
        let examples = read_jsonl(file.path()).unwrap();
        let quality: Vec<_> = examples.iter().map(|e| e.quality).collect();
        assert_eq!(quality, [Some(true), None, Some(false)]);

        writeln!(file, r#"{{"title":"a"}}"#).unwrap();
        let err = read_jsonl(file.path()).unwrap_err().to_string();
        assert!(err.contains(":5:"), "{err}");
    }
}
