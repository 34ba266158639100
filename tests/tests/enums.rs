//! Enum values added: `ALTER TYPE … ADD VALUE` on PostgreSQL, a column change on MySQL (whose
//! enums are column types), nothing on SQLite (which stores them as text). `down` removes the
//! value again, which PostgreSQL can only do by recreating the type.
use automigrate::commands::Outcome;
use automigrate_core::{Backend, diff};
use automigrate_e2e::{MigrationCrate, TestDb, column_order_free, entities, written};

async fn enum_values(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    krate.run(&db, &["up"])?;
    db.execute("INSERT INTO users (email, name, role) VALUES ('ada@example.com', 'Ada', 'member')")
        .await?;
    let v2_schema = db.schema().await?;

    let outcome = krate
        .makemigration(&db, &entities::v5(), "add editor")
        .await?;
    if backend == Backend::Sqlite {
        assert!(matches!(outcome, Outcome::NoChanges), "{outcome:?}");
        return Ok(());
    }
    let (name, summary) = written(outcome);
    match backend {
        Backend::Postgres => {
            assert_eq!(summary, vec!["~ enum user_role + (editor)"]);
            let source: String = krate.file(&name)?.split_whitespace().collect();
            assert!(
                source.contains(r#".add_value("editor").before("member")"#),
                "{source}"
            );
            assert!(
                source.contains(r#".rename_to("user_role__old")"#),
                "{source}"
            );
        }
        _ => assert!(summary[0].starts_with("~ column users.role"), "{summary:?}"),
    }
    krate.run(&db, &["up"])?;
    let live = db.schema().await?;
    let declared = entities::v5().schema(backend)?;
    assert!(
        diff(&live, &declared).is_empty(),
        "{:#?}",
        diff(&live, &declared)
    );
    db.execute("INSERT INTO users (email, name, role) VALUES ('bob@example.com', 'Bob', 'admin')")
        .await?;

    krate.run(&db, &["down"])?;
    assert_eq!(
        column_order_free(db.schema().await?),
        column_order_free(v2_schema)
    );
    Ok(())
}

#[tokio::test]
async fn sqlite_enum_values() -> anyhow::Result<()> {
    enum_values(Backend::Sqlite, "sqlite_enum_values").await
}

#[tokio::test]
async fn postgres_enum_values() -> anyhow::Result<()> {
    enum_values(Backend::Postgres, "postgres_enum_values").await
}

#[tokio::test]
async fn mysql_enum_values() -> anyhow::Result<()> {
    enum_values(Backend::MySql, "mysql_enum_values").await
}
