//! The arithmetic of the moderators' reports: periods of whole UTC days, a metric beside its
//! previous period, percentiles. Pure, so the reports' numbers are checked here by hand.
use serde::Serialize;

pub const DAY: i64 = 86_400;

/// The periods a dashboard offers, in days.
pub const PERIODS: [i64; 3] = [7, 30, 90];

/// A report period: `days` whole UTC days ending with today (today counts, partial as it is).
/// Days are `unix seconds / 86400`, as in the daily roll-up tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub days: i64,
    pub first_day: i64,
    pub last_day: i64,
}

impl Window {
    /// The period of `days` days ending with the day of `now`. Unknown lengths fall back to 30.
    pub fn ending(now: i64, days: i64) -> Self {
        let days = if PERIODS.contains(&days) { days } else { 30 };
        let last_day = now.div_euclid(DAY);
        Self {
            days,
            first_day: last_day - days + 1,
            last_day,
        }
    }

    /// The same number of days just before this period.
    pub fn previous(&self) -> Self {
        Self {
            days: self.days,
            first_day: self.first_day - self.days,
            last_day: self.first_day - 1,
        }
    }

    /// First second of the period.
    pub fn from(&self) -> i64 {
        self.first_day * DAY
    }

    /// First second after the period.
    pub fn to(&self) -> i64 {
        (self.last_day + 1) * DAY
    }

    /// The 30 days ending with this period's last day: the month of "monthly active users".
    pub fn month_ending(&self) -> Self {
        Self {
            days: 30,
            first_day: self.last_day - 29,
            last_day: self.last_day,
        }
    }

    pub fn day_list(&self) -> impl Iterator<Item = i64> {
        self.first_day..=self.last_day
    }
}

/// A figure for the period, the same figure for the previous period, and the relative change.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metric {
    pub value: Option<f64>,
    pub previous: Option<f64>,
    /// `(value − previous) / previous`; none when either is missing or the previous is 0
    /// (growth from nothing has no percentage).
    pub change: Option<f64>,
}

impl Metric {
    pub fn new(value: Option<f64>, previous: Option<f64>) -> Self {
        let change = match (value, previous) {
            (Some(v), Some(p)) if p != 0.0 => Some((v - p) / p),
            _ => None,
        };
        Self {
            value,
            previous,
            change,
        }
    }

    pub fn counts(value: i64, previous: i64) -> Self {
        Self::new(Some(value as f64), Some(previous as f64))
    }
}

/// The `q`-quantile (0..=1) of sorted values, interpolating linearly between the closest ranks
/// (the usual "type 7" definition, as in spreadsheets and numpy). None for no values.
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    debug_assert!(
        sorted.windows(2).all(|w| w[0] <= w[1]),
        "values must be sorted"
    );
    match sorted.len() {
        0 => None,
        1 => Some(sorted[0]),
        n => {
            let rank = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let lower = rank.floor() as usize;
            let upper = rank.ceil() as usize;
            let weight = rank - lower as f64;
            Some(sorted[lower] + (sorted[upper] - sorted[lower]) * weight)
        }
    }
}

/// Median and 90th percentile of time to first response, and the share of topics without one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct ResponseTimes {
    pub topics: i64,
    pub answered: i64,
    /// Seconds; over answered topics only (a topic still waiting has no time yet).
    pub median_s: Option<f64>,
    pub p90_s: Option<f64>,
    pub no_response_share: Option<f64>,
}

impl ResponseTimes {
    /// From the waits of answered topics (any order) and the count of all topics.
    pub fn from_waits(mut waits: Vec<f64>, topics: i64) -> Self {
        waits.sort_by(f64::total_cmp);
        let answered = waits.len() as i64;
        Self {
            topics,
            answered,
            median_s: percentile(&waits, 0.5),
            p90_s: percentile(&waits, 0.9),
            no_response_share: (topics > 0).then(|| (topics - answered) as f64 / topics as f64),
        }
    }
}

/// `2026-11-28` for a day number.
pub fn day_label(day: i64) -> String {
    chrono::DateTime::from_timestamp(day * DAY, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn a_window_is_whole_days_ending_today_and_its_previous_is_just_before() {
        // 1970-01-11 12:00 is day 10.
        let w = Window::ending(10 * DAY + 43_200, 7);
        assert_eq!((w.first_day, w.last_day), (4, 10));
        assert_eq!((w.from(), w.to()), (4 * DAY, 11 * DAY));
        let p = w.previous();
        assert_eq!((p.first_day, p.last_day, p.days), (-3, 3, 7));
        assert_eq!(Window::ending(0, 12).days, 30);
        assert_eq!(w.month_ending().first_day, -19);
        assert_eq!(w.day_list().count(), 7);
    }

    #[test]
    fn change_is_relative_to_the_previous_period() {
        assert_relative_eq!(Metric::counts(150, 100).change.unwrap(), 0.5);
        assert_relative_eq!(Metric::counts(50, 100).change.unwrap(), -0.5);
        assert_eq!(Metric::counts(5, 0).change, None);
        assert_eq!(Metric::new(None, Some(3.0)).change, None);
    }

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_relative_eq!(percentile(&v, 0.5).unwrap(), 5.5);
        // rank 0.9 × 9 = 8.1 → 9 + 0.1 × (10 − 9) = 9.1
        assert_relative_eq!(percentile(&v, 0.9).unwrap(), 9.1);
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7.0], 0.9), Some(7.0));
    }

    #[test]
    fn response_times_ignore_unanswered_topics_but_count_their_share() {
        let hour = 3600.0;
        let r = ResponseTimes::from_waits(vec![5.0 * hour, 1.0 * hour, 3.0 * hour], 4);
        assert_eq!((r.topics, r.answered), (4, 3));
        assert_relative_eq!(r.median_s.unwrap(), 3.0 * hour);
        // rank 0.9 × 2 = 1.8 → 3 h + 0.8 × 2 h = 4.6 h
        assert_relative_eq!(r.p90_s.unwrap(), 4.6 * hour);
        assert_relative_eq!(r.no_response_share.unwrap(), 0.25);
        assert_eq!(ResponseTimes::from_waits(vec![], 0).no_response_share, None);
    }
}
