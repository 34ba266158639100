//! `automigrate.toml`: excluded tables are never compared nor proposed for dropping.
use automigrate::commands::{self, MakeOptions, Outcome, Project};
use automigrate::config::Config;
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, entities, written};

#[tokio::test]
async fn excluded_tables_are_left_alone() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Postgres, "exclude").await?;
    let krate = MigrationCrate::new("config_exclude")?;
    written(krate.makemigration(&db, &entities::v1(), "v1").await?);
    krate.run(&db, &["up"])?;
    db.execute("CREATE TABLE spatial_ref_sys (srid integer PRIMARY KEY)")
        .await?;
    db.execute("CREATE TABLE queue_jobs (id integer PRIMARY KEY)")
        .await?;

    // Without configuration, both are proposed for dropping.
    let v1 = entities::v1();
    let mut project = Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities: &v1,
        config: Config::default(),
    };
    let dry = MakeOptions {
        dry_run: true,
        ..Default::default()
    };
    match commands::makemigration(&project, "x", dry.clone()).await? {
        Outcome::DryRun { report, .. } => {
            let report = report.join("\n");
            assert!(report.contains("- table spatial_ref_sys"), "{report}");
            assert!(report.contains("- table queue_jobs"), "{report}");
        }
        other => panic!("{other:?}"),
    }

    project.config = toml_config(r#"exclude_tables = ["spatial_ref_sys", "queue_*"]"#);
    assert!(matches!(
        commands::makemigration(&project, "x", dry).await?,
        Outcome::NoChanges
    ));

    // An entity may not declare an excluded table.
    project.config = toml_config(r#"exclude_tables = ["users"]"#);
    let err = commands::makemigration(&project, "x", MakeOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("declare table `users`"), "{err}");
    Ok(())
}

fn toml_config(text: &str) -> Config {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Config::FILE);
    std::fs::write(&path, text).unwrap();
    Config::load(&path).unwrap()
}

#[tokio::test]
async fn a_custom_history_table() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "history").await?;
    let krate = MigrationCrate::new("config_history")?;
    let lib = krate.root.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib)?;
    std::fs::write(
        &lib,
        automigrate::migdir::register(&text, "m20200101_000000_init")?,
    )?;
    std::fs::write(
        krate.root.join("src/m20200101_000000_init.rs"),
        "// applied\n",
    )?;
    db.execute(
        "CREATE TABLE app_migrations (version varchar NOT NULL PRIMARY KEY, applied_at bigint NOT NULL); \
         INSERT INTO app_migrations VALUES ('m20200101_000000_init', 0);",
    )
    .await?;
    let v1 = entities::v1();
    let mut project = Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities: &v1,
        config: Config::default(),
    };
    // Without the setting, the history looks empty (the migration pending) and
    // `app_migrations` looks like a table to drop.
    let err = commands::makemigration(&project, "x", MakeOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("1 pending migration(s)"), "{err}");
    project.config = toml_config(r#"history_table = "app_migrations""#);
    match commands::makemigration(
        &project,
        "x",
        MakeOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .await?
    {
        Outcome::DryRun { report, .. } => {
            assert!(!report.join("\n").contains("app_migrations"), "{report:?}");
        }
        other => panic!("{other:?}"),
    }
    Ok(())
}
