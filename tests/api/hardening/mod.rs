//! Hardening: abuse limits (and trusted proxies), security headers, HEAD and 405, bans, login
//! equality, crash safety, and the browser end-to-end test.
mod abuse;
mod bans;
mod browser;
mod cache;
pub(crate) mod chrome;
mod crash;
mod head;
mod headers;
mod limits;
mod phone;
mod proxies;
