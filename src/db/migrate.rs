//! Moving a forum from SQLite to PostgreSQL (`threadwise migrate`): every table of the target's
//! schema, read from the source page by page and written with `COPY … FROM STDIN`, in one
//! transaction on the target with its triggers off, so counters and roll-ups arrive as they are.
//!
//! Nothing here names the forum's tables but the few the migrations seed ([`SEEDED`]) and the
//! search index, which each engine builds its own way ([`REBUILT`]): the tables, their columns,
//! the order (foreign keys) and the identity sequences come from the target's catalog, and each
//! table and column must exist in the source.
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use anyhow::{Context as _, bail};
use sqlx::{
    AssertSqlSafe, Connection as _, PgConnection, Row as _, SqliteConnection, TypeInfo as _,
    ValueRef as _,
};

use crate::db::Pool;
pub use crate::db::copy_text::EncodeError;
use crate::db::copy_text::escape_text;
use crate::db::quote_ident as ident;

/// Tables a new database holds rows in before it holds a forum (the migrations' seeds, what
/// `db::connect` fills, and `secrets`, which the app's first start fills): not part of the
/// emptiness check, and their rows are replaced by the source's (the source's link-signing key
/// keeps the links it signed valid).
pub const SEEDED: &[&str] = &[
    "session_epoch",
    "search_text_backfill",
    "wait_buckets",
    "secrets",
];

/// Tables the target builds from the copied rows rather than copying them: PostgreSQL's search
/// index (SQLite's is an FTS5 table, not copied).
pub const REBUILT: &[&str] = &["search_index"];

/// Bookkeeping of the migration tool, per database.
const NOT_FORUM_DATA: &[&str] = &["_sqlx_migrations"];

/// Rows read from the source per query.
const PAGE_ROWS: i64 = 2_000;

/// COPY data buffered before it is sent.
const SEND_BYTES: usize = 1 << 20;

/// What [`copy`] reports as it goes, for a progress bar.
#[derive(Debug)]
pub enum Progress<'a> {
    /// A table's copy starts, with the rows it will copy.
    Table { name: &'a str, rows: u64 },
    /// More rows of the current table were copied.
    Rows(u64),
    /// The current table is done.
    TableDone,
    /// The search index is being rebuilt.
    Rebuilding,
}

/// One copied table.
#[derive(Debug, Clone)]
pub struct CopiedTable {
    pub name: String,
    pub rows: u64,
}

/// What [`copy`] did.
#[derive(Debug, Clone)]
pub struct Summary {
    /// In the order copied.
    pub tables: Vec<CopiedTable>,
    pub rows: u64,
    /// Rows of the rebuilt search index.
    pub search_rows: u64,
    pub seconds: f64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} tables, {} rows copied and verified, search index rebuilt ({} posts) in {:.1} s",
            self.tables.len(),
            self.rows,
            self.search_rows,
            self.seconds
        )
    }
}

/// How a value is written for a target column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Integer,
    Float,
    Bytes,
    Text,
}

impl ColumnKind {
    /// From `information_schema.columns.data_type`.
    fn of_data_type(data_type: &str) -> Self {
        match data_type {
            "bigint" | "integer" | "smallint" => Self::Integer,
            "double precision" | "real" | "numeric" => Self::Float,
            "bytea" => Self::Bytes,
            _ => Self::Text,
        }
    }
}

/// A value as SQLite stores it (its storage class, not its column's declared type).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// Appends one field of COPY's text format: `\N` for NULL, `\\x…` hex for `bytea`, floats in
/// their shortest exact form, text with backslash, tab, newline and carriage return escaped.
pub fn encode_field(out: &mut Vec<u8>, value: &Value, kind: ColumnKind) -> Result<(), EncodeError> {
    match (value, kind) {
        (Value::Null, _) => out.extend_from_slice(b"\\N"),
        (Value::Blob(bytes), ColumnKind::Bytes) => encode_hex(out, bytes),
        (Value::Text(text), ColumnKind::Bytes) => encode_hex(out, text.as_bytes()),
        // SQLite's own CAST(number AS BLOB): the bytes of its text form.
        (Value::Integer(n), ColumnKind::Bytes) => encode_hex(out, n.to_string().as_bytes()),
        (Value::Real(x), ColumnKind::Bytes) => encode_hex(out, float_text(*x).as_bytes()),
        (Value::Integer(n), _) => out.extend_from_slice(n.to_string().as_bytes()),
        // A whole number in a REAL-typed value, bound for an integer column, is that integer.
        (Value::Real(x), ColumnKind::Integer)
            if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 =>
        {
            out.extend_from_slice((*x as i64).to_string().as_bytes())
        }
        (Value::Real(x), _) => out.extend_from_slice(float_text(*x).as_bytes()),
        (Value::Text(text), _) => escape_text(out, text)?,
        (Value::Blob(bytes), _) => escape_text(
            out,
            std::str::from_utf8(bytes).map_err(|_| EncodeError::NotUtf8)?,
        )?,
    }
    Ok(())
}

