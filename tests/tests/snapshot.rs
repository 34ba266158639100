//! The declared-schema snapshot: what the entities never declared is left alone; what they
//! declared and stop declaring is removed.
use automigrate::commands::{self, Outcome, Project};
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, entities, written};

async fn snapshot(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    let snapshot = std::fs::read_to_string(krate.root.join("automigrate.snapshot"))?;
    assert!(snapshot.contains("\nindex posts (title)\n"), "{snapshot}");
    assert!(
        snapshot.contains("\nunique index users (email)\n"),
        "{snapshot}"
    );
    assert!(
        snapshot.contains("\ndefault comments.posted_at\n"),
        "{snapshot}"
    );
    krate.run(&db, &["up"])?;

    // Made by hand, never declared: an index, a unique index and a default.
    db.execute("CREATE INDEX users_name_by_hand ON users (name)")
        .await?;
    db.execute("CREATE UNIQUE INDEX posts_user_title_by_hand ON posts (user_id, title)")
        .await?;
    db.execute(match backend {
        Backend::MySql => "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'anonymous'",
        Backend::Postgres => "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'anonymous'",
        Backend::Sqlite => "CREATE INDEX users_role_by_hand ON users (role)",
    })
    .await?;
    assert!(matches!(
        krate.makemigration(&db, &entities::v2(), "nothing").await?,
        Outcome::NoChanges
    ));
    let v2 = entities::v2();
    let analysis = commands::analyze(&Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities: &v2,
        config: Default::default(),
    })
    .await?;
    let notes = analysis.unmanaged.join("\n");
    assert!(
        notes.contains("users: index users_name_by_hand (name), not declared"),
        "{notes}"
    );
    assert!(
        notes.contains("posts: unique index posts_user_title_by_hand (user_id, title)"),
        "{notes}"
    );
    if backend != Backend::Sqlite {
        assert!(
            notes.contains("users.name: default 'anonymous', not declared"),
            "{notes}"
        );
    }

    // With the ownership switches on, exactly the hand-made objects of those kinds go.
    for (kind, expected) in [
        ("indexes", "- index on users (name)"),
        ("uniques", "- unique index on posts (user_id, title)"),
    ] {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join(automigrate::config::Config::FILE);
        std::fs::write(&path, format!("owns = [\"{kind}\"]"))?;
        let owned = Project {
            database_url: &db.url,
            migration_dir: &krate.root,
            entities: &v2,
            config: automigrate::config::Config::load(&path)?,
        };
        let analysis = commands::analyze(&owned).await?;
        let summary: Vec<String> = analysis.plan.changes.iter().map(|c| c.summary()).collect();
        let mut expected = vec![expected.to_string()];
        if backend == Backend::Sqlite && kind == "indexes" {
            expected.insert(1, "- index on users (role)".to_string());
        }
        assert_eq!(summary, expected, "owns = [{kind}]");
    }
    if backend != Backend::Sqlite {
        let config = automigrate::config::Config {
            owns: vec!["defaults".into()],
            ..Default::default()
        };
        let owned = Project {
            database_url: &db.url,
            migration_dir: &krate.root,
            entities: &v2,
            config,
        };
        let analysis = commands::analyze(&owned).await?;
        let summary: Vec<String> = analysis.plan.changes.iter().map(|c| c.summary()).collect();
        assert_eq!(summary.len(), 1, "{summary:?}");
        assert!(summary[0].starts_with("~ column users.name"), "{summary:?}");
    }

    // v3 stops declaring posts.title's index (it makes it unique instead): that index was the
    // entities' own, so it goes; the hand-made ones stay.
    let (_, summary) = written(krate.makemigration(&db, &entities::v3(), "v3").await?);
    let summary = summary.join("\n");
    assert!(summary.contains("- index on posts (title)"), "{summary}");
    assert!(
        !summary.contains("users_name_by_hand") && !summary.contains("(user_id, title)"),
        "{summary}"
    );
    krate.run(&db, &["up"])?;
    let live = db.schema().await?;
    assert!(
        live.tables["users"]
            .indexes
            .iter()
            .any(|i| i.name.as_deref() == Some("users_name_by_hand")),
        "{:#?}",
        live.tables["users"]
    );
    Ok(())
}

#[tokio::test]
async fn sqlite_snapshot() -> anyhow::Result<()> {
    snapshot(Backend::Sqlite, "sqlite_snapshot").await
}

#[tokio::test]
async fn postgres_snapshot() -> anyhow::Result<()> {
    snapshot(Backend::Postgres, "postgres_snapshot").await
}

#[tokio::test]
async fn mysql_snapshot() -> anyhow::Result<()> {
    snapshot(Backend::MySql, "mysql_snapshot").await
}
