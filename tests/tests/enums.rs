//! Enum values added, seen on every backend (on SQLite through the snapshot) and generated the
//! same way: `ops::alter_enum` (PostgreSQL's `ALTER TYPE … ADD VALUE` when it runs) and the
//! column's change (MySQL's `MODIFY COLUMN`). `down` removes the value again, which PostgreSQL
//! can only do by recreating the type.
use automigrate::commands::Outcome;
use automigrate_core::{Backend, diff};
use automigrate_e2e::{MigrationCrate, TestDb, column_order_free, entities, written};

async fn enum_values(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    krate.run(&db, &["up"])?;
    db.execute("INSERT INTO users (email, name, role) VALUES ('ada@example.com', 'Ada', 'member')")
        .await?;
    let v2_schema = db.schema().await?;

    let outcome = krate
        .makemigration(&db, &entities::v5(), "add editor")
        .await?;
    // The same change on every backend (SQLite knows the values from the snapshot): the type's
    // values, and its column, which MySQL changes and the others leave as it is.
    let (name, summary) = written(outcome);
    assert_eq!(
        summary,
        vec![
            "~ enum user_role + (editor)",
            "~ column users.role (enum user_role (admin, member), not null -> enum user_role (admin, editor, member), not null)",
        ]
    );
    let source: String = krate.file(&name)?.split_whitespace().collect();
    let (up, down) = source.split_once("asyncfndown").unwrap();
    let to = r#"["admin","editor","member"]"#;
    let from = r#"["admin","member"]"#;
    assert!(
        up.contains(&format!(
            r#"ops::alter_enum(manager,"user_role",{from},{to},)"#
        )),
        "{source}"
    );
    assert!(
        down.contains(&format!(
            r#"ops::alter_enum(manager,"user_role",{to},{from},)"#
        )),
        "{source}"
    );
    krate.run(&db, &["up"])?;
    let live = db.schema().await?;
    let declared = entities::v5().schema(backend)?;
    assert!(
        diff(&live, &declared).is_empty(),
        "{:#?}",
        diff(&live, &declared)
    );
    db.execute("INSERT INTO users (email, name, role) VALUES ('bob@example.com', 'Bob', 'admin')")
        .await?;

    krate.run(&db, &["down"])?;
    assert_eq!(
        column_order_free(db.schema().await?),
        column_order_free(v2_schema)
    );
    Ok(())
}

#[tokio::test]
async fn sqlite_enum_values() -> anyhow::Result<()> {
    enum_values(Backend::Sqlite, "sqlite_enum_values").await
}

#[tokio::test]
async fn postgres_enum_values() -> anyhow::Result<()> {
    enum_values(Backend::Postgres, "postgres_enum_values").await
}

#[tokio::test]
async fn mysql_enum_values() -> anyhow::Result<()> {
    enum_values(Backend::MySql, "mysql_enum_values").await
}

/// `users.role` with the value v5 adds as its default.
mod editor_default {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub email: String,
        #[sea_orm(column_type = "String(StringLen::N(100))")]
        pub name: String,
        #[sea_orm(default_value = "editor")]
        pub role: automigrate_e2e::entities::RoleV5,
        pub bio: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// PostgreSQL cannot use an enum value in the transaction that added it: a migration that adds
/// a value and makes it a default runs without a transaction, says so, and applies and reverts.
#[tokio::test]
async fn postgres_new_enum_value_as_default() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Postgres, "enum_default").await?;
    let krate = MigrationCrate::new("postgres_enum_default")?;
    written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    krate.run(&db, &["up"])?;
    db.execute("INSERT INTO users (email, name, role) VALUES ('ada@example.com', 'Ada', 'member')")
        .await?;
    let v2_schema = db.schema().await?;
    let with_default = automigrate::Entities::new()
        .entity(editor_default::Entity)
        .entity(entities::v2::post::Entity)
        .entity(entities::v2::comment::Entity);
    let (name, summary) = written(
        krate
            .makemigration(&db, &with_default, "editors by default")
            .await?,
    );
    assert_eq!(summary.len(), 2, "{summary:#?}");
    let source = krate.file(&name)?;
    assert!(source.contains("REVIEW(no-transaction)"), "{source}");
    assert!(
        source.contains("fn use_transaction(&self) -> Option<bool>"),
        "{source}"
    );
    krate.run(&db, &["up"])?;
    db.execute("INSERT INTO users (email, name) VALUES ('bob@example.com', 'Bob')")
        .await?;
    assert!(matches!(
        krate.makemigration(&db, &with_default, "again").await?,
        Outcome::NoChanges
    ));
    db.execute("DELETE FROM users WHERE name = 'Bob'").await?;
    krate.run(&db, &["down"])?;
    assert!(diff(&db.schema().await?, &v2_schema).is_empty());
    Ok(())
}

