//! Saving and loading: one safetensors file whose `__metadata__` carries the JSON metadata.
//!
//! The bytes are a plain safetensors file (readable by any safetensors tool) so the forum can
//! store them as one BLOB. `__metadata__` has one key, `threadwise`, whose value is a JSON object
//! `{format, format_version, sha256, model}`: `format` is [`FORMAT`], `model` the JSON text of the
//! vocabulary, tags, thresholds, hyper-parameters and metrics, and `sha256` a digest of `model` and
//! every tensor's name, shape and bytes — safetensors itself has no checksum, and a flipped bit in
//! a weight would otherwise load silently. One key (not several) because safetensors writes its
//! metadata map in hash order, and the same model should always give the same bytes.
use super::ModelError;
use super::classifier::{Classifier, HeldOut};
use super::metrics::Metrics;
use super::network::{Architecture, Network};
use super::params::ClassifierParams;
use super::vocab::Vocabulary;
use super::warm::Start;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

/// Value of the `format` metadata key.
pub const FORMAT: &str = "threadwise-tagger";
/// The metadata layout this build writes and reads.
/// Version 2 added the optional bag-of-words tensor `wide.w` and the `wide` architecture flag;
/// version 3 its idf weights `wide.idf` (the bag became TF-IDF). Older files are refused (with a
/// [`ModelError::BadModel`]) rather than half-read.
pub const FORMAT_VERSION: u32 = 3;
const META_KEY: &str = "threadwise";

/// The metadata envelope; fields serialise in this order.
#[derive(Serialize, Deserialize)]
struct Envelope {
    format: String,
    format_version: u32,
    sha256: String,
    model: String,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    architecture: Architecture,
    vocab: Vocabulary,
    tags: Vec<String>,
    thresholds: Vec<f32>,
    params: ClassifierParams,
    metrics: Option<Metrics>,
    quality_trained: bool,
    /// Rows of the held-out tensors `held_out.probs` and `held_out.gold` (`[items, tags]`);
    /// absent in files written before they were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    held_out_items: Option<usize>,
    /// The blended regression's `C` (a warm start fits only that one); absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    logistic_c: Option<f64>,
    /// How the training began; absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    start: Option<Start>,
    /// Epochs of the last cold training; absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fit_epochs: Option<usize>,
}

const HELD_OUT_PROBS: &str = "held_out.probs";
const HELD_OUT_GOLD: &str = "held_out.gold";

fn bad(msg: impl Into<String>) -> ModelError {
    ModelError::BadModel(msg.into())
}

