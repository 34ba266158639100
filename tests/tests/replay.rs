//! `cargo xtask check --replay` (issue 16, item 3), as a user runs it: in a copy of the example
//! application (its entities, migration crate and xtask), with no `DATABASE_URL` in the
//! environment and a `.env` whose `DATABASE_URL` must not be touched. The history is applied to
//! a temporary SQLite database, or to a scratch database made and dropped on a PostgreSQL or
//! MariaDB server; exit 0 when it agrees with the entities, 1 after a field is added to an
//! entity, 2 when a migration is broken (named, with its statement) or does not build.
//!
//! The copy builds its xtask and migration crate in the shared target directory, under package
//! names of its own (so that the example's `xtask` and `migration` binaries stay the example's);
//! the steps run one after another in one test, so that each change rebuilds one crate.
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context as _;
use automigrate_e2e::target_dir;
use sea_orm::{ConnectionTrait, Database};

fn postgres_url() -> String {
    std::env::var("AUTOMIGRATE_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn mysql_url() -> String {
    std::env::var("AUTOMIGRATE_TEST_MYSQL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into())
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name))?;
        } else {
            std::fs::copy(&path, to.join(&name))?;
        }
    }
    Ok(())
}

fn edit(path: &Path, from: &str, to: &str) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)?;
    anyhow::ensure!(text.contains(from), "{} has no `{from}`", path.display());
    std::fs::write(path, text.replacen(from, to, 1))?;
    Ok(())
}

/// The example application under `target/e2e/replay_example`: its own workspace, whose
/// automigrate crates are the repository's (built with the same profile, so shared), with the
/// packages `replay_xtask` and `replay_migration`.
fn copy_example() -> anyhow::Result<PathBuf> {
    let src = workspace();
    let root = target_dir().join("e2e").join("replay_example");
    if root.exists() {
        std::fs::remove_dir_all(&root)?;
    }
    for dir in ["entity", "migration", "xtask"] {
        copy_dir(&src.join(dir), &root.join(dir))?;
    }
    std::fs::copy(src.join("Cargo.lock"), root.join("Cargo.lock"))?;
    let manifest = std::fs::read_to_string(src.join("Cargo.toml"))?;
    let start = manifest.find("members = [").context("no members")?;
    let end = start + manifest[start..].find(']').context("no end of members")? + 1;
    let crates = src.join("crates").display().to_string();
    let mut manifest = format!(
        "{}members = [\"entity\", \"migration\", \"xtask\"]{}",
        &manifest[..start],
        &manifest[end..]
    )
    .replace("path = \"crates/", &format!("path = \"{crates}/"))
    // A package keeps its build's name in a target directory whatever workspace it is in:
    // the copy's entity crate, which the test edits, must not stand in for the example's.
    .replace(
        "entity = { path = \"entity\" }",
        "entity = { path = \"entity\", package = \"replay_entity\" }",
    );
    // Outside this workspace the automigrate crates are not members: give them the profile
    // they have as members of the repository's, so that their builds are shared.
    for krate in [
        "automigrate",
        "automigrate-core",
        "automigrate-ops",
        "automigrate-runner",
        "automigrate-discover",
    ] {
        manifest.push_str(&format!(
            "\n[profile.dev.package.{krate}]\ndebug = \"line-tables-only\"\n"
        ));
    }
    std::fs::write(root.join("Cargo.toml"), manifest)?;
    edit(
        &root.join("xtask/Cargo.toml"),
        "name = \"xtask\"",
        "name = \"replay_xtask\"",
    )?;
    edit(
        &root.join("entity/Cargo.toml"),
        "name = \"entity\"\n",
        "name = \"replay_entity\"\n",
    )?;
    let entity_manifest = root.join("entity/Cargo.toml");
    let text = std::fs::read_to_string(&entity_manifest)?;
    std::fs::write(
        &entity_manifest,
        format!("{text}\n[lib]\nname = \"entity\"\n"),
    )?;
    edit(
        &root.join("migration/Cargo.toml"),
        "name = \"migration\"\nversion",
        "name = \"replay_migration\"\nversion",
    )?;
    edit(
        &root.join("migration/Cargo.toml"),
        "name = \"migration\"\npath",
        "name = \"replay_migration\"\npath",
    )?;
    edit(
        &root.join("migration/src/main.rs"),
        "migration::Migrator",
        "replay_migration::Migrator",
    )?;
    // A `.env` as an application has one: replay must neither need nor touch its database.
    std::fs::write(
        root.join(".env"),
        "DATABASE_URL=sqlite://untouched.db?mode=rwc\n",
    )?;
    Ok(root)
}

