//! A page cache for anonymous readers: the rendered response of a public GET (lists, topics, tags,
//! search, and their JSON twins), kept in memory until the next write or for a few seconds. A HEAD
//! is answered from a stored GET when there is one, and is never stored.
//!
//! Correctness rests on a generation counter. Every request that may write (any method but
//! GET/HEAD) bumps it once its handler has answered — after its transaction committed — and so do
//! the background jobs that change what pages show. A response is stored under the generation read
//! *before* its handler ran and served only while that is still the current one, so a page rendered
//! from data older than some committed write is never served after that write. Other app servers
//! on the same PostgreSQL database bump it too, as soon as they announce their writes
//! (`nodes`); the TTL bounds staleness from writers that announce nothing (the CLI on SQLite). Requests with a session
//! cookie are never served from or stored in the cache: members see their own votes, drafts and
//! CSRF tokens. Misses are rendered once per key at a time: readers who arrive while a page is
//! being rendered wait for it rather than each rendering it again (no stampede when a slow page,
//! such as a search for a common word, is invalidated under load), and while an expired — but not
//! invalidated — page is rendered again, the others get the expired copy.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use actix_web::HttpResponse;
use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header::HeaderMap};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};

use super::AppState;
use super::session::SESSION_COOKIE;

/// The route patterns whose anonymous GETs are cached.
const CACHEABLE: [&str; 17] = [
    "/",
    "/latest",
    "/latest.atom",
    "/hot.atom",
    "/tags/{name}.atom",
    "/t/{id}.atom",
    "/u/{name}.atom",
    "/top",
    "/t/{id}",
    "/tags",
    "/tags/{name}",
    "/search",
    "/u/{username}",
    "/api/v1/topics",
    "/api/v1/topics/{id}",
    "/api/v1/tags",
    "/api/v1/search",
];

/// Past this many bytes of bodies the cache starts over (simpler than LRU, and a full cache
/// refills from the hottest pages first).
const MAX_BYTES: usize = 64 * 1024 * 1024;

struct Entry {
    generation: u64,
    stored: Instant,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

/// What the cache holds for a key.
enum Lookup {
    Fresh(HttpResponse),
    /// Rendered in the current generation (no write since) but older than the TTL: good enough
    /// for the readers who arrive while one of them renders it again.
    Expired(HttpResponse),
    Miss,
}

/// The cache, shared by all workers through `AppState`.
pub struct PageCache {
    ttl: Duration,
    generation: AtomicU64,
    entries: RwLock<HashMap<String, Entry>>,
    bytes: AtomicU64,
    /// One gate per key being rendered.
    rendering: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl PageCache {
    /// A `ttl` of zero turns the cache off.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            generation: AtomicU64::new(0),
            entries: RwLock::default(),
            bytes: AtomicU64::new(0),
            rendering: Mutex::default(),
        }
    }

    /// Something was written: every stored page is stale.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn current(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The generation now: anything read from the database before a later write is stale once
    /// this has moved on (for other in-memory copies, such as the unread counts).
    pub fn generation(&self) -> u64 {
        self.current()
    }

    fn lookup(&self, key: &str) -> Lookup {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let Some(entry) = entries.get(key) else {
            return Lookup::Miss;
        };
        if entry.generation != self.current() {
            return Lookup::Miss;
        }
        let mut response = HttpResponse::with_body(entry.status, BoxBody::new(entry.body.clone()));
        for (name, value) in &entry.headers {
            response.headers_mut().append(name.clone(), value.clone());
        }
        if entry.stored.elapsed() > self.ttl {
            Lookup::Expired(response)
        } else {
            Lookup::Fresh(response)
        }
    }

    #[cfg(test)]
    fn get(&self, key: &str) -> Option<HttpResponse> {
        match self.lookup(key) {
            Lookup::Fresh(response) => Some(response),
            Lookup::Expired(_) | Lookup::Miss => None,
        }
    }

    fn put(&self, key: String, entry: Entry) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        let size = entry.body.len() as u64;
        if self.bytes.fetch_add(size, Ordering::Relaxed) + size > MAX_BYTES as u64 {
            entries.clear();
            self.bytes.store(size, Ordering::Relaxed);
        }
        if let Some(old) = entries.insert(key, entry) {
            self.bytes
                .fetch_sub(old.body.len() as u64, Ordering::Relaxed);
        }
    }

    fn gate(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut rendering = self.rendering.lock().unwrap_or_else(|e| e.into_inner());
        rendering.entry(key.to_owned()).or_default().clone()
    }

    /// Forgets a key's gate once nobody else holds or waits on it.
    fn release(&self, key: &str, gate: Arc<tokio::sync::Mutex<()>>) {
        let mut rendering = self.rendering.lock().unwrap_or_else(|e| e.into_inner());
        // The map's copy and ours: no one is waiting.
        if Arc::strong_count(&gate) <= 2 {
            rendering.remove(key);
        }
    }

    fn is_on(&self) -> bool {
        !self.ttl.is_zero()
    }
}

/// The topic a cached topic page shows, so a hit still counts as a view.
fn viewed_topic(path: &str) -> Option<i64> {
    path.strip_prefix("/t/")
        .or_else(|| path.strip_prefix("/api/v1/topics/"))
        .and_then(|id| id.parse().ok())
}

fn cache_key(req: &ServiceRequest) -> Option<String> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) || req.cookie(SESSION_COOKIE).is_some()
    {
        return None;
    }
    let pattern = req.match_pattern()?;
    CACHEABLE.contains(&pattern.as_str()).then(|| {
        req.uri()
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned()
    })
}

