//! One migration, every backend (issue 14): a history generated against one backend applies on
//! the other two, step by step; after each `up` the live schema is what the entities declare
//! there, and each `down` restores, by introspection, exactly what the `up` before it replaced.
//! And the example application's shipped migrations apply on each backend with `check` clean.
use automigrate::Entities;
use automigrate_core::{Backend, Change, Schema, diff};
use automigrate_e2e::{
    MigrationCrate, TestDb, column_order_free, entities, migration_binary, written, xtask_binary,
};

const BACKENDS: [Backend; 3] = [Backend::Sqlite, Backend::Postgres, Backend::MySql];

/// v1 → v2 (a table and a column added with an index, a column and a table dropped) → v5 (an
/// enum value added) → v3 (the value removed again; a string widened, a column made NOT NULL
/// with a default, an index made unique, a foreign key's action and nullability changed, a table
/// comment).
fn history() -> Vec<(&'static str, Entities)> {
    vec![
        ("v1", entities::v1()),
        ("v2", entities::v2()),
        ("v5", entities::v5()),
        ("v3", entities::v3()),
    ]
}

/// What a diff made against `source` cannot see and `target` keeps (the README's known limits):
/// SQLite keeps no comments, and its integer key is 64-bit whatever it was declared (a table that
/// a migration made on SQLite drops comes back in `down` with `integer` where it had `bigint`).
fn unseen(source: Backend, target: Backend, change: &Change) -> bool {
    let unseen = match change {
        Change::AlterTableComment { .. } => true,
        Change::AlterColumn { from, to, .. } => {
            let integer = |t: &str| matches!(t, "integer" | "int" | "bigint");
            let mut from = from.clone();
            from.comment = to.comment.clone();
            if integer(&from.sql_type) && integer(&to.sql_type) {
                from.sql_type = to.sql_type.clone();
                from.kind = to.kind.clone();
            }
            from == *to
        }
        _ => false,
    };
    source == Backend::Sqlite && target != Backend::Sqlite && unseen
}

async fn generated_on(source: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(source, name).await?;
    let krate = MigrationCrate::new(name)?;
    for (message, version) in history() {
        written(krate.makemigration(&db, &version, message).await?);
        krate.run(&db, &["up"])?;
    }
    for target in BACKENDS.into_iter().filter(|b| *b != source) {
        let other = TestDb::new(target, name).await?;
        let mut after_up: Vec<Schema> = vec![other.schema().await?];
        for (message, version) in history() {
            krate
                .run(&other, &["up", "-n", "1"])
                .map_err(|e| e.context(format!("{message} on {}", target.name())))?;
            let live = other.schema().await?;
            let declared = version.schema(target)?;
            let left: Vec<Change> = diff(&live, &declared)
                .changes
                .into_iter()
                .filter(|c| !unseen(source, target, c))
                .collect();
            assert!(
                left.is_empty(),
                "{message} made on {} and applied on {}: {left:#?}",
                source.name(),
                target.name()
            );
            after_up.push(live);
        }
        // Back down, one step at a time: each restores the schema of the step before.
        for step in (0..history().len()).rev() {
            krate.run(&other, &["down", "-n", "1"])?;
            let live = column_order_free(other.schema().await?);
            let before = column_order_free(after_up[step].clone());
            let left: Vec<Change> = diff(&live, &before)
                .changes
                .into_iter()
                .filter(|c| !unseen(source, target, c))
                .collect();
            assert!(
                left.is_empty(),
                "down of step {} made on {} and applied on {}: {left:#?}",
                step + 1,
                source.name(),
                target.name()
            );
            if source != Backend::Sqlite {
                assert_eq!(live, before, "down of step {}", step + 1);
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn generated_on_sqlite() -> anyhow::Result<()> {
    generated_on(Backend::Sqlite, "every_from_sqlite").await
}

#[tokio::test]
async fn generated_on_postgres() -> anyhow::Result<()> {
    generated_on(Backend::Postgres, "every_from_postgres").await
}

#[tokio::test]
async fn generated_on_mysql() -> anyhow::Result<()> {
    generated_on(Backend::MySql, "every_from_mysql").await
}

/// The example's shipped migrations, run by its own migration crate, then `cargo xtask check`
/// with its own entities: exit 0 on every backend; `down` leaves no table of the example, nor
/// its PostgreSQL enum type.
#[tokio::test]
async fn the_example_applies_on_every_backend() -> anyhow::Result<()> {
    let (migration, xtask) = (migration_binary()?, xtask_binary()?);
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for backend in BACKENDS {
        let db = TestDb::new(backend, "example").await?;
        let run = |program: &std::path::Path, args: &[&str]| -> anyhow::Result<(i32, String)> {
            let out = std::process::Command::new(program)
                .args(args)
                .current_dir(&workspace)
                .env("DATABASE_URL", &db.url)
                .env_remove("DATABASE_SCHEMA")
                .output()?;
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            Ok((out.status.code().unwrap_or(-1), text))
        };
        let (code, text) = run(&migration, &["up"])?;
        assert_eq!(code, 0, "{}: up: {text}", backend.name());
        let (code, text) = run(&xtask, &["check"])?;
        assert_eq!(code, 0, "{}: check: {text}", backend.name());
        assert!(text.contains("No changes detected"), "{text}");
        let (code, text) = run(&migration, &["down"])?;
        assert_eq!(code, 0, "{}: down: {text}", backend.name());
        let left: Vec<String> = db.schema().await?.tables.into_keys().collect();
        assert!(left.is_empty(), "{}: {left:?}", backend.name());
        if backend == Backend::Postgres {
            // (Introspection leaves out enum types no column uses: asked directly.)
            use sea_orm::ConnectionTrait;
            let conn = db.connect().await?;
            let types = conn
                .query_all_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    "SELECT 1 FROM pg_type WHERE typname = 'user_role'",
                ))
                .await?;
            conn.close().await?;
            assert!(types.is_empty(), "down left the type user_role");
        }
    }
    Ok(())
}
