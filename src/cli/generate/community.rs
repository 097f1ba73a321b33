//! The synthetic community, built in memory (one seeded ChaCha stream, no clock reads) and then
//! written by `db::bulk`. Ids are assigned in time order, as a live forum would have them.
use std::collections::HashSet;

use rand::distributions::{Distribution, WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{GenerateArgs, text};
use crate::db::bulk::{FlagRow, PostRow, TagRow, TopicRow, TopicTagRow, UserRow, VoteRow};
use crate::domain::ranking;

const DAY: i64 = 86_400;
const HOUR: f64 = 3_600.0;
/// Generated moderators (the first accounts) resolve the flags.
const MODERATORS: usize = 3;

pub struct Community {
    pub users: Vec<UserRow>,
    pub tags: Vec<TagRow>,
    pub topics: Vec<TopicRow>,
    pub topic_tags: Vec<TopicTagRow>,
    pub posts: Vec<PostRow>,
    pub votes: Vec<VoteRow>,
    pub flags: Vec<FlagRow>,
}

/// A standard normal draw (Box–Muller), for log-normal waits.
fn normal(rng: &mut impl Rng) -> f64 {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    let v: f64 = rng.r#gen();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn exponential(rng: &mut impl Rng, mean: f64) -> f64 {
    -mean * rng.gen_range(f64::EPSILON..1.0_f64).ln()
}

/// Zipf-like weights `1 / (rank + offset)^s`.
fn zipf(n: usize, offset: f64, s: f64) -> Vec<f64> {
    (0..n).map(|r| 1.0 / (r as f64 + offset).powf(s)).collect()
}

struct Reply {
    topic: usize,
    author: i64,
    at: i64,
}

/// The accounts, and who writes: activity is heavy-tailed and unrelated to the join order.
struct People {
    users: Vec<UserRow>,
    pick_user: WeightedIndex<f64>,
    moderators: Vec<i64>,
}

impl People {
    /// An author who had joined by `at` (a few draws, then anyone who had).
    fn author_at(&self, rng: &mut ChaCha8Rng, at: i64) -> i64 {
        for _ in 0..8 {
            let u = &self.users[self.pick_user.sample(rng)];
            if u.3 <= at {
                return u.0;
            }
        }
        self.users[rng.gen_range(0..self.users.len().min(MODERATORS + 50))].0
    }
}

/// Tags with their creation times, Zipf popularity and a trend over the period.
struct TagSet {
    rows: Vec<TagRow>,
    created: Vec<i64>,
    popularity: Vec<f64>,
    trend: Vec<f64>,
}

/// The opening posts' authors, titles and tags, by topic index.
struct Openings {
    authors: Vec<i64>,
    titles: Vec<String>,
    topic_tags: Vec<TopicTagRow>,
}

/// Posts in time order and what each topic's row needs from them, by topic index.
struct Threads {
    posts: Vec<PostRow>,
    first_post: Vec<i64>,
    reply_count: Vec<i64>,
    last_posted: Vec<i64>,
    first_response: Vec<Option<i64>>,
}

/// One seeded stream over the period `[start, end)`; each stage draws from it in turn, so the
/// order of the stages is part of what a seed reproduces.
struct Generator<'a> {
    args: &'a GenerateArgs,
    rng: ChaCha8Rng,
    start: i64,
    end: i64,
}

impl Community {
    pub fn generate(args: &GenerateArgs, end: i64) -> Self {
        let mut g = Generator {
            args,
            rng: ChaCha8Rng::seed_from_u64(args.seed),
            start: end - args.days * DAY,
            end,
        };
        let people = g.people();
        let tags = g.tags();
        let topic_times = g.topic_times();
        let mut openings = g.openings(&people, &tags, &topic_times);
        let replies = g.replies(&people, &topic_times, &openings.authors);
        let mut threads = g.threads(&topic_times, &openings.authors, &replies);
        let votes = g.votes(&people, &mut threads.posts);
        let flags = g.flags(&people, &mut threads.posts);
        let topics = g.topic_rows(&topic_times, &mut openings, &threads);
        Community {
            users: people.users,
            tags: tags.rows,
            topics,
            topic_tags: openings.topic_tags,
            posts: threads.posts,
            votes,
            flags,
        }
    }
}

