//! makemigration end to end, on each backend: entities v1 → makemigration → up → entities v2 →
//! makemigration → up → no changes → down → the schema is v1's again → up → no changes.
//! The generated migrations are compiled and run by a real migration crate.
use automigrate::commands::Outcome;
use automigrate_core::{Backend, diff};
use automigrate_e2e::{MigrationCrate, TestDb, column_order_free, entities, written};

async fn round_trip(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;

    // v1: everything is new.
    let (first, summary) = written(
        krate
            .makemigration(&db, &entities::v1(), "create tables")
            .await?,
    );
    // The same plan on every backend: the enum type is PostgreSQL's, made by the migration
    // wherever it was generated.
    let expected = vec![
        "+ enum user_role (admin, member)",
        "+ table old_logs (2 columns)",
        "+ table users (5 columns)",
        "+ table posts (4 columns)",
    ];
    assert_eq!(summary, expected);
    assert!(first.ends_with("_create_tables"), "{first}");
    krate.run(&db, &["up"])?;
    assert!(
        matches!(
            krate.makemigration(&db, &entities::v1(), "again").await?,
            Outcome::NoChanges
        ),
        "phantom diff right after applying v1:\n{:#?}",
        diff(&db.schema().await?, &entities::v1().schema(backend)?)
    );
    let v1_schema = db.schema().await?;

    // Rows written under v1 survive the non-destructive parts of v2.
    db.execute(
        "INSERT INTO users (email, name, legacy_flag, role) VALUES ('ada@example.com', 'Ada', TRUE, 'admin')",
    )
    .await?;

    // v2: add a table and a column, drop a column and a table.
    let (second, summary) = written(
        krate
            .makemigration(&db, &entities::v2(), "v2 changes")
            .await?,
    );
    assert_eq!(
        summary,
        vec![
            "+ table comments (4 columns)",
            "+ column users.bio (text, null)"
                .replace(
                    "text",
                    &entities::v2().schema(backend)?.tables["users"]
                        .column("bio")
                        .unwrap()
                        .sql_type
                )
                .as_str(),
            &format!(
                "- column users.legacy_flag ({}, not null, default FALSE)  DATA LOSS: the column and its values are dropped",
                v1_schema.tables["users"]
                    .column("legacy_flag")
                    .unwrap()
                    .sql_type
            ),
            "- table old_logs (2 columns)  DATA LOSS: the table and its rows are dropped",
        ]
    );
    let source = krate.file(&second)?;
    assert!(
        source.contains("// REVIEW(drop-table): dropping table `old_logs` deletes all of its rows"),
        "{source}"
    );
    assert!(
        source
            .contains("// REVIEW(drop-column): dropping `users.legacy_flag` deletes the values it"),
        "{source}"
    );

    krate.run(&db, &["up"])?;
    let after_up = db.schema().await?;
    assert!(
        diff(&after_up, &entities::v2().schema(backend)?).is_empty(),
        "phantom diff right after applying v2:\n{:#?}",
        diff(&after_up, &entities::v2().schema(backend)?)
    );
    assert!(matches!(
        krate.makemigration(&db, &entities::v2(), "again").await?,
        Outcome::NoChanges
    ));
    let conn = db.connect().await?;
    use sea_orm::{ConnectionTrait, Statement};
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT name FROM users WHERE email = 'ada@example.com'",
        ))
        .await?
        .expect("the row written under v1 is still there");
    assert_eq!(row.try_get_by_index::<String>(0)?, "Ada");
    conn.close().await?;

    // down: back to exactly v1's schema.
    krate.run(&db, &["down"])?;
    let after_down = db.schema().await?;
    assert!(
        diff(&after_down, &v1_schema).is_empty(),
        "{:#?}",
        diff(&after_down, &v1_schema)
    );
    assert_eq!(
        column_order_free(after_down),
        column_order_free(v1_schema.clone())
    );

    // and up again.
    krate.run(&db, &["up"])?;
    assert!(matches!(
        krate.makemigration(&db, &entities::v2(), "again").await?,
        Outcome::NoChanges
    ));
    let status = krate.run(&db, &["status"])?;
    assert!(
        status.contains(&format!("Migration '{first}'... Applied")),
        "{status}"
    );
    assert!(
        status.contains(&format!("Migration '{second}'... Applied")),
        "{status}"
    );

    // --empty writes a migration to fill in by hand, which compiles and applies as it is.
    let empty = automigrate::commands::makemigration(
        &automigrate::commands::Project {
            database_url: &db.url,
            migration_dir: &krate.root,
            entities: &entities::v2(),
            config: Default::default(),
        },
        "backfill slugs",
        automigrate::commands::MakeOptions {
            empty: true,
            ..Default::default()
        },
    )
    .await?;
    let (third, summary) = written(empty);
    assert!(
        third.ends_with("_backfill_slugs") && summary.is_empty(),
        "{third}"
    );
    krate.run(&db, &["up"])?;
    let status = krate.run(&db, &["status"])?;
    assert!(
        status.contains(&format!("Migration '{third}'... Applied")),
        "{status}"
    );

    // refresh: every migration down, then up again; the first one's down drops everything it
    // created (tables and, on PostgreSQL, the enum type).
    krate.run(&db, &["refresh"])?;
    assert!(matches!(
        krate.makemigration(&db, &entities::v2(), "again").await?,
        Outcome::NoChanges
    ));
    krate.run(&db, &["reset"])?;
    assert!(
        db.schema().await?.tables.is_empty(),
        "reset left tables behind"
    );
    assert!(
        db.schema().await?.enums.is_empty(),
        "reset left enum types behind"
    );
    Ok(())
}

#[tokio::test]
async fn sqlite_round_trip() -> anyhow::Result<()> {
    round_trip(Backend::Sqlite, "sqlite_round_trip").await
}

#[tokio::test]
async fn postgres_round_trip() -> anyhow::Result<()> {
    round_trip(Backend::Postgres, "postgres_round_trip").await
}

#[tokio::test]
async fn mysql_round_trip() -> anyhow::Result<()> {
    round_trip(Backend::MySql, "mysql_round_trip").await
}

/// Issue 15, item 14: a migration module declared with `#[path = "…"]` under another name is
/// known by the name it records in the history (its file's), so that once applied it is not
/// reported as pending (nor its history row as unknown), and the next migration is made.
#[tokio::test]
async fn a_module_declared_with_a_path() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "path_module").await?;
    let krate = MigrationCrate::new("path_module")?;
    let (first, _) = written(krate.makemigration(&db, &entities::v1(), "v1").await?);
    // Move the file under `src/migrations/` and declare it as `mod v1` with its path.
    let src = krate.root.join("src");
    std::fs::create_dir(src.join("migrations"))?;
    std::fs::rename(
        src.join(format!("{first}.rs")),
        src.join("migrations").join(format!("{first}.rs")),
    )?;
    let lib = std::fs::read_to_string(src.join("lib.rs"))?
        .replace(
            &format!("mod {first};"),
            &format!("#[path = \"migrations/{first}.rs\"]\nmod v1;"),
        )
        .replace(&format!("{first}::Migration"), "v1::Migration");
    std::fs::write(src.join("lib.rs"), lib)?;
    krate.run(&db, &["up"])?;
    assert!(
        krate
            .run(&db, &["status"])?
            .contains(&format!("Migration '{first}'... Applied"))
    );
    assert!(matches!(
        krate.makemigration(&db, &entities::v1(), "again").await?,
        Outcome::NoChanges
    ));
    let (second, _) = written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    assert!(second > first, "{second} sorts after {first}");
    krate.run(&db, &["up"])?;
    Ok(())
}
