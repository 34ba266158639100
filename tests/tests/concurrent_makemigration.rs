//! Issue 15, item 9: several `makemigration` runs at the same time on one migration crate. Each
//! run holds the migration directory's lock from reading `lib.rs` to registering its file, so
//! every file written is registered (none is lost by a run that wrote `lib.rs` from a stale
//! copy), and a run that comes after another sees its migration.
use std::sync::{Arc, Barrier};

use automigrate::Entities;
use automigrate::commands::{self, MakeOptions, Outcome, Project};
use automigrate::migdir::{LOCK_FILE, MigrationDir};
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, entities};

/// The migration files in the crate's `src` (not `lib.rs`, not `main.rs`), sorted.
fn migration_files(krate: &MigrationCrate) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(krate.root.join("src"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.starts_with('m') && f.ends_with(".rs") && f != "main.rs")
        .map(|f| f.trim_end_matches(".rs").to_string())
        .collect();
    files.sort();
    files
}

/// Starts `runs` makemigration runs together, each on a thread and a runtime of its own (as
/// separate processes would be), and returns what each returned.
fn together(
    runs: usize,
    url: &str,
    krate: &MigrationCrate,
    make_entities: fn() -> Entities,
    empty: bool,
) -> Vec<anyhow::Result<Outcome>> {
    let start = Arc::new(Barrier::new(runs));
    let threads: Vec<_> = (0..runs)
        .map(|i| {
            let start = start.clone();
            let url = url.to_string();
            let root = krate.root.clone();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let entities = make_entities();
                start.wait();
                rt.block_on(commands::makemigration(
                    &Project {
                        database_url: &url,
                        migration_dir: &root,
                        entities: &entities,
                        config: Default::default(),
                    },
                    &format!("run number {i}"),
                    MakeOptions {
                        empty,
                        ..MakeOptions::default()
                    },
                ))
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

/// Runs that each write a migration (`--empty`, which does not compare): all of them are
/// written and registered, one after the other, in order.
#[test]
fn concurrent_empty_runs_all_register() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let db = rt.block_on(TestDb::new(Backend::Sqlite, "concurrent_empty"))?;
    let krate = MigrationCrate::new("concurrent_empty")?;
    let results = together(6, &db.url, &krate, Entities::new, true);
    for r in &results {
        assert!(r.is_ok(), "{r:?}");
    }
    let registered = MigrationDir::new(&krate.root).registered()?;
    assert_eq!(registered.len(), 6, "{registered:?}");
    assert_eq!(migration_files(&krate), registered);
    // In order: the list is sorted, and each run numbered its file after the one before.
    let mut sorted = registered.clone();
    sorted.sort();
    assert_eq!(sorted, registered);
    assert!(!krate.root.join(LOCK_FILE).exists());
    Ok(())
}

/// Runs that compare the entities with the database: the first writes the migration; the
/// others, which run after it, find it registered and not applied, and refuse, writing nothing.
async fn concurrent_runs(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    let results = tokio::task::block_in_place(|| together(4, &db.url, &krate, entities::v1, false));
    let written = results
        .iter()
        .filter(|r| matches!(r, Ok(Outcome::Written { .. })))
        .count();
    assert_eq!(written, 1, "{results:#?}");
    for r in &results {
        if let Err(e) = r {
            let msg = format!("{e:#}");
            assert!(
                msg.contains("the database is behind the migration directory"),
                "{msg}"
            );
        }
    }
    let registered = MigrationDir::new(&krate.root).registered()?;
    assert_eq!(registered.len(), 1, "{registered:?}");
    assert_eq!(migration_files(&krate), registered);
    // And the one written applies.
    krate.run(&db, &["up"])?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_concurrent_runs() -> anyhow::Result<()> {
    concurrent_runs(Backend::Sqlite, "sqlite_concurrent").await
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_concurrent_runs() -> anyhow::Result<()> {
    concurrent_runs(Backend::Postgres, "postgres_concurrent").await
}
