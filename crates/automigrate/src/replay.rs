//! `cargo xtask check --replay`: the whole migration history applied to a scratch database,
//! then compared with the entities exactly as `check` compares a database at the head of the
//! history. No `DATABASE_URL` is read or touched.
//!
//! The scratch database is a temporary SQLite file by default (every history applies there:
//! generated migrations are backend-neutral), or a database created for the run, beside the one
//! a server URL names (`--replay-url`, `SHADOW_DATABASE_URL`), and dropped afterwards. The
//! database the URL names is only connected to, to create and drop the scratch one: it is never
//! used nor required to be empty (unlike Prisma's shadow database), so one server serves several
//! CI jobs at once.
//!
//! The `xtask` that calls this does not depend on the migration crate, so the history is applied
//! by the migration crate's own runner, built with the `cargo` the user runs (`$CARGO`) and run
//! as a child process with `DATABASE_URL` set to the scratch database.
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};
use automigrate_core::Backend;
use sea_orm::ConnectionTrait as _;

use crate::commands::{self, Analysis, Project};
use crate::config::Config;
use crate::entities::Entities;
use crate::migdir::MigrationDir;

/// What `check --replay` is given.
pub struct Replay<'a> {
    /// The migration crate (`--migration-dir`).
    pub migration_dir: &'a Path,
    pub entities: &'a Entities,
    /// `automigrate.toml`, with `DATABASE_SCHEMA` applied.
    pub config: Config,
    /// A PostgreSQL or MySQL/MariaDB server URL to make the scratch database on; `None` is a
    /// temporary SQLite database.
    pub server_url: Option<&'a str>,
}

/// Applies the history to a scratch database and compares it with the entities. Progress
/// (which scratch database) is said through `say`. The scratch database is removed on every
/// path; an error (exit 2) is a migration crate that does not build, a history that does not
/// apply (which migration, which statement), or the scratch database that cannot be made.
pub async fn check_replay(
    replay: Replay<'_>,
    say: &mut dyn FnMut(&str),
) -> anyhow::Result<Analysis> {
    let dir = MigrationDir::new(replay.migration_dir);
    let manifest = manifest_of(replay.migration_dir)?;
    let registered = dir.registered()?;
    if let Some(url) = replay.server_url {
        server_backend(url)?;
    }
    let runner = build_runner(&manifest)?;
    let scratch =
        Scratch::create(replay.server_url, replay.config.database_schema.as_deref()).await?;
    say(&format!(
        "Replaying {} migration(s) of `{}` on {}.",
        registered.len(),
        replay.migration_dir.display(),
        scratch.describe()
    ));
    let result = apply_and_compare(&replay, &runner, &scratch).await;
    if let Err(e) = scratch.remove().await {
        say(&format!("warning: {}", automigrate_runner::error_text(&e)));
    }
    result
}

async fn apply_and_compare(
    replay: &Replay<'_>,
    runner: &Path,
    scratch: &Scratch,
) -> anyhow::Result<Analysis> {
    apply(
        runner,
        &scratch.url,
        replay.config.database_schema.as_deref(),
        &scratch.what(),
    )?;
    commands::analyze(&Project {
        database_url: &scratch.url,
        migration_dir: replay.migration_dir,
        entities: replay.entities,
        config: replay.config.clone(),
    })
    .await
}

/// The migration crate's `Cargo.toml`, to build it with.
pub(crate) fn manifest_of(migration_dir: &Path) -> anyhow::Result<PathBuf> {
    let manifest = migration_dir.join("Cargo.toml");
    if !manifest.is_file() {
        bail!(
            "no migration crate at `{}` (no Cargo.toml there): run `cargo xtask` from the \
             workspace root, or point --migration-dir at the migration crate",
            migration_dir.display()
        );
    }
    Ok(manifest)
}

