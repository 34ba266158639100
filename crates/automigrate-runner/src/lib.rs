//! A runner for sea-orm-migration crates: the commands of sea-orm-migration's own CLI (`up`,
//! `down`, `status`, `fresh`, `refresh`, `reset`, `init`, `generate`), plus what production
//! deployments rely on:
//!
//! - `up --sql` / `down --sql`: the SQL that would run, in order, with the migration names as
//!   comments, recorded with sea-orm's `MockDatabase`; nothing is run ([`preview_sql`]).
//! - `up --to <migration>`, `down --to <migration>|base` ([`UpTo`], [`DownTo`], [`Target`]).
//! - `stamp <migration>|head|base`, `current`, `history` ([`stamp`], [`history`]).
//! - A database lock around everything that writes the history ([`MigrationLock`]), so that
//!   several replicas of an application that migrate at start-up do not race.
//! - [`migrate_on_startup`], for those applications.
//! - `automigrate.sum` ([`sums`]): run from its sources (`cargo run`), `up`, `fresh` and
//!   `refresh` refuse a migration file edited since it was recorded; `status` lists them.
//! - Each migration's `Follows:` line ([`lineage`]): run from its sources, `heads` lists the
//!   migrations nothing follows, and `up`, `fresh` and `refresh` refuse two or more (branches
//!   merged in git without `cargo xtask makemigration --merge`).
//!
//! The migration crate's `main.rs`:
//!
//! ```no_run
//! # mod migration { pub use sea_orm_migration::prelude::*; pub struct Migrator;
//! # impl MigratorTrait for Migrator { fn migrations() -> Vec<Box<dyn MigrationTrait>> { vec![] } } }
//! #[tokio::main]
//! async fn main() {
//!     automigrate_runner::run_cli(migration::Migrator).await;
//! }
//! ```
//!
//! Migrations are still run by sea-orm-migration's own `MigratorTrait::up` / `down` (so each
//! migration runs in its own transaction on PostgreSQL, exactly as with its CLI); the runner
//! decides how many, under the lock, from the history it re-reads once it holds the lock, and
//! runs them one step at a time, so that a failure names its migration ([`MigrationFailure`];
//! the command line also shows the SQL of the statement that failed).
mod cli;
pub mod connection;
mod failure;
pub mod lineage;
mod lock;
mod ops;
pub mod output;
mod plan;
mod preview;
pub mod sources;
pub mod sums;

use std::time::Duration;

pub use cli::run_cli;
pub use failure::MigrationFailure;
pub use lock::MigrationLock;
pub use ops::{History, MigrationState, Report, down, history, migrate_on_startup, stamp, up};
pub use plan::{DownTo, Target, UpTo};
pub use preview::{Direction, preview_sql};

/// How long `up`, `down` and `stamp` wait for the migration lock unless told otherwise.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything the runner can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another process held the migration lock for longer than the timeout.
    #[error(
        "gave up waiting for the migration lock after {}: another process is running migrations \
         on this database ({lock}{holder}). Retry when it is done, or wait longer with \
         --lock-timeout",
        secs(*waited)
    )]
    LockTimeout {
        waited: Duration,
        /// Which lock: "PostgreSQL advisory lock 123", "MySQL lock `…`", "lock file …".
        lock: String,
        /// Who holds it, when the database says (", held by …"), else empty.
        holder: String,
    },
    /// A `--to` or `stamp` target that names no migration.
    #[error("unknown migration `{name}`; the migrations are:{}", list(known))]
    UnknownMigration { name: String, known: Vec<String> },
    /// A target that exists but makes no sense for the command.
    #[error("{0}")]
    InvalidTarget(String),
    /// `--sql` reached a migration whose SQL cannot be known without the database.
    #[error("migration `{migration}` cannot be previewed: {reason}")]
    CannotPreview { migration: String, reason: String },
    /// The history has versions the migration crate does not have.
    #[error(
        "the database has applied migrations that this migration crate does not have:{}\n\
         (another branch, or a newer release?)",
        list(.0)
    )]
    UnknownApplied(Vec<String>),
    /// A migration failed: which one, the statement that failed when it is known, and what
    /// became of the statements before it.
    #[error("{0}")]
    MigrationFailed(Box<MigrationFailure>),
    /// A row of the history table that is not what sea-orm-migration writes (a version and the
    /// Unix time it was applied at), e.g. edited by hand.
    #[error(
        "the migration history table `{table}` has a row that cannot be read: {}. \
         sea-orm-migration records when each migration was applied as Unix seconds (an integer): \
         fix that row, e.g. UPDATE {table} SET applied_at = {} WHERE version = '{}', or delete it \
         if that migration is not applied",
        match version {
            Some(v) => format!("migration `{v}` has applied_at {applied_at}, which is not a whole number of seconds"),
            None => format!("its version is {applied_at}, not a migration name"),
        },
        chrono::Utc::now().timestamp(),
        version.as_deref().unwrap_or("…"),
    )]
    BadHistoryRow {
        table: String,
        /// `None` when the version itself cannot be read.
        version: Option<String>,
        /// The value that cannot be read, as shown (`` `yesterday` ``, `NULL`).
        applied_at: String,
    },
    /// Taking or releasing the lock failed for another reason than the timeout.
    #[error("the migration lock: {0}")]
    Lock(String),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// An error and its causes on one line, as `{:#}` prints them, but each message once: sea-orm's
/// errors repeat their source in their own message (`Execution Error: X` caused by `X`), which
/// `{:#}` would print twice.
pub fn error_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let message = cause.to_string();
        if message.is_empty() || text.contains(&message) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&message);
    }
    text
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return " (none)".into();
    }
    names.iter().map(|n| format!("\n  {n}")).collect()
}

/// `10s`, `1.5s`, `250ms`.
pub(crate) fn secs(d: Duration) -> String {
    if d.as_millis() < 1000 && !d.is_zero() {
        format!("{}ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_message_once() {
        let db = sea_orm::DbErr::Exec(sea_orm::RuntimeErr::Internal("no such table: x".into()));
        let e = anyhow::Error::from(Error::Db(db)).context("applying migration `m1`");
        assert_eq!(format!("{e:#}").matches("no such table").count(), 2);
        assert_eq!(
            error_text(&e),
            "applying migration `m1`: Execution Error: no such table: x"
        );
    }
}
