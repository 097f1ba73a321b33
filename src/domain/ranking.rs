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

/// z for a one-sided 90% confidence level: the "best" order trusts a reply only as far as its
/// votes allow, so one lucky upvote does not outrank forty up and two down.
const WILSON_Z: f64 = 1.2816;

/// Lower bound of the Wilson score interval of the share of upvotes. 0 without votes.
pub fn wilson_lower_bound(upvotes: i64, downvotes: i64) -> f64 {
    let n = (upvotes + downvotes) as f64;
    if n <= 0.0 {
        return 0.0;
    }
    let p = upvotes as f64 / n;
    let z2 = WILSON_Z * WILSON_Z;
    (p + z2 / (2.0 * n) - WILSON_Z * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt()) / (1.0 + z2 / n)
}

/// Orders replies "best" first: by the Wilson lower bound of their votes, ties kept in their
/// previous (time) order.
pub fn sort_best<T>(replies: &mut [T], votes: impl Fn(&T) -> (i64, i64)) {
    replies.sort_by(|a, b| {
        let (a_up, a_down) = votes(a);
        let (b_up, b_down) = votes(b);
        wilson_lower_bound(b_up, b_down).total_cmp(&wilson_lower_bound(a_up, a_down))
    });
}

/// Hot divided by `log10(2 + monthly_activity)` (topics the tag had in the last 30 days), so a
/// lively topic in a small tag can stand beside the big tags' ones.
pub fn tag_normalised_hot(hot: f64, monthly_activity: i64) -> f64 {
    hot / (2.0 + monthly_activity.max(0) as f64).log10()
}

/// Rising: engagement per hour of age, `(score + 2·replies) / (age_hours + 2)`, for topics under
/// two days old — the young topics gathering replies and votes fastest, before hot catches up.
pub fn rising(score: i64, replies: i64, age_hours: f64) -> f64 {
    (score as f64 + 2.0 * replies as f64).max(0.0) / (age_hours.max(0.0) + 2.0)
}

/// Trending: growth against the previous period, damped for small tags,
/// `(current − previous) / (previous + 5)`, so 2 → 6 topics does not outrank 200 → 400.
pub fn trending(current: i64, previous: i64) -> f64 {
    (current - previous) as f64 / (previous.max(0) as f64 + 5.0)
}

/// The predicted quality used while no model has scored a topic (`predicted_quality` is NULL):
/// a coin toss, so unscored topics rank by freshness and views alone.
pub const NEUTRAL_QUALITY: f64 = 0.5;

/// Half-life of an unanswered topic's claim on attention: after two days without an answer the
/// asker has usually moved on.
const UNANSWERED_HALF_LIFE_HOURS: f64 = 48.0;

/// Needs-attention score of an unanswered topic: quality × freshness × views, where freshness
/// halves every 48 h and views count logarithmically (`log10(10 + views)`, 1 at no views).
pub fn unanswered_attention(predicted_quality: Option<f64>, age_hours: f64, views: i64) -> f64 {
    let quality = predicted_quality.unwrap_or(NEUTRAL_QUALITY).clamp(0.0, 1.0);
    let freshness = 0.5_f64.powf(age_hours.max(0.0) / UNANSWERED_HALF_LIFE_HOURS);
    let reach = (10.0 + views.max(0) as f64).log10();
    quality * freshness * reach
}

/// Needs-attention score of a topic with replies but no accepted answer `hours_unresolved` after
/// it became due: half the score of an unanswered topic of that age. Someone did answer; the
/// asker may only have forgotten to accept, so it ranks below the questions nobody answered.
pub fn unresolved_attention(
    predicted_quality: Option<f64>,
    hours_unresolved: f64,
    views: i64,
) -> f64 {
    0.5 * unanswered_attention(predicted_quality, hours_unresolved, views)
}

/// Needs-attention score of posts people flagged: `1 + log2(open flags)`. Flags do not fade with
/// time — someone asked a moderator to look — so they sit above almost every other reason.
pub fn flagged_attention(open_flags: i64) -> f64 {
    if open_flags <= 0 {
        return 0.0;
    }
    1.0 + (open_flags as f64).log2()
}

/// Needs-attention score of a confident model tag the author did not use while tagging the topic
/// otherwise: `0.8 × confidence`. Either the author mis-tagged or the model is wrong; both are
/// worth a moderator's minute, less than a flag.
pub fn contradiction_attention(confidence: f64) -> f64 {
    0.8 * confidence.clamp(0.0, 1.0)
}

