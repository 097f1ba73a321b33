//! One database layer, two engines. Every `db` function takes `&mut Conn<'_>`, a connection of
//! either engine, and runs its body through [`on!`], which compiles the body once per engine:
//! the same SQL where the dialects agree (`$1` placeholders work in both), an `if pg { … }`
//! where they differ. Callers hold a [`Pool`], a [`PoolConn`] or a [`Tx`] and never see which
//! engine runs.
use sqlx::Connection as _;
use sqlx::pool::PoolConnection;
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

/// The connection a `db` function got, opened up: which engine, and its native connection.
pub enum Engine<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// Anything a `db` function can run on: a pooled connection, a transaction, a native connection.
pub trait AsConn {
    fn engine(&mut self) -> Engine<'_>;
}

/// What `db` functions take: `&mut Conn<'_>`.
pub type Conn<'a> = dyn AsConn + Send + 'a;

/// Quotes an identifier (a table or trigger name) for either engine, which cannot bind one.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The PostgreSQL error codes (SQLSTATE) that the db layer and the importer act on.
pub mod sqlstate {
    /// A transaction cancelled to break a deadlock.
    pub const DEADLOCK_DETECTED: &str = "40P01";
    /// A statement the user has no right to run (say, `ALTER TABLE` by a non-owner).
    pub const INSUFFICIENT_PRIVILEGE: &str = "42501";
    /// A lock `NOWAIT` could not take.
    pub const LOCK_NOT_AVAILABLE: &str = "55P03";

    /// Whether `error` is a database error with SQLSTATE `code`.
    pub fn is(error: &sqlx::Error, code: &str) -> bool {
        matches!(error, sqlx::Error::Database(e) if e.code().as_deref() == Some(code))
    }
}

/// `on!(conn, { … })` runs the block with `conn` rebound to the native connection of its engine.
/// The block is compiled once per engine; in `on!(conn, pg, { … })`, `pg` is `true` on
/// PostgreSQL, for SQL that differs between the dialects.
macro_rules! on {
    ($conn:ident, $body:block) => {
        match $crate::db::AsConn::engine(&mut *$conn) {
            $crate::db::Engine::Sqlite($conn) => $body,
            $crate::db::Engine::Postgres($conn) => $body,
        }
    };
    ($conn:ident, $pg:ident, $body:block) => {
        match $crate::db::AsConn::engine(&mut *$conn) {
            $crate::db::Engine::Sqlite($conn) => {
                let $pg = false;
                $body
            }
            $crate::db::Engine::Postgres($conn) => {
                let $pg = true;
                $body
            }
        }
    };
}
pub(crate) use on;

/// A statement's text for the engine at hand, from shared parts and parts for one engine only:
/// `sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO t …")`. Each engine's text is one literal; a
/// part may also be a macro that gives one (`columns!()`).
macro_rules! sql {
    (@keep $engine:ident [$($kept:tt)*]) => { concat!($($kept)*) };
    (@keep $engine:ident [$($kept:tt)*] $part:literal $($rest:tt)*) => {
        $crate::db::sql!(@keep $engine [$($kept)* $part,] $($rest)*)
    };
    (@keep $engine:ident [$($kept:tt)*] $part:ident!() $($rest:tt)*) => {
        $crate::db::sql!(@keep $engine [$($kept)* $part!(),] $($rest)*)
    };
    (@keep sqlite [$($kept:tt)*] {sqlite: $part:literal} $($rest:tt)*) => {
        $crate::db::sql!(@keep sqlite [$($kept)* $part,] $($rest)*)
    };
    (@keep pg [$($kept:tt)*] {pg: $part:literal} $($rest:tt)*) => {
        $crate::db::sql!(@keep pg [$($kept)* $part,] $($rest)*)
    };
    (@keep $engine:ident [$($kept:tt)*] {$other:ident: $part:literal} $($rest:tt)*) => {
        $crate::db::sql!(@keep $engine [$($kept)*] $($rest)*)
    };
    ($pg:expr, $($part:tt)+) => {
        if $pg {
            $crate::db::sql!(@keep pg [] $($part)+)
        } else {
            $crate::db::sql!(@keep sqlite [] $($part)+)
        }
    };
}
pub(crate) use sql;

