//! On PostgreSQL each migration runs in a transaction: one whose second statement fails leaves
//! the schema and the history exactly as they were.
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, entities, written};

#[tokio::test]
async fn postgres_failed_migration_changes_nothing() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Postgres, "pg_txn").await?;
    let krate = MigrationCrate::new("postgres_transaction")?;
    written(krate.makemigration(&db, &entities::v1(), "v1").await?);
    krate.run(&db, &["up"])?;

    // A generated migration whose second statement fails: v2 creates `comments` first; its
    // ALTER of `users` is made to add `bio`, which the database already has.
    db.execute("ALTER TABLE users ADD COLUMN bio text").await?;
    let (name, _) = written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    let path = krate.root.join("src").join(format!("{name}.rs"));
    let source = std::fs::read_to_string(&path)?;
    let drop = ".drop_column(\"legacy_flag\")";
    assert!(source.contains(drop), "{source}");
    let source = source.replacen(
        drop,
        &format!("{drop}.add_column(ColumnDef::new(\"bio\").text())"),
        1,
    );
    std::fs::write(&path, source)?;
    let with_bio = db.schema().await?;

    let err = krate
        .run(&db, &["up"])
        .expect_err("the migration must fail");
    assert!(err.to_string().contains("bio"), "{err}");
    assert_eq!(
        db.schema().await?,
        with_bio,
        "a failed migration left changes behind"
    );
    assert!(!with_bio.tables.contains_key("comments"));
    let status = krate.run(&db, &["status"])?;
    assert!(
        status.contains(&format!("Migration '{name}'... Pending")),
        "{status}"
    );
    Ok(())
}

/// SQLite runs no migration in a transaction, but each table rebuild is one of its own: a
/// rebuild that fails part way (here the copy of a NULL into a column made NOT NULL) leaves the
/// table, its rows and the rest of the schema as they were, and no half-built table behind.
#[tokio::test]
async fn sqlite_failed_rebuild_changes_nothing() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "sqlite_txn").await?;
    let krate = MigrationCrate::new("sqlite_transaction")?;
    written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    krate.run(&db, &["up"])?;
    db.execute("INSERT INTO users (email, name, role, bio) VALUES ('ada@example.com', 'Ada', 'admin', NULL)")
        .await?;
    let before = db.schema().await?;

    // v3 makes users.bio NOT NULL: the rebuild's copy fails on Ada's NULL.
    let (name, summary) = written(krate.makemigration(&db, &entities::v3(), "v3").await?);
    assert!(
        summary.iter().any(|l| l.starts_with("~ column users.bio")),
        "{summary:#?}"
    );
    let err = krate.run(&db, &["up"]).expect_err("the rebuild must fail");
    assert!(err.to_string().contains("NOT NULL"), "{err}");
    let after = db.schema().await?;
    assert!(
        !after.tables.keys().any(|t| t.starts_with("users__")),
        "a half-built table is left"
    );
    assert_eq!(
        after.tables.get("users"),
        before.tables.get("users"),
        "the failed rebuild changed users"
    );
    let conn = db.connect().await?;
    use sea_orm::ConnectionTrait;
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT name FROM users",
        ))
        .await?;
    assert_eq!(rows.len(), 1);
    conn.close().await?;
    let status = krate.run(&db, &["status"])?;
    assert!(
        status.contains(&format!("Migration '{name}'... Pending")),
        "{status}"
    );
    Ok(())
}
