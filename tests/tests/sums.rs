//! `automigrate.sum` (issue 16, item 2): `makemigration` records each migration file; a
//! migration edited by one character after it was applied makes `makemigration`, `cargo xtask
//! check` and the runner's `up` refuse, naming the file, and `status` show it, until `cargo
//! xtask rehash` records it again on purpose. Two branches that each add a migration conflict in
//! git on the sum file.
use std::process::Command;

use automigrate::cli::run_args_to;
use automigrate::commands::{self, Project};
use automigrate::migdir::MigrationDir;
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, entities, git, written, xtask_binary};

/// `cargo xtask <args>` on the crate, through the library (on a thread of its own: it starts its
/// own runtime): exit code and standard output.
async fn xtask(db: &TestDb, krate: &MigrationCrate, args: &[&str]) -> (u8, String) {
    let mut argv = vec![
        "xtask".to_string(),
        "--database-url".into(),
        db.url.clone(),
        "--migration-dir".into(),
        krate.root.display().to_string(),
    ];
    argv.extend(args.iter().map(|a| a.to_string()));
    xtask_args(argv).await
}

async fn xtask_args(argv: Vec<String>) -> (u8, String) {
    tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let code = run_args_to(argv, &entities::v2(), &mut out);
        (code, String::from_utf8(out).unwrap())
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn an_edited_migration_is_refused_until_it_is_recorded_again() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "sums_edit").await?;
    let krate = MigrationCrate::with_runner("sums_edit")?;
    let sum_file = krate.root.join("automigrate.sum");

    // makemigration records each migration, in order, after a first line over all of them.
    let (first, _) = written(krate.makemigration(&db, &entities::v1(), "v1").await?);
    let sums = std::fs::read_to_string(&sum_file)?;
    let lines: Vec<&str> = sums.lines().collect();
    assert_eq!(lines.len(), 2, "{sums}");
    assert!(lines[0].starts_with("h1:"), "{sums}");
    assert!(lines[1].starts_with(&format!("{first} h1:")), "{sums}");
    let out = krate.run(&db, &["up"])?;
    assert!(
        out.contains(&format!("Applied 1 migration(s): {first}")),
        "{out}"
    );
    let (second, _) = written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    let sums = std::fs::read_to_string(&sum_file)?;
    assert_eq!(sums.lines().count(), 3, "{sums}");
    assert!(
        sums.lines().nth(1).unwrap() == lines[1],
        "the first migration's line stays"
    );
    assert!(sums.lines().nth(2).unwrap().starts_with(&second), "{sums}");
    let status = krate.run(&db, &["status"])?;
    assert!(
        status.contains("automigrate.sum: 2 migration(s) as recorded in "),
        "{status}"
    );

    // The applied migration edited by one character.
    let path = krate.root.join("src").join(format!("{first}.rs"));
    let source = std::fs::read_to_string(&path)?;
    std::fs::write(&path, source.replacen("//! ", "//!  ", 1))?;
    let named = format!("{first}.rs: changed since it was recorded");

    // The runner's `up` refuses, naming it, and applies nothing.
    let err = krate
        .run(&db, &["up"])
        .expect_err("up must refuse an edited migration")
        .to_string();
    assert!(
        err.contains(&named)
            && err.contains("Nothing was applied")
            && err.contains("cargo xtask rehash"),
        "{err}"
    );
    let status = krate.run(&db, &["status"])?;
    assert!(
        status.contains(&format!("Migration '{second}'... Pending")),
        "{status}"
    );
    assert!(
        status.contains("the migration files differ from what") && status.contains(&named),
        "{status}"
    );

    // `check` refuses (exit 2), naming it: through the library and the xtask binary.
    assert_eq!(xtask(&db, &krate, &["check"]).await.0, 2);
    let dir = krate.root.display().to_string();
    let run = Command::new(xtask_binary()?)
        .args(["check", "--database-url", &db.url, "--migration-dir", &dir])
        .output()?;
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&named) && stderr.contains("Nothing was compared"),
        "{stderr}"
    );

    // makemigration refuses too (it would record the edit), writing nothing.
    let before = std::fs::read_to_string(&sum_file)?;
    let err = commands::makemigration(
        &Project {
            database_url: &db.url,
            migration_dir: &krate.root,
            entities: &entities::v2(),
            config: Default::default(),
        },
        "more",
        commands::MakeOptions {
            empty: true,
            ..Default::default()
        },
    )
    .await
    .expect_err("makemigration must refuse");
    assert!(format!("{err:#}").contains(&named), "{err:#}");
    assert_eq!(std::fs::read_to_string(&sum_file)?, before);
    assert_eq!(MigrationDir::new(&krate.root).registered()?.len(), 2);

    // Recorded again on purpose: rehash says what it records, and everything accepts it.
    let (code, out) = xtask(&db, &krate, &["rehash"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Recorded again:") && out.contains(&named) && out.contains("Wrote "),
        "{out}"
    );
    let (code, out) = xtask(&db, &krate, &["rehash"]).await;
    assert_eq!((code, out.contains("is up to date")), (0, true), "{out}");
    let out = krate.run(&db, &["up"])?;
    assert!(
        out.contains(&format!("Applied 1 migration(s): {second}")),
        "{out}"
    );
    let (code, out) = xtask(&db, &krate, &["check"]).await;
    assert_eq!(code, 0, "{out}");
    let status = krate.run(&db, &["status"])?;
    assert!(
        status.contains("automigrate.sum: 2 migration(s) as recorded"),
        "{status}"
    );

    // A migration registered by hand, not recorded: refused the same way until rehash.
    let name = "m20990101_000000_by_hand";
    let lib = krate.root.join("src/lib.rs");
    let text = automigrate::migdir::register(&std::fs::read_to_string(&lib)?, name)?;
    std::fs::write(&lib, text)?;
    std::fs::write(
        krate.root.join("src").join(format!("{name}.rs")),
        "use sea_orm_migration::prelude::*;\n\n#[derive(DeriveMigrationName)]\npub struct Migration;\n\n\
         #[async_trait::async_trait]\nimpl MigrationTrait for Migration {\n    \
         async fn up(&self, _: &SchemaManager) -> Result<(), DbErr> {\n        Ok(())\n    }\n}\n",
    )?;
    let err = krate
        .run(&db, &["up"])
        .expect_err("not recorded")
        .to_string();
    assert!(err.contains(&format!("{name}.rs: not recorded")), "{err}");
    assert_eq!(xtask(&db, &krate, &["rehash"]).await.0, 0);
    let out = krate.run(&db, &["up"])?;
    assert!(
        out.contains(&format!("Applied 1 migration(s): {name}")),
        "{out}"
    );
    Ok(())
}

