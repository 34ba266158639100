//! The declared schema: what the SeaORM entities say, read through `sea_orm::Schema`.
//!
//! Every column type and default is rendered with sea-query's builder for the target backend and
//! brought to canonical form by [`automigrate_core::dialect`], exactly as the live side is.
use automigrate_core::dialect;
use automigrate_core::model::{
    Backend, Column, ColumnType, EnumType, FkAction, ForeignKey, Index, Schema, Table, qualified,
    split_qualified,
};
use automigrate_core::renames::Rename;
use sea_orm::sea_query::{ForeignKeyAction, SchemaName, TableCreateStatement, TableName, TableRef};
use sea_orm::{ColumnTrait, DbBackend, EntityTrait, Iterable, RelationTrait};

type Declare = Box<dyn Fn(Backend) -> Result<Declared, String>>;

struct Declared {
    table: Table,
    enums: Vec<EnumType>,
    /// `#[sea_orm(renamed_from = "old")]`: (old, new) column names.
    renamed: Vec<(String, String)>,
    /// Each foreign key with the name of the `Relation` variant that declares it.
    relations: Vec<(String, ForeignKey)>,
}

/// Splits SeaORM's `renamed_from` note off a column comment: `"text; renamed_from \"old\""`
/// or `renamed_from "old"` gives (`Some("text")`, `Some("old")`).
fn split_renamed_from(comment: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(comment) = comment else {
        return (None, None);
    };
    match comment.rsplit_once("renamed_from \"") {
        Some((head, tail)) if tail.ends_with('"') => {
            let old = tail[..tail.len() - 1].to_string();
            let head = head.trim_end().trim_end_matches(';').trim_end();
            ((!head.is_empty()).then(|| head.to_string()), Some(old))
        }
        _ => (Some(comment.to_string()), None),
    }
}

/// The entities of an application: the tables automigrate manages. Listed in the `xtask`, by
/// hand or by `automigrate-discover` from the entity crate's source (a build script writes the
/// list, so a new entity is managed as soon as it exists).
#[derive(Default)]
pub struct Entities {
    entities: Vec<(&'static str, Declare)>,
    /// The Rust path of each entity listed (`entity::user::Entity`).
    listed: Vec<&'static str>,
    /// Every entity of the crate, where `automigrate-discover` says ([`Entities::discovered`]).
    discovered: Vec<String>,
}

impl Entities {
    pub fn new() -> Self {
        Self::default()
    }

    /// A list that knows every entity of the crate (`automigrate-discover`'s
    /// `$OUT_DIR/entity_names.rs`), so that one it leaves out is named
    /// ([`Entities::unlisted`]): `Entities::discovered(include!(…)).entity(user::Entity)…`.
    pub fn discovered(names: &[&str]) -> Self {
        Entities {
            discovered: names.iter().map(|n| n.to_string()).collect(),
            ..Self::default()
        }
    }

    /// Adds an entity: `Entities::new().entity(user::Entity).entity(post::Entity)`.
    pub fn entity<E: EntityTrait + Copy + 'static>(mut self, entity: E) -> Self {
        self.entities
            .push((entity.table_name(), Box::new(move |b| declare(entity, b))));
        self.listed.push(std::any::type_name::<E>());
        self
    }

