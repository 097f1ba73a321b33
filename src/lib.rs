//! threadwise: a self-hosted technical-community forum with a built-in LSTM tag classifier.
//!
//! Dependencies point one way: `web → {auth, db, tagging, domain}`, `jobs → {db, tagging}`,
//! `tagging → {model, db, domain}`, `db → domain`. `model` and `domain` are leaves.
pub mod cli;
pub mod model;
