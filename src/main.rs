use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "threadwise", version, about = "A technical-community forum with a built-in tag classifier")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(flatten)]
    Model(threadwise::cli::model::ModelCommand),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Model(command)) => threadwise::cli::model::run(command),
        None => Ok(()),
    }
}
