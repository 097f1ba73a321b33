//! A small in-memory rate limiter: the generic cell rate algorithm (GCRA, as `governor` uses).
//!
//! A rule "`count` per `period`" lets a burst of `count` requests through at once, then one every
//! `period / count`. Per key only one instant is kept — the *theoretical arrival time* (TAT) of
//! the next request if requests came at exactly the allowed rate — so a key costs a few bytes and
//! no timer. A request at `now` is allowed when `TAT − now ≤ period − interval`; it then moves the
//! TAT one `interval` on.
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// "`count` requests per `period`"; a `count` of 0 switches the rule off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub period: Duration,
}

impl Rate {
    pub const fn new(count: u32, period: Duration) -> Self {
        Self { count, period }
    }

    pub const fn per_minute(count: u32) -> Self {
        Self {
            count,
            period: Duration::from_secs(60),
        }
    }

    pub const fn per_hour(count: u32) -> Self {
        Self {
            count,
            period: Duration::from_secs(3600),
        }
    }

    fn is_off(self) -> bool {
        self.count == 0
    }

    fn interval(self) -> Duration {
        self.period / self.count
    }

    /// How far ahead of `now` the TAT may be: the room for a burst.
    fn tolerance(self) -> Duration {
        self.period - self.interval()
    }
}

/// TATs per (rule, key). One lock for all: only writes go through limits, and each holds it for a
/// hash lookup or two.
pub struct Gcra<K> {
    tats: Mutex<HashMap<K, Instant>>,
}

/// Entries past which the map is swept of keys whose TAT has passed (they are back to a full burst
/// and equal to absent).
const SWEEP_ABOVE: usize = 10_000;

impl<K: Hash + Eq + Clone> Default for Gcra<K> {
    fn default() -> Self {
        Self {
            tats: Mutex::default(),
        }
    }
}

impl<K: Hash + Eq + Clone> Gcra<K> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Instant>> {
        self.tats
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Admits a request at `now` only if every `(key, rate)` pair allows it; then it counts
    /// against all of them. Otherwise nothing is counted and the answer is how long to wait
    /// until all of them would allow it.
    pub fn check_all(&self, checks: &[(K, Rate)], now: Instant) -> Result<(), Duration> {
        let mut tats = self.lock();
        if tats.len() > SWEEP_ABOVE {
            tats.retain(|_, tat| *tat > now);
        }
        let next = Self::admit(&tats, checks, now)?;
        for (key, tat) in next {
            tats.insert(key.clone(), tat);
        }
        Ok(())
    }

    /// Whether [`Self::check_all`] would admit a request now, without counting it: for limits on
    /// outcomes (failed logins, created accounts), counted afterwards with [`Self::charge`].
    pub fn peek_all(&self, checks: &[(K, Rate)], now: Instant) -> Result<(), Duration> {
        Self::admit(&self.lock(), checks, now).map(drop)
    }

    /// Counts one event against every pair, admitted or not (an outcome that already happened).
    pub fn charge(&self, checks: &[(K, Rate)], now: Instant) {
        let mut tats = self.lock();
        if tats.len() > SWEEP_ABOVE {
            tats.retain(|_, tat| *tat > now);
        }
        for (key, rate) in checks.iter().filter(|(_, rate)| !rate.is_off()) {
            let tat = tats.get(key).copied().unwrap_or(now).max(now);
            // Never further ahead than a full period: the key is then simply spent.
            let next = (tat + rate.interval()).min(now + rate.period);
            tats.insert(key.clone(), next);
        }
    }

    /// Whether `key` has been counted recently: its TAT is still ahead of `now`.
    pub fn is_charged(&self, key: &K, now: Instant) -> bool {
        self.lock().get(key).is_some_and(|tat| *tat > now)
    }

    /// Forgets a key: its next request gets the whole burst again.
    pub fn forget(&self, key: &K) {
        self.lock().remove(key);
    }

