//! Operator commands beside `serve`: each file holds one family of subcommands.
pub mod generate;
pub mod import;
pub mod migrate;
pub mod model;
pub mod retrain;
pub mod user;