fn digest(model_json: &str, tensors: &[(String, Vec<usize>, Vec<u8>)]) -> String {
    let mut h = Sha256::new();
    h.update(model_json.as_bytes());
    for (name, shape, bytes) in tensors {
        h.update(name.as_bytes());
        for d in shape {
            h.update((*d as u64).to_le_bytes());
        }
        h.update(bytes);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl Classifier {
    /// Serialises the classifier to safetensors bytes (see the module docs).
    pub fn to_bytes(&self) -> Result<Vec<u8>, ModelError> {
        let meta = Meta {
            architecture: self.network.architecture(),
            vocab: self.vocab.clone(),
            tags: self.tags.clone(),
            thresholds: self.thresholds.clone(),
            params: self.params.clone(),
            metrics: self.metrics.clone(),
            quality_trained: self.quality_trained,
            held_out_items: self.held_out.as_ref().map(|h| h.probs.nrows()),
            logistic_c: self.logistic_c,
            start: self.start.clone(),
            fit_epochs: self.fit_epochs,
        };
        let model_json = serde_json::to_string(&meta)
            .map_err(|e| bad(format!("cannot encode metadata: {e}")))?;
        let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = self
            .network
            .tensors()
            .into_iter()
            .chain(self.network.constants())
            .map(|(name, shape, data)| {
                (
                    name,
                    shape,
                    data.iter().flat_map(|x| x.to_le_bytes()).collect(),
                )
            })
            .collect();
        if let Some(h) = &self.held_out {
            let shape = vec![h.probs.nrows(), h.probs.ncols()];
            let gold = super::metrics::gold_matrix(&h.gold, h.probs.ncols());
            tensors.push((
                HELD_OUT_PROBS.to_string(),
                shape.clone(),
                h.probs.iter().flat_map(|x| x.to_le_bytes()).collect(),
            ));
            tensors.push((
                HELD_OUT_GOLD.to_string(),
                shape,
                gold.iter()
                    .flat_map(|&g| f32::from(u8::from(g)).to_le_bytes())
                    .collect(),
            ));
        }
        let envelope = Envelope {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            sha256: digest(&model_json, &tensors),
            model: model_json,
        };
        let envelope = serde_json::to_string(&envelope)
            .map_err(|e| bad(format!("cannot encode metadata: {e}")))?;
        let metadata = HashMap::from([(META_KEY.to_string(), envelope)]);
        let views = tensors
            .iter()
            .map(|(name, shape, bytes)| {
                Ok((
                    name.clone(),
                    TensorView::new(Dtype::F32, shape.clone(), bytes)?,
                ))
            })
            .collect::<Result<Vec<_>, safetensors::SafeTensorError>>()
            .map_err(|e| bad(format!("cannot encode tensors: {e}")))?;
        safetensors::serialize(views, &Some(metadata))
            .map_err(|e| bad(format!("cannot encode tensors: {e}")))
    }

    /// Reads bytes written by [`Classifier::to_bytes`]. Truncated, corrupted or incompatible input
    /// is a [`ModelError::BadModel`] saying what is wrong; it never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Classifier, ModelError> {
        let st = SafeTensors::deserialize(bytes)
            .map_err(|e| bad(format!("not a readable safetensors file ({e:?})")))?;
        let (_, header) = SafeTensors::read_metadata(bytes)
            .map_err(|e| bad(format!("unreadable header ({e:?})")))?;
        let meta = header
            .metadata()
            .as_ref()
            .ok_or_else(|| bad("no metadata: not a threadwise model"))?;
        let envelope = meta
            .get(META_KEY)
            .ok_or_else(|| bad(format!("metadata key `{META_KEY}` is missing")))?;
        let envelope: Envelope = serde_json::from_str(envelope)
            .map_err(|e| bad(format!("metadata is not valid: {e}")))?;
        if envelope.format != FORMAT {
            return Err(bad(format!(
                "format is `{}`, expected `{FORMAT}`",
                envelope.format
            )));
        }
        if envelope.format_version != FORMAT_VERSION {
            return Err(bad(format!(
                "format version {} is not supported (this build reads {FORMAT_VERSION})",
                envelope.format_version
            )));
        }
        let model_json = &envelope.model;
        let m: Meta = serde_json::from_str(model_json)
            .map_err(|e| bad(format!("metadata is not valid: {e}")))?;
        let arch = m.architecture;
        if arch.layers == 0 || arch.hidden == 0 || arch.tags == 0 {
            return Err(bad(format!("architecture {arch:?} has an empty dimension")));
        }
        if arch.vocab != m.vocab.len()
            || arch.tags != m.tags.len()
            || arch.tags != m.thresholds.len()
        {
            return Err(bad(format!(
                "sizes disagree: architecture {arch:?}, {} vocabulary entries, {} tags, {} thresholds",
                m.vocab.len(),
                m.tags.len(),
                m.thresholds.len()
            )));
        }
        let mut network = Network::<f32>::zeros(arch);
        let mut expected: Vec<(String, Vec<usize>)> = network
            .tensors()
            .into_iter()
            .chain(network.constants())
            .map(|(n, s, _)| (n, s))
            .collect();
        if let Some(items) = m.held_out_items {
            for name in [HELD_OUT_PROBS, HELD_OUT_GOLD] {
                expected.push((name.to_string(), vec![items, arch.tags]));
            }
        }
        let mut raw = Vec::with_capacity(expected.len());
        for (name, shape) in expected {
            let view = st
                .tensor(&name)
                .map_err(|_| bad(format!("tensor `{name}` is missing")))?;
            if view.dtype() != Dtype::F32 || view.shape() != shape.as_slice() {
                return Err(bad(format!(
                    "tensor `{name}` is {:?} {:?}, expected F32 {shape:?}",
                    view.dtype(),
                    view.shape()
                )));
            }
            raw.push((name, shape, view.data().to_vec()));
        }
        let (trained, rest) = raw.split_at(network.tensors().len());
        let (constants, held_out_raw) = rest.split_at(network.constants().len());
        let fill = |slot: &mut [f32], bytes: &[u8]| {
            for (x, chunk) in slot.iter_mut().zip(bytes.chunks_exact(4)) {
                *x = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            }
        };
        for (slot, (_, _, bytes)) in network.slices_mut().into_iter().zip(trained) {
            fill(slot, bytes);
        }
        for (slot, (_, _, bytes)) in network.constants_mut().into_iter().zip(constants) {
            fill(slot, bytes);
        }
        if digest(model_json, &raw) != envelope.sha256 {
            return Err(bad("checksum mismatch: the file is corrupted"));
        }
        let held_out = match (m.held_out_items, held_out_raw) {
            (Some(items), [(_, _, probs), (_, _, gold)]) => {
                let floats = |bytes: &[u8]| -> Vec<f32> {
                    bytes
                        .chunks_exact(4)
                        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                        .collect()
                };
                let probs = ndarray::Array2::from_shape_vec((items, arch.tags), floats(probs))
                    .map_err(|e| bad(format!("tensor `{HELD_OUT_PROBS}`: {e}")))?;
                let gold = floats(gold)
                    .chunks(arch.tags)
                    .map(|row| (0..arch.tags).filter(|&j| row[j] > 0.5).collect())
                    .collect();
                Some(HeldOut { probs, gold })
            }
            _ => None,
        };
        Ok(Classifier {
            vocab: m.vocab,
            tags: m.tags,
            thresholds: m.thresholds,
            network,
            params: m.params,
            metrics: m.metrics,
            quality_trained: m.quality_trained,
            held_out,
            logistic_c: m.logistic_c,
            start: m.start,
            fit_epochs: m.fit_epochs,
        })
    }

    /// Writes [`Classifier::to_bytes`] to a file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ModelError> {
        let path = path.as_ref();
        std::fs::write(path, self.to_bytes()?).map_err(|source| ModelError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads a file written by [`Classifier::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Classifier, ModelError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| ModelError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Classifier::from_bytes(&bytes)
    }
}