/// A float as PostgreSQL reads it back to the same bits: Rust's shortest round-trip form.
fn float_text(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_owned()
    } else if x == f64::INFINITY {
        "Infinity".to_owned()
    } else if x == f64::NEG_INFINITY {
        "-Infinity".to_owned()
    } else {
        format!("{x:?}")
    }
}

/// `bytea`'s hex input (`\x0aff…`), its backslash doubled for COPY.
fn encode_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\\\x");
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)]);
        out.push(DIGITS[usize::from(byte & 0x0f)]);
    }
}

/// A column of a target table.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    kind: ColumnKind,
    /// Generated columns are computed by the target (and absent from COPY's column list).
    generated: bool,
}

#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<Column>,
}

impl Table {
    fn copied_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|column| !column.generated)
    }
}

/// A foreign key between two tables: `child` refers to `parent`; `nullable` when every such key
/// of `child` may be NULL (a cycle is broken there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub child: String,
    pub parent: String,
    pub nullable: bool,
}

/// Checks that `url` answers as PostgreSQL 15 or newer, with one connection attempt: an unreachable
/// host or another kind of server is an error at once, before anything is created.
pub async fn probe_postgres(url: &str) -> anyhow::Result<()> {
    let attempt = async {
        let mut conn = PgConnection::connect(url).await?;
        let version: String = sqlx::query_scalar("SHOW server_version_num")
            .fetch_one(&mut conn)
            .await?;
        conn.close().await?;
        Ok::<_, sqlx::Error>(version)
    };
    let version = tokio::time::timeout(std::time::Duration::from_secs(15), attempt)
        .await
        .context("the target did not answer within 15 s")?
        .context("cannot connect to the target as a PostgreSQL database")?;
    let number: u32 = version.trim().parse().unwrap_or(0);
    if number < 150_000 {
        bail!("the target runs PostgreSQL {version}; threadwise needs PostgreSQL 15 or newer");
    }
    Ok(())
}

