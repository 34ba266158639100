//! The harness of the end-to-end tests: scratch databases with unique names on the three
//! backends, and a throw-away migration crate that is built and run for real.
//!
//! Servers: PostgreSQL at `AUTOMIGRATE_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/test`) and MySQL/MariaDB at `AUTOMIGRATE_TEST_MYSQL`
//! (default `mysql://root@127.0.0.1:3306/test`). A test that cannot reach its server fails; it
//! never skips.
pub mod entities;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context as _, bail};
use automigrate::Entities;
use automigrate::commands::{self, HISTORY_TABLE, Outcome, Project};
use automigrate_core::{Backend, Schema};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn admin_url(backend: Backend) -> String {
    match backend {
        Backend::Postgres => std::env::var("AUTOMIGRATE_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into()),
        Backend::MySql => std::env::var("AUTOMIGRATE_TEST_MYSQL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into()),
        Backend::Sqlite => String::new(),
    }
}

/// Replaces the database name at the end of a server URL.
fn with_database(url: &str, name: &str) -> String {
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url);
    format!("{base}/{name}")
}

/// A database of its own for one test, dropped when the value is dropped.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(backend: Backend, test: &str) -> anyhow::Result<TestDb> {
        let name = format!(
            "am_{}_{}_{}",
            test,
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir()?;
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                Ok(TestDb {
                    backend,
                    url,
                    name,
                    _dir: Some(dir),
                })
            }
            _ => {
                let admin = admin_url(backend);
                let db = Database::connect(&admin).await.with_context(|| {
                    format!(
                        "the {} test server at {admin} is not reachable",
                        backend.name()
                    )
                })?;
                db.execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await?;
                db.close().await?;
                Ok(TestDb {
                    backend,
                    url: with_database(&admin, &name),
                    name,
                    _dir: None,
                })
            }
        }
    }

    pub async fn connect(&self) -> anyhow::Result<DatabaseConnection> {
        Ok(Database::connect(&self.url).await?)
    }

    /// The live schema, as makemigration sees it.
    pub async fn schema(&self) -> anyhow::Result<Schema> {
        let db = self.connect().await?;
        let live = automigrate::introspect::introspect(&db, HISTORY_TABLE).await?;
        db.close().await?;
        Ok(live.schema)
    }

    pub async fn execute(&self, sql: &str) -> anyhow::Result<()> {
        let db = self.connect().await?;
        db.execute_unprepared(sql).await?;
        db.close().await?;
        Ok(())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.backend == Backend::Sqlite {
            return;
        }
        let (admin, name, backend) = (admin_url(self.backend), self.name.clone(), self.backend);
        // Drop may run inside a test's runtime: do the work on a thread with a runtime of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let db = Database::connect(&admin).await?;
                let force = if backend == Backend::Postgres {
                    " WITH (FORCE)"
                } else {
                    ""
                };
                db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}{force}"))
                    .await?;
                db.close().await?;
                anyhow::Ok(())
            })
        })
        .join();
    }
}

/// `cargo`, with a clean environment and the shared target directory ([`clean_env`]).
fn cargo() -> Command {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    clean_env(&mut cargo);
    cargo
}

/// A terminal's environment and the shared target directory: none of the variables `cargo test`
/// sets for this process (they would make build scripts of shared dependencies run again, and
/// the next build of the workspace rebuild them once more), and no `DATABASE_URL`.
pub fn clean_env(command: &mut Command) -> &mut Command {
    command
        .env_clear()
        .envs(std::env::vars_os().filter(|(k, _)| {
            [
                "PATH",
                "HOME",
                "CARGO_HOME",
                "RUSTUP_HOME",
                "RUSTUP_TOOLCHAIN",
                "TMPDIR",
                "USER",
            ]
            .contains(&k.to_string_lossy().as_ref())
        }))
        .env("CARGO_TARGET_DIR", target_dir())
}

/// The workspace's target directory, shared by every build the tests trigger.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
    }
}

