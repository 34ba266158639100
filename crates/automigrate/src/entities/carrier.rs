//! One entity that carries any column through sea-orm's own conversion, so that the conversion is
//! compiled once, here, instead of once per entity of the application (issue 17).
//!
//! sea-orm turns a column into a `CREATE TABLE` column (`Schema::get_column_def`) and into the
//! indexes it asks for (`Schema::create_index_from_entity`) only through generic functions of the
//! entity type, and several attributes they read (`indexed`, `unique_key`, `comment`,
//! `renamed_from`, `extra`) have no public getter. [`carry`] lends an entity's
//! `sea_orm::ColumnDef` (its `Column::def()`, a plain value) to this entity's column `Carried` and
//! asks sea-orm about that column: what comes back is what sea-orm says of the lent column, under
//! the name `carried`.
use sea_orm::entity::prelude::*;
use sea_orm::{DbBackend, sea_query};
use std::cell::RefCell;

thread_local! {
    /// The column definition [`carry`] lends to `Column::Carried`.
    static LENT: RefCell<Option<ColumnDef>> = const { RefCell::new(None) };
}

#[derive(Copy, Clone, Default, Debug, DeriveEntity)]
pub struct Entity;

impl EntityName for Entity {
    fn table_name(&self) -> &'static str {
        "carrier"
    }
}

#[derive(Clone, Debug, PartialEq, DeriveModel, DeriveActiveModel)]
pub struct Model {
    pub carried: i32,
    pub key: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveColumn)]
pub enum Column {
    /// The lent column.
    Carried,
    /// The primary key, which an entity needs; never the carried column, so sea-orm marks the
    /// carried one neither primary nor auto-incrementing (the caller decides that).
    Key,
}

#[derive(Copy, Clone, Debug, EnumIter, DerivePrimaryKey)]
pub enum PrimaryKey {
    Key,
}

impl PrimaryKeyTrait for PrimaryKey {
    type ValueType = i32;

    fn auto_increment() -> bool {
        false
    }
}

#[derive(Copy, Clone, Debug, EnumIter)]
pub enum Relation {}

impl ColumnTrait for Column {
    type EntityName = Entity;

    fn def(&self) -> ColumnDef {
        match self {
            Column::Carried => LENT
                .with(|l| l.borrow().clone())
                .expect("the carrier's column is read only inside `carry`"),
            Column::Key => ColumnType::Integer.def(),
        }
    }
}

impl RelationTrait for Relation {
    fn def(&self) -> RelationDef {
        match *self {}
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// What sea-orm makes of one column for one backend.
pub struct Carried {
    /// `Schema::get_column_def`, named `carried`: its type as sea-orm spells it for the backend
    /// (enums), nullability, `UNIQUE`, default, comment (with the `renamed_from` note) and extra;
    /// neither primary key nor auto-increment.
    pub def: sea_query::ColumnDef,
    /// sea-orm makes an index of the column (`#[sea_orm(indexed)]` on a column not unique).
    pub indexed: bool,
    /// `#[sea_orm(unique_key = "key")]`.
    pub unique_key: Option<String>,
}

/// Asks sea-orm what it makes of the column `def` on `backend`.
pub fn carry(def: &ColumnDef, backend: DbBackend) -> Carried {
    LENT.with(|l| *l.borrow_mut() = Some(def.clone()));
    let schema = sea_orm::Schema::new(backend);
    let column = schema.get_column_def::<Entity>(Column::Carried);
    let mut indexed = false;
    let mut unique_key = None;
    for index in schema.create_index_from_entity(Entity) {
        let name = index.get_index_spec().get_name().unwrap_or_default();
        let Some(suffix) = name.strip_prefix("idx-carrier-") else {
            continue;
        };
        if index.is_unique_key() {
            unique_key = Some(suffix.to_string());
        } else if suffix == "carried" {
            indexed = true;
        }
    }
    LENT.with(|l| *l.borrow_mut() = None);
    Carried {
        def: column,
        indexed,
        unique_key,
    }
}
