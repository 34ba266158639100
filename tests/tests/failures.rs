//! A generated migration whose second statement fails (issue 4), run by automigrate-runner's
//! command line: it exits non-zero, and its stderr says which migration failed, the SQL of the
//! statement that failed, and what became of the statements before it: rolled back on
//! PostgreSQL (one transaction per migration), committed on MySQL/MariaDB (DDL commits on its
//! own).
//!
//! The migration makes the key of `permit` (user_id, scope) a key on user_id alone, after
//! dropping `granted_by`, on a table where one user has two permits: the key's `ALTER TABLE`,
//! raw SQL in the generated file, fails.
use std::process::Command;

use automigrate::Entities;
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, entities::survival, written};

/// Runs the crate's binary; returns (success, stdout, stderr).
fn run(binary: &std::path::Path, db: &TestDb, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(binary)
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env_remove("DATABASE_SCHEMA")
        .env_remove("MIGRATION_LOCK_TIMEOUT")
        .env_remove("RUST_LOG")
        .output()
        .expect("running the migration crate");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn failing_statement(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::with_runner(name)?;
    let composite = Entities::new().entity(survival::after::permit::Entity);
    let single = Entities::new().entity(survival::before::permit::Entity);
    let (first, _) = written(krate.makemigration(&db, &composite, "composite").await?);
    let (ok, out, err) = run(&krate.build()?, &db, &["up"]);
    assert!(ok, "{out}{err}");
    db.execute("INSERT INTO permit (user_id, scope) VALUES (1, 'read'), (1, 'write')")
        .await?;
    let before = db.schema().await?;

    let (second, summary) = written(krate.makemigration(&db, &single, "single").await?);
    assert_eq!(summary.len(), 2, "{summary:?}");
    assert_eq!(
        summary[0],
        "~ primary key permit (user_id, scope) -> (user_id)"
    );
    assert!(summary[1].starts_with("- column permit.granted_by"));
    let key = match backend {
        Backend::Postgres => {
            r#"ALTER TABLE "permit" DROP CONSTRAINT "permit_pkey", ADD CONSTRAINT "permit_pkey" PRIMARY KEY ("user_id")"#
        }
        _ => "ALTER TABLE `permit` DROP PRIMARY KEY, ADD PRIMARY KEY (`user_id`)",
    };
    // The file says what changes; the statement is made when it runs, for the backend.
    let source = krate.file(&second)?;
    assert!(
        source.contains(r#".set_primary_key(["user_id"])"#),
        "{source}"
    );

    let (ok, out, err) = run(&krate.build()?, &db, &["up"]);
    assert!(!ok, "the migration must fail:\n{out}{err}");
    assert!(
        err.contains(&format!("error: applying migration `{second}` failed: ")),
        "{err}"
    );
    assert!(
        err.contains(&format!("\nThe statement that failed:\n    {key}\n")),
        "{err}"
    );
    let status = run(&krate.build()?, &db, &["current"]).1;
    assert_eq!(status, format!("{first} (1 pending; head is {second})\n"));
    let after = db.schema().await?;
    match backend {
        Backend::Postgres => {
            assert!(
                err.contains(&format!(
                    "`{second}` ran in a transaction, which was rolled back: none of its changes \
                     are applied, and it is not recorded as applied."
                )),
                "{err}"
            );
            assert_eq!(after, before, "a failed migration left changes behind");
        }
        _ => {
            assert!(
                err.contains(&format!(
                    "Any statements of `{second}` before this one were committed (MySQL/MariaDB \
                     commit each DDL statement on its own), and it is not recorded as applied"
                )),
                "{err}"
            );
            // The key changes first (before the column goes) and fails: nothing was done.
            let permit = &after.tables["permit"];
            assert!(permit.column("granted_by").is_some(), "{permit:#?}");
            assert_eq!(permit.primary_key, ["user_id", "scope"]);
        }
    }
    Ok(())
}

#[tokio::test]
async fn postgres_failing_statement_is_named() -> anyhow::Result<()> {
    failing_statement(Backend::Postgres, "postgres_failing_statement").await
}

#[tokio::test]
async fn mysql_failing_statement_is_named() -> anyhow::Result<()> {
    failing_statement(Backend::MySql, "mysql_failing_statement").await
}
