//! A foreign key must reference a primary key or unique columns (issue 15, item 6). An inverted
//! `belongs_to` (the key declared on the entity that is referenced, pointing at a column that is
//! not unique) is refused at generation, by makemigration, check and diff alike, with an error
//! that names the entity and the relation, and nothing is written. A foreign key to a unique
//! column that is not the primary key is still generated and applies, on every backend.
use automigrate::Entities;
use automigrate::commands::{self, Project};
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, written};

mod inverted {
    pub mod user {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "users")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub name: String,
        }

        /// Written the wrong way round: users.id "belongs to" posts.user_id.
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::post::Entity",
                from = "Column::Id",
                to = "super::post::Column::UserId"
            )]
            Post,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod post {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "posts")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub user_id: i32,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

mod to_unique {
    pub mod account {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "accounts")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            #[sea_orm(unique)]
            pub code: i32,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod invoice {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "invoices")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i32,
            pub account_code: i32,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::account::Entity",
                from = "Column::AccountCode",
                to = "super::account::Column::Code"
            )]
            Account,
        }

        impl ActiveModelBehavior for ActiveModel {}
    }
}

async fn refused_at_generation(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    let entities = Entities::new()
        .entity(inverted::user::Entity)
        .entity(inverted::post::Entity);
    let lib_before = std::fs::read_to_string(krate.root.join("src/lib.rs"))?;
    let err = krate
        .makemigration(&db, &entities, "inverted")
        .await
        .expect_err("an inverted belongs_to must be refused");
    let text = format!("{err:#}");
    for part in [
        "entity `users`",
        "inverted::user::Relation::Post",
        "users(id) references posts(user_id)",
        "neither the primary key of `posts` nor unique",
    ] {
        assert!(text.contains(part), "`{part}` not in: {text}");
    }
    // Nothing written: no migration file, lib.rs as it was.
    let files: Vec<_> = std::fs::read_dir(krate.root.join("src"))?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    assert!(
        files.iter().all(|f| f == "lib.rs" || f == "main.rs"),
        "a migration was written: {files:?}"
    );
    assert_eq!(
        std::fs::read_to_string(krate.root.join("src/lib.rs"))?,
        lib_before
    );
    // check and diff refuse it the same way.
    let project = Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities: &entities,
        config: Default::default(),
    };
    let Err(err) = commands::analyze(&project).await else {
        panic!("check and diff analyze the same entities: must be refused");
    };
    assert!(
        format!("{err:#}").contains("inverted::user::Relation::Post"),
        "{err:#}"
    );

    // A foreign key to a unique column is a key: generated, applied, no change after.
    let entities = Entities::new()
        .entity(to_unique::account::Entity)
        .entity(to_unique::invoice::Entity);
    written(krate.makemigration(&db, &entities, "to unique").await?);
    krate.run(&db, &["up"])?;
    assert!(
        matches!(
            krate.makemigration(&db, &entities, "again").await?,
            commands::Outcome::NoChanges
        ),
        "a change after applying"
    );
    Ok(())
}

#[tokio::test]
async fn sqlite() -> anyhow::Result<()> {
    refused_at_generation(Backend::Sqlite, "fk_target_sqlite").await
}

#[tokio::test]
async fn postgres() -> anyhow::Result<()> {
    refused_at_generation(Backend::Postgres, "fk_target_pg").await
}

#[tokio::test]
async fn mysql() -> anyhow::Result<()> {
    refused_at_generation(Backend::MySql, "fk_target_mysql").await
}