impl AsConn for SqliteConnection {
    fn engine(&mut self) -> Engine<'_> {
        Engine::Sqlite(self)
    }
}

impl AsConn for PgConnection {
    fn engine(&mut self) -> Engine<'_> {
        Engine::Postgres(self)
    }
}

impl AsConn for PoolConnection<Sqlite> {
    fn engine(&mut self) -> Engine<'_> {
        Engine::Sqlite(self)
    }
}

impl AsConn for PoolConnection<Postgres> {
    fn engine(&mut self) -> Engine<'_> {
        Engine::Postgres(self)
    }
}

impl AsConn for Transaction<'_, Sqlite> {
    fn engine(&mut self) -> Engine<'_> {
        Engine::Sqlite(self)
    }
}

impl AsConn for Transaction<'_, Postgres> {
    fn engine(&mut self) -> Engine<'_> {
        Engine::Postgres(self)
    }
}

impl AsConn for Engine<'_> {
    fn engine(&mut self) -> Engine<'_> {
        match self {
            Engine::Sqlite(conn) => Engine::Sqlite(conn),
            Engine::Postgres(conn) => Engine::Postgres(conn),
        }
    }
}

/// A yes/no column read on either engine: the schema stores flags as integers 0/1 on both (the
/// SQL compares `hidden = 1`), and a comparison in a SELECT gives SQLite an integer but
/// PostgreSQL a BOOL. Rows read a flag as `#[sqlx(try_from = "Flag")] hidden: bool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

impl sqlx::Type<Sqlite> for Flag {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <i64 as sqlx::Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &sqlx::sqlite::SqliteTypeInfo) -> bool {
        <bool as sqlx::Type<Sqlite>>::compatible(ty) || <i64 as sqlx::Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, Sqlite> for Flag {
    fn decode(value: sqlx::sqlite::SqliteValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Self(<i64 as sqlx::Decode<Sqlite>>::decode(value)? != 0))
    }
}

impl sqlx::Type<Postgres> for Flag {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <i64 as sqlx::Type<Postgres>>::type_info()
    }

    fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
        <bool as sqlx::Type<Postgres>>::compatible(ty)
            || <i64 as sqlx::Type<Postgres>>::compatible(ty)
            || <i32 as sqlx::Type<Postgres>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, Postgres> for Flag {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        use sqlx::{TypeInfo as _, ValueRef as _};
        let type_name = value.type_info().name().to_string();
        Ok(Self(match type_name.as_str() {
            "BOOL" => <bool as sqlx::Decode<Postgres>>::decode(value)?,
            "INT4" => <i32 as sqlx::Decode<Postgres>>::decode(value)? != 0,
            _ => <i64 as sqlx::Decode<Postgres>>::decode(value)? != 0,
        }))
    }
}

/// Which engine a pool or connection runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    /// The engine a database URL names: `postgres://` or `postgresql://` is PostgreSQL,
    /// anything else SQLite.
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// The app's connection pool, on either engine.
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A connection taken from a [`Pool`].
pub enum PoolConn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

impl AsConn for PoolConn {
    fn engine(&mut self) -> Engine<'_> {
        match self {
            Self::Sqlite(conn) => Engine::Sqlite(conn),
            Self::Postgres(conn) => Engine::Postgres(conn),
        }
    }
}

/// A transaction on either engine: commit it, or it rolls back when dropped.
pub enum Tx<'c> {
    Sqlite(Transaction<'c, Sqlite>),
    Postgres(Transaction<'c, Postgres>),
}

impl AsConn for Tx<'_> {
    fn engine(&mut self) -> Engine<'_> {
        match self {
            Self::Sqlite(tx) => Engine::Sqlite(tx),
            Self::Postgres(tx) => Engine::Postgres(tx),
        }
    }
}

impl Tx<'_> {
    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
        }
    }

    pub async fn rollback(self) -> sqlx::Result<()> {
        match self {
            Self::Sqlite(tx) => tx.rollback().await,
            Self::Postgres(tx) => tx.rollback().await,
        }
    }
}

