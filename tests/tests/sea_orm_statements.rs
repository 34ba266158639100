//! automigrate builds the `CREATE TABLE` and `CREATE INDEX` statements of an entity from a plain
//! description of it, so that the xtask compiles little code per entity (issue 17); they must be
//! exactly what sea-orm's own `Schema::create_table_from_entity` and `create_index_from_entity`
//! give, or the diff would see changes nobody made. For every entity of the tests, of the example
//! application, and of the odd cases below, on every backend: the same SQL, and the same
//! statements to the last field (`Debug`).
use automigrate::Entities;
use automigrate_core::Backend;
use automigrate_e2e::entities;
use sea_orm::DbBackend;
use std::cell::Cell;

thread_local! {
    /// Set while a statement is rendered: its panic, if any, is expected.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// What sea-orm's statements have that the tests' entities do not: a schema (whose name sea-orm
/// drops from MySQL's and SQLite's index statements), a column `extra`, a relation without a
/// foreign key, an indexed column that is also unique, a column name that needs quoting, an
/// entity with no primary key column auto-incrementing, and a three-column key.
mod odd {
    pub mod audited {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(
            schema_name = "audit",
            table_name = "events",
            comment = "what happened"
        )]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            #[sea_orm(indexed)]
            pub kind: String,
            #[sea_orm(indexed, unique)]
            pub code: String,
            #[sea_orm(unique_key = "b_then_a")]
            pub b: i32,
            #[sea_orm(unique_key = "b_then_a", indexed)]
            pub a: i32,
            #[sea_orm(unique_key = "alone")]
            pub c: i32,
            #[sea_orm(extra = "CHECK (amount > 0)")]
            pub amount: i32,
            #[sea_orm(column_name = "say \"hi\"", comment = "quoted", renamed_from = "hello")]
            pub greeting: Option<String>,
            #[sea_orm(column_name = "it`s")]
            pub backtick: Option<i32>,
            pub owner_id: Option<i64>,
            pub other_id: Option<i32>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::triple::Entity",
                from = "Column::OwnerId",
                to = "super::triple::Column::A",
                skip_fk
            )]
            Skipped,
            #[sea_orm(
                belongs_to = "Entity",
                from = "Column::OwnerId",
                to = "Column::Id",
                on_delete = "SetNull",
                on_update = "Cascade",
                fk_name = "events_owner"
            )]
            Owner,
            #[sea_orm(has_many = "super::triple::Entity")]
            Triples,
        }

        impl Related<super::triple::Entity> for Entity {
            fn to() -> RelationDef {
                Relation::Triples.def()
            }
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    pub mod triple {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "triple")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub a: i64,
            #[sea_orm(primary_key, auto_increment = false)]
            pub b: String,
            #[sea_orm(primary_key, auto_increment = false, indexed)]
            pub c: i32,
            pub event_id: i64,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            #[sea_orm(
                belongs_to = "super::audited::Entity",
                from = "Column::EventId",
                to = "super::audited::Column::Id",
                on_delete = "Restrict"
            )]
            Event,
        }

        impl Related<super::audited::Entity> for Entity {
            fn to() -> RelationDef {
                Relation::Event.def()
            }
        }

        impl ActiveModelBehavior for ActiveModel {}
    }

    /// A key that is not auto-incremented, of one column.
    pub mod natural {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "natural")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub code: String,
            #[sea_orm(default_expr = "Expr::current_timestamp()")]
            pub at: DateTimeUtc,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

/// Every list of entities to compare.
fn lists() -> Vec<(&'static str, Entities)> {
    vec![
        ("v1", entities::v1()),
        ("v2", entities::v2()),
        ("v3", entities::v3()),
        ("matrix", entities::matrix()),
        ("v4", entities::v4::entities()),
        ("v4 declared", entities::v4::declared()),
        ("v5", entities::v5()),
        ("cycle", entities::cycle::entities()),
        ("tagged", entities::tagged::entities()),
        ("survival before", entities::survival::before()),
        ("survival after", entities::survival::after()),
        (
            "example",
            Entities::discovered(&example_names())
                .entity(entity::comment::Entity)
                .entity(entity::post::Entity)
                .entity(entity::post_tag::Entity)
                .entity(entity::tag::Entity)
                .entity(entity::user::Entity),
        ),
        (
            "odd",
            Entities::new()
                .entity(odd::audited::Entity)
                .entity(odd::triple::Entity)
                .entity(odd::natural::Entity),
        ),
    ]
}

/// The example application's entities, as automigrate-discover finds them in `entity/`.
fn example_names() -> Vec<&'static str> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../entity");
    let (found, _) = automigrate_discover::entities(&dir).unwrap();
    found
        .into_iter()
        .map(|e| &*Box::leak(format!("entity::{e}").into_boxed_str()))
        .collect()
}

#[test]
fn the_example_list_has_every_example_entity() {
    let lists = lists();
    let (_, example) = lists.iter().find(|(n, _)| *n == "example").unwrap();
    assert!(example.unlisted().is_empty(), "{:?}", example.unlisted());
}

#[test]
fn statements_are_sea_orms_on_every_backend() {
    // sea-query refuses some types on some backends by panicking: quietly, in `sql`.
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !QUIET.with(Cell::get) {
            default(info)
        }
    }));
    let mut compared = 0;
    let mut refused = 0;
    for (list, entities) in lists() {
        for backend in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
            let db = automigrate::entities::db_backend(backend);
            for (entity, ours, theirs) in entities.statements_beside_sea_orm(backend) {
                let what = format!("{list}: {entity} on {backend:?}");
                let (ours_sql, theirs_sql) = (sql(db, &ours), sql(db, &theirs));
                assert_eq!(ours_sql, theirs_sql, "{what}");
                refused += ours_sql.iter().filter(|s| s.is_none()).count();
                assert_eq!(format!("{ours:?}"), format!("{theirs:?}"), "{what}");
                compared += 1;
            }
        }
    }
    // 46 entities, 3 backends; most statements render.
    assert_eq!(compared, 46 * 3);
    assert!(refused < compared / 10, "{refused} of {compared} refused");
}

/// Each statement's SQL, or `None` where sea-query refuses the backend (it panics: an array
/// column on SQLite).
fn sql(
    db: DbBackend,
    (table, indexes): &(
        sea_orm::sea_query::TableCreateStatement,
        Vec<sea_orm::sea_query::IndexCreateStatement>,
    ),
) -> Vec<Option<String>> {
    let build = |f: &dyn Fn() -> String| {
        QUIET.with(|q| q.set(true));
        let sql = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
        QUIET.with(|q| q.set(false));
        sql
    };
    let mut all = vec![build(&|| db.build(table).to_string())];
    all.extend(indexes.iter().map(|i| build(&|| db.build(i).to_string())));
    all
}
