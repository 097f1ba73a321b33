//! `threadwise generate`: a big synthetic community for load tests and the dashboards' benchmark —
//! users with a heavy-tailed activity, growing daily volume with weekly and daily rhythms, tags of
//! Zipf popularity with trends and newcomers, replies whose first-response times are log-normal,
//! votes, a few flags and model suggestions. Deterministic: the same `--seed` and `--end` give the
//! same database.
mod community;
mod text;

use std::time::Instant;

use anyhow::{Context, bail};
use clap::Args;

use crate::db::{self, bulk};

#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Topics to create.
    #[arg(long, default_value_t = 10_000)]
    pub topics: usize,
    /// Posts in all, opening posts included (so replies = posts − topics).
    #[arg(long, default_value_t = 100_000)]
    pub posts: usize,
    /// Accounts (default: one per 50 posts, at least 100).
    #[arg(long)]
    pub users: Option<usize>,
    /// Votes (default: as many as posts).
    #[arg(long)]
    pub votes: Option<usize>,
    /// Tags to draw from.
    #[arg(long, default_value_t = 300)]
    pub tags: usize,
    /// Days of history, ending at `--end`.
    #[arg(long, default_value_t = 90)]
    pub days: i64,
    /// Seed of the random generator.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Unix time the history ends at (default: now). Fix it to reproduce a database exactly.
    #[arg(long)]
    pub end: Option<i64>,
}

impl GenerateArgs {
    fn check(&self) -> anyhow::Result<()> {
        if self.topics == 0 || self.posts < self.topics {
            bail!(
                "--posts ({}) must be at least --topics ({}) and both above 0",
                self.posts,
                self.topics
            );
        }
        if !(1..=3650).contains(&self.days) {
            bail!("--days must be between 1 and 3650, not {}", self.days);
        }
        if self.tags == 0 {
            bail!("--tags must be at least 1");
        }
        Ok(())
    }
}

pub async fn run(database_url: &str, args: GenerateArgs) -> anyhow::Result<()> {
    args.check()?;
    let started = Instant::now();
    let end = args.end.unwrap_or_else(crate::domain::now);
    let community = tokio::task::spawn_blocking(move || community::Community::generate(&args, end))
        .await
        .context("the generator thread failed")?;
    eprintln!(
        "generated {} users, {} tags, {} topics, {} posts, {} votes, {} flags in memory in {:.1} s",
        community.users.len(),
        community.tags.len(),
        community.topics.len(),
        community.posts.len(),
        community.votes.len(),
        community.flags.len(),
        started.elapsed().as_secs_f64()
    );
    let pool = db::connect(database_url, 1).await?;
    let mut conn = pool.acquire().await?;
    if !bulk::is_empty(&mut conn).await? {
        bail!("{database_url} already has accounts; generate into a new database");
    }
    bulk::bulk_load_mode(&mut conn).await?;
    let mut tx = crate::db::begin_on(&mut conn).await?;
    let step = Instant::now();
    bulk::users(&mut tx, &community.users).await?;
    bulk::tags(&mut tx, &community.tags).await?;
    bulk::topics(&mut tx, &community.topics).await?;
    bulk::topic_tags(&mut tx, &community.topic_tags).await?;
    eprintln!("users, tags, topics: {:.1} s", step.elapsed().as_secs_f64());
    let step = Instant::now();
    bulk::posts(&mut tx, &community.posts).await?;
    eprintln!(
        "posts (with search index and roll-ups): {:.1} s",
        step.elapsed().as_secs_f64()
    );
    let step = Instant::now();
    bulk::votes(&mut tx, &community.votes).await?;
    bulk::flags(&mut tx, &community.flags).await?;
    eprintln!("votes and flags: {:.1} s", step.elapsed().as_secs_f64());
    tx.commit().await?;
    bulk::continue_ids(&mut conn).await?;
    let step = Instant::now();
    bulk::analyze(&mut conn).await?;
    eprintln!("analyze: {:.1} s", step.elapsed().as_secs_f64());
    drop(conn);
    pool.close().await;
    println!(
        "generated a community of {} topics and {} posts in {:.1} s",
        community.topics.len(),
        community.posts.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
