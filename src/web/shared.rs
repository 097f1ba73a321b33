//! What every viewer of a page shares, read once per page-cache generation and reused for members:
//! a list page's rows, a topic's posts and tags, a search's results. Members' requests skip the page cache (their
//! pages carry their name, votes, CSRF token and moderator controls); with this they still skip the
//! queries whose cost grows with the page, and add only their own bits (their votes on the topic,
//! whether they watch it) with one small query each.
//!
//! The same rules as the page cache's hold: data is stored under the generation read *before* it
//! was loaded and served only while that is still the current one, so nothing older than a
//! committed write of this process is served after it; and for at most the cache's TTL, for
//! writers in other processes (a TTL of zero turns this off too).
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::db::{
    posts::Post, posts::ViewerTopic, search::Results, tags::TagCount, tags::TopicTag,
    topics::Topic, topics::TopicPage,
};

/// Past this many entries in one generation the map starts over.
const MAX_ENTRIES: usize = 10_000;

type Entries<K, V> = (u64, HashMap<K, (Instant, Arc<V>)>);

/// One kind of shared data, for the current generation only.
pub struct Shared<K, V> {
    ttl: Duration,
    entries: Mutex<Entries<K, V>>,
}

impl<K: Eq + Hash, V> Shared<K, V> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new((0, HashMap::new())),
        }
    }

    pub fn get(&self, generation: u64, key: &K) -> Option<Arc<V>> {
        let entries = self.lock();
        if entries.0 != generation {
            return None;
        }
        let (stored, value) = entries.1.get(key)?;
        (stored.elapsed() < self.ttl).then(|| value.clone())
    }

    /// Stores `value`, loaded after `generation` was read; a newer generation drops everything
    /// older, and data loaded in an older one is not kept.
    pub fn put(&self, generation: u64, key: K, value: Arc<V>) {
        let mut entries = self.lock();
        if generation > entries.0 || entries.1.len() >= MAX_ENTRIES {
            entries.1.clear();
            entries.0 = entries.0.max(generation);
        }
        if entries.0 == generation && !self.ttl.is_zero() {
            entries.1.insert(key, (Instant::now(), value));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<K, V>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A topic as every reader sees it: `my_vote` is 0 in `posts`; the viewer's are added per request.
pub struct TopicData {
    pub topic: Topic,
    pub posts: Vec<Post>,
    pub tags: Vec<TopicTag>,
}

/// The shared data of the app's pages, in `AppState`.
pub struct SharedPages {
    /// List pages by (order, tag, page position), as `Debug` text.
    pub lists: Shared<String, TopicPage>,
    /// Topics by (id, with hidden posts): moderators see hidden posts, others do not.
    pub topics: Shared<(i64, bool), TopicData>,
    /// A member's own marks on a topic (votes, flags, watching) by (topic, member): their reload
    /// of a page costs no query until the next write, and any write of theirs starts a new
    /// generation.
    pub viewer_topics: Shared<(i64, i64), ViewerTopic>,
    /// Tags by name, with their topic counts (a count over a big tag's rows).
    pub tags: Shared<String, TagCount>,
    /// Search results by (FTS query, limit, offset): a common word searched by many members is
    /// ranked once.
    pub searches: Shared<(String, i64, i64), Results>,
}

impl SharedPages {
    /// `ttl`: the page cache's.
    pub fn new(ttl: Duration) -> Self {
        Self {
            lists: Shared::new(ttl),
            topics: Shared::new(ttl),
            viewer_topics: Shared::new(ttl),
            tags: Shared::new(ttl),
            searches: Shared::new(ttl),
        }
    }
}
