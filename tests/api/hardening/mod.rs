//! Hardening: abuse limits, security headers, bans, login equality, crash safety, and the browser
//! end-to-end test.
mod bans;
mod browser;
mod cache;
mod crash;
mod headers;
mod limits;
mod webdriver;
