//! makemigration refuses bad input with a message that says what to do, and changes nothing on
//! disk or in the database.
use std::path::Path;

use automigrate::commands::{self, Project};
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, entities, written};

/// Every file of the migration crate's `src`, with its text.
fn snapshot(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("src"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

async fn refuse(krate: &MigrationCrate, url: &str) -> String {
    let before = snapshot(&krate.root);
    let entities = entities::v1();
    let err = commands::makemigration(
        &Project {
            database_url: url,
            migration_dir: &krate.root,
            entities: &entities,
            config: Default::default(),
        },
        "anything",
        automigrate::commands::MakeOptions::default(),
    )
    .await
    .expect_err("makemigration should refuse");
    assert_eq!(
        snapshot(&krate.root),
        before,
        "the migration directory changed"
    );
    format!("{err:#}")
}

#[tokio::test]
async fn refuses_when_migrations_are_pending() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "pending").await?;
    let krate = MigrationCrate::new("refusal_pending")?;
    let lib = krate.root.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib)?;
    let text = automigrate::migdir::register(&text, "m20200101_000000_init")?;
    std::fs::write(&lib, text)?;
    std::fs::write(
        krate.root.join("src/m20200101_000000_init.rs"),
        "// not applied\n",
    )?;
    let msg = refuse(&krate, &db.url).await;
    assert!(msg.contains("1 pending migration(s)"), "{msg}");
    assert!(msg.contains("m20200101_000000_init"), "{msg}");
    assert!(msg.contains("cargo run -p migration -- up"), "{msg}");
    // Nothing was created in the database either.
    assert!(db.schema().await?.tables.is_empty());
    Ok(())
}

#[tokio::test]
async fn refuses_when_the_database_is_ahead() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "ahead").await?;
    db.execute(
        "CREATE TABLE seaql_migrations (version varchar NOT NULL PRIMARY KEY, applied_at bigint NOT NULL); \
         INSERT INTO seaql_migrations VALUES ('m20990101_000000_from_another_branch', 0);",
    )
    .await?;
    let krate = MigrationCrate::new("refusal_ahead")?;
    let msg = refuse(&krate, &db.url).await;
    assert!(msg.contains("does not have"), "{msg}");
    assert!(
        msg.contains("m20990101_000000_from_another_branch"),
        "{msg}"
    );
    Ok(())
}

#[tokio::test]
async fn refuses_a_broken_url() -> anyhow::Result<()> {
    let krate = MigrationCrate::new("refusal_url")?;
    let msg = refuse(&krate, "not a url").await;
    assert!(msg.contains("is not a database URL"), "{msg}");
    let msg = refuse(&krate, "").await;
    assert!(msg.contains("DATABASE_URL is empty"), "{msg}");
    Ok(())
}

#[tokio::test]
async fn refuses_an_unreachable_server_without_showing_the_password() -> anyhow::Result<()> {
    let krate = MigrationCrate::new("refusal_unreachable")?;
    // Port 1 on loopback: nothing listens there.
    let msg = refuse(&krate, "postgres://user:hunter2@127.0.0.1:1/db").await;
    assert!(
        msg.contains("cannot connect to postgres://user:***@127.0.0.1:1/db"),
        "{msg}"
    );
    assert!(!msg.contains("hunter2"), "{msg}");
    Ok(())
}

#[tokio::test]
async fn refuses_a_message_without_letters() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "message").await?;
    let krate = MigrationCrate::new("refusal_message")?;
    let before = snapshot(&krate.root);
    let entities = entities::v1();
    let err = commands::makemigration(
        &Project {
            database_url: &db.url,
            migration_dir: &krate.root,
            entities: &entities,
            config: Default::default(),
        },
        " -- ",
        automigrate::commands::MakeOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("no ASCII letters or digits"),
        "{err}"
    );
    assert_eq!(snapshot(&krate.root), before);
    Ok(())
}

#[tokio::test]
async fn refuses_a_directory_that_is_not_a_migration_crate() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "notacrate").await?;
    let dir = tempfile::tempdir()?;
    let entities = entities::v1();
    let err = commands::makemigration(
        &Project {
            database_url: &db.url,
            migration_dir: dir.path(),
            entities: &entities,
            config: Default::default(),
        },
        "x",
        automigrate::commands::MakeOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        format!("{err:#}").contains("a sea-orm-migration crate?"),
        "{err:#}"
    );
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 0);
    Ok(())
}

