//! Integration tests: the real app on a random port, a fresh SQLite database per test.
mod helpers;

mod accounts;
mod dashboard;
mod escaping;
mod hardening;
mod import;
mod essentials;
mod tagging;
mod topics;
