//! `threadwise migrate --from sqlite://forum.db --to postgres://…`: move a forum from SQLite to
//! PostgreSQL (the copy itself is `db::migrate`).
use anyhow::{Context as _, bail};
use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::db::{self, Kind, migrate::Progress};

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The SQLite database to copy from (`sqlite://forum.db`). It must exist; its schema is
    /// brought up to date first. It is only read, and stays as it is.
    #[arg(long, value_name = "SQLITE_URL")]
    pub from: String,
    /// The PostgreSQL database to copy into (`postgres://user:password@host/db`). It must exist
    /// and hold no forum data (a new database, or one threadwise has only created the schema
    /// in); its schema is created if absent.
    #[arg(long, value_name = "POSTGRES_URL")]
    pub to: String,
}

pub async fn run(args: MigrateArgs) -> anyhow::Result<()> {
    let MigrateArgs { from, to } = args;
    if Kind::of_url(&from) != Kind::Sqlite {
        bail!("--from must name a SQLite database (sqlite://FILE), not {from:?}");
    }
    if Kind::of_url(&to) != Kind::Postgres {
        bail!("--to must name a PostgreSQL database (postgres://…), not {to:?}");
    }
    let path = db::options(&from)?.get_filename().to_path_buf();
    if !path.is_file() {
        bail!(
            "the source database {} does not exist; nothing was written",
            path.display()
        );
    }
    db::migrate::probe_postgres(&to)
        .await
        .context("the target cannot be used; nothing was written")?;
    let source = db::connect(&from, 1)
        .await
        .context("cannot open the source")?;
    let target = db::connect(&to, 1)
        .await
        .context("cannot open the target")?;
    let bars = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{prefix:>22} [{elapsed_precise}] {wide_bar} {pos}/{len} rows · ETA {eta}",
    )
    .expect("a valid progress template");
    let mut bar: Option<ProgressBar> = None;
    let mut progress = |event: Progress<'_>| match event {
        Progress::Table { name, rows } => {
            let table = bars.add(ProgressBar::new(rows).with_style(style.clone()));
            table.set_prefix(name.to_owned());
            bar = Some(table);
        }
        Progress::Rows(rows) => {
            if let Some(bar) = &bar {
                bar.inc(rows);
            }
        }
        Progress::TableDone => {
            if let Some(bar) = bar.take() {
                bar.finish();
            }
        }
        Progress::Rebuilding => {
            let spinner = bars.add(ProgressBar::new_spinner());
            spinner.set_message("rebuilding the search index");
            spinner.enable_steady_tick(std::time::Duration::from_millis(200));
            bar = Some(spinner);
        }
    };
    let outcome = db::migrate::copy(&source, &target, &mut progress).await;
    if let Some(bar) = bar.take() {
        bar.finish_and_clear();
    }
    let summary = outcome
        .context("migrate stopped; the copy was rolled back, and the target holds none of it")?;
    for table in &summary.tables {
        println!("{:>24} {:>10} rows", table.name, table.rows);
    }
    println!("{summary}");
    source.close().await;
    target.close().await;
    Ok(())
}