/// Copies the forum in `source` (SQLite) into `target` (PostgreSQL, migrated and empty): see the
/// module's documentation. All or nothing: on any error the target is left as it was.
///
/// The target connection turns its triggers off (`SET LOCAL session_replication_role =
/// replica`), which needs a superuser or, from PostgreSQL 15, `GRANT SET ON PARAMETER
/// session_replication_role TO …`. That also turns off the foreign-key checks while copying;
/// they are checked once at the end instead.
pub async fn copy(
    source: &Pool,
    target: &Pool,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let (Pool::Sqlite(source), Pool::Postgres(target)) = (source, target) else {
        bail!("migrate copies from SQLite to PostgreSQL");
    };
    let mut source = source.acquire().await.context("cannot open the source")?;
    let mut target = target.acquire().await.context("cannot open the target")?;

    let (tables, rebuilt) = target_tables(&mut target).await?;
    let order = copy_order(
        tables.iter().map(|table| table.name.as_str()),
        &references(&mut target).await?,
    );
    let by_name: BTreeMap<&str, &Table> = tables
        .iter()
        .map(|table| (table.name.as_str(), table))
        .collect();

    // One read transaction: the counts and the pages are of one snapshot of the source.
    let mut source = source.begin().await.context("cannot read the source")?;
    let plans = {
        let source_tables = source_tables(&mut source).await?;
        let mut plans = Vec::with_capacity(order.len());
        for name in &order {
            plans.push(plan(&mut source, by_name[name.as_str()], &source_tables).await?);
        }
        let known: BTreeSet<&str> = tables
            .iter()
            .map(|table| table.name.as_str())
            .chain(REBUILT.iter().copied())
            .collect();
        let left_out: Vec<&str> = source_tables
            .iter()
            .filter(|(name, kind)| kind.copyable && !known.contains(name.as_str()))
            .map(|(name, _)| name.as_str())
            .collect();
        if !left_out.is_empty() {
            bail!(
                "the target's schema has no table for the source's {}: is the target's threadwise \
                 older than the source's?",
                left_out.join(", ")
            );
        }
        plans
    };

    let mut tx = target.begin().await.context("cannot start the copy")?;
    refuse_non_empty(&mut tx, &tables, &rebuilt).await?;
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .context(
            "cannot turn the target's triggers off (SET session_replication_role = replica): \
             migrate as a superuser, or GRANT SET ON PARAMETER session_replication_role to the \
             target's user",
        )?;

    let mut copied = Vec::with_capacity(plans.len());
    for plan in &plans {
        let rows = copy_table(&mut source, &mut tx, plan, progress)
            .await
            .with_context(|| format!("copying table {}", plan.table.name))?;
        copied.push(CopiedTable {
            name: plan.table.name.clone(),
            rows,
        });
    }

    let mut search_rows = 0;
    if rebuilt.iter().any(|name| name == "search_index") {
        progress(Progress::Rebuilding);
        sqlx::query("DELETE FROM search_index")
            .execute(&mut *tx)
            .await?;
        search_rows = sqlx::query(
            "INSERT INTO search_index (post_id, tsv)
             SELECT id, search_document(title, body) FROM search_source",
        )
        .execute(&mut *tx)
        .await
        .context("rebuilding the search index")?
        .rows_affected();
    }

    reset_sequences(&mut tx).await?;
    check_references(&mut tx).await?;
    for (plan, table) in plans.iter().zip(&copied) {
        let (rows,): (i64,) = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {}",
            ident(&table.name)
        )))
        .fetch_one(&mut *tx)
        .await?;
        if rows as u64 != plan.rows || table.rows != plan.rows {
            bail!(
                "table {}: the source has {} rows, the target {rows} after the copy",
                table.name,
                plan.rows
            );
        }
    }
    // Every read is done: the source's snapshot ends before the target's commit.
    source.rollback().await?;
    tx.commit().await.context("cannot commit the copy")?;

    Ok(Summary {
        rows: copied.iter().map(|table| table.rows).sum(),
        tables: copied,
        search_rows,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The target's tables to copy, with their columns, and those of [`REBUILT`] it has.
async fn target_tables(target: &mut PgConnection) -> anyhow::Result<(Vec<Table>, Vec<String>)> {
    let rows: Vec<(String, String, String, bool)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text,
                c.is_generated::text = 'ALWAYS'
         FROM information_schema.columns c
         JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut *target)
    .await
    .context("cannot read the target's catalog")?;
    let mut tables: Vec<Table> = Vec::new();
    let mut rebuilt = Vec::new();
    for (table, column, data_type, generated) in rows {
        if NOT_FORUM_DATA.contains(&table.as_str()) {
            continue;
        }
        if REBUILT.contains(&table.as_str()) {
            if rebuilt.last() != Some(&table) {
                rebuilt.push(table);
            }
            continue;
        }
        if tables.last().is_none_or(|last| last.name != table) {
            tables.push(Table {
                name: table,
                columns: Vec::new(),
            });
        }
        let last = tables.last_mut().expect("just pushed");
        last.columns.push(Column {
            name: column,
            kind: ColumnKind::of_data_type(&data_type),
            generated,
        });
    }
    if tables.is_empty() {
        bail!("the target has no tables: was its schema created?");
    }
    Ok((tables, rebuilt))
}

/// The target's foreign keys between its own tables.
async fn references(target: &mut PgConnection) -> anyhow::Result<Vec<Reference>> {
    let rows: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT child.relname::text, parent.relname::text, bool_and(NOT a.attnotnull)
         FROM pg_constraint c
         JOIN pg_class child ON child.oid = c.conrelid
         JOIN pg_class parent ON parent.oid = c.confrelid
         JOIN pg_namespace n ON n.oid = child.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
         WHERE c.contype = 'f' AND n.nspname = current_schema()
         GROUP BY child.relname, parent.relname
         ORDER BY 1, 2",
    )
    .fetch_all(&mut *target)
    .await
    .context("cannot read the target's foreign keys")?;
    Ok(rows
        .into_iter()
        .map(|(child, parent, nullable)| Reference {
            child,
            parent,
            nullable,
        })
        .collect())
}