/// A sea-orm-migration crate of its own, with the dependencies of the example `migration`
/// crate, built in the shared target directory.
pub struct MigrationCrate {
    pub root: PathBuf,
    package: String,
}

impl MigrationCrate {
    /// A fresh crate with no migrations, under `target/e2e/<name>`.
    pub fn new(name: &str) -> anyhow::Result<MigrationCrate> {
        let root = target_dir().join("e2e").join(name);
        if root.exists() {
            std::fs::remove_dir_all(&root)?;
        }
        std::fs::create_dir_all(root.join("src"))?;
        let package = format!("migration_{name}");
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        std::fs::copy(workspace.join("Cargo.lock"), root.join("Cargo.lock"))?;
        let manifest = std::fs::read_to_string(workspace.join("Cargo.toml"))?;
        let dep = |name: &str| -> anyhow::Result<String> {
            manifest
                .lines()
                .find(|l| l.starts_with(&format!("{name} = ")))
                .map(str::to_string)
                .with_context(|| format!("{name} is not in the workspace dependencies"))
        };
        std::fs::write(
            root.join("Cargo.toml"),
            format!(
                "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [workspace]\n\n[dependencies]\n{}\n{}\nautomigrate-ops = {{ path = {:?} }}\n\n\
                 [profile.dev]\ndebug = \"line-tables-only\"\n\n[profile.dev.package.\"*\"]\ndebug = false\n",
                dep("sea-orm-migration")?,
                dep("tokio")?,
                workspace.join("crates/automigrate-ops").canonicalize()?
            ),
        )?;
        std::fs::write(
            root.join("src/lib.rs"),
            "pub use sea_orm_migration::prelude::*;\n\npub struct Migrator;\n\n\
             #[async_trait::async_trait]\nimpl MigratorTrait for Migrator {\n    \
             fn migrations() -> Vec<Box<dyn MigrationTrait>> {\n        vec![]\n    }\n}\n",
        )?;
        std::fs::write(
            root.join("src/main.rs"),
            format!(
                "use sea_orm_migration::prelude::*;\n\n#[tokio::main]\nasync fn main() {{\n    \
                 cli::run_cli({package}::Migrator).await;\n}}\n"
            ),
        )?;
        Ok(MigrationCrate { root, package })
    }

    /// `cargo xtask makemigration`, through the library.
    pub async fn makemigration(
        &self,
        db: &TestDb,
        entities: &Entities,
        message: &str,
    ) -> anyhow::Result<Outcome> {
        self.makemigration_with(db, entities, message, Default::default())
            .await
    }

    /// `cargo xtask makemigration --online`, through the library.
    pub async fn makemigration_online(
        &self,
        db: &TestDb,
        entities: &Entities,
        message: &str,
    ) -> anyhow::Result<Outcome> {
        let online = commands::MakeOptions {
            online: true,
            ..Default::default()
        };
        self.makemigration_with(db, entities, message, online).await
    }

    /// `cargo xtask makemigration` with `options`, through the library.
    pub async fn makemigration_with(
        &self,
        db: &TestDb,
        entities: &Entities,
        message: &str,
        options: commands::MakeOptions,
    ) -> anyhow::Result<Outcome> {
        commands::makemigration(
            &Project {
                database_url: &db.url,
                migration_dir: &self.root,
                entities,
                config: Default::default(),
            },
            message,
            options,
        )
        .await
    }

    /// `cargo run -p migration -- <args>`: builds the crate and runs its command line.
    pub fn run(&self, db: &TestDb, args: &[&str]) -> anyhow::Result<String> {
        let out = cargo()
            .args(["run", "--quiet", "--manifest-path"])
            .arg(self.root.join("Cargo.toml"))
            .arg("--")
            .args(args)
            .env("DATABASE_URL", &db.url)
            .env_remove("DATABASE_SCHEMA")
            .output()
            .context("running cargo")?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if !out.status.success() {
            bail!("`{} {}` failed:\n{text}", self.package, args.join(" "));
        }
        Ok(text)
    }

