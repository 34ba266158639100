//! Type changes of columns that have defaults and rows, and casts PostgreSQL has no direct
//! path for: text to number and to an enum with the default kept, boolean to number, one enum
//! type to another. Each applies, leaves no diff, and `down` restores the schema and the rows.
use automigrate::Entities;
use automigrate::commands::Outcome;
use automigrate_core::{Backend, diff};
use automigrate_e2e::{MigrationCrate, TestDb, written};
use sea_orm::{ConnectionTrait, Statement};

#[derive(Clone, Debug, PartialEq, Eq, sea_orm::EnumIter, sea_orm::DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "kind")]
pub enum Kind {
    #[sea_orm(string_value = "a")]
    A,
    #[sea_orm(string_value = "b")]
    B,
}

#[derive(Clone, Debug, PartialEq, Eq, sea_orm::EnumIter, sea_orm::DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "status")]
pub enum Status {
    #[sea_orm(string_value = "on")]
    On,
    #[sea_orm(string_value = "off")]
    Off,
}

#[derive(Clone, Debug, PartialEq, Eq, sea_orm::EnumIter, sea_orm::DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "state")]
pub enum State {
    #[sea_orm(string_value = "on")]
    On,
    #[sea_orm(string_value = "off")]
    Off,
}

mod v1 {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "things")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(default_value = "7")]
        pub count: String,
        #[sea_orm(default_value = false)]
        pub flag: bool,
        #[sea_orm(default_value = "a")]
        pub kind: String,
        pub st: super::Status,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod v2 {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "things")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(default_value = 7)]
        pub count: i32,
        #[sea_orm(default_value = 0)]
        pub flag: i16,
        #[sea_orm(default_value = "a")]
        pub kind: super::Kind,
        pub st: super::State,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

async fn row(db: &TestDb) -> anyhow::Result<String> {
    let conn = db.connect().await?;
    let backend = conn.get_database_backend();
    let text = match db.backend {
        Backend::MySql => {
            "CAST(count AS CHAR), CAST(flag AS CHAR), CAST(kind AS CHAR), CAST(st AS CHAR)"
        }
        Backend::Postgres => "count::text, flag::int::text, kind::text, st::text",
        Backend::Sqlite => "CAST(count AS TEXT), CAST(flag AS TEXT), kind, st",
    };
    let r = conn
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT {text} FROM things"),
        ))
        .await?
        .expect("a row");
    let cells: Vec<String> = (0..4)
        .map(|i| r.try_get_by_index::<String>(i))
        .collect::<Result<_, _>>()?;
    conn.close().await?;
    Ok(cells.join(","))
}

async fn retype(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(
        krate
            .makemigration(&db, &Entities::new().entity(v1::Entity), "v1")
            .await?,
    );
    krate.run(&db, &["up"])?;
    db.execute("INSERT INTO things (id, count, flag, kind, st) VALUES (1, '12', TRUE, 'b', 'off')")
        .await?;
    let before = db.schema().await?;
    let before_row = row(&db).await?;

    let v2 = Entities::new().entity(v2::Entity);
    written(krate.makemigration(&db, &v2, "retype").await?);
    krate.run(&db, &["up"])?;
    assert!(matches!(
        krate.makemigration(&db, &v2, "again").await?,
        Outcome::NoChanges
    ));
    let after_row = row(&db).await?;
    assert!(after_row.starts_with("12,1,b,off"), "{after_row}");
    // The defaults hold.
    db.execute("INSERT INTO things (id, st) VALUES (2, 'on')")
        .await?;
    db.execute("DELETE FROM things WHERE id = 2").await?;

    krate.run(&db, &["down"])?;
    let after = db.schema().await?;
    assert!(
        diff(&after, &before).is_empty(),
        "{:#?}",
        diff(&after, &before)
    );
    assert_eq!(row(&db).await?, before_row);
    Ok(())
}

#[tokio::test]
async fn postgres_retype() -> anyhow::Result<()> {
    retype(Backend::Postgres, "postgres_retype").await
}

#[tokio::test]
async fn mysql_retype() -> anyhow::Result<()> {
    retype(Backend::MySql, "mysql_retype").await
}

#[tokio::test]
async fn sqlite_retype() -> anyhow::Result<()> {
    retype(Backend::Sqlite, "sqlite_retype").await
}

/// A key widened from i32 to i64 with the column that references it (Django's BigAutoField
/// switch): MySQL refuses to change a column a foreign key uses, so the key goes and comes back.
mod narrow_keys {
    pub mod owner {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "owner")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod pet {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "pet")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub owner_id: i32,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::owner::Entity",
                from = "Column::OwnerId",
                to = "super::owner::Column::Id"
            )]
            Owner,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod wide_keys {
    pub mod owner {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "owner")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod pet {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "pet")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub owner_id: i64,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::owner::Entity",
                from = "Column::OwnerId",
                to = "super::owner::Column::Id"
            )]
            Owner,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

