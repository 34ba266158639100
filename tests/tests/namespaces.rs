//! Tables in PostgreSQL schemas other than the default one (`#[sea_orm(schema_name = "audit")]`):
//! created with their schema, told apart from same-named tables of the default schema, removed
//! when their entities go, and refused with a clear error where a schema is another database.
use automigrate::Entities;
use automigrate::commands::{self, HISTORY_TABLE, Outcome, Project};
use automigrate::introspect::introspect_in;
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, written};
use sea_orm::{ConnectionTrait, Database, Statement};

mod user {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The same table as `user`, its schema named: `public`, the default one.
mod public_user {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(schema_name = "public", table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `audit.users`: the same name as `public.users`, another table.
mod audit_user {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(schema_name = "audit", table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        #[sea_orm(unique)]
        pub login: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `audit.events`: keys to a table of its own schema and to one of the default schema.
mod audit_event {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(schema_name = "audit", table_name = "events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub actor_id: i32,
        pub user_id: i32,
        #[sea_orm(indexed)]
        pub kind: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        #[sea_orm(
            belongs_to = "super::audit_user::Entity",
            from = "Column::ActorId",
            to = "super::audit_user::Column::Id",
            on_delete = "Cascade"
        )]
        Actor,
        #[sea_orm(
            belongs_to = "super::user::Entity",
            from = "Column::UserId",
            to = "super::user::Column::Id"
        )]
        User,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

fn v1() -> Entities {
    Entities::new().entity(user::Entity)
}

fn v2() -> Entities {
    Entities::new()
        .entity(user::Entity)
        .entity(audit_user::Entity)
        .entity(audit_event::Entity)
}

async fn plan_of(db: &TestDb, krate: &MigrationCrate, entities: &Entities) -> Vec<String> {
    let analysis = commands::analyze(&Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities,
        config: Default::default(),
    })
    .await
    .expect("analyze");
    analysis.plan.changes.iter().map(|c| c.summary()).collect()
}

async fn query_strings(db: &TestDb, sql: &str) -> anyhow::Result<Vec<String>> {
    let conn = Database::connect(&db.url).await?;
    let rows = conn
        .query_all_raw(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            sql.to_string(),
        ))
        .await?;
    conn.close().await?;
    rows.iter()
        .map(|r| Ok(r.try_get_by_index::<String>(0)?))
        .collect()
}

#[tokio::test]
async fn tables_in_another_postgres_schema() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Postgres, "namespaces").await?;
    let krate = MigrationCrate::new("namespaces")?;
    written(krate.makemigration(&db, &v1(), "users").await?);
    krate.run(&db, &["up"])?;

    // Naming the default schema is not a change.
    let public = Entities::new().entity(public_user::Entity);
    assert_eq!(plan_of(&db, &krate, &public).await, Vec::<String>::new());

    let (name, summary) = written(krate.makemigration(&db, &v2(), "audit trail").await?);
    assert_eq!(
        summary,
        [
            "+ schema audit",
            "+ table audit.users (2 columns)",
            "+ table audit.events (4 columns)",
        ],
        "{summary:#?}"
    );
    let file = krate.file(&name)?;
    assert!(file.contains(r#"CREATE SCHEMA "audit""#), "{file}");
    assert!(file.contains(r#".table(("audit", "events"))"#), "{file}");
    assert!(file.contains(r#".to(("audit", "users"), "id")"#), "{file}");
    assert!(file.contains(r#".to("users", "id")"#), "{file}");
    krate.run(&db, &["up"])?;

    // The tables are where the entities say, and read back as declared.
    let tables = query_strings(
        &db,
        "SELECT table_schema || '.' || table_name FROM information_schema.tables \
         WHERE table_schema IN ('public', 'audit') AND table_name <> 'seaql_migrations' ORDER BY 1",
    )
    .await?;
    assert_eq!(tables, ["audit.events", "audit.users", "public.users"]);
    assert!(matches!(
        krate.makemigration(&db, &v2(), "again").await?,
        Outcome::NoChanges
    ));
    let conn = Database::connect(&db.url).await?;
    let live = introspect_in(&conn, HISTORY_TABLE, &["audit".to_string()]).await?;
    conn.close().await?;
    let events = &live.schema.tables["audit.events"];
    assert_eq!(events.foreign_keys.len(), 2);
    assert!(
        events
            .foreign_keys
            .iter()
            .any(|fk| fk.ref_table == "audit.users")
    );
    assert!(events.foreign_keys.iter().any(|fk| fk.ref_table == "users"));
    assert_eq!(
        live.schema.tables["audit.users"]
            .column("login")
            .map(|c| c.nullable),
        Some(false)
    );
    assert_eq!(
        live.schema.tables["users"]
            .column("name")
            .map(|c| c.nullable),
        Some(false)
    );

    // Rows in both schemas; `down` takes the audit schema away whole, `up` brings it back.
    db.execute(
        "INSERT INTO users (id, name) VALUES (1, 'ada'); \
         INSERT INTO audit.users (id, login) VALUES (7, 'root'); \
         INSERT INTO audit.events (id, actor_id, user_id, kind) VALUES (1, 7, 1, 'login')",
    )
    .await?;
    krate.run(&db, &["down", "-n", "1"])?;
    assert_eq!(
        query_strings(
            &db,
            "SELECT nspname::text FROM pg_namespace WHERE nspname = 'audit'"
        )
        .await?,
        Vec::<String>::new()
    );
    assert_eq!(query_strings(&db, "SELECT name FROM users").await?, ["ada"]);
    krate.run(&db, &["up"])?;
    assert!(matches!(
        krate.makemigration(&db, &v2(), "again").await?,
        Outcome::NoChanges
    ));

    // The entities of the audit schema go: the snapshot remembers the schema, so their tables
    // are seen and dropped (the schema itself is left alone).
    let (_, summary) = written(krate.makemigration(&db, &v1(), "no audit").await?);
    assert_eq!(summary.len(), 2, "{summary:#?}");
    assert!(
        summary[0].starts_with("- table audit.events"),
        "{summary:#?}"
    );
    assert!(
        summary[1].starts_with("- table audit.users"),
        "{summary:#?}"
    );
    krate.run(&db, &["up"])?;
    assert!(matches!(
        krate.makemigration(&db, &v1(), "again").await?,
        Outcome::NoChanges
    ));
    krate.run(&db, &["down", "-n", "1"])?;
    assert_eq!(
        query_strings(&db, "SELECT login FROM audit.users").await?,
        Vec::<String>::new(),
        "the tables come back (empty: their rows were dropped with them)"
    );
    Ok(())
}

#[tokio::test]
async fn a_schema_elsewhere_is_refused() -> anyhow::Result<()> {
    for backend in [Backend::Sqlite, Backend::MySql] {
        let name = format!("namespaces_refused_{backend:?}").to_lowercase();
        let db = TestDb::new(backend, &name).await?;
        let krate = MigrationCrate::new(&name)?;
        let err = krate
            .makemigration(&db, &v2(), "audit")
            .await
            .expect_err("a schema_name off PostgreSQL is refused");
        let text = format!("{err:#}");
        assert!(
            text.contains("entity `users` cannot be used")
                && text.contains("names the schema `audit`"),
            "{backend:?}: {text}"
        );
        // Nothing written: no migration file, and lib.rs registers none.
        let files: Vec<String> = std::fs::read_dir(krate.root.join("src"))?
            .map(|e| Ok(e?.file_name().to_string_lossy().into_owned()))
            .collect::<std::io::Result<_>>()?;
        assert!(
            !files.iter().any(|f| f.starts_with('m') && f != "main.rs"),
            "{files:?}"
        );
        let lib = std::fs::read_to_string(krate.root.join("src/lib.rs"))?;
        assert!(!lib.contains("Box::new("), "{lib}");
    }
    Ok(())
}

/// `DATABASE_SCHEMA` (sea-orm-migration's `-s`): the migrations run in that PostgreSQL schema,
/// and makemigration compares with it, not with `public`.
#[tokio::test]
async fn migrations_in_a_database_schema() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Postgres, "database_schema").await?;
    let krate = MigrationCrate::new("database_schema")?;
    let project = |entities, schema: &str| Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities,
        config: automigrate::config::Config {
            database_schema: Some(schema.to_string()),
            ..Default::default()
        },
    };
    let entities = v1();
    let err = commands::makemigration(&project(&entities, "app"), "users", Default::default())
        .await
        .expect_err("a schema that does not exist");
    assert!(format!("{err:#}").contains("the schema `app` (DATABASE_SCHEMA) does not exist"));

    db.execute("CREATE SCHEMA app").await?;
    written(
        commands::makemigration(&project(&entities, "app"), "users", Default::default()).await?,
    );
    krate.run(&db, &["-s", "app", "up"])?;
    let tables = query_strings(
        &db,
        "SELECT table_schema || '.' || table_name FROM information_schema.tables \
         WHERE table_schema IN ('public', 'app') ORDER BY 1",
    )
    .await?;
    assert_eq!(tables, ["app.seaql_migrations", "app.users"]);
    assert!(matches!(
        commands::makemigration(&project(&entities, "app"), "again", Default::default()).await?,
        Outcome::NoChanges
    ));
    // Without the setting, `public` is compared: empty, and no history there.
    let err = krate
        .makemigration(&db, &entities, "users again")
        .await
        .expect_err("public has no migration history");
    let text = format!("{err:#}");
    assert!(
        text.contains("1 pending migration") && text.contains("set DATABASE_SCHEMA or pass -s"),
        "{text}"
    );
    Ok(())
}
