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

impl Community {
    pub fn generate(args: &GenerateArgs, end: i64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
        let start = end - args.days * DAY;
        let n_users = args
            .users
            .unwrap_or((args.posts / 50).max(100))
            .max(MODERATORS + 2);

        // Users: most joined before the period, the rest during it; activity is heavy-tailed and
        // unrelated to the join order.
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
        rand::seq::SliceRandom::shuffle(activity.as_mut_slice(), &mut rng);
        let pick_user = WeightedIndex::new(&activity).expect("positive weights");
        let moderators: Vec<i64> = users
            .iter()
            .filter(|u| u.2 == "moderator")
            .map(|u| u.0)
            .collect();
        // An author who had joined by `at` (a few draws, then anyone who had).
        let author_at = |rng: &mut ChaCha8Rng, at: i64| -> i64 {
            for _ in 0..8 {
                let u = &users[pick_user.sample(rng)];
                if u.3 <= at {
                    return u.0;
                }
            }
            users[rng.gen_range(0..n_users.min(MODERATORS + 50))].0
        };

        // Tags: Zipf popularity, a trend over the period, 10% created inside it.
        let n_tags = args.tags;
        let tag_created: Vec<i64> = (0..n_tags)
            .map(|_| {
                if rng.gen_bool(0.1) {
                    rng.gen_range(start..end)
                } else {
                    start - rng.gen_range(DAY..400 * DAY)
                }
            })
            .collect();
        let tags: Vec<TagRow> = (0..n_tags)
            .map(|i| {
                let base = text::TAGS[i % text::TAGS.len()];
                let name = match i / text::TAGS.len() {
                    0 => base.to_owned(),
                    k => format!("{base}-{k}"),
                };
                (i as i64 + 1, name, tag_created[i])
            })
            .collect();
        let popularity = zipf(n_tags, 2.0, 1.0);
        let trend: Vec<f64> = (0..n_tags).map(|_| rng.gen_range(-0.8..1.2)).collect();

        // Topic times: volume grows over the period, weekends are quieter, evenings UTC busier.
        let day_weight: Vec<f64> = (0..args.days)
            .map(|d| {
                let growth = 0.6 + 0.8 * d as f64 / args.days as f64;
                let weekday = (start / DAY + d + 4) % 7; // 1970-01-01 was a Thursday
                growth * if weekday >= 5 { 0.7 } else { 1.0 }
            })
            .collect();
        let pick_day = WeightedIndex::new(&day_weight).expect("positive weights");
        let times = |rng: &mut ChaCha8Rng| -> i64 {
            let day = start + pick_day.sample(rng) as i64 * DAY;
            loop {
                let s = rng.gen_range(0..DAY);
                let hour = s as f64 / HOUR;
                let busy = 0.55 + 0.45 * ((hour - 9.0) / 24.0 * std::f64::consts::TAU).sin();
                if rng.r#gen::<f64>() < busy.max(0.15) {
                    return (day + s).min(end - 1);
                }
            }
        };
        let mut topic_times: Vec<i64> = (0..args.topics).map(|_| times(&mut rng)).collect();
        topic_times.sort_unstable();

