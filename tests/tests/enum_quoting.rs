//! Enum names and values that need quoting or escaping: a PostgreSQL type name in mixed case or
//! with a quote (`"Kind""Enum"`), values with a quote or a backslash (MySQL/MariaDB write them
//! into `ENUM(…)`). Created, then a value added, on every backend: each migration applies,
//! leaves nothing to change, and `down` restores the schema before it.
use automigrate::commands::Outcome;
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, column_order_free, written};

mod v1 {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "Kind\"Enum")]
    pub enum Kind {
        #[sea_orm(string_value = "it's")]
        Its,
        #[sea_orm(string_value = "back\\slash")]
        Backslash,
        #[sea_orm(string_value = "plain")]
        Plain,
    }

    pub mod thing {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "things")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub kind: super::Kind,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod v2 {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
    #[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "Kind\"Enum")]
    pub enum Kind {
        #[sea_orm(string_value = "it's")]
        Its,
        #[sea_orm(string_value = "back\\slash")]
        Backslash,
        #[sea_orm(string_value = "plain")]
        Plain,
        #[sea_orm(string_value = "two 'quotes' \\ \"here\"")]
        Quotes,
    }

    pub mod thing {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "things")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub kind: super::Kind,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

async fn quoting(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    let first = automigrate::Entities::new().entity(v1::thing::Entity);
    let second = automigrate::Entities::new().entity(v2::thing::Entity);

    written(krate.makemigration(&db, &first, "things").await?);
    krate.run(&db, &["up"])?;
    db.execute(r"INSERT INTO things (kind) VALUES ('it''s')")
        .await?;
    let backslash = match backend {
        Backend::MySql => r"INSERT INTO things (kind) VALUES ('back\\slash')",
        _ => r"INSERT INTO things (kind) VALUES ('back\slash')",
    };
    db.execute(backslash).await?;
    let again = krate.makemigration(&db, &first, "again").await?;
    assert!(
        matches!(again, Outcome::NoChanges),
        "the values as the database keeps them are the entity's: {again:?}"
    );
    let before = db.schema().await?;

    let (migration, summary) = written(krate.makemigration(&db, &second, "quotes").await?);
    assert_eq!(
        summary.first().map(String::as_str),
        Some(r#"~ enum Kind"Enum + (two 'quotes' \ "here")"#),
        "{summary:#?}"
    );
    krate.run(&db, &["up"])?;
    assert!(
        matches!(
            krate.makemigration(&db, &second, "again").await?,
            Outcome::NoChanges
        ),
        "{}",
        krate.file(&migration)?
    );
    krate.run(&db, &["down"])?;
    assert_eq!(
        column_order_free(db.schema().await?),
        column_order_free(before)
    );
    krate.run(&db, &["down"])?;
    Ok(())
}

#[tokio::test]
async fn sqlite_enum_quoting() -> anyhow::Result<()> {
    quoting(Backend::Sqlite, "sqlite_enum_quoting").await
}

#[tokio::test]
async fn postgres_enum_quoting() -> anyhow::Result<()> {
    quoting(Backend::Postgres, "postgres_enum_quoting").await
}

#[tokio::test]
async fn mysql_enum_quoting() -> anyhow::Result<()> {
    quoting(Backend::MySql, "mysql_enum_quoting").await
}