#[tokio::test]
async fn refuses_a_missing_database() -> anyhow::Result<()> {
    let krate = MigrationCrate::new("refusal_missing_db")?;
    let msg = refuse(
        &krate,
        "postgres://postgres@127.0.0.1:5432/am_no_such_database",
    )
    .await;
    assert!(msg.contains("cannot connect to postgres://"), "{msg}");
    assert!(msg.contains("does not exist"), "{msg}");
    assert!(msg.contains("CREATE DATABASE"), "{msg}");
    // The driver's message once, without its source line.
    assert_eq!(msg.matches("does not exist").count(), 1, "{msg}");
    assert!(!msg.contains(" at line "), "{msg}");
    Ok(())
}

#[tokio::test]
async fn refuses_a_wrong_password() -> anyhow::Result<()> {
    let krate = MigrationCrate::new("refusal_password")?;
    let msg = refuse(&krate, "mysql://root:wrong-password@127.0.0.1:3306/test").await;
    assert!(msg.contains("cannot connect to mysql://root:***@"), "{msg}");
    assert!(msg.contains("Access denied"), "{msg}");
    assert!(!msg.contains("wrong-password"), "{msg}");
    Ok(())
}

#[tokio::test]
async fn refuses_an_entity_the_backend_cannot_store() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "badentity").await?;
    let krate = MigrationCrate::new("refusal_entity")?;
    let before = snapshot(&krate.root);
    let tagged = entities::tagged::entities();
    let err = commands::makemigration(
        &Project {
            database_url: &db.url,
            migration_dir: &krate.root,
            entities: &tagged,
            config: Default::default(),
        },
        "tags",
        automigrate::commands::MakeOptions::default(),
    )
    .await
    .unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("entity `tagged` cannot be used"), "{msg}");
    assert!(
        msg.contains("column `tags`") && msg.contains("SQLite does not support"),
        "{msg}"
    );
    assert_eq!(snapshot(&krate.root), before);
    // PostgreSQL has arrays.
    assert!(tagged.schema(Backend::Postgres).is_ok());
    Ok(())
}

/// An unsigned auto-incrementing key: MySQL's habit, which PostgreSQL cannot store.
mod unsigned_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "counters")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: u32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[tokio::test]
async fn refuses_an_unsigned_auto_increment_key_on_postgres() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Postgres, "unsigned_key").await?;
    let krate = MigrationCrate::new("refusal_unsigned_key")?;
    let entities = automigrate::Entities::new().entity(unsigned_key::Entity);
    let err = krate
        .makemigration(&db, &entities, "counters")
        .await
        .expect_err("PostgreSQL has no unsigned auto-increment");
    let text = format!("{err:#}");
    assert!(
        text.contains("entity `counters` cannot be used")
            && text.contains("unsigned and auto-incrementing"),
        "{text}"
    );
    // MySQL stores it.
    let db = TestDb::new(Backend::MySql, "unsigned_key").await?;
    let krate = MigrationCrate::new("refusal_unsigned_key_mysql")?;
    written(krate.makemigration(&db, &entities, "counters").await?);
    Ok(())
}

/// A migration that calls `automigrate_ops` in a crate that does not depend on it would not
/// compile: refused, naming the manifest, with nothing written.
#[tokio::test]
async fn refuses_a_migration_crate_without_automigrate_ops() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "refusal_no_ops").await?;
    let krate = MigrationCrate::new("refusal_no_ops")?;
    let manifest = krate.root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)?;
    let without: String = text
        .lines()
        .filter(|l| !l.starts_with("automigrate-ops"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&manifest, without)?;
    let before = snapshot(&krate.root);
    // v1's `users.role` is an enum: its table is created with `ops::create_enum` first.
    let err = krate
        .makemigration(&db, &entities::v1(), "v1")
        .await
        .unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("automigrate-ops"), "{msg}");
    assert!(msg.contains(&manifest.display().to_string()), "{msg}");
    assert!(msg.contains("Nothing was written"), "{msg}");
    assert_eq!(snapshot(&krate.root), before);
    Ok(())
}
