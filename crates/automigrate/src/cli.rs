//! The command line, for an application's `xtask`.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands::{self, Outcome, Project};
use crate::entities::Entities;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Generate SeaORM migrations from the difference between your entities and your database."
)]
struct Cli {
    /// The database to compare with. Read from the environment, then from `.env`.
    #[arg(
        long,
        short = 'u',
        env = "DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// The sea-orm-migration crate to write into.
    #[arg(long, default_value = "migration", global = true)]
    migration_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a migration that brings the database to what the entities declare.
    Makemigration {
        /// What the migration does, e.g. "add bio to users". Names the file.
        message: String,
        /// Write a migration with empty `up` and `down`, to fill in by hand.
        #[arg(long)]
        empty: bool,
    },
}

/// Runs the command line with the application's entities. Exit codes: 0 done (or no changes),
/// 2 error (nothing was written).
pub fn main(entities: Entities) -> ExitCode {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli, &entities)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli, entities: &Entities) -> anyhow::Result<ExitCode> {
    let Some(url) = cli.database_url.as_deref() else {
        anyhow::bail!(
            "DATABASE_URL is not set: set it in the environment or in .env, or pass --database-url"
        );
    };
    let project = Project {
        database_url: url,
        migration_dir: &cli.migration_dir,
        entities,
    };
    match cli.command {
        Command::Makemigration { message, empty } => {
            match commands::makemigration(&project, &message, empty).await? {
                Outcome::NoChanges => {
                    println!("No changes detected: the database matches the entities.")
                }
                Outcome::Written { path, summary, .. } => {
                    for line in &summary {
                        println!("  {line}");
                    }
                    println!("Wrote {}", path.display());
                    let losses = summary.iter().filter(|l| l.contains("DATA LOSS")).count();
                    if losses > 0 {
                        println!(
                            "{losses} change(s) lose data: review the REVIEW comments before you apply it."
                        );
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