/// A project from before automigrate.sum: nothing is recorded and nothing refused; `status`
/// says so, and the first `rehash` (or `makemigration`) writes the file.
#[tokio::test]
async fn without_a_sum_file_nothing_is_refused() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "sums_none").await?;
    let krate = MigrationCrate::with_runner("sums_none")?;
    written(krate.makemigration(&db, &entities::v1(), "v1").await?);
    let sum_file = krate.root.join("automigrate.sum");
    std::fs::remove_file(&sum_file)?;
    krate.run(&db, &["up"])?;
    let status = krate.run(&db, &["status"])?;
    assert!(
        status.contains("automigrate.sum: no ") && status.contains("cargo xtask rehash"),
        "{status}"
    );
    let dir = krate.root.display().to_string();
    let (code, out) = xtask_args(vec![
        "xtask".into(),
        "--migration-dir".into(),
        dir,
        "rehash".into(),
    ])
    .await;
    assert_eq!(code, 0, "{out}");
    assert!(sum_file.is_file());
    let status = krate.run(&db, &["status"])?;
    assert!(
        status.contains("automigrate.sum: 1 migration(s) as recorded"),
        "{status}"
    );
    Ok(())
}

fn migration(title: &str) -> String {
    format!(
        "//! {title}\nuse sea_orm_migration::prelude::*;\n\n#[derive(DeriveMigrationName)]\n\
         pub struct Migration;\n"
    )
}

