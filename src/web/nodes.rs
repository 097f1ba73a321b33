//! Several app servers on one PostgreSQL database: what one server changes, the others learn at
//! once over `LISTEN`/`NOTIFY` (the channel and its payloads: `db::channel`).
//!
//! A server announces `pages <its id>` after each write request it answered and after the jobs
//! that change pages; triggers announce `sessions` and `champion` from whichever process wrote.
//! The listener drops this server's cached pages, sessions or model accordingly. When its
//! connection drops, notifications may have been missed: it then drops everything, as if all
//! three had been announced, and listens again.
//!
//! On SQLite one server serves a file (DESIGN.md §9) and none of this runs; writes by the CLI are
//! caught by the page cache's TTL and the once-a-second session-epoch check.
use std::time::Duration;

use sqlx::postgres::PgListener;

use super::AppState;
use crate::db::channel::CHANNEL;

/// What another process changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Anything that pages show (posts, votes, tags, ranks…).
    Pages,
    /// The session epoch moved (logout, ban, role or password change).
    Sessions,
    /// Another model version serves.
    Champion,
}

/// An announcement as it travels: `pages 3f2a…`, `sessions`, `champion`.
#[derive(Debug, PartialEq, Eq)]
struct Announcement<'a> {
    change: Change,
    /// The server that sent it, when a server did (triggers and the CLI send none).
    from: Option<&'a str>,
}

fn parse(payload: &str) -> Option<Announcement<'_>> {
    let (change, from) = match payload.split_once(' ') {
        Some((change, from)) => (change, Some(from)),
        None => (payload, None),
    };
    let change = match change {
        "pages" => Change::Pages,
        "sessions" => Change::Sessions,
        "champion" => Change::Champion,
        _ => return None,
    };
    Some(Announcement { change, from })
}

/// A fresh id for this server process, so it can tell its own announcements from the others'.
pub fn new_node_id() -> String {
    crate::auth::random_token()[..12].to_owned()
}

impl AppState {
    /// This server changed what pages show: its own cache is stale now, and the other servers'
    /// as soon as they hear of it. A failure to announce is logged; the others' cache TTL then
    /// bounds how stale they get.
    pub async fn pages_changed(&self) {
        self.page_cache.invalidate();
        let payload = format!("pages {}", self.node_id);
        if let Err(e) = crate::db::channel::announce(&self.pool, &payload).await {
            tracing::warn!(error = ?e, "could not tell the other servers that pages changed");
        }
    }

    async fn apply(&self, change: Change) {
        match change {
            Change::Pages => self.page_cache.invalidate(),
            Change::Sessions => self.sessions.refresh(&self.pool).await,
            Change::Champion => {
                if let Err(e) = crate::startup::refresh_champion(self).await {
                    tracing::warn!(error = ?e, "could not load the new champion");
                }
            }
        }
    }

    async fn apply_all(&self) {
        self.page_cache.invalidate();
        self.sessions.invalidate();
        self.apply(Change::Champion).await;
    }
}

/// Listens until the process ends (PostgreSQL only; returns at once on SQLite).
pub async fn listen(state: AppState) {
    if state.pool.kind() != crate::db::Kind::Postgres {
        return;
    }
    loop {
        match listen_once(&state).await {
            Ok(()) => tracing::warn!("lost the connection that listens to the other servers"),
            Err(e) => tracing::warn!(error = ?e, "cannot listen to the other servers"),
        }
        // Whatever was announced meanwhile is lost.
        state.apply_all().await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Connects, listens and applies announcements until the connection drops.
async fn listen_once(state: &AppState) -> sqlx::Result<()> {
    // A connection of its own, outside the app's pool: it is held for as long as the server runs.
    let mut listener = PgListener::connect(&state.settings.database_url).await?;
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    // Anything announced before LISTEN took effect was missed.
    state.apply_all().await;
    while let Some(notification) = listener.try_recv().await? {
        let Some(announcement) = parse(notification.payload()) else {
            tracing::warn!(payload = notification.payload(), "unknown announcement");
            continue;
        };
        if announcement.from == Some(&*state.node_id) {
            continue;
        }
        state.apply(announcement.change).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_parse_with_and_without_a_sender() {
        assert_eq!(
            parse("pages ab12"),
            Some(Announcement {
                change: Change::Pages,
                from: Some("ab12")
            })
        );
        assert_eq!(
            parse("sessions"),
            Some(Announcement {
                change: Change::Sessions,
                from: None
            })
        );
        assert_eq!(parse("champion").map(|a| a.change), Some(Change::Champion));
        assert_eq!(parse("reboot"), None);
        assert_eq!(parse(""), None);
    }
}
