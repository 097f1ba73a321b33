//! `threadwise train | evaluate | suggest | bench-model`.
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Train a tag classifier from a JSON Lines file.
    Train,
}

pub fn run(command: ModelCommand) -> anyhow::Result<()> {
    match command {
        ModelCommand::Train => anyhow::bail!("training is being built (issue 3)"),
    }
}
