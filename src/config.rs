//! Settings from flags and `THREADWISE_*` environment variables, with defaults that just work.
//! Each part's settings type lives with its owner (`web::limits`, `web::client`, `mail`,
//! `tagging`); this module only assembles them into the `serve` command's `Settings`.
use clap::Args;

use crate::mail::MailSettings;
use crate::tagging::TaggingSettings;
use crate::web::client::TrustedProxy;
use crate::web::limits::LimitSettings;

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "THREADWISE_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// The SQLite database URL (set by the global `--database` option).
    #[arg(skip)]
    pub database_url: String,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "THREADWISE_WORKERS")]
    pub workers: Option<usize>,

    /// Largest accepted post body in bytes.
    #[arg(long, env = "THREADWISE_MAX_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_body_bytes: usize,

    /// Seconds a client has to send a request's body once its headers arrived; then the answer
    /// is 408 and the connection is closed (a body sent a byte a second holds nothing for long).
    #[arg(long, env = "THREADWISE_BODY_DEADLINE_SECS", default_value_t = 10)]
    pub body_deadline_secs: u64,

    /// Mark cookies `Secure` (set this when serving behind TLS).
    #[arg(long, env = "THREADWISE_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,

    /// Seconds a page rendered for anonymous readers may be served again (any write in this
    /// process ends it sooner); 0 turns the page cache off.
    #[arg(long, env = "THREADWISE_PAGE_CACHE_SECS", default_value_t = 5)]
    pub page_cache_secs: u64,

    /// Reverse proxies (addresses or CIDR networks, comma-separated) whose `X-Forwarded-For` names
    /// the client, for the abuse limits and the request log; from anyone else it is ignored.
    #[arg(
        long,
        env = "THREADWISE_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "ADDRESS|NETWORK"
    )]
    pub trusted_proxies: Vec<TrustedProxy>,

    #[command(flatten)]
    pub tagging: TaggingSettings,

    #[command(flatten)]
    pub limits: LimitSettings,

    #[command(flatten)]
    pub mail: MailSettings,

    /// Hours a question may wait without a reply before its tags' proven answerers are told.
    #[arg(long, env = "THREADWISE_ROUTE_AFTER_HOURS", default_value_t = 24)]
    pub route_after_hours: i64,

    /// Days a topic with replies may go without an accepted answer before "needs attention"
    /// lists it as unresolved.
    #[arg(long, env = "THREADWISE_UNRESOLVED_AFTER_DAYS", default_value_t = 3)]
    pub unresolved_after_days: i64,

    /// Database connections for heavy requests (search, reports, exports), apart from the pool
    /// that serves pages and writes.
    #[arg(long, env = "THREADWISE_HEAVY_CONNECTIONS", default_value_t = 1)]
    pub heavy_connections: u32,

    /// Milliseconds a heavy request waits for a free heavy connection before a 503.
    #[arg(long, env = "THREADWISE_HEAVY_WAIT_MS", default_value_t = 1000)]
    pub heavy_wait_ms: u64,

    /// Milliseconds one heavy query may run before it is interrupted (a 503).
    #[arg(long, env = "THREADWISE_QUERY_BUDGET_MS", default_value_t = 1000)]
    pub query_budget_ms: u64,
}

impl Settings {
    pub fn heavy(&self) -> crate::web::heavy::HeavySettings {
        crate::web::heavy::HeavySettings {
            connections: self.heavy_connections,
            wait: std::time::Duration::from_millis(self.heavy_wait_ms),
            budget: std::time::Duration::from_millis(self.query_budget_ms),
        }
    }

    /// Defaults for a given database, as used by tests and tools.
    pub fn with_database(database_url: impl Into<String>) -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            database_url: database_url.into(),
            workers: Some(2),
            max_body_bytes: 64 * 1024,
            body_deadline_secs: 10,
            secure_cookies: false,
            // Tests write to the database behind the app's back; the cache's own tests switch it on.
            page_cache_secs: 0,
            trusted_proxies: Vec::new(),
            tagging: TaggingSettings::default(),
            // Tests and tools write fast from one address on purpose; limits' own tests set them.
            limits: LimitSettings::off(),
            mail: MailSettings::default(),
            route_after_hours: 24,
            unresolved_after_days: 3,
            heavy_connections: 1,
            heavy_wait_ms: 1000,
            query_budget_ms: 1000,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Serve {
        #[command(flatten)]
        settings: Settings,
    }

    #[test]
    fn trusted_proxies_default_to_none_and_take_a_comma_separated_list() {
        let none = Serve::try_parse_from(["serve"]).expect("defaults parse");
        assert!(none.settings.trusted_proxies.is_empty());
        let some = Serve::try_parse_from(["serve", "--trusted-proxies", "127.0.0.1,10.0.0.0/8"])
            .expect("a list parses");
        assert_eq!(
            some.settings.trusted_proxies,
            vec![
                "127.0.0.1".parse::<TrustedProxy>().expect("an address"),
                "10.0.0.0/8".parse().expect("a network"),
            ]
        );
        assert!(Serve::try_parse_from(["serve", "--trusted-proxies", "proxy.local"]).is_err());
    }
}
