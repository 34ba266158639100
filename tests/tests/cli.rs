//! The command line as a user runs it: `check`, `diff`, `makemigration --dry-run`, and exit
//! codes, on a real SQLite database.
use automigrate::cli::{run_args, run_args_to};
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

/// Issue 15, item 16: with no changes, `makemigration` also lists what the entities do not
/// manage, as `diff` and `check` do.
#[test]
fn no_changes_lists_what_is_left_alone() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let db = rt.block_on(TestDb::new(Backend::Sqlite, "cli_left_alone"))?;
    let krate = MigrationCrate::new("cli_left_alone")?;
    rt.block_on(db.execute("CREATE VIEW by_hand AS SELECT 1 AS one"))?;
    let none = automigrate::Entities::new();
    let dir = krate.root.display().to_string();
    for command in [
        &["makemigration", "nothing to do"][..],
        &["check"],
        &["diff"],
    ] {
        let mut argv = vec!["xtask", "--database-url", &db.url, "--migration-dir", &dir];
        argv.extend_from_slice(command);
        let mut out = Vec::new();
        assert_eq!(run_args_to(argv, &none, &mut out), 0, "{command:?}");
        let out = String::from_utf8(out)?;
        assert_eq!(
            out,
            "No changes detected: the database matches the entities.\n\n\
             Not managed by the entities, left alone (1):\n  view by_hand\n",
            "{command:?}"
        );
    }
    assert_eq!(files(&krate), ["lib.rs", "main.rs"]);
    Ok(())
}

/// Issue 15, item 14: `cargo xtask check | head -1` must not panic when the reader goes away:
/// the exit code is the one without the pipe (1: differences).
#[test]
fn a_closed_standard_output_keeps_the_exit_code() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let db = rt.block_on(TestDb::new(Backend::Sqlite, "cli_pipe"))?;
    let krate = MigrationCrate::new("cli_pipe")?;
    let xtask = xtask_binary()?;
    let dir = krate.root.display().to_string();
    let run = |args: &[&str]| -> anyhow::Result<(Option<i32>, String)> {
        // A pipe whose reader is gone before the command writes anything.
        let (reader, writer) = std::io::pipe()?;
        drop(reader);
        let out = std::process::Command::new(&xtask)
            .args(["--database-url", &db.url, "--migration-dir", &dir])
            .args(args)
            .stdout(writer)
            .output()?;
        Ok((
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    };
    // The database is empty: the example's entities differ from it.
    let (code, stderr) = run(&["check"])?;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let (code, stderr) = run(&["diff"])?;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
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

/// A list kept by hand that knows the crate's entities (automigrate-discover's names) names the
/// ones it leaves out; a plain list checks nothing.
#[test]
fn a_list_that_leaves_out_an_entity_names_it() {
    let names = [
        "automigrate_e2e::entities::v2::user::Entity",
        "automigrate_e2e::entities::v2::comment::Entity",
    ];
    let partial = automigrate::Entities::discovered(&names).entity(entities::v2::user::Entity);
    assert_eq!(partial.unlisted(), [names[1]]);
    let full = automigrate::Entities::discovered(&names)
        .entity(entities::v2::user::Entity)
        .entity(entities::v2::comment::Entity);
    assert!(full.unlisted().is_empty());
    assert!(
        entities::v2().unlisted().is_empty(),
        "a plain list checks nothing"
    );
}
