//! Objects the entities cannot describe (check constraints, partial and expression indexes,
//! views, triggers) are never proposed for dropping, and are listed as not managed.
use automigrate::commands::{self, Project};
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, entities, written};

async fn unmanaged(
    backend: Backend,
    name: &str,
    sql: &[&str],
    expected: &[&str],
) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(krate.makemigration(&db, &entities::v1(), "v1").await?);
    krate.run(&db, &["up"])?;
    for s in sql {
        db.execute(s).await?;
    }
    let v1 = entities::v1();
    let analysis = commands::analyze(&Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities: &v1,
        config: Default::default(),
    })
    .await?;
    assert!(analysis.plan.is_empty(), "{:#?}", analysis.plan);
    assert_eq!(analysis.unmanaged, expected);
    assert!(
        analysis
            .report()
            .join("\n")
            .contains("Not managed by the entities, left alone"),
        "{:?}",
        analysis.report()
    );
    Ok(())
}

#[tokio::test]
async fn sqlite_unmanaged() -> anyhow::Result<()> {
    unmanaged(
        Backend::Sqlite,
        "sqlite_unmanaged",
        &[
            "CREATE INDEX posts_recent ON posts (title) WHERE id > 100",
            "CREATE INDEX users_lower_email ON users (lower(email))",
            "CREATE VIEW admins AS SELECT * FROM users WHERE role = 'admin'",
            "CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN SELECT 1; END",
        ],
        &[
            "posts: index posts_recent (partial or on an expression)",
            "users: index users_lower_email (partial or on an expression)",
            "users: trigger users_touch",
            "view admins",
        ],
    )
    .await
}

#[tokio::test]
async fn postgres_unmanaged() -> anyhow::Result<()> {
    unmanaged(
        Backend::Postgres,
        "postgres_unmanaged",
        &[
            "ALTER TABLE users ADD CONSTRAINT name_not_blank CHECK (name <> '')",
            "CREATE INDEX posts_recent ON posts (title) WHERE id > 100",
            "CREATE INDEX users_lower_email ON users (lower(email))",
            "CREATE VIEW admins AS SELECT * FROM users WHERE role = 'admin'",
            "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()",
        ],
        &[
            "posts: index posts_recent (partial or on an expression)",
            "users: check constraint name_not_blank",
            "users: index users_lower_email (partial or on an expression)",
            "users: trigger users_touch",
            "view admins",
        ],
    )
    .await
}

#[tokio::test]
async fn mysql_unmanaged() -> anyhow::Result<()> {
    unmanaged(
        Backend::MySql,
        "mysql_unmanaged",
        &[
            "ALTER TABLE users ADD CONSTRAINT name_not_blank CHECK (name <> '')",
            "CREATE INDEX posts_title_prefix ON posts (title(10))",
            "CREATE VIEW admins AS SELECT * FROM users WHERE role = 'admin'",
            "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW SET NEW.name = NEW.name",
        ],
        &[
            "posts: index posts_title_prefix (prefix or on an expression)",
            "users: check constraint name_not_blank",
            "users: trigger users_touch",
            "view admins",
        ],
    )
    .await
}