/// The `cargo` to run: the one running us (`$CARGO`, set by `cargo run`), else the one on the
/// `PATH`.
fn cargo() -> PathBuf {
    std::env::var_os("CARGO")
        .filter(|c| !c.is_empty())
        .map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// Builds the migration crate (its errors go straight to standard error, as a `cargo build`'s
/// do) and returns its binary.
pub(crate) fn build_runner(manifest: &Path) -> anyhow::Result<PathBuf> {
    let cargo = cargo();
    let mut command = Command::new(&cargo);
    // `cargo run` gave this process the variables that describe the xtask package; passed on,
    // they would differ from a build in a terminal (ring's build script watches
    // CARGO_MANIFEST_DIR), and each would rebuild the dependencies after the other.
    for (key, _) in std::env::vars_os() {
        if key.to_str().is_some_and(describes_the_running_package) {
            command.env_remove(key);
        }
    }
    let out = command
        .args([
            "build",
            "--quiet",
            "--message-format=json-render-diagnostics",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| {
            format!(
                "cannot run `{}` to build the migration crate: install cargo, or set CARGO to \
                 its path",
                cargo.display()
            )
        })?;
    if !out.status.success() {
        bail!(
            "the migration crate `{}` does not build (cargo's errors are above): fix it, then run \
             the check again",
            manifest.parent().unwrap_or(manifest).display()
        );
    }
    let binaries = binaries_of(&String::from_utf8_lossy(&out.stdout), manifest);
    match binaries.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!(
            "the migration crate `{}` has no binary to run the migrations with: add a \
             src/main.rs that calls automigrate_runner::run_cli (or sea-orm-migration's \
             cli::run_cli)",
            manifest.parent().unwrap_or(manifest).display()
        ),
        several => bail!(
            "the migration crate `{}` has {} binaries ({}); replay runs the crate's only one",
            manifest.parent().unwrap_or(manifest).display(),
            several.len(),
            several
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The variables cargo sets for the package it runs (`CARGO` itself is kept: it is the cargo to
/// use).
fn describes_the_running_package(key: &str) -> bool {
    key.starts_with("CARGO_PKG_")
        || key.starts_with("CARGO_BIN_EXE_")
        || matches!(
            key,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
                | "CARGO_TARGET_TMPDIR"
                | "CARGO_RUSTC_CURRENT_DIR"
        )
}

/// The executables `cargo build --message-format=json` built for the package of `manifest`.
fn binaries_of(messages: &str, manifest: &Path) -> Vec<PathBuf> {
    let same = |other: &str| {
        let other = Path::new(other);
        other == manifest
            || matches!(
                (other.canonicalize(), manifest.canonicalize()),
                (Ok(a), Ok(b)) if a == b
            )
    };
    let mut found: Vec<PathBuf> = messages
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter(|m| m["manifest_path"].as_str().is_some_and(same))
        .filter(|m| {
            m["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "bin"))
        })
        .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
        .collect();
    found.dedup();
    found
}

/// Runs `<runner> up` against the scratch database. A failure is the runner's message (which
/// migration, the statement), relayed once.
fn apply(runner: &Path, url: &str, schema: Option<&str>, what: &str) -> anyhow::Result<()> {
    run_runner(runner, url, schema, &["up"], what)
}

/// Runs the runner with `args` (`up`, `up --num 1`, …) against the scratch database.
pub(crate) fn run_runner(
    runner: &Path,
    url: &str,
    schema: Option<&str>,
    args: &[&str],
    what: &str,
) -> anyhow::Result<()> {
    let mut command = Command::new(runner);
    command
        .args(args)
        .env("DATABASE_URL", url)
        // Not from its sources: the runner checks neither sums nor heads (the caller has).
        .env_remove("CARGO_MANIFEST_DIR")
        .stdin(Stdio::null());
    match schema {
        Some(s) => command.env("DATABASE_SCHEMA", s),
        None => command.env_remove("DATABASE_SCHEMA"),
    };
    let out = command
        .output()
        .with_context(|| format!("cannot run the migration crate's `{}`", runner.display()))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let said = if stderr.trim().is_empty() {
        String::from_utf8_lossy(&out.stdout).into_owned()
    } else {
        stderr.into_owned()
    };
    bail!(
        "the migration history does not apply to {what}:\n{}\nFix the migration, then run this \
         command again (the scratch database is removed).",
        runner_failure(&said)
    )
}

/// The runner's error without its `error: ` prefix, and without its advice about the statements
/// committed before the failure (about a real database; the scratch one is removed).
fn runner_failure(stderr: &str) -> String {
    let text = stderr.trim();
    let text = text.strip_prefix("error: ").unwrap_or(text);
    let kept: Vec<&str> = text
        .lines()
        .take_while(|l| {
            !(l.starts_with("Any statements of `")
                || (l.starts_with('`')
                    && l.contains("` ran in a transaction, which was rolled back")))
        })
        .collect();
    kept.join("\n")
}

/// The scratch database.
pub(crate) struct Scratch {
    pub(crate) url: String,
    place: Place,
}

enum Place {
    /// A file in a temporary directory (with the runner's lock file beside it), removed with it.
    Sqlite { _dir: tempfile::TempDir },
    /// A database `name` on the server, made through `admin` (the URL the user gave).
    Server {
        admin: String,
        name: String,
        backend: Backend,
    },
}

impl Scratch {
    pub(crate) async fn create(
        server: Option<&str>,
        schema: Option<&str>,
    ) -> anyhow::Result<Scratch> {
        let Some(admin) = server else {
            let dir = tempfile::Builder::new()
                .prefix("automigrate-replay-")
                .tempdir()
                .context("cannot make a temporary directory for the scratch SQLite database")?;
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("replay.db").display()
            );
            return Ok(Scratch {
                url,
                place: Place::Sqlite { _dir: dir },
            });
        };
        let backend = server_backend(admin)?;
        let name = scratch_name();
        let url = with_database(admin, &name)?;
        let db = commands::connect(admin)
            .await
            .context("connecting to the replay server (--replay-url or SHADOW_DATABASE_URL)")?;
        let created = db
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await;
        db.close().await.ok();
        created.with_context(|| {
            format!(
                "cannot create the scratch database `{name}` on {}: the role needs the right to \
                 create databases (PostgreSQL CREATEDB; MySQL CREATE and DROP)",
                commands::redact(admin)
            )
        })?;
        let scratch = Scratch {
            url,
            place: Place::Server {
                admin: admin.to_string(),
                name,
                backend,
            },
        };
        // The schema the migrations run in (DATABASE_SCHEMA) exists in an application's
        // database; in the scratch one it is made.
        if let (Backend::Postgres, Some(schema)) = (backend, schema.filter(|s| *s != "public")) {
            let made = async {
                let db = commands::connect(&scratch.url).await?;
                let r = db
                    .execute_unprepared(&format!(
                        "CREATE SCHEMA IF NOT EXISTS {}",
                        automigrate_core::dialect::quote_ident(Backend::Postgres, schema)
                    ))
                    .await;
                db.close().await.ok();
                r?;
                anyhow::Ok(())
            }
            .await;
            if let Err(e) = made {
                let _ = scratch.remove().await;
                return Err(e.context(format!("creating the schema `{schema}` (DATABASE_SCHEMA)")));
            }
        }
        Ok(scratch)
    }

    /// "a temporary SQLite database", "the scratch database `…` on postgres://…".
    pub(crate) fn what(&self) -> String {
        match &self.place {
            Place::Sqlite { .. } => "a temporary SQLite database".into(),
            Place::Server { admin, name, .. } => format!(
                "the scratch database `{name}` on {}",
                server_of(&commands::redact(admin))
            ),
        }
    }

    pub(crate) fn describe(&self) -> String {
        match &self.place {
            Place::Sqlite { .. } => self.what(),
            Place::Server { .. } => format!("{} (dropped afterwards)", self.what()),
        }
    }

    /// Drops the scratch database (the temporary directory goes with the value).
    pub(crate) async fn remove(self) -> anyhow::Result<()> {
        let Place::Server {
            admin,
            name,
            backend,
        } = self.place
        else {
            return Ok(());
        };
        let dropped = async {
            let db = commands::connect(&admin).await?;
            let plain = format!("DROP DATABASE IF EXISTS {name}");
            // PostgreSQL 13 and later close what is still connected to it.
            let r = if backend == Backend::Postgres {
                match db
                    .execute_unprepared(&format!("{plain} WITH (FORCE)"))
                    .await
                {
                    Ok(r) => Ok(r),
                    Err(_) => db.execute_unprepared(&plain).await,
                }
            } else {
                db.execute_unprepared(&plain).await
            };
            db.close().await.ok();
            r?;
            anyhow::Ok(())
        }
        .await;
        dropped.with_context(|| {
            format!(
                "could not drop the scratch database `{name}` on {}: drop it by hand (DROP \
                 DATABASE {name})",
                server_of(&commands::redact(&admin))
            )
        })
    }
}

/// The backend of a server URL; anything else is refused.
pub(crate) fn server_backend(url: &str) -> anyhow::Result<Backend> {
    match url.split(':').next().unwrap_or("") {
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        "mysql" | "mariadb" => Ok(Backend::MySql),
        _ => bail!(
            "--replay-url (or SHADOW_DATABASE_URL) `{}` must name a PostgreSQL or MySQL/MariaDB \
             server (postgres://… or mysql://…); without it, the history is replayed on a \
             temporary SQLite database",
            commands::redact(url)
        ),
    }
}

/// A database name no other run takes: `automigrate_replay_<pid>_<time>`.
fn scratch_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "automigrate_replay_{}_{:x}",
        std::process::id(),
        nanos % (1u128 << 48)
    )
}

/// `url` with its database (the path) replaced by `name`, its query (`?sslmode=…`) kept.
fn with_database(url: &str, name: &str) -> anyhow::Result<String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        bail!(
            "`{}` is not a server URL (scheme://user@host/database)",
            commands::redact(url)
        );
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, after) = rest.split_at(authority_end);
    let query = after.find(['?', '#']).map_or("", |i| &after[i..]);
    Ok(format!("{scheme}://{authority}/{name}{query}"))
}

/// The server part of a (redacted) URL, without the database: `postgres://u@host:5432`.
fn server_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            format!("{scheme}://{}", &rest[..end])
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scratch_database_replaces_the_named_one() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/app?sslmode=disable", "s").unwrap(),
            "postgres://u:p@h:5432/s?sslmode=disable"
        );
        assert_eq!(
            with_database("mysql://root@127.0.0.1:3306", "s").unwrap(),
            "mysql://root@127.0.0.1:3306/s"
        );
        assert_eq!(
            with_database("postgres://h?sslmode=require", "s").unwrap(),
            "postgres://h/s?sslmode=require"
        );
        assert!(with_database("nonsense", "s").is_err());
        assert_eq!(
            server_of("postgres://u:***@h:5432/app?x=1"),
            "postgres://u:***@h:5432"
        );
        let name = scratch_name();
        assert!(
            name.len() <= 63 && name.starts_with("automigrate_replay_"),
            "{name}"
        );
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    }

    #[test]
    fn the_runner_failure_is_relayed_without_advice_about_a_real_database() {
        let stderr = "error: applying migration `m2_broken` failed: Execution Error: table \
                      users already exists\nThe statement that failed:\n    CREATE TABLE \
                      \"users\" ( \"id\" integer )\nAny statements of `m2_broken` before this \
                      one were committed (…), and it is not recorded as applied: look at the \
                      schema.\nThis run applied `m1_init` before it, which stay applied.\n";
        assert_eq!(
            runner_failure(stderr),
            "applying migration `m2_broken` failed: Execution Error: table users already \
             exists\nThe statement that failed:\n    CREATE TABLE \"users\" ( \"id\" integer )"
        );
        let pg = "error: applying migration `m2` failed: boom\nThe statement that failed:\n    \
                  X\n`m2` ran in a transaction, which was rolled back: none of its changes are \
                  applied, and it is not recorded as applied.";
        assert_eq!(
            runner_failure(pg),
            "applying migration `m2` failed: boom\nThe statement that failed:\n    X"
        );
        // Anything else (a panic, a connection error) is relayed whole.
        assert_eq!(
            runner_failure("thread 'main' panicked\n"),
            "thread 'main' panicked"
        );
    }

    #[test]
    fn the_binary_is_found_in_cargos_messages() {
        let manifest = Path::new("/w/migration/Cargo.toml");
        let messages = r#"{"reason":"compiler-artifact","manifest_path":"/w/migration/Cargo.toml","target":{"kind":["lib"]},"executable":null}
{"reason":"compiler-artifact","manifest_path":"/reg/tokio/Cargo.toml","target":{"kind":["lib"]},"executable":null}
{"reason":"compiler-artifact","manifest_path":"/w/migration/Cargo.toml","target":{"kind":["bin"]},"executable":"/t/debug/migration"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            binaries_of(messages, manifest),
            [PathBuf::from("/t/debug/migration")]
        );
        assert!(binaries_of("", manifest).is_empty());
    }
}
