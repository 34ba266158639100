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
    let source = source.replacen(
        ".drop_column(\"legacy_flag\")",
        ".drop_column(\"legacy_flag\").add_column(ColumnDef::new(\"bio\").text())",
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
