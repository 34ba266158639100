//! `up --sql` / `down --sql`: run the migrations against sea-orm's `MockDatabase`, which
//! records every statement and runs nothing, and print what it recorded.
//!
//! A migration that reads the database (a `SELECT`, `has_table`, `has_column`, …) cannot be
//! previewed: what it writes depends on what it reads, and the recorder has nothing to answer.
//! The recorder answers no query, so such a migration fails against it and the preview stops
//! there with [`Error::CannotPreview`].
use std::io::Write;

use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, MockDatabase, MockExecResult, Statement,
    TransactionTrait as _,
};
use sea_orm_migration::{MigrationTrait, MigratorTrait, SchemaManager};

use crate::Error;

/// Which way the migrations run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// More statements than any migration runs: the recorder fails an `execute` past its supply.
const EXEC_SUPPLY: usize = 100_000;

fn recorder(backend: DbBackend) -> DatabaseConnection {
    MockDatabase::new(backend)
        .append_exec_results(std::iter::repeat_n(MockExecResult::default(), EXEC_SUPPLY))
        .into_connection()
}

/// The backend's "now" in unix seconds, evaluated when the script runs.
fn unix_now(backend: DbBackend) -> Expr {
    Expr::cust(match backend {
        DbBackend::Postgres => "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) AS BIGINT)",
        DbBackend::MySql => "UNIX_TIMESTAMP()",
        _ => "CAST(strftime('%s', 'now') AS INTEGER)",
    })
}

/// Writes the SQL of the migrations `names` (in the order given: the caller puts `down`'s last
/// first) to `out`, each under a `-- <name> (up|down)` comment, with its history statement
/// (`INSERT`/`DELETE` on the history table) and, where sea-orm-migration uses one, its
/// transaction. `up` starts with the history table's `CREATE TABLE IF NOT EXISTS`. Stops with
/// [`Error::CannotPreview`] at the first migration whose SQL cannot be known without the
/// database, after writing the ones before it. Never connects to anything.
pub async fn preview_sql<M: MigratorTrait>(
    backend: DbBackend,
    direction: Direction,
    names: &[String],
    out: &mut dyn Write,
) -> Result<(), Error> {
    let table = M::migration_table_name();
    if direction == Direction::Up {
        let db = recorder(backend);
        M::install(&db).await?;
        writeln!(out, "-- the history table, if it is missing")?;
        write_log(db, out)?;
    }
    let mut migrations = M::migrations();
    for name in names {
        let Some(pos) = migrations.iter().position(|m| m.name() == name) else {
            return Err(Error::UnknownMigration {
                name: name.clone(),
                known: M::migrations()
                    .iter()
                    .map(|m| m.name().to_string())
                    .collect(),
            });
        };
        let migration = migrations.swap_remove(pos);
        let record = match direction {
            Direction::Up => backend.build(
                Query::insert()
                    .into_table(table.clone())
                    .columns(["version", "applied_at"])
                    .values_panic([name.as_str().into(), unix_now(backend)]),
            ),
            Direction::Down => backend.build(
                Query::delete()
                    .from_table(table.clone())
                    .and_where(Expr::col("version").eq(name.as_str())),
            ),
        };
        let db = recorder(backend);
        let result = run(&db, migration.as_ref(), direction, &record).await;
        let label = match direction {
            Direction::Up => "up",
            Direction::Down => "down",
        };
        if let Err(e) = result {
            let reason = if e.to_string().contains("query_results` buffer is empty") {
                "it reads from the database (a query such as SELECT or has_table), so the SQL \
                 it runs depends on the data; review its source instead"
                    .to_string()
            } else {
                format!("it fails without a database: {e}")
            };
            writeln!(out, "\n-- {name} ({label}): CANNOT BE PREVIEWED: {reason}")?;
            writeln!(out, "-- (the preview stops here)")?;
            return Err(Error::CannotPreview {
                migration: name.clone(),
                reason,
            });
        }
        writeln!(out, "\n-- {name} ({label})")?;
        write_log(db, out)?;
    }
    Ok(())
}

/// What sea-orm-migration's `exec_up_with` / `exec_down_with` do for one migration.
async fn run(
    db: &DatabaseConnection,
    migration: &dyn MigrationTrait,
    direction: Direction,
    record: &Statement,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let use_transaction = migration
        .use_transaction()
        .unwrap_or(backend == DbBackend::Postgres);
    if use_transaction {
        let txn = db.begin().await?;
        {
            let manager = SchemaManager::new(&txn);
            match direction {
                Direction::Up => migration.up(&manager).await?,
                Direction::Down => migration.down(&manager).await?,
            }
        }
        txn.execute_raw(record.clone()).await?;
        txn.commit().await
    } else {
        let manager = SchemaManager::new(db);
        match direction {
            Direction::Up => migration.up(&manager).await?,
            Direction::Down => migration.down(&manager).await?,
        }
        db.execute_raw(record.clone()).await?;
        Ok(())
    }
}

