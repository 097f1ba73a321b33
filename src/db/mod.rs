//! The database layer: sqlx queries, one file per aggregate. Functions take `&mut Conn<'_>` (see
//! `engine`), so they work on SQLite and PostgreSQL, on a pooled connection and inside a
//! transaction alike; they return `sqlx::Result` and know nothing of HTTP.
pub mod answers;
pub mod bulk;
pub mod bulk_load;
pub mod channel;
pub mod copy_text;
mod engine;
pub mod feeds;
pub mod flags;
pub mod import;
pub mod labels;
pub mod lease;
pub mod migrate;
pub mod model_versions;
pub mod modlog;
pub mod notifications;
pub mod posts;
pub mod reports;
pub mod resets;
pub mod routing;
pub mod search;
pub mod search_text;
pub mod secrets;
pub mod sessions;
pub mod tags;
pub mod topics;
pub mod users;
pub mod views;
pub mod votes;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use engine::sqlstate;
pub use engine::{
    AsConn, BeginWrite, Conn, Engine, Flag, Kind, Pool, PoolConn, Tx, begin_on, begin_write_on,
};
pub(crate) use engine::{on, quote_ident, sql};

/// Where a newest-first list of one member's rows continues: the rows created before this one
/// (ties broken by id). Profiles page by it, so a later page costs what the first does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OlderThan {
    pub created_at: i64,
    pub id: i64,
}

impl OlderThan {
    /// As it appears in `?before=`: `created_id`.
    pub fn encode(&self) -> String {
        format!("{}_{}", self.created_at, self.id)
    }

    /// Reads what [`OlderThan::encode`] wrote; anything else is `None`.
    pub fn decode(text: &str) -> Option<Self> {
        let (created_at, id) = text.split_once('_')?;
        Some(Self {
            created_at: created_at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }

    /// Cuts a page fetched with one row too many to `limit` rows and gives the cursor of the page
    /// after it, if that row was there.
    pub fn cut_page<T>(rows: &mut Vec<T>, limit: i64, cursor: impl Fn(&T) -> Self) -> Option<Self> {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        rows.last().filter(|_| more).map(cursor)
    }
}

/// Each connection's page cache, in KiB.
pub(crate) const CACHE_KIB: i64 = 32_000;

pub static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
pub static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Opens the database at `url`, PostgreSQL (`postgres://…`) or SQLite (anything else: the file
/// is created if needed, in WAL mode with foreign keys on), brings its schema up to date, counts
/// what an interrupted import left uncounted, makes the response roll-up's wait buckets those of
/// the code and gives posts from before migration 0016 their searchable text.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Pool> {
    use anyhow::Context as _;
    let max_connections = max_connections.max(1);
    let pool = match Kind::of_url(url) {
        Kind::Sqlite => {
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .connect_with(options(url)?)
                .await
                .with_context(|| format!("cannot open database {url:?}"))?;
            SQLITE_MIGRATOR
                .run(&pool)
                .await
                .context("cannot migrate the database")?;
            Pool::Sqlite(pool)
        }
        Kind::Postgres => {
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .connect(url)
                .await
                .with_context(|| format!("cannot open database {url:?}"))?;
            POSTGRES_MIGRATOR
                .run(&pool)
                .await
                .context("cannot migrate the database")?;
            Pool::Postgres(pool)
        }
    };
    // An import that was killed leaves the counters of its committed batches to whoever opens
    // the database next.
    let mut conn = pool.acquire().await.context("cannot open database")?;
    match bulk_load::count_pending(&mut conn).await {
        // Counting suspends a trigger, which on PostgreSQL only the table's owner may do; the
        // ranges wait for the next open by the owner.
        Err(e) if sqlstate::is(&e, sqlstate::INSUFFICIENT_PRIVILEGE) => {
            tracing::warn!(
                "the counters of an interrupted import are left for the tables' owner to add: {e}"
            );
        }
        counted => counted.context("cannot count the rows an interrupted import left")?,
    }
    reports::response::sync_wait_buckets(&mut conn)
        .await
        .context("cannot fill the wait buckets of the response roll-up")?;
    let filled = search_text::fill_body_text(&mut conn)
        .await
        .context("cannot give the older posts their searchable text")?;
    if filled > 0 {
        tracing::info!(
            posts = filled,
            "search now reads older posts' rendered text"
        );
    }
    drop(conn);
    Ok(pool)
}

/// How every SQLite connection of the app is opened (see [`connect`]).
pub fn options(url: &str) -> anyhow::Result<SqliteConnectOptions> {
    use anyhow::Context as _;
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("invalid database URL {url:?}"))?
        .create_if_missing(true)
        // For new databases only (an existing one keeps its page size): posts of ~1.4 KB fill
        // 8 KB pages better, and a million-post import spent ~7 % less CPU and wrote ~5 % less.
        .page_size(8192)
        .journal_mode(SqliteJournalMode::Wal)
        // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose
        // the last transactions, never corrupt the file.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("cache_size", format!("-{CACHE_KIB}"))
        .pragma("temp_store", "memory");
    Ok(options)
}

/// Starts a transaction that will write (see [`Pool::begin_write`]).
pub async fn begin_write(pool: &Pool) -> sqlx::Result<Tx<'static>> {
    pool.begin_write().await
}

/// Binds a list of ids as one JSON array parameter (`json_each(?)`), so list queries stay static SQL.
pub(crate) fn json_ids(ids: &[i64]) -> String {
    serde_json::to_string(ids).expect("a list of integers always serialises")
}

/// Whether the connection answers: a trivial statement.
pub async fn ping(conn: &mut Conn<'_>) -> sqlx::Result<()> {
    on!(conn, {
        sqlx::query("SELECT 1").execute(conn).await?;
        Ok(())
    })
}
