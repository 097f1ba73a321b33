//! `threadwise import stackexchange DIR | jsonl FILE`: bring an existing community's history in.
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::db;
use crate::import::{self, ImportOptions};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import one site of a Stack Exchange data dump (a directory with Posts.xml and, optionally,
    /// Users.xml). Re-running it updates what was imported before.
    Stackexchange {
        dir: PathBuf,
        /// The site's host name, used in links and keys (default: the directory's name, e.g.
        /// `ai.stackexchange.com`).
        #[arg(long)]
        site: Option<String>,
        /// Rows per transaction.
        #[arg(long, default_value_t = import::DEFAULT_BATCH_ROWS)]
        batch_size: usize,
    },
    /// Import a JSON Lines file (one question per line, as in the shared data sets).
    Jsonl {
        file: PathBuf,
        #[arg(long, default_value_t = import::DEFAULT_BATCH_ROWS)]
        batch_size: usize,
    },
}

pub async fn run(database_url: &str, command: ImportCommand) -> anyhow::Result<()> {
    let pool = db::connect(database_url, 1).await?;
    let mut conn = pool.acquire().await?;
    let (summary, source) = match command {
        ImportCommand::Stackexchange {
            dir,
            site,
            batch_size,
        } => {
            let options = options(batch_size);
            let summary = import::stackexchange::import(&mut conn, &dir, site.as_deref(), &options)
                .await
                .with_context(|| stopped(&dir))?;
            (summary, dir)
        }
        ImportCommand::Jsonl { file, batch_size } => {
            let options = options(batch_size);
            let summary = import::jsonl::import(&mut conn, &file, &options)
                .await
                .with_context(|| stopped(&file))?;
            (summary, file)
        }
    };
    println!("{}: {summary}", source.display());
    drop(conn);
    pool.close().await;
    Ok(())
}

fn stopped(source: &std::path::Path) -> String {
    format!(
        "importing {} stopped; the batches committed before stay, and running the same import \
         again resumes (rows are updated, never duplicated)",
        source.display()
    )
}

/// A byte-based bar (the only size known before reading) with rows and their rate as the message.
fn options(batch_size: usize) -> ImportOptions {
    let progress = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} · {msg} · ETA {eta}",
        )
        .expect("a valid progress template"),
    );
    ImportOptions {
        batch_size,
        progress,
    }
}
