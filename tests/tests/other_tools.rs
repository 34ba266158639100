//! Issue 15, item 17: a database that another migration tool migrated keeps that tool's history
//! table. automigrate leaves the well-known ones alone (listed as not managed) instead of
//! proposing to drop them; an entity that declares such a table manages it as any other; a
//! table of the application that no entity declares is still proposed for dropping; and
//! `drop_other_tools_history = true` in automigrate.toml treats them as any other table.
use automigrate::commands::{self, Analysis, Outcome, Project};
use automigrate::config::Config;
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb};

/// An entity that declares goose's history table: the application manages it.
mod goose {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "goose_db_version")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub version_id: i64,
        pub is_applied: Option<bool>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

const TABLES: [&str; 5] = [
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)",
    "CREATE TABLE _prisma_migrations (id VARCHAR(36) NOT NULL PRIMARY KEY, checksum VARCHAR(64) NOT NULL)",
    "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) NOT NULL PRIMARY KEY)",
    "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, script VARCHAR(1000) NOT NULL)",
    "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)",
];

async fn analyze(
    db: &TestDb,
    krate: &MigrationCrate,
    entities: &automigrate::Entities,
    config: Config,
) -> anyhow::Result<Analysis> {
    commands::analyze(&Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities,
        config,
    })
    .await
}

fn summaries(analysis: &Analysis) -> Vec<String> {
    analysis.plan.changes.iter().map(|c| c.summary()).collect()
}

async fn other_tools(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    for sql in TABLES {
        db.execute(sql).await?;
    }
    db.execute("CREATE TABLE goose_db_version (id INTEGER NOT NULL PRIMARY KEY, version_id BIGINT NOT NULL)")
        .await?;

    // No entity: the other tools' tables are left alone and listed; nothing to do.
    let none = automigrate::Entities::new();
    let analysis = analyze(&db, &krate, &none, Config::default()).await?;
    assert!(analysis.plan.is_empty(), "{:?}", summaries(&analysis));
    assert_eq!(
        analysis.unmanaged,
        [
            "__diesel_schema_migrations: history table of another migration tool (Diesel)",
            "_prisma_migrations: history table of another migration tool (Prisma)",
            "alembic_version: history table of another migration tool (Alembic)",
            "flyway_schema_history: history table of another migration tool (Flyway)",
            "goose_db_version: history table of another migration tool (goose)",
            "schema_migrations: history table of another migration tool (Rails, golang-migrate, dbmate, Ecto or another tool)",
        ]
    );
    assert!(analysis.hazards.is_empty());
    assert!(matches!(
        krate.makemigration(&db, &none, "nothing").await?,
        Outcome::NoChanges
    ));

    // An entity that declares one of them manages it: its missing column is added, and it is
    // no longer listed. A table of the application that no entity declares is still dropped.
    db.execute("CREATE TABLE notes (id INTEGER NOT NULL PRIMARY KEY)")
        .await?;
    let goose = automigrate::Entities::new().entity(goose::Entity);
    let analysis = analyze(&db, &krate, &goose, Config::default()).await?;
    let changed: std::collections::BTreeSet<&str> = analysis
        .plan
        .changes
        .iter()
        .filter_map(|c| c.table())
        .collect();
    assert_eq!(
        changed.into_iter().collect::<Vec<_>>(),
        ["goose_db_version", "notes"],
        "{:?}",
        summaries(&analysis)
    );
    assert!(
        summaries(&analysis)
            .iter()
            .any(|c| c.starts_with("- table notes ")),
        "{:?}",
        summaries(&analysis)
    );
    assert_eq!(analysis.unmanaged.len(), 5, "{:?}", analysis.unmanaged);
    assert!(
        !analysis
            .unmanaged
            .iter()
            .any(|n| n.starts_with("goose_db_version"))
    );
    db.execute("DROP TABLE notes").await?;

    // Once the move is done, the setting treats them as any other table.
    let config = Config {
        drop_other_tools_history: true,
        ..Config::default()
    };
    let analysis = analyze(&db, &krate, &none, config).await?;
    let mut changes: Vec<String> = summaries(&analysis)
        .iter()
        .map(|c| c.split(" (").next().unwrap_or(c).to_string())
        .collect();
    changes.sort();
    assert_eq!(
        changes,
        [
            "- table __diesel_schema_migrations",
            "- table _prisma_migrations",
            "- table alembic_version",
            "- table flyway_schema_history",
            "- table goose_db_version",
            "- table schema_migrations",
        ]
    );
    assert!(analysis.unmanaged.is_empty(), "{:?}", analysis.unmanaged);
    Ok(())
}

#[tokio::test]
async fn sqlite_other_tools_history() -> anyhow::Result<()> {
    other_tools(Backend::Sqlite, "sqlite_other_tools").await
}

#[tokio::test]
async fn postgres_other_tools_history() -> anyhow::Result<()> {
    other_tools(Backend::Postgres, "postgres_other_tools").await
}

#[tokio::test]
async fn mysql_other_tools_history() -> anyhow::Result<()> {
    other_tools(Backend::MySql, "mysql_other_tools").await
}
