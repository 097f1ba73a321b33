//! The moderators' report queries. Each reads a period `[from, to)` of unix seconds or days; the
//! arithmetic on what they return (percentiles, changes, scores) lives in `domain`, the assembly in
//! `forum::reports`. Daily counts come from the roll-up tables of migration 0002.
pub mod activity;
pub mod content;
pub mod people;
pub mod response;
pub mod tags;
