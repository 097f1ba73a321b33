//! The moderators' dashboards under `/mod` (DESIGN §7): overview, responsiveness, tags, content,
//! people, the flag queue and the moderation log. Every page takes `?period=7|30|90` (days) and
//! compares with the period before; the numbers come from `forum::reports`, the charts from
//! `charts`. The `Moderator` extractor answers 403 to members and sends anonymous visitors to log in.
pub mod charts;
mod flags;
pub mod model;
mod pages;
mod response;

use actix_web::web;
use serde::Deserialize;

use crate::domain::report::{PERIODS, Window};

pub fn routes(cfg: &mut web::ServiceConfig) {
    pages::routes(cfg);
    response::routes(cfg);
    flags::routes(cfg);
    model::routes(cfg);
}

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    pub period: Option<i64>,
}

impl PeriodQuery {
    /// The chosen period ending today; 30 days unless 7, 30 or 90 was asked for.
    pub fn window(&self, now: i64) -> Window {
        Window::ending(now, self.period.unwrap_or(30))
    }
}

/// The tabs and period selector above every dashboard page.
pub struct Nav {
    pub active: &'static str,
    pub period: i64,
}

impl Nav {
    pub const TABS: [(&'static str, &'static str, &'static str); 9] = [
        ("overview", "/mod", "Overview"),
        ("response", "/mod/response", "Responsiveness"),
        ("tags", "/mod/tags", "Tags"),
        ("content", "/mod/content", "Content"),
        ("people", "/mod/people", "People"),
        ("flags", "/mod/flags", "Flags"),
        ("log", "/mod/log", "Log"),
        ("model", "/mod/model", "Model"),
        ("review", "/mod/review", "Suggested tags"),
    ];

    pub fn periods(&self) -> [i64; 3] {
        PERIODS
    }

    /// `2026-11-28` for a day number (templates hand over a reference or a value alike).
    pub fn day(&self, day: impl std::borrow::Borrow<i64>) -> String {
        crate::domain::report::day_label(*day.borrow())
    }

    /// The URL of the active tab with another period.
    pub fn with_period(&self, days: impl std::borrow::Borrow<i64>) -> String {
        let days = *days.borrow();
        let path = Self::TABS
            .iter()
            .find(|t| t.0 == self.active)
            .map_or("/mod", |t| t.1);
        format!("{path}?period={days}")
    }
}
