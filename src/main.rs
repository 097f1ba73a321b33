use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use threadwise::cli::{import::ImportCommand, model::ModelCommand, user::UserCommand};
use threadwise::config::Settings;
use threadwise::startup::Application;
use threadwise::tagging::TaggingSettings;

#[derive(Debug, Parser)]
#[command(
    name = "threadwise",
    version,
    about = "A technical-community forum with a built-in tag classifier"
)]
struct Cli {
    /// Database URL: `sqlite://FILE` (created if absent) or `postgres://…` (an existing
    /// database); its schema is brought up to date. `migrate` takes `--from` and `--to` instead.
    #[arg(
        long,
        global = true,
        env = "THREADWISE_DATABASE",
        default_value = "sqlite://threadwise.db"
    )]
    database: String,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the forum (the default).
    Serve(Box<Settings>),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Import a community: a Stack Exchange dump or a JSON Lines file.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Run one retraining of the auto-tagger against the database and print the outcome.
    Retrain(TaggingSettings),
    /// Fill an empty database with a big synthetic community (load tests, dashboard benchmarks).
    Generate(threadwise::cli::generate::GenerateArgs),
    /// Copy a forum from SQLite to PostgreSQL: every table, in one transaction.
    ///
    /// The target must be an existing, empty PostgreSQL (15 or newer) database; its schema is
    /// created, then every table is copied with COPY in foreign-key order, identity sequences are
    /// set past the copied ids, the search index is rebuilt, and each table's row count is
    /// checked. Any error rolls the copy back (the target holds none of it); a target that
    /// already holds forum data is refused.
    ///
    /// Counters and roll-ups are copied as they are, so the target's triggers are turned off
    /// while copying (SET session_replication_role = replica): connect as a superuser, or as a
    /// user granted that setting (PostgreSQL 15+: GRANT SET ON PARAMETER
    /// session_replication_role TO <user>). Stop the forum while migrating: writes made to the
    /// source after the copy started are not copied.
    Migrate(threadwise::cli::migrate::MigrateArgs),
    #[command(flatten)]
    Model(ModelCommand),
}

/// pulldown-latex panics on some formulas; `domain::math` catches those panics and shows the
/// formula as its source, so the default hook's multi-line message on stderr is noise there. Those
/// become one warning through `tracing`; every other panic still goes to the default hook.
fn log_caught_formula_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| match info.location() {
        Some(at) if at.file().contains("pulldown-latex") => tracing::warn!(
            location = %at,
            "a formula made pulldown-latex panic; it is shown as its source"
        ),
        _ => default(info),
    }));
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // The request span closing is the one log line per request (method, route, status, time).
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .init();
    log_caught_formula_panics();
    match cli.command {
        Some(Command::Model(command)) => threadwise::cli::model::run(command),
        Some(Command::User(command)) => runtime()?.block_on(async {
            threadwise::cli::user::run(&cli.database, command).await?;
            pages_changed(&cli.database).await;
            Ok(())
        }),
        Some(Command::Import(command)) => runtime()?.block_on(async {
            threadwise::cli::import::run(&cli.database, command).await?;
            pages_changed(&cli.database).await;
            Ok(())
        }),
        Some(Command::Retrain(settings)) => {
            runtime()?.block_on(threadwise::cli::retrain::run(&cli.database, &settings))
        }
        Some(Command::Generate(args)) => runtime()?.block_on(async {
            threadwise::cli::generate::run(&cli.database, args).await?;
            pages_changed(&cli.database).await;
            Ok(())
        }),
        Some(Command::Migrate(args)) => runtime()?.block_on(threadwise::cli::migrate::run(args)),
        Some(Command::Serve(settings)) => serve(*settings, cli.database),
        None => {
            // No subcommand: serve with every setting at its default (or from THREADWISE_* variables).
            let Cli {
                command: Some(Command::Serve(settings)),
                ..
            } = Cli::parse_from(["threadwise", "serve"])
            else {
                unreachable!("`serve` always parses to Command::Serve")
            };
            serve(*settings, cli.database)
        }
    }
}

/// Tells the app servers on a PostgreSQL database that this command changed what pages show
/// (on SQLite their cache's TTL catches it).
async fn pages_changed(database: &str) {
    if let Err(e) = threadwise::db::channel::announce_to_url(database, "pages").await {
        tracing::warn!(error = ?e, "could not tell the app servers that pages changed");
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

fn serve(mut settings: Settings, database: String) -> anyhow::Result<()> {
    settings.database_url = database;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings).await?;
        tracing::info!(port = app.port(), "threadwise is serving");
        app.run_until_stopped().await
    })
}