/// Needs-attention score of a model suggestion the model itself is unsure of: `0.4 × (1 − |2c − 1|)`,
/// highest at 50% confidence where a human label teaches the model the most.
pub fn uncertain_suggestion_attention(confidence: f64) -> f64 {
    0.4 * (1.0 - (2.0 * confidence.clamp(0.0, 1.0) - 1.0).abs())
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
        // log10(10 + 2 + 2) / (10 + 2)^1.8 = 1.146128 / 87.60447 = 0.0130830
        assert_relative_eq!(hot(10, 4, 0, 36_000), 0.013_083_0, epsilon = 1e-6);
        assert!(hot(10, 4, 0, 3600) > hot(10, 4, 0, 7200));
        assert!(hot(11, 4, 0, 3600) > hot(10, 4, 0, 3600));
    }

    #[test]
    fn topics_older_than_a_week_are_not_hot() {
        assert_eq!(hot(1000, 10, 0, 8 * 24 * 3600), 0.0);
    }

    #[test]
    fn wilson_lower_bound_matches_hand_computation() {
        // n = 10, p = 0.8, z = 1.2816, z² = 1.642499:
        // (0.8 + 0.0821249 − 1.2816·sqrt((0.16 + 0.0410625)/10)) / 1.1642499
        // = (0.8821249 − 1.2816·0.1417965) / 1.1642499 = 0.7003989 / 1.1642499 = 0.601589
        assert_relative_eq!(wilson_lower_bound(8, 2), 0.601_589, epsilon = 1e-5);
        // One upvote: (1 + 0.8212493 − 1.2816·sqrt(0.4106247)) / 2.6424986 = 1.0 / 2.6424986 = 0.378430
        assert_relative_eq!(wilson_lower_bound(1, 0), 0.378_430, epsilon = 1e-5);
        assert_eq!(wilson_lower_bound(0, 0), 0.0);
        // Many votes at 95% beat one lucky upvote.
        assert!(wilson_lower_bound(40, 2) > wilson_lower_bound(1, 0));
    }

    #[test]
    fn best_order_trusts_many_votes_over_one() {
        let mut replies = vec![
            ("lucky", 1, 0),
            ("steady", 40, 2),
            ("new", 0, 0),
            ("bad", 0, 3),
        ];
        sort_best(&mut replies, |r| (r.1, r.2));
        let names: Vec<&str> = replies.iter().map(|r| r.0).collect();
        assert_eq!(names, ["steady", "lucky", "new", "bad"]);
    }

    #[test]
    fn tag_normalised_hot_divides_by_the_log_of_activity() {
        // log10(2 + 98) = 2, log10(2 + 0) = 0.30103
        assert_relative_eq!(tag_normalised_hot(0.5, 98), 0.25, epsilon = 1e-12);
        assert_relative_eq!(tag_normalised_hot(0.3, 0), 0.996_578, epsilon = 1e-5);
        assert!(tag_normalised_hot(0.1, 5) > tag_normalised_hot(0.1, 5000));
    }

    #[test]
    fn rising_is_engagement_per_hour_of_age() {
        // (3 + 2·4) / (9 + 2) = 1
        assert_relative_eq!(rising(3, 4, 9.0), 1.0, epsilon = 1e-12);
        assert_eq!(rising(-5, 0, 1.0), 0.0);
        assert!(rising(3, 4, 1.0) > rising(3, 4, 20.0));
    }

    #[test]
    fn trending_damps_growth_from_small_numbers() {
        // (6 − 2) / (2 + 5) = 0.571429; (400 − 200) / 205 = 0.975610
        assert_relative_eq!(trending(6, 2), 0.571_429, epsilon = 1e-6);
        assert_relative_eq!(trending(400, 200), 0.975_610, epsilon = 1e-6);
        assert_relative_eq!(trending(0, 5), -0.5, epsilon = 1e-12);
    }

    #[test]
    fn unanswered_attention_is_quality_times_freshness_times_reach() {
        // 0.9 × 0.5^(48/48) × log10(10 + 90) = 0.9 × 0.5 × 2 = 0.9
        assert_relative_eq!(
            unanswered_attention(Some(0.9), 48.0, 90),
            0.9,
            epsilon = 1e-12
        );
        // No model yet: neutral 0.5 × 1 × log10(10) = 0.5
        assert_relative_eq!(unanswered_attention(None, 0.0, 0), 0.5, epsilon = 1e-12);
        // 0.5 × 0.25 × log10(1000) = 0.375
        assert_relative_eq!(
            unanswered_attention(None, 96.0, 990),
            0.375,
            epsilon = 1e-12
        );
    }

    #[test]
    fn an_unresolved_topic_scores_half_an_unanswered_one_of_the_same_age() {
        // 0.5 × (0.9 × 0.5^(48/48) × log10(100)) = 0.45
        assert_relative_eq!(
            unresolved_attention(Some(0.9), 48.0, 90),
            0.45,
            epsilon = 1e-12
        );
    }

    #[test]
    fn flags_contradictions_and_uncertain_suggestions_have_their_own_scale() {
        assert_eq!(flagged_attention(0), 0.0);
        assert_relative_eq!(flagged_attention(1), 1.0);
        assert_relative_eq!(flagged_attention(4), 3.0);
        assert_relative_eq!(contradiction_attention(0.95), 0.76, epsilon = 1e-12);
        assert_relative_eq!(uncertain_suggestion_attention(0.5), 0.4, epsilon = 1e-12);
        // 0.4 × (1 − |1.4 − 1|) = 0.4 × 0.6 = 0.24
        assert_relative_eq!(uncertain_suggestion_attention(0.7), 0.24, epsilon = 1e-12);
        assert_relative_eq!(uncertain_suggestion_attention(1.0), 0.0, epsilon = 1e-12);
    }
}