/// What a run printed: exit code, standard output, standard error.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn output(command: &mut Command) -> anyhow::Result<Run> {
    let out = command.output().context("running the command")?;
    Ok(Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// `cargo xtask <args>` in the copy (`cargo run -p replay_xtask`, as the alias does).
fn xtask(root: &Path, args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Run> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    automigrate_e2e::clean_env(&mut command)
        .args(["run", "--quiet", "--package", "replay_xtask", "--"])
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root);
    output(&mut command)
}

/// The scratch database a run names on standard error (`… the scratch database `name` …`).
fn scratch_name(run: &Run) -> String {
    run.stderr
        .split("scratch database `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("no scratch database named:\n{run}"))
        .to_string()
}

/// The databases on the server of `url` whose names start with `prefix`.
async fn databases_like(url: &str, prefix: &str) -> anyhow::Result<Vec<String>> {
    let db = Database::connect(url)
        .await
        .with_context(|| format!("the test server at {url} is not reachable"))?;
    let sql = if url.starts_with("postgres") {
        "SELECT datname::text FROM pg_database"
    } else {
        "SELECT CAST(schema_name AS CHAR) FROM information_schema.schemata"
    };
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await?;
    db.close().await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .filter(|n| n.starts_with(prefix))
        .collect())
}

const AGREE: &str = "No changes detected: the migration history matches the entities.";