/// Two branches from the same base each add a migration (with its sum) the way makemigration
/// writes them: merging them conflicts on automigrate.sum, and once lib.rs is merged, rehash
/// records both.
#[test]
fn two_branches_that_add_migrations_conflict_on_the_sum_file() -> anyhow::Result<()> {
    let repo = tempfile::tempdir()?;
    let root = repo.path();
    std::fs::create_dir(root.join("src"))?;
    std::fs::write(
        root.join("src/lib.rs"),
        "pub use sea_orm_migration::prelude::*;\n\npub struct Migrator;\n\n\
         #[async_trait::async_trait]\nimpl MigratorTrait for Migrator {\n    \
         fn migrations() -> Vec<Box<dyn MigrationTrait>> {\n        vec![]\n    }\n}\n",
    )?;
    let dir = MigrationDir::new(root);
    dir.add("m20260101_000000_base", &migration("base"))?;
    let ok = |r: anyhow::Result<(bool, String)>| -> anyhow::Result<String> {
        let (ok, text) = r?;
        anyhow::ensure!(ok, "git failed: {text}");
        Ok(text)
    };
    ok(git(root, &["init", "-q"]))?;
    ok(git(root, &["add", "."]))?;
    ok(git(root, &["commit", "-q", "-m", "base"]))?;
    for branch in ["a", "b"] {
        ok(git(root, &["checkout", "-q", "-b", branch, "main"]))?;
        dir.add(
            &format!(
                "m2026010{}_000000_{branch}",
                if branch == "a" { 2 } else { 3 }
            ),
            &migration(branch),
        )?;
        ok(git(root, &["add", "."]))?;
        ok(git(root, &["commit", "-q", "-m", branch]))?;
    }
    ok(git(root, &["checkout", "-q", "a"]))?;
    let (merged, text) = git(root, &["merge", "--no-edit", "b"])?;
    assert!(!merged, "the merge must conflict: {text}");
    let conflicted = ok(git(root, &["diff", "--name-only", "--diff-filter=U"]))?;
    assert!(
        conflicted.lines().any(|l| l == "automigrate.sum"),
        "{conflicted}"
    );

    // Until it is written again, the sum file's conflict is a problem (the files themselves
    // are each as one side recorded them).
    let lib = "pub use sea_orm_migration::prelude::*;\n\nmod m20260101_000000_base;\n\
               mod m20260102_000000_a;\nmod m20260103_000000_b;\n\npub struct Migrator;\n\n\
               #[async_trait::async_trait]\nimpl MigratorTrait for Migrator {\n    \
               fn migrations() -> Vec<Box<dyn MigrationTrait>> {\n        vec![\n            \
               Box::new(m20260101_000000_base::Migration),\n            \
               Box::new(m20260102_000000_a::Migration),\n            \
               Box::new(m20260103_000000_b::Migration),\n        ]\n    }\n}\n";
    std::fs::write(root.join("src/lib.rs"), lib)?;
    let v = dir.verify_sums()?;
    assert_eq!(
        v.problems,
        vec![automigrate::migdir::sums::Problem::Conflicted],
        "{v:?}"
    );
    let mut out = Vec::new();
    let rt = root.display().to_string();
    assert_eq!(
        run_args_to(
            ["xtask", "--migration-dir", &rt, "rehash"],
            &automigrate::Entities::new(),
            &mut out
        ),
        0
    );
    let v = dir.verify_sums()?;
    assert!(v.is_ok() && v.migrations == 3, "{v:?}");
    let sums = std::fs::read_to_string(root.join("automigrate.sum"))?;
    assert!(
        !sums.contains("<<<<<<<") && sums.lines().count() == 4,
        "{sums}"
    );
    Ok(())
}
