//! The moderators' reports (DESIGN §7), shared by the dashboard pages and the JSON/CSV API. Each
//! report is a list of flat rows, so one set of numbers feeds the charts, the tables, JSON and CSV.
mod activity;
mod answers;
mod attention;
mod content;
mod people;
mod response;
mod tagged;
mod tags;

pub use activity::{ActivityRow, activity, summary};
pub use answers::{RoutingRow, accepted_overall, routing};
pub use attention::{AttentionRow, needs_attention};
pub use content::{HotRow, RisingRow, hot, rising};
pub use people::{NewContributorRow, TopContributorRow, new_contributors, top_contributors};
pub use response::{
    EXACT_TOPICS, Source, TagResponseRow, response_by_tag, response_by_tag_from, response_overall,
    response_overall_from,
};
pub use tags::{
    NewTagRow, TagPairRow, TrendingTagRow, new_tags, tag_pairs, trending_and_pairs, trending_tags,
};

use serde::Serialize;

use crate::domain::report::Metric;

/// Every report the API serves, by the name in `/api/v1/mod/reports/{name}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportName {
    Summary,
    Activity,
    ResponseByTag,
    TrendingTags,
    NewTags,
    TagPairs,
    Hot,
    Rising,
    NeedsAttention,
    TopContributors,
    NewContributors,
}

impl ReportName {
    pub const ALL: [ReportName; 11] = [
        Self::Summary,
        Self::Activity,
        Self::ResponseByTag,
        Self::TrendingTags,
        Self::NewTags,
        Self::TagPairs,
        Self::Hot,
        Self::Rising,
        Self::NeedsAttention,
        Self::TopContributors,
        Self::NewContributors,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Summary => "summary",
            Self::Activity => "activity",
            Self::ResponseByTag => "response-by-tag",
            Self::TrendingTags => "trending-tags",
            Self::NewTags => "new-tags",
            Self::TagPairs => "tag-pairs",
            Self::Hot => "hot",
            Self::Rising => "rising",
            Self::NeedsAttention => "needs-attention",
            Self::TopContributors => "top-contributors",
            Self::NewContributors => "new-contributors",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// One headline figure: its value, the previous period's and the relative change.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    pub metric: &'static str,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub change: Option<f64>,
}

impl SummaryRow {
    pub fn new(metric: &'static str, m: Metric) -> Self {
        Self {
            metric,
            value: m.value,
            previous: m.previous,
            change: m.change,
        }
    }
}

/// How many rows the ranked lists return.
pub const LIST_LIMIT: i64 = 25;

fn topic_url(topic_id: i64) -> String {
    format!("/t/{topic_id}")
}