    /// The entities of the crate that the list leaves out (empty unless it was made with
    /// [`Entities::discovered`]): their tables are not managed, so where they exist they would
    /// be proposed for dropping.
    pub fn unlisted(&self) -> Vec<&str> {
        self.discovered
            .iter()
            .map(String::as_str)
            .filter(|d| !self.listed.contains(d))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// The declared schema for a backend.
    pub fn schema(&self, backend: Backend) -> anyhow::Result<Schema> {
        Ok(self.schema_and_renames(backend)?.0)
    }

    /// The declared schema, and the column renames the entities declare with
    /// `#[sea_orm(renamed_from = "old")]`.
    pub fn schema_and_renames(&self, backend: Backend) -> anyhow::Result<(Schema, Vec<Rename>)> {
        let mut renames = Vec::new();
        let mut schema = Schema::new(backend);
        let mut relations = Vec::new();
        for (name, declare) in &self.entities {
            let declared = declare(backend)
                .map_err(|e| anyhow::anyhow!("entity `{name}` cannot be used: {e}"))?;
            relations.extend(
                declared
                    .relations
                    .into_iter()
                    .map(|(relation, fk)| (*name, declared.table.name.clone(), relation, fk)),
            );
            if schema.tables.contains_key(&declared.table.name) {
                anyhow::bail!(
                    "two entities declare the table `{}`: each table must come from one entity",
                    declared.table.name
                );
            }
            for e in declared.enums {
                if let Some(other) = schema.enums.get(&e.name)
                    && other.values != e.values
                {
                    anyhow::bail!(
                        "the enum `{}` is declared with different values by two entities: {:?} and {:?}",
                        e.name,
                        other.values,
                        e.values
                    );
                }
                schema.enums.insert(e.name.clone(), e);
            }
            if let (Some(ns), _) = split_qualified(backend, &declared.table.name) {
                schema.namespaces.insert(ns.to_string());
            }
            for (from, to) in declared.renamed {
                renames.push(Rename::Column {
                    table: declared.table.name.clone(),
                    from,
                    to,
                });
            }
            schema.add_table(declared.table);
        }
        for (entity, table, relation, fk) in &relations {
            check_target_is_a_key(&schema, entity, table, relation, fk)?;
        }
        Ok((schema, renames))
    }
}

/// A foreign key must reference a key: its target columns are the target table's primary key or
/// a unique constraint or index of it (as a set, as PostgreSQL and SQLite require; MySQL would
/// accept any index, but one policy holds on every backend). Otherwise the database refuses the
/// migration at `up` (PostgreSQL, MySQL without an index) or every later write (SQLite's
/// "foreign key mismatch"), so it is refused here. The usual cause is a `belongs_to` written on
/// the wrong entity. A target table no entity declares is not known here and is not checked.
fn check_target_is_a_key(
    schema: &Schema,
    entity: &str,
    table: &str,
    relation: &str,
    fk: &ForeignKey,
) -> anyhow::Result<()> {
    let Some(target) = schema.tables.get(&fk.ref_table) else {
        return Ok(());
    };
    let set = |cols: &[String]| {
        let mut v = cols.to_vec();
        v.sort();
        v
    };
    let wanted = set(&fk.ref_columns);
    let is_key = set(&target.primary_key) == wanted
        || target
            .indexes
            .iter()
            .any(|i| i.unique && set(&i.columns) == wanted);
    if is_key {
        return Ok(());
    }
    anyhow::bail!(
        "entity `{entity}`, relation `{relation}`: its foreign key {}({}) references {}({}),          which is neither the primary key of `{}` nor unique, so the database would refuse it.          A `belongs_to` goes on the entity that holds the referencing column: if this one is          inverted, declare it on `{}` (from its column to this entity's key) and use `has_many`          or `has_one` here; otherwise make the referenced columns unique.",
        table,
        fk.columns.join(", "),
        fk.ref_table,
        fk.ref_columns.join(", "),
        fk.ref_table,
        fk.ref_table,
    )
}

pub fn db_backend(backend: Backend) -> DbBackend {
    match backend {
        Backend::Sqlite => DbBackend::Sqlite,
        Backend::Postgres => DbBackend::Postgres,
        Backend::MySql => DbBackend::MySql,
    }
}

fn fk_action(a: Option<ForeignKeyAction>) -> FkAction {
    match a {
        Some(ForeignKeyAction::Restrict) => FkAction::Restrict,
        Some(ForeignKeyAction::Cascade) => FkAction::Cascade,
        Some(ForeignKeyAction::SetNull) => FkAction::SetNull,
        Some(ForeignKeyAction::SetDefault) => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// The key of a table: on PostgreSQL, `schema.table` when the entity names a schema
/// (`#[sea_orm(schema_name = "audit")]`); MySQL and SQLite have none (SeaORM drops it there).
fn table_key(backend: Backend, table: &TableRef) -> Option<String> {
    match table {
        TableRef::Table(TableName(schema, name), _) => {
            let ns = schema
                .as_ref()
                .filter(|_| backend == Backend::Postgres)
                .map(|SchemaName(_, ns)| ns.to_string());
            Some(qualified(ns.as_deref(), &name.to_string()))
        }
        _ => None,
    }
}

fn declare<E: EntityTrait>(entity: E, backend: Backend) -> Result<Declared, String> {
    let schema = sea_orm::Schema::new(db_backend(backend));
    let stmt: TableCreateStatement = schema.create_table_from_entity(entity);
    let ns = entity.schema_name();
    if let (Some(ns), false) = (ns, backend == Backend::Postgres) {
        return Err(format!(
            "it names the schema `{ns}` (`schema_name`): on {} that is another database, which automigrate does not manage; schemas are supported on PostgreSQL",
            backend.name()
        ));
    }
    let name = qualified(ns, entity.table_name());
    if backend == Backend::Postgres && ns.is_none() && name.contains('.') {
        return Err(format!(
            "the table name `{name}` contains a dot, which automigrate reads as `schema.table` on PostgreSQL: use `schema_name` for the schema"
        ));
    }
    let mut table = Table::new(&name);
    if backend != Backend::Sqlite {
        table.comment = stmt.get_comment().cloned();
    }
    let mut enums = Vec::new();
    let mut renamed = Vec::new();

    // Enum columns: sea_orm writes PostgreSQL enums as a custom type name and loses the
    // variants; `Column::def()` still has them.
    let enum_types: Vec<(String, ColumnType)> = E::Column::iter()
        .filter_map(|c| match c.def().get_column_type() {
            t @ ColumnType::Enum { .. } => {
                Some((sea_orm::IdenStatic::as_str(&c).to_string(), t.clone()))
            }
            _ => None,
        })
        .collect();

    for def in stmt.get_columns() {
        let col_name = def.get_column_name();
        let spec = def.get_column_spec();
        let mut kind = def
            .get_column_type()
            .cloned()
            .ok_or_else(|| format!("column `{col_name}` has no type"))?;
        if let Some((_, t)) = enum_types.iter().find(|(c, _)| *c == col_name) {
            kind = t.clone();
            if let (Backend::Postgres, ColumnType::Enum { name, variants }) = (backend, t) {
                enums.push(EnumType {
                    name: name.to_string(),
                    values: variants.iter().map(|v| v.to_string()).collect(),
                });
            }
        }
        let rendered = dialect::render_type(backend, &kind).ok_or_else(|| {
            format!(
                "column `{col_name}` has type {kind:?}, which {} does not support",
                backend.name()
            )
        })?;
        let sql_type = dialect::canonical_type(backend, &rendered);
        if backend == Backend::Postgres
            && spec.auto_increment
            && matches!(
                kind,
                ColumnType::TinyUnsigned
                    | ColumnType::SmallUnsigned
                    | ColumnType::Unsigned
                    | ColumnType::BigUnsigned
            )
        {
            return Err(format!(
                "column `{col_name}` is unsigned and auto-incrementing, which PostgreSQL cannot \
                 do (it has no unsigned types; sea-query would panic): use a signed integer"
            ));
        }
        let default = spec.default.as_ref().and_then(|e| {
            dialect::parse_default(backend, &dialect::render_expr(backend, e), &sql_type)
        });
        if spec.primary_key {
            table.primary_key.push(col_name.clone());
        }
        if spec.unique {
            table.indexes.push(Index {
                name: None,
                columns: vec![col_name.clone()],
                unique: true,
                constraint: true,
            });
        }
        let (comment, renamed_from) = split_renamed_from(spec.comment.as_deref());
        if let Some(old) = renamed_from {
            renamed.push((old, col_name.clone()));
        }
        table.columns.push(Column {
            name: col_name,
            sql_type,
            kind,
            nullable: spec.nullable != Some(false),
            default,
            auto_increment: spec.auto_increment,
            comment,
        });
    }
    for idx in stmt.get_indexes() {
        let cols = idx.get_index_spec().get_column_names();
        if idx.is_primary_key() {
            table.primary_key = cols;
        } else {
            table.indexes.push(Index {
                name: idx.get_index_spec().get_name().map(str::to_string),
                columns: cols,
                unique: idx.is_unique_key(),
                constraint: true,
            });
        }
    }
    for idx in schema.create_index_from_entity(entity) {
        table.indexes.push(Index {
            name: idx.get_index_spec().get_name().map(str::to_string),
            columns: idx.get_index_spec().get_column_names(),
            unique: idx.is_unique_key(),
            constraint: false,
        });
    }
    // The relations that make the foreign keys, in the order sea_orm makes them.
    let relation_names: Vec<String> = E::Relation::iter()
        .filter(|r| {
            let def = r.def();
            !def.is_owner && !def.skip_fk
        })
        .map(|r| format!("{}::{r:?}", std::any::type_name::<E::Relation>()))
        .collect();
    let mut relations = Vec::new();
    for (i, fk) in stmt.get_foreign_key_create_stmts().iter().enumerate() {
        let fk = fk.get_foreign_key();
        let ref_table = fk
            .get_ref_table()
            .and_then(|t| table_key(backend, t))
            .ok_or_else(|| "a foreign key without a referenced table".to_string())?;
        let fk = ForeignKey {
            name: fk.get_name().map(str::to_string),
            columns: fk.get_columns(),
            ref_table,
            ref_columns: fk.get_ref_columns(),
            // As declared: the diff compares actions as the backend tells them apart, and the
            // migration, which runs on every backend, writes what the entity says.
            on_delete: fk_action(fk.get_on_delete()),
            on_update: fk_action(fk.get_on_update()),
        };
        let relation = relation_names
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("#{}", i + 1));
        relations.push((relation, fk.clone()));
        table.foreign_keys.push(fk);
    }
    dialect::normalize_table(backend, &mut table);
    Ok(Declared {
        table,
        enums,
        renamed,
        relations,
    })
}

#[cfg(test)]
mod tests {
    use super::split_renamed_from;

    #[test]
    fn renamed_from_is_not_part_of_the_comment() {
        assert_eq!(
            split_renamed_from(Some("nickname; renamed_from \"old_nick\"")),
            (Some("nickname".into()), Some("old_nick".into()))
        );
        assert_eq!(
            split_renamed_from(Some("renamed_from \"old\"")),
            (None, Some("old".into()))
        );
        assert_eq!(
            split_renamed_from(Some("plain")),
            (Some("plain".into()), None)
        );
        assert_eq!(split_renamed_from(None), (None, None));
    }
}
