//! Types as SQLite keeps them (issue 15, items 2 and 3).
//!
//! Item 2: SQLite keeps a column's type as written, and the same migration runs on PostgreSQL
//! and MySQL/MariaDB, where `smallint` is not `integer` and `timestamp` is not `timestamp with
//! time zone`: an entity's i16 made i32, a `Timestamp` made `TimestampWithTimeZone` (and text
//! made `String`), and an `AUTOINCREMENT` taken off a key are changes on SQLite too, applied by
//! `up` and undone exactly by `down`.
//!
//! Item 3: one policy on every backend: a `String` without a length against a column of a sized
//! `varchar` (here `varchar(64)`) is no change; a declared length is compared exactly.
use automigrate::Entities;
use automigrate::commands::Outcome;
use automigrate_core::{Backend, diff};
use automigrate_e2e::{MigrationCrate, TestDb, column_order_free, written};
use sea_orm::{ConnectionTrait, Statement};

mod before {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sample")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub small: i16,
        #[sea_orm(column_type = "Timestamp")]
        pub at: DateTime,
        #[sea_orm(column_type = "Text")]
        pub note: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod after {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sample")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub small: i32,
        #[sea_orm(column_type = "TimestampWithTimeZone")]
        pub at: DateTime,
        pub note: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

async fn create_sql(db: &TestDb) -> anyhow::Result<String> {
    let conn = db.connect().await?;
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT sql FROM sqlite_master WHERE name = 'sample'",
        ))
        .await?
        .expect("the table");
    let sql: String = row.try_get_by_index(0)?;
    conn.close().await?;
    Ok(sql)
}

#[tokio::test]
async fn sqlite_type_and_autoincrement_changes_are_seen() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "sqlite_real_type_changes").await?;
    let krate = MigrationCrate::new("sqlite_real_type_changes")?;
    let v1 = Entities::new().entity(before::Entity);
    let v2 = Entities::new().entity(after::Entity);
    written(krate.makemigration(&db, &v1, "v1").await?);
    krate.run(&db, &["up"])?;
    assert!(matches!(
        krate.makemigration(&db, &v1, "again").await?,
        Outcome::NoChanges
    ));
    let v1_schema = db.schema().await?;
    let v1_sql = create_sql(&db).await?;
    assert!(v1_sql.contains("AUTOINCREMENT"), "{v1_sql}");
    db.execute("INSERT INTO sample (small, at, note) VALUES (7, '2026-01-01 00:00:00', 'x')")
        .await?;

    let (_, summary) = written(krate.makemigration(&db, &v2, "v2").await?);
    let changed: Vec<&str> = summary
        .iter()
        .filter_map(|s| s.strip_prefix("~ column sample."))
        .filter_map(|s| s.split(' ').next())
        .collect();
    for column in ["id", "small", "at", "note"] {
        assert!(changed.contains(&column), "{column} not in {summary:?}");
    }
    krate.run(&db, &["up"])?;
    assert!(
        matches!(
            krate.makemigration(&db, &v2, "again").await?,
            Outcome::NoChanges
        ),
        "{:#?}",
        diff(&db.schema().await?, &v2.schema(Backend::Sqlite)?)
    );
    let v2_sql = create_sql(&db).await?;
    assert!(!v2_sql.contains("AUTOINCREMENT"), "{v2_sql}");
    let live = db.schema().await?;
    let ty = |c: &str| live.tables["sample"].column(c).unwrap().sql_type.clone();
    assert_eq!(
        (ty("small"), ty("at"), ty("note")),
        (
            "integer".to_string(),
            "timestamp_with_timezone_text".to_string(),
            "varchar".to_string()
        )
    );

    // down restores v1 exactly, AUTOINCREMENT included, and keeps the row.
    krate.run(&db, &["down"])?;
    assert_eq!(
        column_order_free(db.schema().await?),
        column_order_free(v1_schema)
    );
    assert!(create_sql(&db).await?.contains("AUTOINCREMENT"));
    let back = diff(&db.schema().await?, &v1.schema(Backend::Sqlite)?);
    assert!(back.is_empty(), "{back:#?}");
    let conn = db.connect().await?;
    let n = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) FROM sample WHERE small = 7 AND note = 'x'",
        ))
        .await?
        .expect("a count")
        .try_get_by_index::<i64>(0)?;
    assert_eq!(n, 1);
    conn.close().await?;
    Ok(())
}

mod sized {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "label")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(column_type = "String(StringLen::N(64))")]
        pub name: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod unsized_string {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "label")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod longer {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "label")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(column_type = "String(StringLen::N(100))")]
        pub name: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

async fn unsized_string_takes_the_live_length(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(
        krate
            .makemigration(&db, &Entities::new().entity(sized::Entity), "sized")
            .await?,
    );
    krate.run(&db, &["up"])?;
    // A String without a length says nothing about the length: no change.
    let outcome = krate
        .makemigration(
            &db,
            &Entities::new().entity(unsized_string::Entity),
            "unsized",
        )
        .await?;
    assert!(matches!(outcome, Outcome::NoChanges), "{outcome:?}");
    // A declared length is compared exactly.
    let (_, summary) = written(
        krate
            .makemigration(&db, &Entities::new().entity(longer::Entity), "longer")
            .await?,
    );
    assert_eq!(summary.len(), 1, "{summary:?}");
    assert!(summary[0].starts_with("~ column label.name"), "{summary:?}");
    Ok(())
}

#[tokio::test]
async fn unsized_string_sqlite() -> anyhow::Result<()> {
    unsized_string_takes_the_live_length(Backend::Sqlite, "unsized_string_sqlite").await
}

#[tokio::test]
async fn unsized_string_postgres() -> anyhow::Result<()> {
    unsized_string_takes_the_live_length(Backend::Postgres, "unsized_string_pg").await
}

#[tokio::test]
async fn unsized_string_mysql() -> anyhow::Result<()> {
    unsized_string_takes_the_live_length(Backend::MySql, "unsized_string_mysql").await
}
