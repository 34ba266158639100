//! Adopting automigrate on a database that other hands built: hand-written DDL with the
//! database's own names and spellings (SERIAL, IDENTITY, AUTO_INCREMENT, `INTEGER PRIMARY KEY
//! AUTOINCREMENT`, `users_email_key`, `ix_…`, `fk_…`, `'f'`, `0`, `now()`, `VARCHAR(255)` for an
//! unsized `String`; on SQLite, type names sea-query never writes, met by affinity: `INT`,
//! `CLOB`, `NVARCHAR(16)`) matches the entities that describe it: no changes.
use automigrate::commands::{self, Outcome, Project};
use automigrate_core::{Backend, diff};
use automigrate_e2e::{MigrationCrate, TestDb, entities};

async fn adopt(
    backend: Backend,
    name: &str,
    ddl: &[&str],
    unmanaged: &[&str],
) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    for stmt in ddl {
        db.execute(stmt).await?;
    }
    let krate = MigrationCrate::new(name)?;
    let v1 = entities::v1();
    let project = Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities: &v1,
        config: Default::default(),
    };
    let analysis = commands::analyze(&project).await?;
    assert!(
        analysis.plan.is_empty(),
        "{:#?}\n{:#?}",
        analysis.plan,
        diff(&db.schema().await?, &v1.schema(backend)?)
    );
    assert_eq!(analysis.unmanaged, unmanaged);
    let outcome = krate.makemigration(&db, &v1, "adopt").await?;
    assert!(matches!(outcome, Outcome::NoChanges), "{outcome:?}");

    // One real difference among all that: a shorter users.name. It is the only change found.
    db.execute(match backend {
        Backend::Postgres => "ALTER TABLE users ALTER COLUMN name TYPE varchar(80)",
        Backend::MySql => "ALTER TABLE users MODIFY name varchar(80) NOT NULL",
        Backend::Sqlite => "ALTER TABLE old_logs ADD COLUMN extra text",
    })
    .await?;
    let analysis = commands::analyze(&project).await?;
    let summary: Vec<String> = analysis.plan.changes.iter().map(|c| c.summary()).collect();
    match backend {
        Backend::Sqlite => assert_eq!(
            summary,
            vec![
                "- column old_logs.extra (text, null)  DATA LOSS: the column and its values are dropped"
            ]
        ),
        _ => {
            assert_eq!(summary.len(), 1, "{summary:?}");
            assert!(
                summary[0].starts_with("~ column users.name ("),
                "{summary:?}"
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn postgres_adoption() -> anyhow::Result<()> {
    adopt(
        Backend::Postgres,
        "postgres_adoption",
        &[
            "CREATE TYPE user_role AS ENUM ('admin', 'member')",
            "CREATE TABLE users (
                id SERIAL PRIMARY KEY,
                email VARCHAR(255) NOT NULL,
                name VARCHAR(100) NOT NULL,
                legacy_flag BOOLEAN NOT NULL DEFAULT 'f',
                role user_role NOT NULL,
                CONSTRAINT users_email_key UNIQUE (email))",
            "CREATE TABLE posts (
                id INT GENERATED ALWAYS AS IDENTITY,
                user_id INT NOT NULL,
                title CHARACTER VARYING NOT NULL,
                body TEXT NOT NULL,
                CONSTRAINT posts_pk PRIMARY KEY (id),
                CONSTRAINT fk_posts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE)",
            "CREATE INDEX ix_posts_title ON posts (title)",
            "CREATE TABLE old_logs (id BIGSERIAL PRIMARY KEY, message varchar NOT NULL)",
            "ALTER TABLE users ADD CONSTRAINT name_not_blank CHECK (name <> '')",
            "CREATE INDEX posts_recent ON posts (title) WHERE id > 1000",
        ],
        &[
            "posts: index posts_recent (partial or on an expression)",
            "users: check constraint name_not_blank",
        ],
    )
    .await
}

#[tokio::test]
async fn mysql_adoption() -> anyhow::Result<()> {
    adopt(
        Backend::MySql,
        "mysql_adoption",
        &[
            "CREATE TABLE users (
                id INT(11) NOT NULL AUTO_INCREMENT,
                email VARCHAR(255) NOT NULL,
                name VARCHAR(100) NOT NULL,
                legacy_flag TINYINT(1) NOT NULL DEFAULT 0,
                role ENUM('admin','member') NOT NULL,
                PRIMARY KEY (id),
                UNIQUE KEY users_email_unique (email)) ENGINE=InnoDB",
            "CREATE TABLE posts (
                id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                user_id INT NOT NULL,
                title VARCHAR(255) NOT NULL,
                body TEXT NOT NULL,
                KEY idx_posts_title (title),
                CONSTRAINT fk_posts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE ON UPDATE RESTRICT)",
            "CREATE TABLE old_logs (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, message VARCHAR(255) NOT NULL)",
            "ALTER TABLE users ADD CONSTRAINT name_not_blank CHECK (name <> '')",
        ],
        &["users: check constraint name_not_blank"],
    )
    .await
}

#[tokio::test]
async fn sqlite_adoption() -> anyhow::Result<()> {
    adopt(
        Backend::Sqlite,
        "sqlite_adoption",
        &[
            "CREATE TABLE users (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                email VARCHAR NOT NULL,
                name VARCHAR(100) NOT NULL,
                legacy_flag BOOLEAN NOT NULL DEFAULT 0,
                role NVARCHAR(16) NOT NULL)",
            "CREATE UNIQUE INDEX ux_users_email ON users (email)",
            "CREATE TABLE posts (
                id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                user_id INT NOT NULL,
                title CLOB NOT NULL,
                body TEXT NOT NULL,
                CONSTRAINT fk_posts_user FOREIGN KEY (user_id) REFERENCES users ON DELETE CASCADE)",
            "CREATE INDEX ix_posts_title ON posts (title)",
            "CREATE TABLE old_logs (id integer PRIMARY KEY autoincrement, message varchar NOT NULL)",
            "CREATE INDEX posts_recent ON posts (title) WHERE id > 1000",
        ],
        &["posts: index posts_recent (partial or on an expression)"],
    )
    .await
}