impl Generator<'_> {
    /// Users: most joined before the period, the rest during it.
    fn people(&mut self) -> People {
        let (start, end, rng) = (self.start, self.end, &mut self.rng);
        let n_users = self
            .args
            .users
            .unwrap_or((self.args.posts / 50).max(100))
            .max(MODERATORS + 2);
        let mut users: Vec<UserRow> = (0..n_users)
            .map(|i| {
                let created = if i < MODERATORS || rng.gen_bool(0.6) {
                    start - rng.gen_range(DAY..365 * DAY)
                } else {
                    rng.gen_range(start..end)
                };
                let role = if i < MODERATORS {
                    "moderator"
                } else {
                    "member"
                };
                (0, format!("user{i}"), role, created)
            })
            .collect();
        users.sort_by_key(|u| u.3);
        for (i, u) in users.iter_mut().enumerate() {
            u.0 = i as i64 + 1;
            if u.2 == "moderator" {
                u.1 = format!("moderator{}", i + 1);
            }
        }
        let mut activity = zipf(n_users, 20.0, 1.1);
        rand::seq::SliceRandom::shuffle(activity.as_mut_slice(), rng);
        let pick_user = WeightedIndex::new(&activity).expect("positive weights");
        let moderators = users
            .iter()
            .filter(|u| u.2 == "moderator")
            .map(|u| u.0)
            .collect();
        People {
            users,
            pick_user,
            moderators,
        }
    }

    /// Tags: Zipf popularity, a trend over the period, 10% created inside it.
    fn tags(&mut self) -> TagSet {
        let (start, end, rng) = (self.start, self.end, &mut self.rng);
        let n_tags = self.args.tags;
        let created: Vec<i64> = (0..n_tags)
            .map(|_| {
                if rng.gen_bool(0.1) {
                    rng.gen_range(start..end)
                } else {
                    start - rng.gen_range(DAY..400 * DAY)
                }
            })
            .collect();
        let rows = (0..n_tags)
            .map(|i| {
                let base = text::TAGS[i % text::TAGS.len()];
                let name = match i / text::TAGS.len() {
                    0 => base.to_owned(),
                    k => format!("{base}-{k}"),
                };
                (i as i64 + 1, name, created[i])
            })
            .collect();
        let popularity = zipf(n_tags, 2.0, 1.0);
        let trend = (0..n_tags).map(|_| rng.gen_range(-0.8..1.2)).collect();
        TagSet {
            rows,
            created,
            popularity,
            trend,
        }
    }

    /// Topic times, sorted: volume grows over the period, weekends are quieter, evenings UTC
    /// busier.
    fn topic_times(&mut self) -> Vec<i64> {
        let (start, end, days) = (self.start, self.end, self.args.days);
        let day_weight: Vec<f64> = (0..days)
            .map(|d| {
                let growth = 0.6 + 0.8 * d as f64 / days as f64;
                let weekday = (start / DAY + d + 4) % 7; // 1970-01-01 was a Thursday
                growth * if weekday >= 5 { 0.7 } else { 1.0 }
            })
            .collect();
        let pick_day = WeightedIndex::new(&day_weight).expect("positive weights");
        let rng = &mut self.rng;
        let mut times: Vec<i64> = (0..self.args.topics)
            .map(|_| {
                let day = start + pick_day.sample(rng) as i64 * DAY;
                loop {
                    let s = rng.gen_range(0..DAY);
                    let hour = s as f64 / HOUR;
                    let busy = 0.55 + 0.45 * ((hour - 9.0) / 24.0 * std::f64::consts::TAU).sin();
                    if rng.r#gen::<f64>() < busy.max(0.15) {
                        return (day + s).min(end - 1);
                    }
                }
            })
            .collect();
        times.sort_unstable();
        times
    }

    /// Each topic's tags (by the tags' popularity and trend at its time), title and author.
    fn openings(&mut self, people: &People, tags: &TagSet, topic_times: &[i64]) -> Openings {
        let (start, end, rng) = (self.start, self.end, &mut self.rng);
        let n_topics = topic_times.len();
        let mut openings = Openings {
            authors: Vec::with_capacity(n_topics),
            titles: Vec::with_capacity(n_topics),
            topic_tags: Vec::new(),
        };
        for (i, &at) in topic_times.iter().enumerate() {
            let topic_id = i as i64 + 1;
            let f = (at - start) as f64 / (end - start) as f64;
            let weights: Vec<f64> = (0..tags.rows.len())
                .map(|t| {
                    if tags.created[t] > at {
                        0.0
                    } else {
                        tags.popularity[t] * (1.0 + tags.trend[t] * (f - 0.5)).max(0.05)
                    }
                })
                .collect();
            let pick_tag = WeightedIndex::new(&weights).ok();
            let count = match rng.r#gen::<f64>() {
                x if x < 0.06 => 0,
                x if x < 0.50 => 1,
                x if x < 0.85 => 2,
                _ => 3,
            };
            let mut chosen: Vec<usize> = Vec::new();
            if let Some(pick) = &pick_tag {
                for _ in 0..count * 3 {
                    let t = pick.sample(rng);
                    if !chosen.contains(&t) {
                        chosen.push(t);
                    }
                    if chosen.len() == count {
                        break;
                    }
                }
            }
            for &t in &chosen {
                let row = (topic_id, t as i64 + 1, "author", "active", None);
                openings.topic_tags.push(row);
            }
            // The model (no version: synthetic) suggests tags for most untagged topics and now
            // and then disagrees with an author.
            if let Some(pick) = &pick_tag
                && (chosen.is_empty() && rng.gen_bool(0.7) || rng.gen_bool(0.04))
            {
                let t = pick.sample(rng);
                if !chosen.contains(&t) {
                    let confidence = (rng.gen_range(0.3..0.99_f64) * 100.0).round() / 100.0;
                    let row = (
                        topic_id,
                        t as i64 + 1,
                        "model",
                        "suggested",
                        Some(confidence),
                    );
                    openings.topic_tags.push(row);
                }
            }
            let main_tag = chosen
                .first()
                .map_or("question", |&t| tags.rows[t].1.as_str());
            openings.titles.push(text::title(rng, main_tag));
            openings.authors.push(people.author_at(rng, at));
        }
        openings
    }

    /// Replies: a heavy-tailed share per topic, 12% never answered; waits are log-normal with a
    /// median of about 2.5 h, later replies follow at a few hours' intervals. Sorted by time.
    fn replies(
        &mut self,
        people: &People,
        topic_times: &[i64],
        topic_authors: &[i64],
    ) -> Vec<Reply> {
        let (end, rng) = (self.end, &mut self.rng);
        let n_topics = topic_times.len();
        let replies_wanted = self.args.posts - self.args.topics;
        let appeal: Vec<f64> = (0..n_topics)
            .map(|_| {
                if rng.gen_bool(0.12) {
                    0.0
                } else {
                    (0.9 * normal(rng)).exp()
                }
            })
            .collect();
        // Threads still going at the end lose their later replies, so draw a few more than wanted
        // and drop a uniform random surplus: the count comes out exact and the time profile stays
        // natural (no pile-up on the last day).
        let mut replies: Vec<Reply> = Vec::new();
        let mut inflation = 1.1;
        let pick_topic = WeightedIndex::new(&appeal).ok();
        for _attempt in 0..20 {
            let Some(pick) = &pick_topic else { break };
            replies.clear();
            let mut per_topic = vec![0usize; n_topics];
            for _ in 0..(replies_wanted as f64 * inflation) as usize {
                per_topic[pick.sample(rng)] += 1;
            }
            for (topic, &n) in per_topic.iter().enumerate() {
                let opened = topic_times[topic];
                let mut at = opened as f64 + (2.5 * HOUR) * (1.3 * normal(rng)).exp();
                for k in 0..n {
                    if at >= end as f64 {
                        break;
                    }
                    let mut author = people.author_at(rng, at as i64);
                    if k == 0 && author == topic_authors[topic] {
                        author = people.author_at(rng, at as i64);
                    }
                    if k > 0 && rng.gen_bool(0.1) {
                        author = topic_authors[topic];
                    }
                    replies.push(Reply {
                        topic,
                        author,
                        at: at as i64,
                    });
                    at += exponential(rng, 5.0 * HOUR);
                }
            }
            if replies.len() >= replies_wanted {
                break;
            }
            inflation *= 1.25;
        }
        rand::seq::SliceRandom::shuffle(replies.as_mut_slice(), rng);
        replies.truncate(replies_wanted);
        replies.sort_by_key(|r| (r.at, r.topic));
        replies
    }

    /// Posts in time order, opening posts and replies interleaved, with their bodies.
    fn threads(
        &mut self,
        topic_times: &[i64],
        topic_authors: &[i64],
        replies: &[Reply],
    ) -> Threads {
        let n_topics = topic_times.len();
        let mut events: Vec<(i64, Option<usize>, usize)> = topic_times
            .iter()
            .enumerate()
            .map(|(t, &at)| (at, None, t))
            .chain(
                replies
                    .iter()
                    .enumerate()
                    .map(|(r, x)| (x.at, Some(r), x.topic)),
            )
            .collect();
        events.sort_by_key(|e| (e.0, e.1.is_some(), e.2));
        let mut threads = Threads {
            posts: Vec::with_capacity(n_topics + replies.len()),
            first_post: vec![0; n_topics],
            reply_count: vec![0; n_topics],
            last_posted: topic_times.to_vec(),
            first_response: vec![None; n_topics],
        };
        for (at, reply, topic) in events {
            let id = threads.posts.len() as i64 + 1;
            let (author, is_first, body) = match reply {
                None => {
                    threads.first_post[topic] = id;
                    let body = text::body(&mut self.rng, 12, 40);
                    (topic_authors[topic], true, body)
                }
                Some(r) => {
                    let author = replies[r].author;
                    threads.reply_count[topic] += 1;
                    threads.last_posted[topic] = at;
                    if author != topic_authors[topic] && threads.first_response[topic].is_none() {
                        threads.first_response[topic] = Some(at);
                    }
                    (author, false, text::body(&mut self.rng, 6, 30))
                }
            };
            let row = (
                id,
                topic as i64 + 1,
                author,
                is_first,
                body,
                at,
                0,
                0,
                false,
            );
            threads.posts.push(row);
        }
        threads
    }

    /// Votes: mostly on opening posts and mostly up, some hours after the post, one per user and
    /// post, never on one's own post. Counted into the posts' up and down columns.
    fn votes(&mut self, people: &People, posts: &mut [PostRow]) -> Vec<VoteRow> {
        let (end, rng) = (self.end, &mut self.rng);
        let n_votes = self.args.votes.unwrap_or(self.args.posts);
        let post_weight: Vec<f64> = posts.iter().map(|p| if p.3 { 3.0 } else { 1.0 }).collect();
        let pick_post = WeightedIndex::new(&post_weight).expect("at least one post");
        let mut seen: HashSet<(i64, i64)> = HashSet::with_capacity(n_votes);
        let mut votes: Vec<VoteRow> = Vec::with_capacity(n_votes);
        for _ in 0..n_votes * 2 {
            if votes.len() == n_votes {
                break;
            }
            let p = pick_post.sample(rng);
            let at = posts[p].5 + exponential(rng, 10.0 * HOUR) as i64;
            if at >= end {
                continue;
            }
            let voter = people.author_at(rng, at);
            if voter == posts[p].2 || !seen.insert((voter, posts[p].0)) {
                continue;
            }
            let value = if rng.gen_bool(0.85) { 1 } else { -1 };
            if value == 1 {
                posts[p].6 += 1;
            } else {
                posts[p].7 += 1;
            }
            votes.push((voter, posts[p].0, value, at));
        }
        votes.sort_by_key(|v| (v.3, v.0, v.1));
        votes
    }

    /// Flags on about 0.15% of replies; older ones resolved (a third by hiding the post), recent
    /// ones open.
    fn flags(&mut self, people: &People, posts: &mut [PostRow]) -> Vec<FlagRow> {
        let (end, rng) = (self.end, &mut self.rng);
        let mut flags: Vec<FlagRow> = Vec::new();
        let reasons = ["spam", "abuse", "off_topic", "other"];
        for post in posts.iter_mut() {
            // Only replies: hiding an opening post would hide its whole topic.
            if post.3 || !rng.gen_bool(0.0015) {
                continue;
            }
            let flagged_at = post.5 + exponential(rng, 2.0 * HOUR) as i64;
            if flagged_at >= end {
                continue;
            }
            let open = end - flagged_at < 3 * DAY && rng.gen_bool(0.7);
            let hide = !open && rng.gen_bool(0.35);
            let reason = reasons[rng.gen_range(0..reasons.len())];
            let mut reporters: Vec<i64> = Vec::new();
            for _ in 0..rng.gen_range(1..=3) {
                let r = people.author_at(rng, flagged_at);
                if r != post.2 && !reporters.contains(&r) {
                    reporters.push(r);
                }
            }
            let resolver = people.moderators[rng.gen_range(0..people.moderators.len())];
            let resolved_at = (flagged_at + exponential(rng, 6.0 * HOUR) as i64).min(end - 1);
            for r in reporters {
                let (status, by, when) = match (open, hide) {
                    (true, _) => ("open", None, None),
                    (false, true) => ("hidden", Some(resolver), Some(resolved_at)),
                    (false, false) => ("dismissed", Some(resolver), Some(resolved_at)),
                };
                flags.push((post.0, r, reason, status, flagged_at, by, when));
            }
            post.8 = hide;
        }
        flags.sort_by_key(|f| (f.4, f.0, f.1));
        flags
    }

    /// The topic rows, with their score, views and ranks from the posts.
    fn topic_rows(
        &mut self,
        topic_times: &[i64],
        openings: &mut Openings,
        threads: &Threads,
    ) -> Vec<TopicRow> {
        let (end, rng) = (self.end, &mut self.rng);
        (0..topic_times.len())
            .map(|t| {
                let first = &threads.posts[(threads.first_post[t] - 1) as usize];
                let score = first.6 - first.7;
                let replies = threads.reply_count[t];
                let views = (replies as f64 * 15.0 + 5.0) * (0.8 * normal(rng)).exp();
                let last_posted = threads.last_posted[t];
                (
                    t as i64 + 1,
                    std::mem::take(&mut openings.titles[t]),
                    openings.authors[t],
                    topic_times[t],
                    last_posted,
                    replies,
                    views.round() as i64,
                    score,
                    ranking::hot(score, replies, topic_times[t], end),
                    ranking::active(score, replies, last_posted, end),
                    threads.first_response[t],
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(seed: u64) -> GenerateArgs {
        GenerateArgs {
            topics: 300,
            posts: 3_000,
            users: None,
            votes: None,
            tags: 40,
            days: 30,
            seed,
            end: None,
        }
    }

    /// Everything generated, as text, to compare whole communities.
    fn dump(c: &Community) -> String {
        format!(
            "{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
            c.users, c.tags, c.topics, c.topic_tags, c.posts, c.votes, c.flags
        )
    }

    #[test]
    fn a_seed_gives_the_same_community_with_the_counts_asked_for() {
        let end = 1_800_000_000;
        let first = Community::generate(&args(11), end);
        assert_eq!(dump(&first), dump(&Community::generate(&args(11), end)));
        assert_ne!(dump(&first), dump(&Community::generate(&args(12), end)));
        assert_eq!((first.topics.len(), first.posts.len()), (300, 3_000));
        assert_eq!(first.tags.len(), 40);
        assert!(
            first.posts.windows(2).all(|p| p[0].5 <= p[1].5),
            "posts in time order"
        );
        assert!(
            first
                .topics
                .iter()
                .all(|t| t.3 >= end - 30 * DAY && t.3 < end)
        );
        let replies: i64 = first.topics.iter().map(|t| t.5).sum();
        assert_eq!(replies, 3_000 - 300);
    }
}
