//! A generated migration of many steps runs in a small stack: the first migration of a large
//! project (hundreds of tables, each with its indexes) applies and reverts in a debug build
//! whose thread has 1 MiB of stack, less than the 2 MiB of a tokio worker thread, where an
//! application that runs its migrations in a spawned task runs them.
//!
//! One `up` holding every statement needed a stack frame that grew with the number of
//! statements (a debug build keeps each statement's temporaries and futures in a slot of its
//! own): 1,000 tables overflowed the 8 MiB main stack. The file is generated once, from SQLite,
//! and runs on every backend.
use std::process::Command;

use automigrate_core::codegen::{FileSpec, render_file};
use automigrate_core::model::Schema;
use automigrate_core::{Backend, diff};
use automigrate_e2e::{MigrationCrate, TestDb, clean_env};

const TABLES: usize = 400;
const NAME: &str = "m20261130_000001_many_tables";
/// The stack of the migration binary's main thread, in KiB (`ulimit -s`).
const STACK_KIB: u32 = 1024;

#[tokio::test]
async fn the_first_migration_of_many_tables_runs_in_a_small_stack() -> anyhow::Result<()> {
    let b = Backend::Sqlite;
    // The schema, made by hand and read back: what a generated first migration must rebuild.
    let source = TestDb::new(b, "large_source").await?;
    let mut sql = String::new();
    for i in 0..TABLES {
        let parent = if i == 0 {
            String::new()
        } else {
            format!(", parent_id integer NOT NULL REFERENCES t{:03} (id)", i / 2)
        };
        sql.push_str(&format!(
            "CREATE TABLE t{i:03} (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, \
             name varchar(100) NOT NULL, code varchar(20) NOT NULL UNIQUE, \
             note text NULL DEFAULT 'none'{parent});\n\
             CREATE INDEX idx_t{i:03}_name ON t{i:03} (name);\n"
        ));
    }
    source.execute(&sql).await?;
    let declared = source.schema().await?;
    assert_eq!(declared.tables.len(), TABLES);

    let plan = diff::diff(&Schema::new(b), &declared);
    let file = render_file(&FileSpec {
        message: "many tables",
        backend: b,
        plan: &plan,
        rows: &Default::default(),
        declined: &[],
        name: NAME,
        follows: &[],
        online: false,
    })?;
    let krate = MigrationCrate::new("large_migrations")?;
    std::fs::write(krate.root.join("src").join(format!("{NAME}.rs")), &file)?;
    std::fs::write(
        krate.root.join("src/lib.rs"),
        format!(
            "pub use sea_orm_migration::prelude::*;\n\nmod {NAME};\n\npub struct Migrator;\n\n\
             #[async_trait::async_trait]\nimpl MigratorTrait for Migrator {{\n    \
             fn migrations() -> Vec<Box<dyn MigrationTrait>> {{\n        \
             vec![Box::new({NAME}::Migration)]\n    }}\n}}\n"
        ),
    )?;
    let binary = krate.build()?;

    // One file, every backend: the file generated from SQLite's catalog runs on all three.
    for backend in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
        let target = TestDb::new(backend, "large_target").await?;
        let run = |command: &str| -> anyhow::Result<()> {
            let mut shell = Command::new("sh");
            clean_env(&mut shell)
                .arg("-c")
                .arg(format!("ulimit -s {STACK_KIB} && exec \"$0\" {command}"))
                .arg(&binary)
                .env("DATABASE_URL", &target.url);
            let out = shell.output()?;
            anyhow::ensure!(
                out.status.success(),
                "`{command}` on {} with a {STACK_KIB} KiB stack failed ({}):\n{}{}",
                backend.name(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            Ok(())
        };
        run("up")?;
        let applied = target.schema().await?;
        if backend == b {
            let left = diff::diff(&applied, &declared);
            assert!(
                left.is_empty(),
                "up did not rebuild the schema: {:#?}",
                &left.changes[..left.changes.len().min(3)]
            );
        } else {
            assert_eq!(applied.tables.len(), TABLES, "{}", backend.name());
        }
        run("down")?;
        assert!(
            target.schema().await?.tables.is_empty(),
            "down left tables on {}",
            backend.name()
        );
    }
    Ok(())
}