/// `v1` up with `rows` in it, then `v2` up (after which nothing is left to generate), then
/// `down`, which restores `v1`'s schema. False when `v2` changes nothing on this backend.
async fn round_trip(
    backend: Backend,
    name: &str,
    v1: &Entities,
    v2: &Entities,
    rows: &[&str],
) -> anyhow::Result<bool> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(krate.makemigration(&db, v1, "v1").await?);
    krate.run(&db, &["up"])?;
    for sql in rows {
        db.execute(sql).await?;
    }
    let before = db.schema().await?;
    let outcome = krate.makemigration(&db, v2, "v2").await?;
    if matches!(outcome, Outcome::NoChanges) {
        return Ok(false);
    }
    written(outcome);
    krate.run(&db, &["up"])?;
    assert!(matches!(
        krate.makemigration(&db, v2, "again").await?,
        Outcome::NoChanges
    ));
    krate.run(&db, &["down"])?;
    let after = db.schema().await?;
    assert!(
        diff(&after, &before).is_empty(),
        "{:#?}",
        diff(&after, &before)
    );
    Ok(true)
}

async fn widen_keys(backend: Backend, name: &str) -> anyhow::Result<()> {
    let narrow = Entities::new()
        .entity(narrow_keys::owner::Entity)
        .entity(narrow_keys::pet::Entity);
    let wide = Entities::new()
        .entity(wide_keys::owner::Entity)
        .entity(wide_keys::pet::Entity);
    let rows = [
        "INSERT INTO owner (id) VALUES (1)",
        "INSERT INTO pet (id, owner_id) VALUES (1, 1)",
    ];
    let changed = round_trip(backend, name, &narrow, &wide, &rows).await?;
    // On SQLite both are INTEGER.
    assert_eq!(changed, backend != Backend::Sqlite);
    Ok(())
}

#[tokio::test]
async fn mysql_widen_referenced_key() -> anyhow::Result<()> {
    widen_keys(Backend::MySql, "mysql_widen_keys").await
}

#[tokio::test]
async fn postgres_widen_referenced_key() -> anyhow::Result<()> {
    widen_keys(Backend::Postgres, "postgres_widen_keys").await
}

#[tokio::test]
async fn sqlite_widen_referenced_key() -> anyhow::Result<()> {
    widen_keys(Backend::Sqlite, "sqlite_widen_keys").await
}

/// A key whose name is not `<table>_pkey`: a renamed table keeps its key's old name.
mod author {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "author")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub email: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod writer {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "writer")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub email: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

mod writer_by_email {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "writer")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub email: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[tokio::test]
async fn postgres_key_of_a_renamed_table() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Postgres, "renamed_key").await?;
    let krate = MigrationCrate::new("postgres_renamed_key")?;
    written(
        krate
            .makemigration(&db, &Entities::new().entity(author::Entity), "author")
            .await?,
    );
    krate.run(&db, &["up"])?;
    let writer = Entities::new().entity(writer::Entity);
    let project = automigrate::commands::Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities: &writer,
        config: Default::default(),
    };
    let options = automigrate::commands::MakeOptions {
        renames: vec![automigrate_core::renames::Rename::Table {
            from: "author".into(),
            to: "writer".into(),
        }],
        ..Default::default()
    };
    written(automigrate::commands::makemigration(&project, "rename", options).await?);
    krate.run(&db, &["up"])?;
    let renamed = db.schema().await?;
    assert_eq!(
        renamed.tables["writer"].primary_key_name.as_deref(),
        Some("author_pkey")
    );

    let by_email = Entities::new().entity(writer_by_email::Entity);
    written(krate.makemigration(&db, &by_email, "key by email").await?);
    krate.run(&db, &["up"])?;
    assert!(matches!(
        krate.makemigration(&db, &by_email, "again").await?,
        Outcome::NoChanges
    ));
    krate.run(&db, &["down"])?;
    assert_eq!(
        db.schema().await?,
        renamed,
        "down restores the key and its name"
    );
    Ok(())
}

/// The primary key of a table that a foreign key references moves to another column: the key
/// that references it goes before and comes back after, in `up` and in `down`.
mod parent_by_id {
    pub mod parent {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "parent")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub code: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod child {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "child")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub parent_id: i32,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::parent::Entity",
                from = "Column::ParentId",
                to = "super::parent::Column::Id"
            )]
            Parent,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod parent_by_code {
    pub mod parent {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "parent")]
        pub struct Model {
            #[sea_orm(unique)]
            pub id: i32,
            #[sea_orm(primary_key, auto_increment = false)]
            pub code: String,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

async fn move_referenced_key(backend: Backend, name: &str) -> anyhow::Result<()> {
    let by_id = Entities::new()
        .entity(parent_by_id::parent::Entity)
        .entity(parent_by_id::child::Entity);
    let by_code = Entities::new()
        .entity(parent_by_code::parent::Entity)
        .entity(parent_by_id::child::Entity);
    let rows = [
        "INSERT INTO parent (id, code) VALUES (1, 'a')",
        "INSERT INTO child (id, parent_id) VALUES (1, 1)",
    ];
    assert!(round_trip(backend, name, &by_id, &by_code, &rows).await?);
    Ok(())
}

#[tokio::test]
async fn postgres_move_referenced_key() -> anyhow::Result<()> {
    move_referenced_key(Backend::Postgres, "postgres_move_key").await
}

#[tokio::test]
async fn mysql_move_referenced_key() -> anyhow::Result<()> {
    move_referenced_key(Backend::MySql, "mysql_move_key").await
}

#[tokio::test]
async fn sqlite_move_referenced_key() -> anyhow::Result<()> {
    move_referenced_key(Backend::Sqlite, "sqlite_move_key").await
}
