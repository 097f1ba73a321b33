//! Integration tests: the real app on a random port, a fresh SQLite database per test.
mod helpers;

mod accounts;
mod answers;
mod dashboard;
mod escaping;
mod essentials;
mod feeds;
mod generate;
mod hardening;
mod import;
mod members;
mod migrate;
mod model_cli;
mod tagging;
mod topics;
mod two_nodes;
mod walk;
mod walk_find;
mod walk_forms;