#[test]
fn check_replay_on_the_example() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let root = copy_example()?;
    let (postgres, mysql) = (postgres_url(), mysql_url());

    // The example's history and entities agree, on a temporary SQLite database.
    let run = xtask(&root, &["check", "--replay"], &[])?;
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.contains(AGREE), "{run}");
    assert!(
        run.stderr.contains("on a temporary SQLite database"),
        "{run}"
    );
    assert!(
        !root.join("untouched.db").exists(),
        "replay touched .env's database"
    );

    // On a PostgreSQL server: a scratch database beside the one the URL names, dropped.
    let run = xtask(
        &root,
        &["check", "--replay", "--replay-url", &postgres],
        &[],
    )?;
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.contains(AGREE), "{run}");
    let name = scratch_name(&run);
    assert!(
        rt.block_on(databases_like(&postgres, &name))?.is_empty(),
        "{name} left behind"
    );

    // On MariaDB, named by SHADOW_DATABASE_URL.
    let run = xtask(
        &root,
        &["check", "--replay"],
        &[("SHADOW_DATABASE_URL", &mysql)],
    )?;
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.contains(AGREE), "{run}");
    let name = scratch_name(&run);
    assert!(
        rt.block_on(databases_like(&mysql, &name))?.is_empty(),
        "{name} left behind"
    );

    // A field added to an entity: exit 1, the column listed as `check` lists it.
    edit(
        &root.join("entity/src/user.rs"),
        "    pub role: Role,\n",
        "    pub role: Role,\n    pub bio: Option<String>,\n",
    )?;
    let run = xtask(&root, &["check", "--replay"], &[])?;
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.stdout
            .starts_with("The schema the migration history builds differs from the entities:\n"),
        "{run}"
    );
    assert!(run.stdout.contains("+ column users.bio"), "{run}");
    assert!(run.stdout.contains("cargo xtask makemigration"), "{run}");

    // A migration that does not apply: exit 2, naming it and its statement, on SQLite and on
    // PostgreSQL (whose scratch database is dropped all the same).
    automigrate::migdir::MigrationDir::new(root.join("migration")).add(
        "m20990101_000000_broken",
        "use sea_orm_migration::prelude::*;\n\n\
         #[derive(DeriveMigrationName)]\npub struct Migration;\n\n\
         #[async_trait::async_trait]\nimpl MigrationTrait for Migration {\n    \
         async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {\n        \
         manager\n            .create_table(\n                Table::create()\n                    \
         .table(\"users\")\n                    \
         .col(ColumnDef::new(\"id\").integer().not_null().primary_key())\n                    \
         .to_owned(),\n            )\n            .await\n    }\n\n    \
         async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {\n        Ok(())\n    }\n}\n",
    )?;
    for url in [None, Some(postgres.as_str())] {
        let mut args = vec!["check", "--replay"];
        args.extend(url.map(|u| ["--replay-url", u]).into_iter().flatten());
        let run = xtask(&root, &args, &[])?;
        assert_eq!(run.code, Some(2), "{run}");
        assert!(
            run.stderr
                .contains("error: the migration history does not apply to "),
            "{run}"
        );
        assert!(
            run.stderr
                .contains("applying migration `m20990101_000000_broken` failed"),
            "{run}"
        );
        assert!(run.stderr.contains("The statement that failed:"), "{run}");
        assert!(run.stderr.contains("CREATE TABLE"), "{run}");
        // Said once, without the advice about a real database's half-applied migration.
        assert_eq!(
            run.stderr.matches("m20990101_000000_broken").count(),
            1,
            "{run}"
        );
        assert!(!run.stderr.contains("Any statements of"), "{run}");
        assert!(!run.stderr.contains("ran in a transaction"), "{run}");
        if url.is_some() {
            let name = scratch_name(&run);
            assert!(
                rt.block_on(databases_like(&postgres, &name))?.is_empty(),
                "{name} left behind after a failure"
            );
        }
    }

    // A migration crate that does not build: exit 2, cargo's errors, then what to do.
    edit(
        &root.join("migration/src/m20990101_000000_broken.rs"),
        "pub struct Migration;",
        "pub struct Migration",
    )?;
    // Edited after makemigration recorded it: recorded again, or check refuses it first.
    assert_eq!(xtask(&root, &["rehash"], &[])?.code, Some(0));
    let run = xtask(&root, &["check", "--replay"], &[])?;
    assert_eq!(run.code, Some(2), "{run}");
    assert!(
        run.stderr
            .contains("error: the migration crate `migration` does not build"),
        "{run}"
    );
    assert!(run.stderr.contains("m20990101_000000_broken.rs"), "{run}");

    // No cargo to build it with: exit 2, saying so (the xtask binary run directly).
    let binary = target_dir()
        .join("debug")
        .join(format!("replay_xtask{}", std::env::consts::EXE_SUFFIX));
    let mut command = Command::new(binary);
    automigrate_e2e::clean_env(&mut command)
        .args(["check", "--replay"])
        .env("CARGO", "/nonexistent/cargo")
        .current_dir(&root);
    let run = output(&mut command)?;
    assert_eq!(run.code, Some(2), "{run}");
    assert!(
        run.stderr
            .contains("cannot run `/nonexistent/cargo` to build the migration crate"),
        "{run}"
    );
    assert!(!root.join("untouched.db").exists());
    Ok(())
}

/// `--replay-url` must name a server; it needs `--replay`.
#[test]
fn replay_url_is_a_server_and_needs_replay() {
    let none = automigrate::Entities::new();
    let dir = tempfile::tempdir().unwrap();
    let migration_dir = dir.path().display().to_string();
    assert_eq!(
        automigrate::cli::run_args(["xtask", "check", "--replay-url", "postgres://h/db"], &none),
        2
    );
    // A server URL only, checked before anything is built.
    let krate = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(krate.path().join("src")).unwrap();
    std::fs::write(krate.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    std::fs::write(krate.path().join("src/lib.rs"), "").unwrap();
    let krate_dir = krate.path().display().to_string();
    assert_eq!(
        automigrate::cli::run_args(
            [
                "xtask",
                "--migration-dir",
                &krate_dir,
                "check",
                "--replay",
                "--replay-url",
                "sqlite://x.db"
            ],
            &none
        ),
        2
    );
    // Not a migration crate: said before anything is built or created.
    assert_eq!(
        automigrate::cli::run_args(
            [
                "xtask",
                "--migration-dir",
                &migration_dir,
                "check",
                "--replay"
            ],
            &none
        ),
        2
    );
}
