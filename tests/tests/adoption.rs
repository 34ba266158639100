//! Adopting automigrate on a database that other hands built: hand-written DDL with the
//! database's own names and spellings (SERIAL, IDENTITY, AUTO_INCREMENT, `INTEGER PRIMARY KEY`,
//! `users_email_key`, `ix_…`, `fk_…`, `'f'`, `0`, `now()`, `VARCHAR(255)` for an unsized
//! `String`) matches the entities that describe it: no changes.
use automigrate::commands::Outcome;
use automigrate_core::{Backend, diff};
use automigrate_e2e::{MigrationCrate, TestDb, entities};

async fn adopt(backend: Backend, name: &str, ddl: &[&str]) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    for stmt in ddl {
        db.execute(stmt).await?;
    }
    let krate = MigrationCrate::new(name)?;
    let outcome = krate.makemigration(&db, &entities::v1(), "adopt").await?;
    assert!(
        matches!(outcome, Outcome::NoChanges),
        "{outcome:?}\n{:#?}",
        diff(&db.schema().await?, &entities::v1().schema(backend)?)
    );
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
        ],
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
                id INTEGER PRIMARY KEY,
                email VARCHAR NOT NULL,
                name VARCHAR(100) NOT NULL,
                legacy_flag BOOLEAN NOT NULL DEFAULT 0,
                role ENUM_TEXT NOT NULL)",
            "CREATE UNIQUE INDEX ux_users_email ON users (email)",
            "CREATE TABLE posts (
                id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                user_id INTEGER NOT NULL,
                title VARCHAR NOT NULL,
                body TEXT NOT NULL,
                CONSTRAINT fk_posts_user FOREIGN KEY (user_id) REFERENCES users ON DELETE CASCADE)",
            "CREATE INDEX ix_posts_title ON posts (title)",
            "CREATE TABLE old_logs (id integer PRIMARY KEY, message varchar NOT NULL)",
        ],
    )
    .await
}