        // Topics with their tags.
        let mut topic_authors = Vec::with_capacity(args.topics);
        let mut titles = Vec::with_capacity(args.topics);
        let mut topic_tags: Vec<TopicTagRow> = Vec::new();
        for (i, &at) in topic_times.iter().enumerate() {
            let topic_id = i as i64 + 1;
            let f = (at - start) as f64 / (end - start) as f64;
            let weights: Vec<f64> = (0..n_tags)
                .map(|t| {
                    if tag_created[t] > at {
                        0.0
                    } else {
                        popularity[t] * (1.0 + trend[t] * (f - 0.5)).max(0.05)
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
                    let t = pick.sample(&mut rng);
                    if !chosen.contains(&t) {
                        chosen.push(t);
                    }
                    if chosen.len() == count {
                        break;
                    }
                }
            }
            for &t in &chosen {
                topic_tags.push((topic_id, t as i64 + 1, "author", "active", None));
            }
            // The model (no version: synthetic) suggests tags for most untagged topics and now
            // and then disagrees with an author.
            if let Some(pick) = &pick_tag
                && (chosen.is_empty() && rng.gen_bool(0.7) || rng.gen_bool(0.04))
            {
                let t = pick.sample(&mut rng);
                if !chosen.contains(&t) {
                    let confidence = (rng.gen_range(0.3..0.99_f64) * 100.0).round() / 100.0;
                    topic_tags.push((
                        topic_id,
                        t as i64 + 1,
                        "model",
                        "suggested",
                        Some(confidence),
                    ));
                }
            }
            let main_tag = chosen.first().map_or("question", |&t| tags[t].1.as_str());
            titles.push(text::title(&mut rng, main_tag));
            topic_authors.push(author_at(&mut rng, at));
        }

        // Replies: a heavy-tailed share per topic, 12% never answered; waits are log-normal with a
        // median of about 2.5 h, later replies follow at a few hours' intervals.
        let replies_wanted = args.posts - args.topics;
        let appeal: Vec<f64> = (0..args.topics)
            .map(|_| {
                if rng.gen_bool(0.12) {
                    0.0
                } else {
                    (0.9 * normal(&mut rng)).exp()
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
            let mut per_topic = vec![0usize; args.topics];
            for _ in 0..(replies_wanted as f64 * inflation) as usize {
                per_topic[pick.sample(&mut rng)] += 1;
            }
            for (topic, &n) in per_topic.iter().enumerate() {
                let opened = topic_times[topic];
                let mut at = opened as f64 + (2.5 * HOUR) * (1.3 * normal(&mut rng)).exp();
                for k in 0..n {
                    if at >= end as f64 {
                        break;
                    }
                    let mut author = author_at(&mut rng, at as i64);
                    if k == 0 && author == topic_authors[topic] {
                        author = author_at(&mut rng, at as i64);
                    }
                    if k > 0 && rng.gen_bool(0.1) {
                        author = topic_authors[topic];
                    }
                    replies.push(Reply {
                        topic,
                        author,
                        at: at as i64,
                    });
                    at += exponential(&mut rng, 5.0 * HOUR);
                }
            }
            if replies.len() >= replies_wanted {
                break;
            }
            inflation *= 1.25;
        }
        rand::seq::SliceRandom::shuffle(replies.as_mut_slice(), &mut rng);
        replies.truncate(replies_wanted);
        replies.sort_by_key(|r| (r.at, r.topic));

        // Posts in time order: opening posts and replies interleaved.
        let mut posts: Vec<PostRow> = Vec::with_capacity(args.topics + replies.len());
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
        let mut first_post = vec![0i64; args.topics];
        let mut reply_count = vec![0i64; args.topics];
        let mut last_posted = topic_times.clone();
        let mut first_response: Vec<Option<i64>> = vec![None; args.topics];
        for (at, reply, topic) in events {
            let id = posts.len() as i64 + 1;
            let (author, is_first, body) = match reply {
                None => {
                    first_post[topic] = id;
                    (topic_authors[topic], true, text::body(&mut rng, 12, 40))
                }
                Some(r) => {
                    let author = replies[r].author;
                    reply_count[topic] += 1;
                    last_posted[topic] = at;
                    if author != topic_authors[topic] && first_response[topic].is_none() {
                        first_response[topic] = Some(at);
                    }
                    (author, false, text::body(&mut rng, 6, 30))
                }
            };
            posts.push((
                id,
                topic as i64 + 1,
                author,
                is_first,
                body,
                at,
                0,
                0,
                false,
            ));
        }

        // Votes: mostly on opening posts and mostly up, some hours after the post, one per user
        // and post, never on one's own post.
        let n_votes = args.votes.unwrap_or(args.posts);
        let post_weight: Vec<f64> = posts.iter().map(|p| if p.3 { 3.0 } else { 1.0 }).collect();
        let pick_post = WeightedIndex::new(&post_weight).expect("at least one post");
        let mut seen: HashSet<(i64, i64)> = HashSet::with_capacity(n_votes);
        let mut votes: Vec<VoteRow> = Vec::with_capacity(n_votes);
        for _ in 0..n_votes * 2 {
            if votes.len() == n_votes {
                break;
            }
            let p = pick_post.sample(&mut rng);
            let at = posts[p].5 + exponential(&mut rng, 10.0 * HOUR) as i64;
            if at >= end {
                continue;
            }
            let voter = author_at(&mut rng, at);
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

        // Flags on about 0.15% of posts; older ones resolved (a third by hiding), recent ones open.
        let mut flags: Vec<FlagRow> = Vec::new();
        let reasons = ["spam", "abuse", "off_topic", "other"];
        for post in posts.iter_mut() {
            // Only replies: hiding an opening post would hide its whole topic.
            if post.3 || !rng.gen_bool(0.0015) {
                continue;
            }
            let flagged_at = post.5 + exponential(&mut rng, 2.0 * HOUR) as i64;
            if flagged_at >= end {
                continue;
            }
            let open = end - flagged_at < 3 * DAY && rng.gen_bool(0.7);
            let hide = !open && rng.gen_bool(0.35);
            let reason = reasons[rng.gen_range(0..reasons.len())];
            let mut reporters: Vec<i64> = Vec::new();
            for _ in 0..rng.gen_range(1..=3) {
                let r = author_at(&mut rng, flagged_at);
                if r != post.2 && !reporters.contains(&r) {
                    reporters.push(r);
                }
            }
            let resolver = moderators[rng.gen_range(0..moderators.len())];
            let resolved_at = (flagged_at + exponential(&mut rng, 6.0 * HOUR) as i64).min(end - 1);
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

        let topics: Vec<TopicRow> = (0..args.topics)
            .map(|t| {
                let first = &posts[(first_post[t] - 1) as usize];
                let score = first.6 - first.7;
                let views = (reply_count[t] as f64 * 15.0 + 5.0) * (0.8 * normal(&mut rng)).exp();
                (
                    t as i64 + 1,
                    std::mem::take(&mut titles[t]),
                    topic_authors[t],
                    topic_times[t],
                    last_posted[t],
                    reply_count[t],
                    views.round() as i64,
                    score,
                    ranking::hot(score, reply_count[t], topic_times[t], end),
                    ranking::active(score, reply_count[t], last_posted[t], end),
                    first_response[t],
                )
            })
            .collect();

        Community {
            users,
            tags,
            topics,
            topic_tags,
            posts,
            votes,
            flags,
        }
    }
}