/// `users` of v2 without its `role` column.
mod no_role {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub email: String,
        #[sea_orm(column_type = "String(StringLen::N(100))")]
        pub name: String,
        pub bio: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// PostgreSQL: an enum type that no column uses any more (its column dropped by hand) goes when
/// the snapshot says the entities declared it, and comes back in `down`; one the entities never
/// declared is left alone and listed as not managed.
#[tokio::test]
async fn postgres_unused_enum_types() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Postgres, "unused_enum_types").await?;
    let krate = MigrationCrate::new("postgres_unused_enum_types")?;
    written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    krate.run(&db, &["up"])?;
    db.execute("ALTER TABLE users DROP COLUMN role").await?;
    db.execute(r#"CREATE TYPE "Hand Made" AS ENUM ('a', 'b')"#)
        .await?;
    let before = db.schema().await?;
    assert!(before.enums.contains_key("user_role"), "{:?}", before.enums);
    let without_role = automigrate::Entities::new()
        .entity(no_role::Entity)
        .entity(entities::v2::post::Entity)
        .entity(entities::v2::comment::Entity);
    let project = automigrate::commands::Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities: &without_role,
        config: Default::default(),
    };
    let analysis = automigrate::commands::analyze(&project).await?;
    assert!(
        analysis
            .unmanaged
            .iter()
            .any(|n| n.contains("enum type Hand Made")),
        "{:#?}",
        analysis.unmanaged
    );
    let (name, summary) = written(krate.makemigration(&db, &without_role, "no roles").await?);
    assert_eq!(summary, vec!["- enum user_role"]);
    krate.run(&db, &["up"])?;
    let after = db.schema().await?;
    assert!(!after.enums.contains_key("user_role"), "{:?}", after.enums);
    assert!(after.enums.contains_key("Hand Made"), "{:?}", after.enums);
    assert!(matches!(
        krate.makemigration(&db, &without_role, "again").await?,
        Outcome::NoChanges
    ));
    krate.run(&db, &["down"])?;
    assert_eq!(db.schema().await?.enums, before.enums, "{name}");
    Ok(())
}

/// An enum that loses a value that rows hold: `enum-value-removed`, with the rows counted, on
/// every backend (PostgreSQL and MySQL/MariaDB refuse the change while a row holds the value).
async fn removed_value_counted(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(krate.makemigration(&db, &entities::v5(), "v5").await?);
    krate.run(&db, &["up"])?;
    for (email, role) in [("a@x", "editor"), ("b@x", "admin"), ("c@x", "editor")] {
        db.execute(&format!(
            "INSERT INTO users (email, name, role) VALUES ('{email}', 'A', '{role}')"
        ))
        .await?;
    }
    let v2 = entities::v2();
    let project = automigrate::commands::Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities: &v2,
        config: Default::default(),
    };
    let analysis = automigrate::commands::analyze(&project).await?;
    let removed: Vec<&str> = analysis
        .hazards
        .iter()
        .filter(|h| h.code == "enum-value-removed")
        .map(|h| h.reason.as_str())
        .collect();
    assert_eq!(
        removed,
        [
            "enum `user_role` loses editor: rows holding it make it fail (on SQLite they keep it); 2 rows hold one now"
        ]
    );
    Ok(())
}

#[tokio::test]
async fn sqlite_removed_enum_value_counted() -> anyhow::Result<()> {
    removed_value_counted(Backend::Sqlite, "sqlite_removed_value_counted").await
}

#[tokio::test]
async fn postgres_removed_enum_value_counted() -> anyhow::Result<()> {
    removed_value_counted(Backend::Postgres, "postgres_removed_value_counted").await
}

#[tokio::test]
async fn mysql_removed_enum_value_counted() -> anyhow::Result<()> {
    removed_value_counted(Backend::MySql, "mysql_removed_value_counted").await
}