/// Parents before children: each step takes, by name, the first table whose parents are all
/// placed; in a cycle (topics ↔ posts), the first whose unplaced parents it refers to only
/// through nullable keys, else the first left. Self-references and tables outside `tables` do not
/// count.
pub fn copy_order<'a>(
    tables: impl IntoIterator<Item = &'a str>,
    references: &[Reference],
) -> Vec<String> {
    let mut left: BTreeSet<&str> = tables.into_iter().collect();
    let mut order = Vec::with_capacity(left.len());
    let waits_for = |table: &str, left: &BTreeSet<&str>, hard_only: bool| {
        references.iter().any(|reference| {
            reference.child == table
                && reference.parent != table
                && left.contains(reference.parent.as_str())
                && !(hard_only && reference.nullable)
        })
    };
    while !left.is_empty() {
        let next = left
            .iter()
            .find(|table| !waits_for(table, &left, false))
            .or_else(|| left.iter().find(|table| !waits_for(table, &left, true)))
            .or_else(|| left.iter().next())
            .copied()
            .expect("left is not empty");
        left.remove(next);
        order.push(next.to_owned());
    }
    order
}

#[derive(Debug)]
struct SourceTable {
    /// An ordinary table (not a view, a virtual table, its shadow tables or SQLite's own).
    copyable: bool,
    without_rowid: bool,
}

async fn source_tables(
    source: &mut SqliteConnection,
) -> anyhow::Result<BTreeMap<String, SourceTable>> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main' ORDER BY name",
    )
    .fetch_all(&mut *source)
    .await
    .context("cannot read the source's tables")?;
    Ok(rows
        .into_iter()
        .map(|(name, kind, wr)| {
            let copyable = kind == "table"
                && !name.starts_with("sqlite_")
                && !NOT_FORUM_DATA.contains(&name.as_str());
            (
                name,
                SourceTable {
                    copyable,
                    without_rowid: wr != 0,
                },
            )
        })
        .collect())
}

/// How one table is read and written.
#[derive(Debug)]
struct Plan<'t> {
    table: &'t Table,
    /// SELECT … FROM the source, the page's key first, then the copied columns: page by rowid
    /// (`?1` the last rowid) or, without one, by the primary key.
    first_page: String,
    next_page: String,
    /// How many leading columns of each page row are the key (not copied).
    key_columns: usize,
    copy_statement: String,
    rows: u64,
    seeded: bool,
}

async fn plan<'t>(
    source: &mut SqliteConnection,
    table: &'t Table,
    source_tables: &BTreeMap<String, SourceTable>,
) -> anyhow::Result<Plan<'t>> {
    let name = table.name.as_str();
    let Some(found) = source_tables.get(name).filter(|found| found.copyable) else {
        bail!(
            "the source has no table {name}: is the source's threadwise older than the target's?"
        );
    };
    // pragma_table_info leaves generated columns out, as the copy does.
    let columns: Vec<(String, i64)> =
        sqlx::query_as("SELECT name, pk FROM pragma_table_info($1) ORDER BY cid")
            .bind(name)
            .fetch_all(&mut *source)
            .await?;
    let source_columns: BTreeSet<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    let target_columns: BTreeSet<&str> = table
        .copied_columns()
        .map(|column| column.name.as_str())
        .collect();
    let missing: Vec<&str> = target_columns
        .difference(&source_columns)
        .copied()
        .collect();
    let extra: Vec<&str> = source_columns
        .difference(&target_columns)
        .copied()
        .collect();
    if !missing.is_empty() || !extra.is_empty() {
        bail!(
            "table {name} differs between the databases: columns only in the target: [{}], only \
             in the source: [{}]",
            missing.join(", "),
            extra.join(", ")
        );
    }
    let list = table
        .copied_columns()
        .map(|column| ident(&column.name))
        .collect::<Vec<_>>()
        .join(", ");
    let (first_page, next_page, key_columns) = if found.without_rowid {
        let mut key: Vec<(&str, i64)> = columns
            .iter()
            .filter(|(_, pk)| *pk > 0)
            .map(|(name, pk)| (name.as_str(), *pk))
            .collect();
        key.sort_by_key(|(_, pk)| *pk);
        if key.is_empty() {
            bail!("table {name} has neither a rowid nor a primary key to page by");
        }
        let key_columns = key.len();
        let key: Vec<String> = key.iter().map(|(name, _)| ident(name)).collect();
        let params: Vec<String> = (1..=key_columns).map(|n| format!("${n}")).collect();
        let limit = format!("${}", key_columns + 1);
        let key = key.join(", ");
        (
            format!(
                "SELECT {key}, {list} FROM {} ORDER BY {key} LIMIT $1",
                ident(name)
            ),
            format!(
                "SELECT {key}, {list} FROM {} WHERE ({key}) > ({}) ORDER BY {key} LIMIT {limit}",
                ident(name),
                params.join(", ")
            ),
            key_columns,
        )
    } else {
        (
            format!(
                "SELECT rowid, {list} FROM {} ORDER BY rowid LIMIT $1",
                ident(name)
            ),
            format!(
                "SELECT rowid, {list} FROM {} WHERE rowid > $1 ORDER BY rowid LIMIT $2",
                ident(name)
            ),
            1,
        )
    };
    let (rows,): (i64,) = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {}",
        ident(name)
    )))
    .fetch_one(&mut *source)
    .await?;
    Ok(Plan {
        table,
        first_page,
        next_page,
        key_columns,
        copy_statement: format!("COPY {} ({list}) FROM STDIN", ident(name)),
        rows: rows as u64,
        seeded: SEEDED.contains(&name),
    })
}