/// What [`begin_write`] runs on SQLite. `BEGIN IMMEDIATE` takes the write lock at once, waiting
/// up to the busy timeout for another writer. A plain (deferred) transaction that reads first
/// fails at its first write, without waiting, if another connection committed in between (WAL
/// mode's SQLITE_BUSY_SNAPSHOT): a moderator's retag failed with a 500 while the retrain job
/// stored a model. PostgreSQL's row locks need no such thing: a plain `BEGIN`.
const SQLITE_BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

impl Pool {
    pub fn kind(&self) -> Kind {
        match self {
            Self::Sqlite(_) => Kind::Sqlite,
            Self::Postgres(_) => Kind::Postgres,
        }
    }

    pub async fn acquire(&self) -> sqlx::Result<PoolConn> {
        Ok(match self {
            Self::Sqlite(pool) => PoolConn::Sqlite(pool.acquire().await?),
            Self::Postgres(pool) => PoolConn::Postgres(pool.acquire().await?),
        })
    }

    /// A transaction that only reads, or writes without reading first.
    pub async fn begin(&self) -> sqlx::Result<Tx<'static>> {
        Ok(match self {
            Self::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// A transaction that will write (see [`SQLITE_BEGIN_WRITE`]).
    pub async fn begin_write(&self) -> sqlx::Result<Tx<'static>> {
        Ok(match self {
            Self::Sqlite(pool) => Tx::Sqlite(pool.begin_with(SQLITE_BEGIN_WRITE).await?),
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// Starts a write transaction on a native connection, inside an [`on!`] body: `BEGIN IMMEDIATE`
/// on SQLite (see [`SQLITE_BEGIN_WRITE`]), `BEGIN` on PostgreSQL.
pub trait BeginWrite: sqlx::Connection {
    fn begin_write(
        &mut self,
    ) -> impl Future<Output = sqlx::Result<Transaction<'_, Self::Database>>> + Send;
}

impl BeginWrite for SqliteConnection {
    fn begin_write(
        &mut self,
    ) -> impl Future<Output = sqlx::Result<Transaction<'_, Sqlite>>> + Send {
        self.begin_with(SQLITE_BEGIN_WRITE)
    }
}

impl BeginWrite for PgConnection {
    fn begin_write(
        &mut self,
    ) -> impl Future<Output = sqlx::Result<Transaction<'_, Postgres>>> + Send {
        self.begin()
    }
}

/// Starts a write transaction on a connection the caller already holds.
pub async fn begin_write_on<'c>(conn: &'c mut Conn<'_>) -> sqlx::Result<Tx<'c>> {
    Ok(match conn.engine() {
        Engine::Sqlite(conn) => Tx::Sqlite(conn.begin_with(SQLITE_BEGIN_WRITE).await?),
        Engine::Postgres(conn) => Tx::Postgres(conn.begin().await?),
    })
}

/// Starts a transaction (or, inside one, a savepoint) on a connection the caller holds.
pub async fn begin_on<'c>(conn: &'c mut Conn<'_>) -> sqlx::Result<Tx<'c>> {
    Ok(match conn.engine() {
        Engine::Sqlite(conn) => Tx::Sqlite(conn.begin().await?),
        Engine::Postgres(conn) => Tx::Postgres(conn.begin().await?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_keeps_the_parts_of_its_engine() {
        let text = |pg| sql!(pg, "INSERT " {sqlite: "OR FAIL "} "INTO t VALUES (1)" {pg: " ON CONFLICT DO NOTHING"});
        assert_eq!(text(false), "INSERT OR FAIL INTO t VALUES (1)");
        assert_eq!(
            text(true),
            "INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING"
        );
    }

    #[test]
    fn the_url_names_the_engine() {
        assert_eq!(Kind::of_url("postgres://u@h/db"), Kind::Postgres);
        assert_eq!(Kind::of_url("postgresql://u@h/db"), Kind::Postgres);
        assert_eq!(Kind::of_url("sqlite://forum.db"), Kind::Sqlite);
        assert_eq!(Kind::of_url("sqlite::memory:"), Kind::Sqlite);
    }
}