    pub fn file(&self, name: &str) -> anyhow::Result<String> {
        Ok(std::fs::read_to_string(
            self.root.join("src").join(format!("{name}.rs")),
        )?)
    }
}

/// The summary lines of a written migration; panics on "no changes".
pub fn written(outcome: Outcome) -> (String, Vec<String>) {
    match outcome {
        Outcome::Written { name, summary, .. } => (name, summary),
        other => panic!("expected a migration, got {other:?}"),
    }
}

/// A schema with columns sorted by name: what must survive an `up` and `down` round trip
/// (columns re-added by `down` come back at the end of the table).
pub fn column_order_free(mut schema: Schema) -> Schema {
    for t in schema.tables.values_mut() {
        t.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    schema
}

/// Migration crates whose `main` is automigrate-runner's command line instead of
/// sea-orm-migration's (`cargo run -p migration` of an application that uses the runner).
impl MigrationCrate {
    /// Like [`MigrationCrate::new`], with a path dependency on `crates/automigrate-runner` and
    /// `automigrate_runner::run_cli(<crate>::Migrator)` as `main`.
    pub fn with_runner(name: &str) -> anyhow::Result<MigrationCrate> {
        let krate = MigrationCrate::new(name)?;
        let runner = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../crates/automigrate-runner")
            .canonicalize()?;
        let manifest_path = krate.root.join("Cargo.toml");
        let manifest = std::fs::read_to_string(&manifest_path)?.replacen(
            "[dependencies]\n",
            &format!(
                "[dependencies]\nautomigrate-runner = {{ path = {:?} }}\n",
                runner.display().to_string()
            ),
            1,
        );
        std::fs::write(&manifest_path, manifest)?;
        std::fs::write(
            krate.root.join("src/main.rs"),
            format!(
                "#[tokio::main]\nasync fn main() {{\n    \
                 automigrate_runner::run_cli({}::Migrator).await;\n}}\n",
                krate.package
            ),
        )?;
        Ok(krate)
    }

    /// `cargo build`s the crate (in the shared target directory, with the clean environment of
    /// [`MigrationCrate::run`]) and returns the path of its binary, to run it directly.
    pub fn build(&self) -> anyhow::Result<PathBuf> {
        let out = cargo()
            .args(["build", "--quiet", "--manifest-path"])
            .arg(self.root.join("Cargo.toml"))
            .output()
            .context("running cargo")?;
        if !out.status.success() {
            bail!(
                "building {} failed:\n{}",
                self.package,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let binary = format!("{}{}", self.package, std::env::consts::EXE_SUFFIX);
        Ok(target_dir().join("debug").join(binary))
    }
}

/// Builds the example application's `cargo xtask` binary (`xtask/`, with the example's
/// entities) in the shared target directory, with the clean environment of
/// [`MigrationCrate::run`], and returns its path: to run the command line as a process, with
/// its real standard output and `.env`.
pub fn xtask_binary() -> anyhow::Result<PathBuf> {
    workspace_binary("xtask")
}

/// Builds the example application's migration crate (`migration/`, with its shipped
/// migrations), as [`xtask_binary`] does.
pub fn migration_binary() -> anyhow::Result<PathBuf> {
    workspace_binary("migration")
}

fn workspace_binary(package: &str) -> anyhow::Result<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = cargo()
        .args(["build", "--quiet", "--package", package])
        .current_dir(&workspace)
        .output()
        .context("running cargo")?;
    if !out.status.success() {
        bail!(
            "building {package} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(target_dir()
        .join("debug")
        .join(format!("{package}{}", std::env::consts::EXE_SUFFIX)))
}

/// `git <args>` in `dir`, with an identity and defaults of its own (branch `main`, no signing):
/// whether it succeeded, and what it printed.
pub fn git(dir: &Path, args: &[&str]) -> anyhow::Result<(bool, String)> {
    let out = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()?;
    Ok((
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    ))
}