/// Fails, naming them, if any table but the seeded ones holds a row.
async fn refuse_non_empty(
    target: &mut PgConnection,
    tables: &[Table],
    rebuilt: &[String],
) -> anyhow::Result<()> {
    let mut holding = Vec::new();
    for name in tables
        .iter()
        .map(|table| table.name.as_str())
        .chain(rebuilt.iter().map(String::as_str))
        .filter(|name| !SEEDED.contains(name))
    {
        let (any,): (bool,) = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT EXISTS (SELECT 1 FROM {})",
            ident(name)
        )))
        .fetch_one(&mut *target)
        .await?;
        if any {
            holding.push(name);
        }
    }
    if !holding.is_empty() {
        bail!(
            "the target database is not empty (rows in {}): migrate copies only into a new, \
             empty database; nothing was written",
            holding.join(", ")
        );
    }
    Ok(())
}

/// Reads a row's value at `index` as SQLite stores it.
fn value_of(row: &sqlx::sqlite::SqliteRow, index: usize) -> sqlx::Result<Value> {
    let raw = row.try_get_raw(index)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let storage = raw.type_info().name().to_owned();
    Ok(match storage.as_str() {
        "INTEGER" => Value::Integer(row.try_get_unchecked(index)?),
        "REAL" => Value::Real(row.try_get_unchecked(index)?),
        "BLOB" => Value::Blob(row.try_get_unchecked(index)?),
        _ => Value::Text(row.try_get_unchecked(index)?),
    })
}

fn bind_key<'q>(
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>,
    value: &Value,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
    match value {
        Value::Null => query.bind(None::<i64>),
        Value::Integer(n) => query.bind(*n),
        Value::Real(x) => query.bind(*x),
        Value::Text(text) => query.bind(text.clone()),
        Value::Blob(bytes) => query.bind(bytes.clone()),
    }
}

