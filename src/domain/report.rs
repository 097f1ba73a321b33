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

/// Lower edges (seconds) of the wait buckets of the response roll-up: the one definition, which
/// `db::connect` copies into the `wait_buckets` table the triggers of migration 0017 look up.
/// [0, 60 s), then four per octave from one minute,
/// `round(60 × 2^((k − 1) / 4))`, the last one open-ended from 60 × 2^14 s (11.4 days).
pub const WAIT_BUCKET_EDGES: [i64; 58] = [
    0, 60, 71, 85, 101, 120, 143, 170, 202, 240, 285, 339, 404, 480, 571, 679, 807, 960, 1142,
    1358, 1615, 1920, 2283, 2715, 3229, 3840, 4567, 5431, 6458, 7680, 9133, 10861, 12916, 15360,
    18266, 21722, 25832, 30720, 36532, 43445, 51665, 61440, 73065, 86889, 103329, 122880, 146130,
    173779, 206659, 245760, 292260, 347557, 413317, 491520, 584519, 695114, 826635, 983040,
];

/// Waits of a set of topics as counts per wait bucket, summed from the daily roll-up.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WaitHistogram {
    pub topics: i64,
    pub answered: i64,
    /// Answered topics per bucket of [`WAIT_BUCKET_EDGES`].
    pub buckets: Vec<i64>,
}

impl WaitHistogram {
    /// An empty histogram: no topics, every bucket 0.
    pub fn empty() -> Self {
        Self {
            buckets: vec![0; WAIT_BUCKET_EDGES.len()],
            ..Self::default()
        }
    }

    /// Adds `topics` topics of one roll-up cell: `bucket` is an index into
    /// [`WAIT_BUCKET_EDGES`], or -1 for topics still unanswered.
    pub fn add_cell(&mut self, bucket: i64, topics: i64) {
        self.topics += topics;
        if let Some(count) = usize::try_from(bucket)
            .ok()
            .and_then(|k| self.buckets.get_mut(k))
        {
            *count += topics;
            self.answered += topics;
        }
    }

    /// The wait of the `i`-th answered topic (0-based, in wait order), taking a bucket's `c` waits
    /// to lie evenly spread across it (at the middles of `c` equal slices).
    fn nth(&self, i: i64) -> Option<f64> {
        let mut before = 0;
        for (k, &c) in self.buckets.iter().enumerate() {
            if i < before + c {
                let lo = WAIT_BUCKET_EDGES[k] as f64;
                // The open last bucket is given the width its neighbours' ratio would give it.
                let hi = WAIT_BUCKET_EDGES
                    .get(k + 1)
                    .map_or(lo * 2f64.powf(0.25), |&e| e as f64);
                return Some(lo + (hi - lo) * ((i - before) as f64 + 0.5) / c as f64);
            }
            before += c;
        }
        None
    }

    /// The `q`-quantile, interpolated between ranks as [`percentile`] does on exact values. Off by
    /// at most a bucket's width (19 % of the wait), in practice by a few per cent.
    pub fn percentile(&self, q: f64) -> Option<f64> {
        let n: i64 = self.buckets.iter().sum();
        if n == 0 {
            return None;
        }
        let rank = q.clamp(0.0, 1.0) * (n - 1) as f64;
        let lower = rank.floor() as i64;
        let weight = rank - lower as f64;
        let a = self.nth(lower)?;
        let b = self.nth(rank.ceil() as i64)?;
        Some(a + (b - a) * weight)
    }

    pub fn times(&self) -> ResponseTimes {
        let topics = self.topics;
        ResponseTimes {
            topics,
            answered: self.answered,
            median_s: self.percentile(0.5),
            p90_s: self.percentile(0.9),
            no_response_share: (topics > 0)
                .then(|| (topics - self.answered) as f64 / topics as f64),
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

    #[test]
    fn wait_histogram_percentiles_stay_within_a_bucket_of_the_exact_ones() {
        // Waits spread over minutes to days, as on a real forum.
        let waits: Vec<f64> = (0..5_000)
            .map(|i| (40.0 * 1.0017f64.powi(i)).round())
            .collect();
        let mut h = WaitHistogram {
            topics: 5_100,
            answered: waits.len() as i64,
            buckets: vec![0; WAIT_BUCKET_EDGES.len()],
        };
        for &w in &waits {
            let k = WAIT_BUCKET_EDGES
                .iter()
                .rposition(|&e| e as f64 <= w)
                .unwrap();
            h.buckets[k] += 1;
        }
        let r = h.times();
        let exact = ResponseTimes::from_waits(waits, 5_100);
        for (approx, exact) in [(r.median_s, exact.median_s), (r.p90_s, exact.p90_s)] {
            let (approx, exact) = (approx.unwrap(), exact.unwrap());
            assert!((approx - exact).abs() / exact < 0.02, "{approx} vs {exact}");
        }
        assert_eq!((r.topics, r.answered), (5_100, 5_000));
        assert_relative_eq!(r.no_response_share.unwrap(), 100.0 / 5_100.0);
    }

    #[test]
    fn a_lone_wait_is_the_middle_of_its_bucket_and_no_waits_give_no_percentile() {
        let mut h = WaitHistogram {
            topics: 2,
            answered: 1,
            buckets: vec![0; WAIT_BUCKET_EDGES.len()],
        };
        assert_eq!(h.percentile(0.5), None);
        h.buckets[1] = 1; // [60, 71)
        assert_relative_eq!(h.percentile(0.5).unwrap(), 65.5);
        assert_relative_eq!(h.percentile(0.9).unwrap(), 65.5);
        h.buckets[57] = 1; // the open last bucket
        assert!(h.percentile(1.0).unwrap() > 983_040.0);
        assert_eq!(WaitHistogram::default().times().no_response_share, None);
    }
}
