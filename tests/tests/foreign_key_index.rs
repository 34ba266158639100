//! Dropping a foreign key restores the table exactly (issue 15, item 4). InnoDB makes an index
//! for a foreign key whose columns have none, named after the key, and keeps it when the key is
//! dropped; `ops::drop_foreign_key` drops it too. A foreign key added, dropped, and both undone
//! by `down` leave each time exactly the indexes that were there before, on every backend (on
//! MySQL/MariaDB checked in `information_schema` too, where introspection hides that index while
//! its key exists). An index declared on the key's columns stays when the key goes.
use automigrate::Entities;
use automigrate::commands::Outcome;
use automigrate_core::{Backend, Schema};
use automigrate_e2e::{MigrationCrate, TestDb, written};
use sea_orm::{ConnectionTrait, Statement};

mod parent {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "parent")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod without_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "child")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub parent_id: i32,
        pub other_id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod with_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "child")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub parent_id: i32,
        /// A declared index on the other key's column: it is not InnoDB's, and stays.
        #[sea_orm(indexed)]
        pub other_id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::parent::Entity",
            from = "Column::ParentId",
            to = "super::parent::Column::Id"
        )]
        Parent,
        #[sea_orm(
            belongs_to = "super::parent::Entity",
            from = "Column::OtherId",
            to = "super::parent::Column::Id"
        )]
        Other,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

mod index_only {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "child")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub parent_id: i32,
        #[sea_orm(indexed)]
        pub other_id: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The table's indexes as the database lists them: MySQL's `information_schema.STATISTICS`
/// (with the index InnoDB made for a key), elsewhere what introspection reads.
async fn indexes(db: &TestDb) -> anyhow::Result<Vec<String>> {
    if db.backend != Backend::MySql {
        let schema = db.schema().await?;
        return Ok(schema.tables["child"]
            .indexes
            .iter()
            .map(|i| format!("{:?} {:?} {}", i.name, i.columns, i.unique))
            .collect());
    }
    let conn = db.connect().await?;
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT CONCAT(INDEX_NAME, ' ', GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX), ' ', \
             MIN(NON_UNIQUE)) FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'child' \
             GROUP BY INDEX_NAME ORDER BY INDEX_NAME",
        ))
        .await?;
    conn.close().await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get_by_index::<String>(0))
        .collect::<Result<_, _>>()?)
}

async fn state(db: &TestDb) -> anyhow::Result<(Vec<String>, Schema)> {
    Ok((indexes(db).await?, db.schema().await?))
}

async fn no_changes(krate: &MigrationCrate, db: &TestDb, entities: &Entities) {
    match krate.makemigration(db, entities, "again").await {
        Ok(Outcome::NoChanges) => {}
        other => panic!("expected no changes, got {other:?}"),
    }
}

async fn round_trip(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    let v1 = Entities::new()
        .entity(parent::Entity)
        .entity(without_key::Entity);
    let v2 = Entities::new()
        .entity(parent::Entity)
        .entity(with_key::Entity);
    let v3 = Entities::new()
        .entity(parent::Entity)
        .entity(index_only::Entity);

    written(krate.makemigration(&db, &v1, "tables").await?);
    krate.run(&db, &["up"])?;
    let without = state(&db).await?;

    // The keys come (one on a column with no index: InnoDB makes one).
    written(krate.makemigration(&db, &v2, "add keys").await?);
    krate.run(&db, &["up"])?;
    no_changes(&krate, &db, &v2).await;
    let with = state(&db).await?;
    if backend == Backend::MySql {
        assert!(
            with.0.iter().any(|i| i.ends_with(" parent_id 1")),
            "InnoDB made no index: {:?}",
            with.0
        );
    }

    // The keys go, the declared index stays: InnoDB's index goes with its key.
    let (_, summary) = written(krate.makemigration(&db, &v3, "drop keys").await?);
    assert!(summary.iter().all(|s| !s.contains("index")), "{summary:?}");
    krate.run(&db, &["up"])?;
    no_changes(&krate, &db, &v3).await;
    let dropped = state(&db).await?;
    assert_eq!(
        dropped.0.len(),
        without.0.len() + 1,
        "{:?} / {:?}",
        dropped.0,
        without.0
    );
    assert!(
        dropped.0.iter().all(|i| !i.contains("parent_id")),
        "{:?}",
        dropped.0
    );

    // down of the drop: exactly the table with its keys.
    krate.run(&db, &["down"])?;
    assert_eq!(state(&db).await?, with);
    // down of the add: exactly the table before the keys.
    krate.run(&db, &["down"])?;
    assert_eq!(state(&db).await?, without);
    Ok(())
}

#[tokio::test]
async fn mysql() -> anyhow::Result<()> {
    round_trip(Backend::MySql, "fk_index_mysql").await
}

#[tokio::test]
async fn postgres() -> anyhow::Result<()> {
    round_trip(Backend::Postgres, "fk_index_pg").await
}

#[tokio::test]
async fn sqlite() -> anyhow::Result<()> {
    round_trip(Backend::Sqlite, "fk_index_sqlite").await
}
