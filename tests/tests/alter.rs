//! Altering what exists, end to end on each backend, with rows in the tables: column types,
//! nullability and defaults, an index made unique, a foreign key's action and nullability.
//! On SQLite these go through table rebuilds. Rows survive `up` and `down`, and `down` restores
//! the schema exactly.
use automigrate::commands::Outcome;
use automigrate_core::{Backend, diff};
use automigrate_e2e::{MigrationCrate, TestDb, column_order_free, entities, written};
use sea_orm::{ConnectionTrait, Statement};

async fn rows(db: &TestDb) -> anyhow::Result<Vec<String>> {
    let conn = db.connect().await?;
    let backend = conn.get_database_backend();
    let mut out = Vec::new();
    for sql in [
        "SELECT name FROM users ORDER BY id",
        "SELECT title FROM posts ORDER BY id",
        "SELECT body FROM comments ORDER BY id",
    ] {
        for r in conn
            .query_all_raw(Statement::from_string(backend, sql))
            .await?
        {
            out.push(r.try_get_by_index::<String>(0)?);
        }
    }
    conn.close().await?;
    Ok(out)
}

async fn alter(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    krate.run(&db, &["up"])?;
    db.execute("INSERT INTO users (email, name, role, bio) VALUES ('ada@example.com', 'Ada', 'admin', 'math')")
        .await?;
    db.execute("INSERT INTO posts (user_id, title, body) VALUES (1, 'Notes', 'On the engine')")
        .await?;
    db.execute("INSERT INTO comments (post_id, body) VALUES (1, 'Splendid')")
        .await?;
    let v2_schema = db.schema().await?;
    let v2_rows = rows(&db).await?;
    assert_eq!(v2_rows, ["Ada", "Notes", "Splendid"]);

    let (third, summary) = written(
        krate
            .makemigration(&db, &entities::v3(), "v3 alters")
            .await?,
    );
    let text = summary.join("\n");
    for expected in [
        "users.name",
        "users.bio",
        "posts (title)",
        "foreign key comments (post_id)",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert_eq!(
        text.contains(r#"~ comment on table users (none -> "people who write")"#),
        backend != Backend::Sqlite,
        "{text}"
    );
    // The same operations on every backend; SQLite carries them out by rebuilding the tables
    // when the migration runs.
    let source = krate.file(&third)?;
    for op in [
        "ops::alter_column(",
        "ops::drop_foreign_key(",
        "ops::add_foreign_key(",
    ] {
        assert!(source.contains(op), "{op} missing:\n{source}");
    }
    assert!(!source.contains("PRAGMA"), "{source}");

    // The hazards are in the file, next to their statements, with the rows they concern.
    let source = krate.file(&third)?;
    let mut expected = vec!["REVIEW(set-not-null)", "REVIEW(add-unique)"];
    expected.push(match backend {
        Backend::Postgres => "REVIEW(table-rewrite)",
        Backend::MySql => "REVIEW(table-copy)",
        Backend::Sqlite => "REVIEW(table-rebuild)",
    });
    for code in expected {
        assert!(source.contains(code), "{code} missing:\n{source}");
    }
    // The foreign key only changes its action: the rows satisfy it already.
    assert!(!source.contains("REVIEW(add-foreign-key)"), "{source}");
    assert!(source.contains("has 1 row now"), "{source}");

    krate.run(&db, &["up"])?;
    let live = db.schema().await?;
    let declared = entities::v3().schema(backend)?;
    assert!(
        diff(&live, &declared).is_empty(),
        "phantom diff after v3:\n{:#?}",
        diff(&live, &declared)
    );
    assert!(matches!(
        krate.makemigration(&db, &entities::v3(), "again").await?,
        Outcome::NoChanges
    ));
    assert_eq!(
        rows(&db).await?,
        v2_rows,
        "rows changed by the v3 migration"
    );

    krate.run(&db, &["down"])?;
    let after_down = db.schema().await?;
    assert!(
        diff(&after_down, &v2_schema).is_empty(),
        "{:#?}",
        diff(&after_down, &v2_schema)
    );
    assert_eq!(column_order_free(after_down), column_order_free(v2_schema));
    assert_eq!(
        rows(&db).await?,
        v2_rows,
        "rows changed by the v3 migration's down"
    );
    Ok(())
}

#[tokio::test]
async fn sqlite_alter() -> anyhow::Result<()> {
    alter(Backend::Sqlite, "sqlite_alter").await
}

#[tokio::test]
async fn postgres_alter() -> anyhow::Result<()> {
    alter(Backend::Postgres, "postgres_alter").await
}

#[tokio::test]
async fn mysql_alter() -> anyhow::Result<()> {
    alter(Backend::MySql, "mysql_alter").await
}
