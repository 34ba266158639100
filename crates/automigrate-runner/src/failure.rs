//! What to say when a migration fails: which one, the SQL of the statement that failed, and
//! what became of the statements that ran before it.
//!
//! sea-orm's `DbErr` carries only the driver's message, so the statement is remembered through
//! sea-orm's metric callback, which sees every statement run with `execute` / `query` on the
//! connection and on the transactions begun from it (sea-orm-migration's, on PostgreSQL). It
//! does not see `execute_unprepared`: generated migrations run their raw SQL as statements for
//! that reason.
use std::fmt;
use std::sync::{Arc, Mutex};

use sea_orm::{DatabaseConnection, DbBackend, DbErr};

use crate::preview::Direction;

/// The last statement that failed on a connection, as its metric callback saw it.
#[derive(Clone, Default, Debug)]
pub(crate) struct FailedStatement(Arc<Mutex<Option<String>>>);

impl FailedStatement {
    /// Sets `db`'s metric callback (replacing any other) to remember the statements that fail.
    pub(crate) fn track(db: &mut DatabaseConnection) -> FailedStatement {
        let failed = FailedStatement::default();
        let slot = failed.0.clone();
        db.set_metric_callback(move |info| {
            if info.failed {
                *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(info.statement.to_string());
            }
        });
        failed
    }

    /// Forgets the statement remembered so far.
    pub(crate) fn clear(&self) {
        self.take();
    }

    /// The last statement that failed since [`FailedStatement::clear`], and forgets it.
    pub(crate) fn take(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// A migration that failed while being applied or rolled back.
#[derive(Debug)]
pub struct MigrationFailure {
    pub migration: String,
    pub direction: Direction,
    /// What the database said.
    pub error: DbErr,
    /// The SQL of the statement that failed, when it is known.
    pub statement: Option<String>,
    pub backend: DbBackend,
    /// Whether the migration ran in a transaction that undid its statements: on PostgreSQL
    /// (and on SQLite when the migration asks for one), not on MySQL/MariaDB, where DDL
    /// commits on its own.
    pub rolled_back: bool,
    /// The migrations this run applied (or rolled back) before it, which stay so.
    pub done: Vec<String>,
}

impl MigrationFailure {
    pub(crate) fn new(
        migration: &dyn sea_orm_migration::MigrationTrait,
        direction: Direction,
        backend: DbBackend,
        error: DbErr,
        statement: Option<String>,
        done: Vec<String>,
    ) -> MigrationFailure {
        // sea-orm-migration's rule (`exec_up_with`): a transaction on PostgreSQL unless the
        // migration says otherwise.
        let transaction = migration
            .use_transaction()
            .unwrap_or(backend == DbBackend::Postgres);
        MigrationFailure {
            migration: migration.name().to_string(),
            direction,
            error,
            statement,
            backend,
            rolled_back: transaction && backend != DbBackend::MySql,
            done,
        }
    }
}

impl fmt::Display for MigrationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (doing, did, recorded) = match self.direction {
            Direction::Up => ("applying", "applied", "not recorded as applied"),
            Direction::Down => ("rolling back", "rolled back", "still recorded as applied"),
        };
        let m = &self.migration;
        writeln!(f, "{doing} migration `{m}` failed: {}", self.error)?;
        match &self.statement {
            Some(sql) => {
                writeln!(f, "The statement that failed:")?;
                for line in sql.lines() {
                    writeln!(f, "    {line}")?;
                }
            }
            None => writeln!(
                f,
                "(The statement that failed is not known: the migration failed outside sea-orm's \
                 statements, or ran it with `execute_unprepared`.)"
            )?,
        }
        if self.rolled_back {
            write!(
                f,
                "`{m}` ran in a transaction, which was rolled back: none of its changes are \
                 applied, and it is {recorded}."
            )?;
        } else {
            let why = match self.backend {
                DbBackend::MySql => "MySQL/MariaDB commit each DDL statement on its own",
                DbBackend::Postgres => {
                    "it does not run in a transaction: its `use_transaction` says so"
                }
                _ => {
                    "it does not run in a transaction, sea-orm-migration's default on SQLite; \
                     a table rebuild that failed was rolled back whole, being a transaction of \
                     its own"
                }
            };
            write!(
                f,
                "Any statements of `{m}` before this one were committed ({why}), and it is \
                 {recorded}: look at the schema and finish or undo them by hand before running \
                 it again."
            )?;
        }
        if !self.done.is_empty() {
            write!(
                f,
                "\nThis run {did} {} before it, which stay {did}.",
                self.done
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(backend: DbBackend, statement: Option<&str>) -> MigrationFailure {
        MigrationFailure {
            migration: "m2".into(),
            direction: Direction::Down,
            error: DbErr::Custom("boom".into()),
            statement: statement.map(str::to_string),
            backend,
            rolled_back: false,
            done: vec!["m3".into()],
        }
    }

    #[test]
    fn says_what_failed_and_what_stays() {
        assert_eq!(
            failure(DbBackend::Sqlite, Some("DROP TABLE \"a\"")).to_string(),
            "rolling back migration `m2` failed: Custom Error: boom\n\
             The statement that failed:\n    DROP TABLE \"a\"\n\
             Any statements of `m2` before this one were committed (it does not run in a \
             transaction, sea-orm-migration's default on SQLite; a table rebuild that failed was \
             rolled back whole, being a transaction of its own), and it is still recorded as \
             applied: look at the schema and finish or undo them by hand before running it again.\n\
             This run rolled back `m3` before it, which stay rolled back."
        );
        let unknown = failure(DbBackend::MySql, None).to_string();
        assert!(
            unknown.contains("\n(The statement that failed is not known: "),
            "{unknown}"
        );
    }

    #[test]
    fn postgres_rolls_back_unless_the_migration_says_otherwise() {
        struct M(Option<bool>);
        impl sea_orm_migration::MigrationName for M {
            fn name(&self) -> &str {
                "m1"
            }
        }
        #[sea_orm_migration::async_trait::async_trait]
        impl sea_orm_migration::MigrationTrait for M {
            async fn up(&self, _: &sea_orm_migration::SchemaManager) -> Result<(), DbErr> {
                Ok(())
            }
            fn use_transaction(&self) -> Option<bool> {
                self.0
            }
        }
        let rolled_back = |backend, m: M| {
            let err = DbErr::Custom(String::new());
            MigrationFailure::new(&m, Direction::Up, backend, err, None, vec![]).rolled_back
        };
        assert!(rolled_back(DbBackend::Postgres, M(None)));
        assert!(!rolled_back(DbBackend::Postgres, M(Some(false))));
        assert!(!rolled_back(DbBackend::MySql, M(Some(true))));
        assert!(!rolled_back(DbBackend::Sqlite, M(None)));
        assert!(rolled_back(DbBackend::Sqlite, M(Some(true))));
    }
}
