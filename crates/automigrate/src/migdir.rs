//! The migration directory: which migrations exist, and writing a new one.
//!
//! A migration crate in the sea-orm-migration layout: `src/lib.rs` declares `mod mYYYYMMDD_…;`
//! and lists `Box::new(mYYYYMMDD_…::Migration)` in `MigratorTrait::migrations`. We read that
//! list as the truth, and edit only the two lines we add, leaving the rest of the file as is.
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use automigrate_core::snapshot::{self, Snapshot};
use automigrate_runner::lineage::Lineage;
use automigrate_runner::sources;
/// `automigrate.sum`: the check `makemigration`, `check` and the runner share.
pub use automigrate_runner::sums;

/// The registered migrations as [`MigrationDir::read`] found them.
pub struct Registered {
    root: PathBuf,
    sources: Vec<sources::Source>,
}

impl Registered {
    /// Their names as the history table records them: the module's file name
    /// (sea-orm-migration's `DeriveMigrationName` takes the file's stem), also when
    /// `#[path = "…"]` gives the module another name, or the name its `MigrationName::name`
    /// returns when the file spells it out as a string. A module whose file cannot be read keeps
    /// its module name.
    pub fn names(&self) -> Vec<String> {
        self.sources.iter().map(|s| s.name.clone()).collect()
    }

    /// What each follows (their `Follows:` lines): the heads are what a new migration follows.
    pub fn lineage(&self) -> Lineage {
        Lineage::of(&self.sources)
    }

    /// Compared with `automigrate.sum` ([`automigrate_runner::sums::verify`], as the runner
    /// does before `up`).
    pub fn verify_sums(&self) -> anyhow::Result<sums::Verification> {
        sums::verify_read(&self.root, &self.sources)
            .with_context(|| format!("reading {}", self.root.join(sums::FILE).display()))
    }
}

pub struct MigrationDir {
    pub root: PathBuf,
}

