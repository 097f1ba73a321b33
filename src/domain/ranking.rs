//! Ranking formulas (DESIGN §6). Pure functions of counts and times, so each is unit-tested with
//! hand-computed values; the database stores their results for index-ordered lists.

const SECONDS_PER_HOUR: f64 = 3600.0;
/// After a week a topic no longer competes for "hot".
const HOT_WINDOW_HOURS: f64 = 7.0 * 24.0;

/// Hot rank: `log10(max(2, score + 2 + replies/2)) / (age_hours + 2)^1.8`, 0 after 7 days.
pub fn hot(score: i64, replies: i64, created_at: i64, now: i64) -> f64 {
    let age_hours = ((now - created_at).max(0)) as f64 / SECONDS_PER_HOUR;
    if age_hours > HOT_WINDOW_HOURS {
        return 0.0;
    }
    let weight = (score as f64 + 2.0 + replies as f64 / 2.0).max(2.0);
    weight.log10() / (age_hours + 2.0).powf(1.8)
}

/// Active rank: the hot formula measured from the last post instead of the first.
pub fn active(score: i64, replies: i64, last_posted_at: i64, now: i64) -> f64 {
    hot(score, replies, last_posted_at, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn a_new_topic_without_votes_has_the_floor_weight() {
        // log10(2) / 2^1.8 = 0.30103 / 3.48220 = 0.086448
        assert_relative_eq!(hot(0, 0, 1000, 1000), 0.086_448, epsilon = 1e-5);
    }

    #[test]
    fn votes_and_replies_raise_and_age_lowers() {
        // log10(10 + 2 + 2) / (10 + 2)^1.8 = 1.146128 / 87.6433 = 0.0130772
        assert_relative_eq!(hot(10, 4, 0, 36_000), 0.013_077_2, epsilon = 1e-6);
        assert!(hot(10, 4, 0, 3600) > hot(10, 4, 0, 7200));
        assert!(hot(11, 4, 0, 3600) > hot(10, 4, 0, 3600));
    }

    #[test]
    fn topics_older_than_a_week_are_not_hot() {
        assert_eq!(hot(1000, 10, 0, 8 * 24 * 3600), 0.0);
    }
}
