//! threadwise: a self-hosted technical-community forum with a built-in LSTM tag classifier.
//!
//! Layers, each using only those below it: `startup` and `cli` wire everything together (the
//! app, its jobs, the commands); `web` speaks HTTP (routes, extractors, pages, JSON) and reads the
//! `Settings` that `config` assembles from the settings types their owners define; `forum` holds
//! the use cases pages and API share, `jobs` the background loops, `import` the importers;
//! `tagging` is the model in the forum, `mail` sends and signs, `auth` hashes and makes tokens;
//! `db` holds all SQL; `domain` the validated types, Markdown and ranking formulas, and uses
//! nothing of ours. `model` (the crate `crates/threadwise-model`) is a leaf Cargo keeps free of
//! web, database and async code. The one arrow upward is `config → web::{limits, client}` for
//! their settings types, which `web` then reads back as part of `Settings`.
#![forbid(unsafe_code)]
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod forum;
pub mod import;
pub mod jobs;
pub mod mail;
pub use threadwise_model as model;
pub mod startup;
pub mod tagging;
pub mod web;