/// The middleware: answers anonymous public GETs from the cache, stores their fresh answers, and
/// invalidates the cache after every request that may have written.
pub async fn serve(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req
        .app_data::<Data<AppState>>()
        .expect("AppState is registered on the App")
        .clone();
    let cache = &state.page_cache;
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        let response = next.call(req).await;
        // Whatever the outcome, a write may have ended sessions (a ban answered with an error
        // after committing is still a ban): the next request must not find them in memory.
        state.sessions.refresh(&state.pool).await;
        let response = response?;
        if !response.status().is_client_error() && !response.status().is_server_error() {
            // Awaited before answering: the other servers hear of the write before the writer
            // can follow its redirect to one of them.
            state.pages_changed().await;
        }
        return Ok(response.map_into_boxed_body());
    }
    let Some(key) = cache_key(&req).filter(|_| cache.is_on()) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let hit = |req: ServiceRequest, response| {
        if let Some(topic_id) = viewed_topic(req.path()) {
            state.record_view(req.method(), topic_id);
        }
        Ok(req.into_response(response))
    };
    let expired = match cache.lookup(&key) {
        Lookup::Fresh(response) => return hit(req, response),
        Lookup::Expired(response) => Some(response),
        Lookup::Miss => None,
    };
    if req.method() == Method::HEAD {
        // A HEAD is answered from a stored GET (actix-http drops the body) but never stored
        // itself, as nothing promises that its body is the page's; nor does it wait on a render.
        return match expired {
            Some(response) => hit(req, response),
            None => Ok(next.call(req).await?.map_into_boxed_body()),
        };
    }
    let gate = cache.gate(&key);
    let mut rendering = gate.try_lock().ok();
    if rendering.is_none() {
        // Someone is rendering this page. After a write everyone waits for the new page; when it
        // only expired, the old copy is served meanwhile.
        if let Some(response) = expired {
            drop(rendering);
            cache.release(&key, gate);
            return hit(req, response);
        }
        rendering = Some(gate.lock().await);
        if let Lookup::Fresh(response) = cache.lookup(&key) {
            drop(rendering);
            cache.release(&key, gate);
            return hit(req, response);
        }
    }
    let generation = cache.current();
    let response = render_and_store(cache, key.clone(), generation, next.call(req).await).await;
    drop(rendering);
    cache.release(&key, gate);
    response
}

/// Stores a fresh 200 without cookies under the generation seen before it was rendered.
async fn render_and_store(
    cache: &PageCache,
    key: String,
    generation: u64,
    response: Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let response = response?;
    if response.status() != StatusCode::OK
        || response
            .headers()
            .contains_key(actix_web::http::header::SET_COOKIE)
    {
        return Ok(response.map_into_boxed_body());
    }
    let (req, response) = response.into_parts();
    let (response, body) = response.into_parts();
    let body = body::to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.into()))?;
    cache.put(
        key,
        Entry {
            generation,
            stored: Instant::now(),
            status: response.status(),
            headers: response.headers().clone(),
            body: body.clone(),
        },
    );
    let response = response.set_body(BoxBody::new(body));
    Ok(ServiceResponse::new(req, response))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(generation: u64, body: &'static str) -> Entry {
        Entry {
            generation,
            stored: Instant::now(),
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn a_write_makes_every_stored_page_stale() {
        let cache = PageCache::new(Duration::from_secs(60));
        cache.put("/".into(), entry(cache.current(), "home"));
        assert!(cache.get("/").is_some());
        cache.invalidate();
        assert!(cache.get("/").is_none());
    }

    #[test]
    fn a_page_rendered_before_a_write_is_never_served_after_it() {
        let cache = PageCache::new(Duration::from_secs(60));
        let seen_before_render = cache.current();
        cache.invalidate(); // a write commits while the page renders
        cache.put("/".into(), entry(seen_before_render, "old"));
        assert!(cache.get("/").is_none());
    }

    #[test]
    fn pages_expire_after_the_ttl() {
        let cache = PageCache::new(Duration::from_millis(1));
        cache.put("/".into(), entry(cache.current(), "home"));
        std::thread::sleep(Duration::from_millis(5));
        assert!(cache.get("/").is_none());
    }

    #[test]
    fn an_expired_page_is_kept_until_a_write_but_not_after() {
        let cache = PageCache::new(Duration::from_millis(1));
        cache.put("/".into(), entry(cache.current(), "home"));
        std::thread::sleep(Duration::from_millis(5));
        assert!(matches!(cache.lookup("/"), Lookup::Expired(_)));
        cache.invalidate();
        assert!(matches!(cache.lookup("/"), Lookup::Miss));
    }

    #[tokio::test]
    async fn readers_of_a_page_being_rendered_wait_for_it() {
        let cache = PageCache::new(Duration::from_secs(60));
        let first = cache.gate("/");
        let rendering = first.lock().await;
        let second = cache.gate("/");
        assert!(Arc::ptr_eq(&first, &second), "one gate per key");
        assert!(second.try_lock().is_err(), "the second reader waits");
        drop(rendering);
        cache.release("/", first);
        // The waiter still holds its copy, so the gate stays until it is done.
        assert_eq!(cache.rendering.lock().unwrap().len(), 1);
        cache.release("/", second);
        assert!(cache.rendering.lock().unwrap().is_empty());
    }

    #[test]
    fn topic_pages_name_their_topic() {
        assert_eq!(viewed_topic("/t/42"), Some(42));
        assert_eq!(viewed_topic("/api/v1/topics/7"), Some(7));
        assert_eq!(viewed_topic("/tags/rust"), None);
    }
}
