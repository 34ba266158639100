//! Adopting automigrate (no snapshot yet) on a database whose foreign keys and indexes were made
//! by hand: a table or column the entities drop takes what depends on it, whoever made it (a
//! foreign key from another table, a foreign key or index on the column), in an order the
//! database accepts; `down` brings all of it back.
use automigrate::commands::Outcome;
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, column_order_free, written};

mod parent {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "parents")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `children` without `parent_id`; `gone_id` stays, its key to `gone` (made by hand) must go
/// with `gone`.
mod child {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "children")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub gone_id: Option<i32>,
        #[sea_orm(column_type = "String(StringLen::N(50))")]
        pub note: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

async fn dependents(backend: Backend, name: &str, ddl: &[&str]) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    for stmt in ddl {
        db.execute(stmt).await?;
    }
    db.execute("INSERT INTO parents (id) VALUES (1)").await?;
    db.execute("INSERT INTO children (id, parent_id, note) VALUES (1, 1, 'kept')")
        .await?;
    let before = db.schema().await?;
    let krate = MigrationCrate::new(name)?;
    let entities = automigrate::Entities::new()
        .entity(parent::Entity)
        .entity(child::Entity);
    let (migration, summary) = written(krate.makemigration(&db, &entities, "drop").await?);
    // What depends on a drop goes before it.
    let position = |start: &str| {
        summary
            .iter()
            .position(|s| s.starts_with(start))
            .unwrap_or_else(|| panic!("{start} in {summary:#?}"))
    };
    let gone = position("- table gone ");
    let parent_id = position("- column children.parent_id ");
    assert!(position("- foreign key children (gone_id) -> gone (id)") < gone);
    assert!(position("- foreign key children (parent_id) -> parents (id)") < parent_id);
    assert!(position("- index on children (parent_id)") < parent_id);
    assert_eq!(summary.len(), 5, "{summary:#?}");
    krate
        .run(&db, &["up"])
        .map_err(|e| e.context(krate.file(&migration).unwrap_or_default()))?;
    assert!(matches!(
        krate.makemigration(&db, &entities, "again").await?,
        Outcome::NoChanges
    ));
    krate.run(&db, &["down"])?;
    assert_eq!(
        column_order_free(db.schema().await?),
        column_order_free(before)
    );
    let db2 = db.connect().await?;
    use sea_orm::ConnectionTrait;
    let row = db2
        .query_one_raw(sea_orm::Statement::from_string(
            db2.get_database_backend(),
            "SELECT note FROM children WHERE id = 1",
        ))
        .await?
        .expect("the row is kept");
    assert_eq!(row.try_get_by_index::<String>(0)?, "kept");
    Ok(())
}

#[tokio::test]
async fn postgres_dependents_of_drops() -> anyhow::Result<()> {
    dependents(
        Backend::Postgres,
        "postgres_dependents_of_drops",
        &[
            "CREATE TABLE parents (id SERIAL PRIMARY KEY)",
            "CREATE TABLE gone (id SERIAL PRIMARY KEY)",
            "CREATE TABLE children (
                id SERIAL PRIMARY KEY,
                parent_id INT NULL CONSTRAINT fk_children_parent REFERENCES parents (id),
                gone_id INT NULL CONSTRAINT fk_children_gone REFERENCES gone (id),
                note VARCHAR(50) NOT NULL)",
            "CREATE INDEX ix_children_parent ON children (parent_id)",
        ],
    )
    .await
}

#[tokio::test]
async fn mysql_dependents_of_drops() -> anyhow::Result<()> {
    dependents(
        Backend::MySql,
        "mysql_dependents_of_drops",
        &[
            "CREATE TABLE parents (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY)",
            "CREATE TABLE gone (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY)",
            "CREATE TABLE children (
                id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                parent_id INT NULL,
                gone_id INT NULL,
                note VARCHAR(50) NOT NULL,
                KEY ix_children_parent (parent_id),
                CONSTRAINT fk_children_parent FOREIGN KEY (parent_id) REFERENCES parents (id),
                CONSTRAINT fk_children_gone FOREIGN KEY (gone_id) REFERENCES gone (id))",
        ],
    )
    .await
}

#[tokio::test]
async fn sqlite_dependents_of_drops() -> anyhow::Result<()> {
    dependents(
        Backend::Sqlite,
        "sqlite_dependents_of_drops",
        &[
            "CREATE TABLE parents (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT)",
            "CREATE TABLE gone (id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT)",
            "CREATE TABLE children (
                id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                parent_id INTEGER NULL REFERENCES parents (id),
                gone_id INTEGER NULL REFERENCES gone (id),
                note VARCHAR(50) NOT NULL)",
            "CREATE INDEX ix_children_parent ON children (parent_id)",
        ],
    )
    .await
}