impl MigrationDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        MigrationDir { root: root.into() }
    }

    pub fn src(&self) -> PathBuf {
        let src = self.root.join("src");
        if src.is_dir() { src } else { self.root.clone() }
    }

    pub fn lib_rs(&self) -> PathBuf {
        self.src().join("lib.rs")
    }

    fn read_lib(&self) -> anyhow::Result<String> {
        let path = self.lib_rs();
        std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {}: is `{}` a sea-orm-migration crate? Run `cargo xtask` from the \
                 workspace root, or point --migration-dir at the migration crate",
                path.display(),
                self.root.display()
            )
        })
    }

    /// The migrations registered in `lib.rs`, in order, each with its file read once: for a
    /// command that wants several of their names, lineage and sums from one reading of a long
    /// history.
    pub fn read(&self) -> anyhow::Result<Registered> {
        let lib = self.read_lib()?;
        Ok(Registered {
            root: self.root.clone(),
            sources: sources::registered(&self.src(), &lib),
        })
    }

    /// Reads `lib.rs` only: whether this is a migration crate at all, said with what to do if
    /// it is not.
    pub fn check_lib(&self) -> anyhow::Result<()> {
        self.read_lib().map(drop)
    }

    /// [`Registered::names`] of a fresh [`Self::read`].
    pub fn registered(&self) -> anyhow::Result<Vec<String>> {
        Ok(self.read()?.names())
    }

    /// [`Registered::verify_sums`] of a fresh [`Self::read`].
    pub fn verify_sums(&self) -> anyhow::Result<sums::Verification> {
        self.read()?.verify_sums()
    }

    /// `automigrate.sum`, in the crate's root.
    pub fn sum_path(&self) -> PathBuf {
        self.root.join(sums::FILE)
    }

    /// The sum file for the registered migrations as they are.
    fn render_sums(&self) -> anyhow::Result<String> {
        let lib = self.read_lib()?;
        sums::render(&sources::registered(&self.src(), &lib))
            .map_err(|p| anyhow::anyhow!("cannot write {}: {p}", self.sum_path().display()))
    }

    /// `cargo xtask rehash`: records the registered migrations as they are in `automigrate.sum`
    /// (atomically, holding the directory's lock), and returns what differed from the record
    /// before (nothing when it was up to date, and then nothing is written).
    pub async fn rehash(&self) -> anyhow::Result<sums::Verification> {
        let _lock = self.lock(crate::commands::MIGRATION_DIR_WAIT).await?;
        let before = self.verify_sums()?;
        let text = self.render_sums()?;
        let old = std::fs::read_to_string(self.sum_path()).ok();
        if old.as_deref() != Some(text.as_str()) {
            write_atomic(&self.sum_path(), &text)?;
        }
        Ok(before)
    }

    /// Takes the migration directory's lock for the length of a run that writes to it, so that
    /// two runs at once cannot both read `lib.rs` and each write it without the other's
    /// migration. Waits up to `wait` for a run that holds it (the kernel releases the lock of a
    /// process that dies). The lock is an OS lock (`flock`, `LockFileEx`) on the file
    /// [`LOCK_FILE`] in the migration crate, which is removed again when the run is done (on
    /// Unix; elsewhere it stays, empty of meaning, and belongs in `.gitignore`).
    pub async fn lock(&self, wait: std::time::Duration) -> anyhow::Result<DirLock> {
        let path = self.root.join(LOCK_FILE);
        let started = std::time::Instant::now();
        loop {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .with_context(|| {
                    format!(
                        "cannot create the lock file {}: is the migration directory writable?",
                        path.display()
                    )
                })?;
            match file.try_lock() {
                Ok(()) => {
                    // The holder before us may have removed the file once done: a lock on a
                    // file no longer at the path locks nothing. Open it again.
                    if !same_file(&file, &path) {
                        continue;
                    }
                    let mut lock = DirLock { file, path };
                    use std::io::Write as _;
                    let _ = lock
                        .file
                        .set_len(0)
                        .and_then(|()| write!(lock.file, "pid {}", std::process::id()));
                    return Ok(lock);
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    if started.elapsed() >= wait {
                        let holder = std::fs::read_to_string(&path)
                            .ok()
                            .map(|t| t.trim().to_string())
                            .filter(|t| !t.is_empty())
                            .map(|t| format!(" ({t})"))
                            .unwrap_or_default();
                        bail!(
                            "another run of makemigration{holder} has been writing to `{}` for                              more than {} s (is it waiting for an answer?): let it finish, then                              run again. Nothing was written",
                            self.root.display(),
                            wait.as_secs()
                        );
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("cannot lock {}", path.display()));
                }
            }
        }
    }

    /// The declared-schema snapshot; an empty one when the project has none yet.
    /// Refuses a migration that calls `automigrate_ops` when the crate does not depend on it:
    /// it would not compile. Nothing is written.
    pub fn check_dependency(&self, source: &str) -> anyhow::Result<()> {
        if !source.contains("automigrate_ops") {
            return Ok(());
        }
        let manifest = self.root.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap_or_default();
        let depends = text.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with("automigrate-ops") || l.starts_with("automigrate_ops")
        });
        if depends {
            return Ok(());
        }
        anyhow::bail!(
            "the migration calls automigrate-ops (the operations that run on every backend), \
             which {} does not list: add `automigrate-ops = \"0.1\"` (or the path or git \
             source you use for automigrate) under [dependencies], then run this command \
             again. Nothing was written.",
            manifest.display()
        )
    }

    pub fn snapshot(&self) -> anyhow::Result<Snapshot> {
        let path = self.root.join(snapshot::FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Snapshot::parse(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Snapshot::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// [`MigrationDir::add`], and the snapshot of what the entities declare now, written after
    /// the migration file and before `lib.rs`.
    pub fn add_with_snapshot(
        &self,
        name: &str,
        source: &str,
        snapshot: &Snapshot,
    ) -> anyhow::Result<PathBuf> {
        self.write(name, source, Some(snapshot))
    }

    /// Writes `<name>.rs` and registers it in `lib.rs`. Refuses to overwrite anything. The
    /// file is written first and `lib.rs` last, each through a temporary file and a rename, so
    /// that an interruption never leaves `lib.rs` naming a file that does not exist. Hold
    /// [`MigrationDir::lock`] from before reading the registered migrations until this returns.
    /// Takes the newest migration, `name`, out of the crate (its file and its line in `lib.rs`),
    /// to be written again: `makemigration --replace`. What it returns puts everything back as it
    /// was.
    pub fn take_out(&self, name: &str) -> anyhow::Result<Restore> {
        let registered = self.registered()?;
        if registered.last().map(String::as_str) != Some(name) {
            bail!(
                "--replace {name}: only the newest migration can be written again, and it is {}; \
                 nothing was written",
                registered.last().map_or("none", String::as_str)
            );
        }
        let file = self.src().join(format!("{name}.rs"));
        let source = std::fs::read_to_string(&file)
            .with_context(|| format!("--replace {name}: cannot read {}", file.display()))?;
        let lib = self.read_lib()?;
        let snapshot_path = self.root.join(snapshot::FILE);
        let snapshot = std::fs::read_to_string(&snapshot_path).ok();
        let sum = std::fs::read_to_string(self.sum_path()).ok();
        write_atomic(&self.lib_rs(), &unregister(&lib, name)?)?;
        std::fs::remove_file(&file).with_context(|| format!("removing {}", file.display()))?;
        Ok(Restore {
            lib_rs: (self.lib_rs(), lib),
            file: (file, source),
            snapshot: snapshot.map(|s| (snapshot_path, s)),
            sum: (self.sum_path(), sum),
        })
    }

    pub fn add(&self, name: &str, source: &str) -> anyhow::Result<PathBuf> {
        self.write(name, source, None)
    }

    fn write(
        &self,
        name: &str,
        source: &str,
        snapshot: Option<&Snapshot>,
    ) -> anyhow::Result<PathBuf> {
        let lib = self.read_lib()?;
        let new_lib = crate::commands::rustfmt(&register(&lib, name)?);
        let file = self.src().join(format!("{name}.rs"));
        if file.exists() {
            bail!(
                "{} already exists: wait a second and run again, or pick another message",
                file.display()
            );
        }
        let snapshot_path = self.root.join(snapshot::FILE);
        let old_snapshot = std::fs::read_to_string(&snapshot_path).ok();
        write_atomic(&file, source)?;
        let undo = |file: &Path| {
            let _ = std::fs::remove_file(file);
            match &old_snapshot {
                Some(text) => {
                    let _ = write_atomic(&snapshot_path, text);
                }
                None if snapshot.is_some() => {
                    let _ = std::fs::remove_file(&snapshot_path);
                }
                None => {}
            }
        };
        // `automigrate.sum` as it will be, with the new file: every registered file is read
        // before anything else is written.
        let sums = sums::render(&sources::registered(&self.src(), &new_lib)).map_err(|p| {
            anyhow::anyhow!(
                "cannot write {}: {p}; nothing was written",
                self.sum_path().display()
            )
        });
        let sums = match sums {
            Ok(text) => text,
            Err(e) => {
                undo(&file);
                return Err(e);
            }
        };
        if let Some(s) = snapshot
            && let Err(e) = write_atomic(&snapshot_path, &s.render())
        {
            undo(&file);
            return Err(e);
        }
        if let Err(e) = write_atomic(&self.lib_rs(), &new_lib) {
            undo(&file);
            return Err(e);
        }
        // Last, after lib.rs: an interruption before it leaves a migration registered and not
        // recorded, which `up` and `check` report.
        if let Err(e) = write_atomic(&self.sum_path(), &sums) {
            let _ = write_atomic(&self.lib_rs(), &lib);
            undo(&file);
            return Err(e);
        }
        Ok(file)
    }
}

/// The lock file of [`MigrationDir::lock`], in the migration crate's directory.
pub const LOCK_FILE: &str = ".automigrate-lock";

/// The held lock of a migration directory; released (and its file removed) when dropped.
pub struct DirLock {
    file: std::fs::File,
    path: PathBuf,
}

impl Drop for DirLock {
    fn drop(&mut self) {
        // Removed while still held, and only if it is still ours: a run waiting on this file
        // sees that it is gone once it gets the lock, and opens the path again.
        if cfg!(unix) && same_file(&self.file, &self.path) {
            let _ = std::fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

/// True when `path` is the file `file` has open.
#[cfg(unix)]
fn same_file(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Elsewhere the lock file is never removed, so the path is always the file.
#[cfg(not(unix))]
fn same_file(_: &std::fs::File, _: &Path) -> bool {
    true
}

/// Writes `path` through a temporary file beside it and a rename. On failure the temporary
/// file is removed and `path` is as it was.
/// What [`MigrationDir::take_out`] took out, to put back.
#[must_use]
pub struct Restore {
    lib_rs: (PathBuf, String),
    file: (PathBuf, String),
    snapshot: Option<(PathBuf, String)>,
    /// `automigrate.sum` as it was (`None`: there was none).
    sum: (PathBuf, Option<String>),
}

impl Restore {
    /// Puts the migration back as it was (after an error, or a dry run).
    pub fn put_back(self) -> anyhow::Result<()> {
        write_atomic(&self.file.0, &self.file.1)?;
        if let Some((path, text)) = &self.snapshot {
            write_atomic(path, text)?;
        }
        write_atomic(&self.lib_rs.0, &self.lib_rs.1)?;
        match &self.sum {
            (path, Some(text)) => write_atomic(path, text),
            (path, None) => match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(e).with_context(|| format!("removing {}", path.display()))
                }
                _ => Ok(()),
            },
        }
    }
}

fn write_atomic(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".automigrate-tmp");
    let tmp = PathBuf::from(tmp);
    let result = std::fs::write(&tmp, text)
        .with_context(|| format!("writing {}", tmp.display()))
        .and_then(|()| {
            std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
        });
    if result.is_err() && std::fs::symlink_metadata(&tmp).is_ok_and(|m| m.is_file()) {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The modules in `Box::new(<name>::Migration)` entries, in order, skipping comments.
pub fn registered_in(lib: &str) -> Vec<String> {
    sources::registered_in(lib)
}

/// Adds `mod <name>;` after the last migration module and `Box::new(<name>::Migration),` after
/// the last entry of the list. Fails, saying how to fix it, when the file has another shape.
/// `lib` without the migration `name` (its `mod` line and its entry in the list).
pub fn unregister(lib: &str, name: &str) -> anyhow::Result<String> {
    let entry = format!("Box::new({name}::Migration)");
    let mut out = Vec::new();
    for line in lib.lines() {
        let t = line.trim();
        let t = t.strip_prefix("pub ").unwrap_or(t);
        if t == format!("mod {name};") {
            continue;
        }
        if t == format!("{entry},") || t == entry {
            continue;
        }
        out.push(
            line.replace(&format!("{entry}, "), "")
                .replace(&format!(", {entry}"), "")
                .replace(&entry, ""),
        );
    }
    let mut text = out.join("\n");
    text.push('\n');
    let mut expected = registered_in(lib);
    expected.retain(|n| n != name);
    if registered_in(&text) != expected {
        bail!("cannot take `{name}` out of lib.rs: nothing was written; take it out by hand");
    }
    Ok(text)
}

pub fn register(lib: &str, name: &str) -> anyhow::Result<String> {
    let help = || {
        "nothing was written. Make `fn migrations()` in lib.rs return its list as \
         sea-orm-migration writes it, `vec![Box::new(m…::Migration), …]` (an empty one is \
         `vec![]`), and run makemigration again"
    };
    if registered_in(lib).iter().any(|n| n == name) {
        bail!("`{name}` is already registered in lib.rs");
    }
    let lines: Vec<&str> = lib.lines().collect();
    let is_mod = |l: &str| {
        let t = l.trim_start();
        let t = t.strip_prefix("pub ").unwrap_or(t);
        t.starts_with("mod m") && t.trim_end().ends_with(';')
    };
    let last_mod = lines.iter().rposition(|l| is_mod(l));
    let last_entry = lines.iter().rposition(|l| {
        l.contains("Box::new(") && l.contains("::Migration)") && !l.trim_start().starts_with("//")
    });
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();

    // The list entry first (it comes later in the file), so the module index stays valid.
    match last_entry {
        Some(i) => {
            let indent: String = lines[i].chars().take_while(|c| c.is_whitespace()).collect();
            // A single-line `vec![Box::new(a::Migration)]` gets the new entry inside the brackets.
            if lines[i].trim_start().starts_with("Box::new(") {
                if !out[i].trim_end().ends_with(',') {
                    out[i] = format!("{},", out[i].trim_end());
                }
                out.insert(i + 1, format!("{indent}Box::new({name}::Migration),"));
            } else if let Some(end) = lines[i].rfind(']') {
                let (head, tail) = lines[i].split_at(end);
                let sep = if head.trim_end().ends_with(',') {
                    " "
                } else {
                    ", "
                };
                out[i] = format!("{}{sep}Box::new({name}::Migration){tail}", head.trim_end());
            } else {
                bail!(
                    "lib.rs lists its migrations in a shape automigrate does not know; {}",
                    help()
                );
            }
        }
        None => {
            // An empty list: `vec![]`.
            let Some(i) = lines.iter().position(|l| l.contains("vec![]")) else {
                bail!("cannot find the list of migrations in lib.rs; {}", help());
            };
            let indent: String = lines[i].chars().take_while(|c| c.is_whitespace()).collect();
            let (head, tail) = lines[i].split_once("vec![]").unwrap_or((lines[i], ""));
            out[i] = format!("{head}vec![");
            out.insert(i + 1, format!("{indent}    Box::new({name}::Migration),"));
            out.insert(i + 2, format!("{indent}]{tail}"));
        }
    }
    match last_mod {
        Some(i) => out.insert(i + 1, format!("mod {name};")),
        None => {
            // After the leading `use` lines and comments, before the first item.
            let is_head = |l: &&str| {
                let t = l.trim_start();
                t.is_empty()
                    || t.starts_with("//")
                    || t.starts_with("use ")
                    || t.starts_with("pub use ")
            };
            let i = lines
                .iter()
                .position(|l| !is_head(l))
                .unwrap_or(lines.len());
            out.insert(i, format!("mod {name};"));
            out.insert(i + 1, String::new());
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header line codegen writes is the one the runner reads back.
    #[test]
    fn the_follows_line_codegen_writes_is_read_back() {
        use automigrate_core::codegen::{FileSpec, render_file};
        use automigrate_runner::lineage::{Follows, follows_in};
        let plan = automigrate_core::diff::Plan::default();
        let render = |follows: &[String]| {
            render_file(&FileSpec {
                online: false,
                message: "a message",
                backend: automigrate_core::Backend::Sqlite,
                plan: &plan,
                rows: &Default::default(),
                declined: &[],
                name: "m2_x",
                follows,
            })
            .unwrap()
        };
        assert_eq!(follows_in(&render(&[])), Follows::Nothing);
        let two = ["m1_a".to_string(), "m1_b".to_string()];
        assert_eq!(follows_in(&render(&two)), Follows::Migrations(two.to_vec()));
    }

    const LIB: &str = "pub use sea_orm_migration::prelude::*;

mod m20260101_000000_init;
mod m20260102_000000_add_bio;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20260101_000000_init::Migration),
            // Box::new(m20250101_000000_old::Migration),
            Box::new(m20260102_000000_add_bio::Migration),
        ]
    }
}
";

    #[test]
    fn reads_entries_and_skips_comments() {
        assert_eq!(
            registered_in(LIB),
            vec!["m20260101_000000_init", "m20260102_000000_add_bio"]
        );
    }

    #[test]
    fn registers_after_the_last_entry() {
        let out = register(LIB, "m20260103_000000_x").unwrap();
        assert_eq!(
            registered_in(&out),
            vec![
                "m20260101_000000_init",
                "m20260102_000000_add_bio",
                "m20260103_000000_x"
            ]
        );
        assert!(out.contains("mod m20260102_000000_add_bio;\nmod m20260103_000000_x;\n"));
        assert!(out.contains(
            "            Box::new(m20260102_000000_add_bio::Migration),\n            Box::new(m20260103_000000_x::Migration),\n        ]"
        ));
    }

    /// `--replace` takes the newest migration out of `lib.rs`, whatever the shape of the list,
    /// and puts nothing else out.
    #[test]
    fn unregisters_the_way_it_registers() {
        for lib in [
            "mod m1_a;\nfn migrations() -> Vec<Box<dyn MigrationTrait>> {\n    vec![Box::new(m1_a::Migration)]\n}\n",
            "mod m1_a;\nfn migrations() -> Vec<Box<dyn MigrationTrait>> {\n    vec![]\n}\n",
        ] {
            let with = register(lib, "m2_b").unwrap();
            let without = unregister(&with, "m2_b").unwrap();
            assert_eq!(registered_in(&without), registered_in(lib), "{without}");
            assert!(!without.contains("m2_b"), "{without}");
        }
        let lib = "mod m1_a;\nmod m2_b;\nfn migrations() -> Vec<Box<dyn MigrationTrait>> {\n    vec![Box::new(m1_a::Migration), Box::new(m2_b::Migration)]\n}\n";
        let without = unregister(lib, "m2_b").unwrap();
        assert_eq!(registered_in(&without), ["m1_a"], "{without}");
    }

    #[test]
    fn registers_into_an_empty_list() {
        let lib = "pub use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![]
    }
}
";
        let out = register(lib, "m1_a").unwrap();
        assert_eq!(registered_in(&out), vec!["m1_a"]);
        assert!(
            out.contains("prelude::*;\n\nmod m1_a;\n\npub struct Migrator;"),
            "{out}"
        );
        assert!(
            out.contains("        vec![\n            Box::new(m1_a::Migration),\n        ]\n"),
            "{out}"
        );
        // And once more, into the list that now has one entry.
        let out = register(&out, "m2_b").unwrap();
        assert_eq!(registered_in(&out), vec!["m1_a", "m2_b"]);
        assert!(out.contains("mod m1_a;\nmod m2_b;\n"), "{out}");
    }

    #[test]
    fn single_line_list() {
        let lib = "mod m1_a;\nfn migrations() -> Vec<Box<dyn MigrationTrait>> {\n    vec![Box::new(m1_a::Migration)]\n}\n";
        let out = register(lib, "m2_b").unwrap();
        assert_eq!(registered_in(&out), vec!["m1_a", "m2_b"]);
    }

    #[test]
    fn unknown_shape_says_how_to_fix_it() {
        let err = register("fn x() {}\n", "m1_a").unwrap_err().to_string();
        assert!(
            err.contains("nothing was written") && err.contains("(an empty one is `vec![]`)"),
            "{err}"
        );
    }

    #[test]
    fn modules_are_known_by_the_names_they_record() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("migrations")).unwrap();
        std::fs::write(
            src.join("lib.rs"),
            "pub use sea_orm_migration::prelude::*;

#[path = \"migrations/m20260101_000000_init.rs\"]
mod init;
#[path = \"m20260102_000000_add_bio.rs\"] pub(crate) mod bio;
mod m20260103_000000_named;
mod m20260104_000000_plain;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(init::Migration),
            Box::new(bio::Migration),
            Box::new(m20260103_000000_named::Migration),
            Box::new(m20260104_000000_plain::Migration),
        ]
    }
}
",
        )
        .unwrap();
        let derived = "#[derive(DeriveMigrationName)]\npub struct Migration;\n";
        std::fs::write(src.join("migrations/m20260101_000000_init.rs"), derived).unwrap();
        std::fs::write(src.join("m20260102_000000_add_bio.rs"), derived).unwrap();
        std::fs::write(
            src.join("m20260103_000000_named.rs"),
            "pub struct Migration;\nimpl MigrationName for Migration {\n    \
             fn name(&self) -> &str {\n        \"m20260103_000000_renamed\"\n    }\n}\n",
        )
        .unwrap();
        std::fs::write(src.join("m20260104_000000_plain.rs"), derived).unwrap();
        assert_eq!(
            MigrationDir::new(dir.path()).registered().unwrap(),
            vec![
                "m20260101_000000_init",
                "m20260102_000000_add_bio",
                "m20260103_000000_renamed",
                "m20260104_000000_plain",
            ]
        );
    }

    #[test]
    fn a_failed_replacement_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A path that cannot be replaced by a file: a directory with something in it.
        let target = dir.path().join("lib.rs");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("keep"), "").unwrap();
        let err = write_atomic(&target, "fn main() {}\n").unwrap_err();
        assert!(format!("{err:#}").contains("replacing"), "{err:#}");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, vec!["lib.rs"]);
    }

    #[tokio::test]
    async fn one_run_at_a_time_and_no_lock_file_left() {
        let dir = tempfile::tempdir().unwrap();
        let migdir = MigrationDir::new(dir.path());
        let first = migdir.lock(std::time::Duration::ZERO).await.unwrap();
        let err = migdir
            .lock(std::time::Duration::from_millis(100))
            .await
            .err()
            .unwrap();
        let msg = format!("{err:#}");
        assert!(
            msg.contains("another run of makemigration (pid ")
                && msg.contains("Nothing was written"),
            "{msg}"
        );
        drop(first);
        let second = migdir.lock(std::time::Duration::ZERO).await.unwrap();
        drop(second);
        if cfg!(unix) {
            assert!(!dir.path().join(LOCK_FILE).exists());
        }
    }

    #[test]
    fn never_overwrites_a_file_and_leaves_lib_rs_alone() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/lib.rs"), LIB).unwrap();
        let taken = dir.path().join("src/m20260103_000000_x.rs");
        std::fs::write(&taken, "// mine\n").unwrap();
        let err = MigrationDir::new(dir.path())
            .add("m20260103_000000_x", "// generated\n")
            .unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(std::fs::read_to_string(&taken).unwrap(), "// mine\n");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("src/lib.rs")).unwrap(),
            LIB
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("src")).unwrap().count(),
            2
        );
    }
}