fn write_log(db: DatabaseConnection, out: &mut dyn Write) -> std::io::Result<()> {
    for txn in db.into_transaction_log() {
        for statement in txn.statements() {
            writeln!(out, "{statement};")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm_migration::prelude::*;

    struct CreateThing;
    impl MigrationName for CreateThing {
        fn name(&self) -> &str {
            "m20200101_000001_create_thing"
        }
    }
    #[async_trait::async_trait]
    impl MigrationTrait for CreateThing {
        async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
            m.create_table(
                Table::create()
                    .table("thing")
                    .col(ColumnDef::new("id").integer().not_null().primary_key())
                    .to_owned(),
            )
            .await
        }
        async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
            m.drop_table(Table::drop().table("thing").to_owned()).await
        }
    }

    struct ReadsData;
    impl MigrationName for ReadsData {
        fn name(&self) -> &str {
            "m20200101_000002_reads_data"
        }
    }
    #[async_trait::async_trait]
    impl MigrationTrait for ReadsData {
        async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
            if m.has_column("thing", "name").await? {
                return Ok(());
            }
            m.get_connection()
                .execute_unprepared("UPDATE thing SET id = id")
                .await?;
            Ok(())
        }
    }

    struct Migrator;
    impl MigratorTrait for Migrator {
        fn migrations() -> Vec<Box<dyn MigrationTrait>> {
            vec![Box::new(CreateThing), Box::new(ReadsData)]
        }
    }

    async fn preview(backend: DbBackend, direction: Direction, names: &[&str]) -> (String, String) {
        let names: Vec<String> = names.iter().map(|n| String::from(*n)).collect();
        let mut out = Vec::new();
        let err = preview_sql::<Migrator>(backend, direction, &names, &mut out)
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        (String::from_utf8(out).unwrap(), err)
    }

    #[tokio::test]
    async fn postgres_up_is_one_transaction_per_migration_with_its_history_row() {
        let (sql, err) = preview(
            DbBackend::Postgres,
            Direction::Up,
            &["m20200101_000001_create_thing"],
        )
        .await;
        assert_eq!(err, "");
        let body = sql
            .split("\n-- m20200101_000001_create_thing (up)\n")
            .nth(1)
            .unwrap();
        assert_eq!(
            body,
            "BEGIN;\n\
             CREATE TABLE \"thing\" ( \"id\" integer NOT NULL PRIMARY KEY );\n\
             INSERT INTO \"seaql_migrations\" (\"version\", \"applied_at\") VALUES \
             ('m20200101_000001_create_thing', CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) AS BIGINT));\n\
             COMMIT;\n"
        );
        assert!(sql.starts_with("-- the history table, if it is missing\nCREATE TABLE IF NOT EXISTS \"seaql_migrations\""), "{sql}");
    }

    #[tokio::test]
    async fn mysql_down_has_no_transaction_and_deletes_its_history_row() {
        let (sql, err) = preview(
            DbBackend::MySql,
            Direction::Down,
            &["m20200101_000001_create_thing"],
        )
        .await;
        assert_eq!(err, "");
        assert_eq!(
            sql,
            "\n-- m20200101_000001_create_thing (down)\n\
             DROP TABLE `thing`;\n\
             DELETE FROM `seaql_migrations` WHERE `version` = 'm20200101_000001_create_thing';\n"
        );
    }

    #[tokio::test]
    async fn a_migration_that_reads_stops_the_preview_and_says_so() {
        let (sql, err) = preview(
            DbBackend::Sqlite,
            Direction::Up,
            &[
                "m20200101_000001_create_thing",
                "m20200101_000002_reads_data",
            ],
        )
        .await;
        assert!(sql.contains("CREATE TABLE \"thing\""), "{sql}");
        assert!(!sql.contains("UPDATE"), "{sql}");
        assert!(
            sql.contains("-- m20200101_000002_reads_data (up): CANNOT BE PREVIEWED: it reads from the database"),
            "{sql}"
        );
        assert!(
            err.starts_with(
                "migration `m20200101_000002_reads_data` cannot be previewed: it reads"
            ),
            "{err}"
        );
    }
}
