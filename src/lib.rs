//! threadwise: a self-hosted technical-community forum with a built-in LSTM tag classifier.
//!
//! Dependencies point one way: `web → {auth, db, tagging, domain}`, `jobs → {db, tagging, mail}`,
//! `forum → {db, auth, mail, domain}`,
//! `tagging → {model, db, domain}`, `db → domain`. `model` and `domain` are leaves.
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