/// Copies one table, page by page, through one COPY; the rows copied.
async fn copy_table(
    source: &mut SqliteConnection,
    target: &mut PgConnection,
    plan: &Plan<'_>,
    progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> anyhow::Result<u64> {
    let name = plan.table.name.as_str();
    if plan.seeded {
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", ident(name))))
            .execute(&mut *target)
            .await?;
    }
    progress(Progress::Table {
        name,
        rows: plan.rows,
    });
    let kinds: Vec<ColumnKind> = plan.table.copied_columns().map(|c| c.kind).collect();
    let names: Vec<&str> = plan
        .table
        .copied_columns()
        .map(|c| c.name.as_str())
        .collect();
    let mut copy = target.copy_in_raw(&plan.copy_statement).await?;
    let mut buffer = Vec::with_capacity(SEND_BYTES + SEND_BYTES / 4);
    let mut last_key: Option<Vec<Value>> = None;
    let outcome: anyhow::Result<()> = async {
        loop {
            let page = match &last_key {
                None => {
                    sqlx::query(AssertSqlSafe(plan.first_page.clone()))
                        .bind(PAGE_ROWS)
                        .fetch_all(&mut *source)
                        .await?
                }
                Some(key) => {
                    let mut query = sqlx::query(AssertSqlSafe(plan.next_page.clone()));
                    for value in key {
                        query = bind_key(query, value);
                    }
                    query.bind(PAGE_ROWS).fetch_all(&mut *source).await?
                }
            };
            for row in &page {
                for (i, kind) in kinds.iter().enumerate() {
                    if i > 0 {
                        buffer.push(b'\t');
                    }
                    let value = value_of(row, plan.key_columns + i)?;
                    encode_field(&mut buffer, &value, *kind).with_context(|| {
                        format!(
                            "column {} of the row with key ({})",
                            names[i],
                            (0..plan.key_columns)
                                .map(|k| value_of(row, k)
                                    .map_or_else(|_| "?".to_owned(), |key| format!("{key:?}")))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })?;
                }
                buffer.push(b'\n');
                if buffer.len() >= SEND_BYTES {
                    copy.send(std::mem::take(&mut buffer)).await?;
                }
            }
            if let Some(row) = page.last() {
                last_key = Some(
                    (0..plan.key_columns)
                        .map(|k| value_of(row, k))
                        .collect::<sqlx::Result<_>>()?,
                );
            }
            progress(Progress::Rows(page.len() as u64));
            if (page.len() as i64) < PAGE_ROWS {
                return Ok(());
            }
        }
    }
    .await;
    match outcome {
        Ok(()) => {
            if !buffer.is_empty() {
                copy.send(buffer).await?;
            }
            let rows = copy.finish().await?;
            progress(Progress::TableDone);
            Ok(rows)
        }
        Err(error) => {
            copy.abort(format!("{error:#}")).await.ok();
            Err(error)
        }
    }
}

/// Sets every identity sequence so the next id is MAX(id) + 1 (1 for an empty table): after rows
/// went in with ids of their own (a move, `threadwise generate`).
pub(crate) async fn reset_sequences(target: &mut PgConnection) -> anyhow::Result<()> {
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.relname::text, a.attname::text
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attidentity IN ('a', 'd')
           AND NOT a.attisdropped
         ORDER BY 1, 2",
    )
    .fetch_all(&mut *target)
    .await?;
    for (table, column) in identities {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence($1, $2),
                           COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)",
            column = ident(&column),
            table = ident(&table),
        )))
        .bind(ident(&table))
        .bind(&column)
        .execute(&mut *target)
        .await
        .with_context(|| format!("resetting the sequence of {table}.{column}"))?;
    }
    Ok(())
}

/// A foreign key of the target, column by column.
#[derive(sqlx::FromRow)]
struct ForeignKey {
    name: String,
    child: String,
    parent: String,
    columns: Vec<String>,
    referenced: Vec<String>,
}