    /// The new TATs if every pair admits a request at `now`, else the longest wait.
    fn admit<'k>(
        tats: &HashMap<K, Instant>,
        checks: &'k [(K, Rate)],
        now: Instant,
    ) -> Result<Vec<(&'k K, Instant)>, Duration> {
        let mut wait = Duration::ZERO;
        let mut next = Vec::with_capacity(checks.len());
        for (key, rate) in checks.iter().filter(|(_, rate)| !rate.is_off()) {
            let tat = tats.get(key).copied().unwrap_or(now).max(now);
            let ahead = tat - now;
            if ahead > rate.tolerance() {
                wait = wait.max(ahead - rate.tolerance());
            } else {
                next.push((key, tat + rate.interval()));
            }
        }
        if wait > Duration::ZERO {
            return Err(wait);
        }
        Ok(next)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.tats.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn a_burst_of_count_passes_and_the_next_request_waits_one_interval() {
        let limiter = Gcra::default();
        let t0 = Instant::now();
        let rule = [("ip", Rate::per_minute(6))];
        for i in 0..6 {
            assert_eq!(limiter.check_all(&rule, t0), Ok(()), "request {i}");
        }
        assert_eq!(limiter.check_all(&rule, t0), Err(secs(10)));
        assert_eq!(limiter.check_all(&rule, t0 + secs(4)), Err(secs(6)));
        assert_eq!(limiter.check_all(&rule, t0 + secs(10)), Ok(()));
        assert!(limiter.check_all(&rule, t0 + secs(10)).is_err());
    }

    #[test]
    fn after_a_full_period_the_whole_burst_is_back() {
        let limiter = Gcra::default();
        let t0 = Instant::now();
        let rule = [("ip", Rate::per_hour(3))];
        for _ in 0..3 {
            limiter.check_all(&rule, t0).unwrap();
        }
        assert!(limiter.check_all(&rule, t0).is_err());
        let later = t0 + secs(3600);
        for _ in 0..3 {
            assert_eq!(limiter.check_all(&rule, later), Ok(()));
        }
        assert!(limiter.check_all(&rule, later).is_err());
    }

    #[test]
    fn keys_are_counted_apart() {
        let limiter = Gcra::default();
        let t0 = Instant::now();
        limiter.check_all(&[("a", Rate::per_hour(1))], t0).unwrap();
        assert!(limiter.check_all(&[("a", Rate::per_hour(1))], t0).is_err());
        assert_eq!(limiter.check_all(&[("b", Rate::per_hour(1))], t0), Ok(()));
    }

    #[test]
    fn a_refused_request_counts_against_no_rule() {
        let limiter = Gcra::default();
        let t0 = Instant::now();
        let minute = ("minute", Rate::per_minute(2));
        let hour = ("hour", Rate::per_hour(3));
        limiter.check_all(&[minute, hour], t0).unwrap();
        limiter.check_all(&[minute, hour], t0).unwrap();
        // The minute rule refuses; the hour rule must not lose its third request to it.
        assert_eq!(limiter.check_all(&[minute, hour], t0), Err(secs(30)));
        assert_eq!(limiter.check_all(&[minute, hour], t0 + secs(30)), Ok(()));
        // Now the hour rule is spent: the wait is the longer of the two.
        assert_eq!(
            limiter.check_all(&[minute, hour], t0 + secs(60)),
            Err(secs(1140))
        );
    }

    #[test]
    fn peeking_counts_nothing_and_charging_counts_even_when_spent() {
        let limiter = Gcra::default();
        let t0 = Instant::now();
        let rule = [("k", Rate::per_minute(2))];
        for _ in 0..10 {
            assert_eq!(limiter.peek_all(&rule, t0), Ok(()));
        }
        assert!(!limiter.is_charged(&"k", t0));
        limiter.charge(&rule, t0);
        assert!(limiter.is_charged(&"k", t0));
        assert_eq!(limiter.peek_all(&rule, t0), Ok(()));
        limiter.charge(&rule, t0);
        assert_eq!(limiter.peek_all(&rule, t0), Err(secs(30)));
        // Charging a spent key keeps it spent for at most one period.
        for _ in 0..100 {
            limiter.charge(&rule, t0);
        }
        assert_eq!(limiter.peek_all(&rule, t0), Err(secs(30)));
        limiter.forget(&"k");
        assert_eq!(limiter.peek_all(&rule, t0), Ok(()));
    }

    #[test]
    fn a_zero_count_switches_a_rule_off() {
        let limiter = Gcra::default();
        let t0 = Instant::now();
        for _ in 0..1000 {
            assert_eq!(limiter.check_all(&[("k", Rate::per_minute(0))], t0), Ok(()));
        }
        assert_eq!(limiter.len(), 0);
    }

    #[test]
    fn idle_keys_are_swept_once_the_map_is_big() {
        let limiter = Gcra::default();
        let t0 = Instant::now();
        for key in 0..=SWEEP_ABOVE {
            limiter
                .check_all(&[(key, Rate::per_minute(10))], t0)
                .unwrap();
        }
        assert_eq!(limiter.len(), SWEEP_ABOVE + 1);
        limiter
            .check_all(&[(usize::MAX, Rate::per_minute(10))], t0 + secs(61))
            .unwrap();
        assert_eq!(limiter.len(), 1);
    }
}
