//! The command line as a user runs it: `check`, `diff`, `makemigration --dry-run`, and exit
//! codes, on a real SQLite database.
use automigrate::cli::run_args;
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, entities, xtask_binary};

fn files(krate: &MigrationCrate) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(krate.root.join("src"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn cli(db: &TestDb, krate: &MigrationCrate, args: &[&str], entities: &automigrate::Entities) -> u8 {
    let dir = krate.root.display().to_string();
    let mut argv = vec!["xtask", "--database-url", &db.url, "--migration-dir", &dir];
    argv.extend_from_slice(args);
    run_args(argv, entities)
}

#[test]
fn check_diff_and_dry_run() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let db = rt.block_on(TestDb::new(Backend::Sqlite, "cli"))?;
    let krate = MigrationCrate::new("cli_check")?;
    let v1 = entities::v1();
    let before = files(&krate);
    let lib = std::fs::read_to_string(krate.root.join("src/lib.rs"))?;

    // The database is empty: everything differs.
    let (d, k) = (&db, &krate);
    let code = cli(d, k, &["check"], &v1);
    assert_eq!(
        code, 1,
        "check must exit 1 when the entities and the database differ"
    );
    assert_eq!(cli(d, k, &["diff"], &v1), 0);
    assert_eq!(cli(d, k, &["makemigration", "--dry-run", "create"], &v1), 0);
    // None of them wrote anything.
    assert_eq!(files(&krate), before);
    assert_eq!(std::fs::read_to_string(krate.root.join("src/lib.rs"))?, lib);
    assert!(rt.block_on(db.schema())?.tables.is_empty());

    // Written and applied: check agrees.
    assert_eq!(cli(d, k, &["makemigration", "create"], &v1), 0);
    assert_eq!(files(&krate).len(), before.len() + 1);
    krate.run(&db, &["up"])?;
    assert_eq!(cli(d, k, &["check"], &v1), 0);

    // Errors exit 2: a broken URL, an unknown subcommand.
    let broken = run_args(["xtask", "--database-url", "nonsense", "check"], &v1);
    assert_eq!(broken, 2);
    assert_eq!(run_args(["xtask", "frobnicate"], &v1), 2);
    Ok(())
}

/// Issue 15, item 14: a line of `.env` that cannot be parsed is named, rather than the
/// variables after it silently missing ("DATABASE_URL is not set").
#[test]
fn a_malformed_env_line_is_named() -> anyhow::Result<()> {
    let xtask = xtask_binary()?;
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join(".env"),
        "RUST_LOG=info\nexport DATABASE_URL = 'sqlite://app.db?mode=rwc\n",
    )?;
    let out = std::process::Command::new(&xtask)
        .arg("check")
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(".env, line 2: the line of `DATABASE_URL` cannot be parsed"),
        "{stderr}"
    );
    assert!(!stderr.contains("DATABASE_URL is not set"), "{stderr}");
    assert!(!stderr.contains("sqlite://app.db"), "{stderr}");
    Ok(())
}