/// With the triggers off the copy did not check foreign keys: every key must find its row.
async fn check_references(target: &mut PgConnection) -> anyhow::Result<()> {
    let keys: Vec<ForeignKey> = sqlx::query_as(
        "SELECT c.conname::text AS name, child.relname::text AS child,
                parent.relname::text AS parent,
                ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(num, i)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num
                      ORDER BY k.i) AS columns,
                ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(num, i)
                      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num
                      ORDER BY k.i) AS referenced
         FROM pg_constraint c
         JOIN pg_class child ON child.oid = c.conrelid
         JOIN pg_class parent ON parent.oid = c.confrelid
         JOIN pg_namespace n ON n.oid = child.relnamespace
         WHERE c.contype = 'f' AND n.nspname = current_schema()
         ORDER BY 1",
    )
    .fetch_all(&mut *target)
    .await?;
    let mut broken = Vec::new();
    for ForeignKey {
        name: constraint,
        child,
        parent,
        columns: from,
        referenced: to,
    } in keys
    {
        let present = from
            .iter()
            .map(|column| format!("x.{} IS NOT NULL", ident(column)))
            .collect::<Vec<_>>()
            .join(" AND ");
        let matching = from
            .iter()
            .zip(&to)
            .map(|(f, t)| format!("y.{} = x.{}", ident(t), ident(f)))
            .collect::<Vec<_>>()
            .join(" AND ");
        let (orphans,): (i64,) = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {} x WHERE {present}
             AND NOT EXISTS (SELECT 1 FROM {} y WHERE {matching})",
            ident(&child),
            ident(&parent)
        )))
        .fetch_one(&mut *target)
        .await?;
        if orphans > 0 {
            broken.push(format!(
                "{orphans} rows of {child} ({constraint}: {} → {parent})",
                from.join(", ")
            ));
        }
    }
    if !broken.is_empty() {
        bail!(
            "the source holds rows whose foreign keys find nothing, which PostgreSQL does not \
             accept: {}; nothing was written",
            broken.join("; ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(value: Value, kind: ColumnKind) -> String {
        let mut out = Vec::new();
        encode_field(&mut out, &value, kind).expect("encodable");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn copy_text_escapes_backslash_tab_newline_and_carriage_return() {
        assert_eq!(
            field(Value::Text("a\\b\tc\nd\re \\N ü".into()), ColumnKind::Text),
            "a\\\\b\\tc\\nd\\re \\\\N ü"
        );
        assert_eq!(field(Value::Text(String::new()), ColumnKind::Text), "");
        assert_eq!(field(Value::Null, ColumnKind::Text), "\\N");
        assert_eq!(field(Value::Null, ColumnKind::Bytes), "\\N");
        let mut out = Vec::new();
        assert_eq!(
            encode_field(&mut out, &Value::Text("a\0b".into()), ColumnKind::Text),
            Err(EncodeError::Nul)
        );
        assert_eq!(
            encode_field(&mut out, &Value::Blob(vec![0xff]), ColumnKind::Text),
            Err(EncodeError::NotUtf8)
        );
    }

    #[test]
    fn copy_text_writes_bytes_as_escaped_hex() {
        assert_eq!(
            field(Value::Blob(vec![0, 9, 10, 0x5c, 0xff]), ColumnKind::Bytes),
            "\\\\x00090a5cff"
        );
        assert_eq!(field(Value::Blob(vec![]), ColumnKind::Bytes), "\\\\x");
        assert_eq!(field(Value::Text("A".into()), ColumnKind::Bytes), "\\\\x41");
    }

    #[test]
    fn copy_text_writes_numbers_that_read_back_exactly() {
        assert_eq!(field(Value::Integer(-42), ColumnKind::Integer), "-42");
        assert_eq!(
            field(Value::Integer(i64::MIN), ColumnKind::Integer),
            i64::MIN.to_string()
        );
        assert_eq!(field(Value::Real(3.0), ColumnKind::Integer), "3");
        assert_eq!(field(Value::Integer(7), ColumnKind::Float), "7");
        for x in [
            0.1 + 0.2,
            1.0 / 3.0,
            -0.0,
            1e-300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            123_456_789.125,
        ] {
            let text = field(Value::Real(x), ColumnKind::Float);
            let back: f64 = text.parse().expect("a float");
            assert_eq!(back.to_bits(), x.to_bits(), "{x} written as {text}");
        }
        assert_eq!(
            field(Value::Real(f64::INFINITY), ColumnKind::Float),
            "Infinity"
        );
        assert_eq!(
            field(Value::Real(f64::NEG_INFINITY), ColumnKind::Float),
            "-Infinity"
        );
        assert_eq!(field(Value::Real(f64::NAN), ColumnKind::Float), "NaN");
    }

    #[test]
    fn parents_come_before_children_and_a_cycle_breaks_at_its_nullable_key() {
        let reference = |child: &str, parent: &str, nullable: bool| Reference {
            child: child.into(),
            parent: parent.into(),
            nullable,
        };
        let references = [
            reference("posts", "topics", false),
            reference("posts", "users", false),
            reference("topics", "posts", true),
            reference("topics", "users", false),
            reference("votes", "posts", false),
            reference("votes", "users", false),
            reference("users", "users", true),
            reference("anything", "elsewhere", false),
        ];
        let order = copy_order(
            ["votes", "posts", "topics", "users", "anything"],
            &references,
        );
        assert_eq!(order, ["anything", "users", "topics", "posts", "votes"]);
    }
}
