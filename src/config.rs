//! Settings from flags and `THREADWISE_*` environment variables, with defaults that just work.
use clap::Args;

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

    /// Mark cookies `Secure` (set this when serving behind TLS).
    #[arg(long, env = "THREADWISE_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
}

impl Settings {
    /// Defaults for a given database, as used by tests and tools.
    pub fn with_database(database_url: impl Into<String>) -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            database_url: database_url.into(),
            workers: Some(2),
            max_body_bytes: 64 * 1024,
            secure_cookies: false,
        }
    }
}
