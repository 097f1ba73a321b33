//! Operator commands beside `serve`: each file holds one family of subcommands.
pub mod import;
pub mod generate;
pub mod model;
pub mod retrain;
pub mod user;
