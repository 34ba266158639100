//! Objects the entities cannot describe (check constraints, partial and expression indexes,
//! views, triggers) are never proposed for dropping, and are listed as not managed.
use automigrate::commands::{self, Project};
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, entities, written};
use sea_orm::{ConnectionTrait, Statement};

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

/// The `CREATE TABLE` text SQLite keeps for `users`.
async fn users_sql(db: &TestDb) -> anyhow::Result<String> {
    let conn = db.connect().await?;
    let sql = conn
        .query_one_raw(Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT sql FROM sqlite_master WHERE name = 'users'",
        ))
        .await?
        .expect("users")
        .try_get_by_index::<String>(0)?;
    conn.close().await?;
    Ok(sql)
}

/// What SQLite drops with a table and the entities cannot describe (CHECK constraints,
/// triggers, partial and expression indexes) survives a table rebuild, and a view on the table
/// does not stop it.
#[tokio::test]
async fn sqlite_rebuild_keeps_what_it_does_not_manage() -> anyhow::Result<()> {
    let name = "sqlite_rebuild_keeps";
    let db = TestDb::new(Backend::Sqlite, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    krate.run(&db, &["up"])?;
    // CHECK constraints, as a hand-written CREATE TABLE would have them: SQLite cannot add one
    // to a table, so `users` is made again with them, as a user would.
    let create = users_sql(&db).await?;
    let with_checks = format!(
        "{}, CONSTRAINT name_not_blank CHECK (name <> ''), CHECK (length(bio) < 1000))",
        create.trim_end().strip_suffix(')').expect("a CREATE TABLE")
    );
    db.execute(&format!(
        "PRAGMA foreign_keys = OFF; PRAGMA legacy_alter_table = ON; \
         ALTER TABLE users RENAME TO users_old; {with_checks}; \
         INSERT INTO users SELECT * FROM users_old; DROP TABLE users_old; \
         PRAGMA legacy_alter_table = OFF; PRAGMA foreign_keys = ON"
    ))
    .await?;
    for sql in [
        "CREATE INDEX posts_recent ON posts (title) WHERE id > 100",
        "CREATE INDEX users_lower_email ON users (lower(email))",
        "CREATE VIEW admins AS SELECT name FROM users WHERE role = 'admin'",
        "CREATE TRIGGER users_named AFTER INSERT ON users BEGIN UPDATE users SET bio = bio || '!' WHERE id = new.id; END",
    ] {
        db.execute(sql).await?;
    }
    let checks = || async {
        anyhow::Ok(automigrate_core::dialect::sqlite_checks(&users_sql(&db).await?).len())
    };
    assert_eq!(checks().await?, 2);
    let objects = || async {
        let conn = db.connect().await?;
        let rows = conn
            .query_all_raw(Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                "SELECT type || ' ' || name FROM sqlite_master \
                 WHERE name IN ('posts_recent', 'users_lower_email', 'admins', 'users_named') ORDER BY 1",
            ))
            .await?;
        conn.close().await?;
        rows.iter()
            .map(|r| Ok(r.try_get_by_index::<String>(0)?))
            .collect::<anyhow::Result<Vec<String>>>()
    };
    let all = [
        "index posts_recent",
        "index users_lower_email",
        "trigger users_named",
        "view admins",
    ];
    assert_eq!(objects().await?, all);

    // v3 rebuilds users (and comments).
    let (third, summary) = written(krate.makemigration(&db, &entities::v3(), "v3").await?);
    let text = summary.join("\n");
    assert!(text.contains("~ column users.bio"), "{text}");
    assert!(krate.file(&third)?.contains("ops::alter_column("));
    for step in [&["up"][..], &["down"][..], &["up"][..]] {
        krate.run(&db, step)?;
        assert_eq!(objects().await?, all, "after {step:?}");
        assert_eq!(checks().await?, 2, "after {step:?}");
    }
    // The checks still hold, the trigger still fires and the view still reads.
    let blank = db
        .execute(
            "INSERT INTO users (email, name, role, bio) VALUES ('b@example.com', '', 'admin', 'x')",
        )
        .await;
    assert!(blank.is_err(), "the CHECK on name was lost");
    db.execute("INSERT INTO users (email, name, role, bio) VALUES ('ada@example.com', 'Ada', 'admin', 'math')")
        .await?;
    let conn = db.connect().await?;
    let read = |sql: &str| Statement::from_string(sea_orm::DbBackend::Sqlite, sql.to_string());
    let bio = conn.query_all_raw(read("SELECT bio FROM users")).await?;
    assert_eq!(bio[0].try_get_by_index::<String>(0)?, "math!");
    let admins = conn.query_all_raw(read("SELECT name FROM admins")).await?;
    assert_eq!(admins[0].try_get_by_index::<String>(0)?, "Ada");
    conn.close().await?;
    Ok(())
}
