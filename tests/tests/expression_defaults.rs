//! Expression defaults are compared by what the database makes of them (issue 15, item 1):
//! PostgreSQL prints `lower('ABC')` back as `lower('ABC'::text)` and adds casts to arithmetic,
//! MariaDB prints `lcase('ABC')`; none of that is a change, on any backend, right after the
//! tool's own migration is applied. A different expression still is.
use automigrate::Entities;
use automigrate::commands::Outcome;
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, written};

mod v1 {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "item")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(default_expr = "Expr::cust(\"lower('ABC')\")")]
        pub code: String,
        #[sea_orm(default_expr = "Expr::cust(\"abs(-10) * 2.5\")")]
        pub score: f64,
        #[sea_orm(default_expr = "Expr::cust(\"coalesce(NULL, 'x')\")")]
        pub tag: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod v2 {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "item")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(default_expr = "Expr::cust(\"lower('XYZ')\")")]
        pub code: String,
        #[sea_orm(default_expr = "Expr::cust(\"abs(-10) * 2.5\")")]
        pub score: f64,
        #[sea_orm(default_expr = "Expr::cust(\"coalesce(NULL, 'x')\")")]
        pub tag: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

async fn meet(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    let v1 = Entities::new().entity(v1::Entity);
    written(krate.makemigration(&db, &v1, "defaults").await?);
    krate.run(&db, &["up"])?;
    let outcome = krate.makemigration(&db, &v1, "again").await?;
    assert!(
        matches!(outcome, Outcome::NoChanges),
        "{outcome:?}\nlive: {:#?}",
        db.schema().await?.tables["item"].columns
    );
    // A different expression is a change, of that column only.
    let (_, summary) = written(
        krate
            .makemigration(&db, &Entities::new().entity(v2::Entity), "other")
            .await?,
    );
    assert_eq!(summary.len(), 1, "{summary:?}");
    assert!(summary[0].starts_with("~ column item.code"), "{summary:?}");
    krate.run(&db, &["up"])?;
    let outcome = krate
        .makemigration(&db, &Entities::new().entity(v2::Entity), "again")
        .await?;
    assert!(matches!(outcome, Outcome::NoChanges), "{outcome:?}");
    Ok(())
}

#[tokio::test]
async fn postgres() -> anyhow::Result<()> {
    meet(Backend::Postgres, "expr_defaults_pg").await
}

#[tokio::test]
async fn mysql() -> anyhow::Result<()> {
    meet(Backend::MySql, "expr_defaults_mysql").await
}

#[tokio::test]
async fn sqlite() -> anyhow::Result<()> {
    meet(Backend::Sqlite, "expr_defaults_sqlite").await
}
