//! The declared schema: what the SeaORM entities say, read from the statements sea-orm's
//! `Schema::create_table_from_entity` and `create_index_from_entity` make of them.
//!
//! Every column type and default is rendered with sea-query's builder for the target backend and
//! brought to canonical form by [`automigrate_core::dialect`], exactly as the live side is.
//!
//! Those two sea-orm functions are generic over the entity, and so was everything here that
//! called them: the application's xtask, which lists the entities, compiled and linked all of it
//! once per entity, which was most of what `cargo xtask makemigration` added to a rebuild of the
//! entity crate (issue 17). Now only [`Describe::describe`] is generic: it copies what the
//! entity's traits say into a [`Description`], from which [`sea_orm_statements`] builds the same
//! statements (each column converted by sea-orm itself, through [`carrier`]), compiled once, here.
use automigrate_core::dialect;
use automigrate_core::model::{
    Backend, Column, ColumnType, EnumType, FkAction, ForeignKey, Index, Schema, Table, qualified,
    split_qualified,
};
use automigrate_core::renames::Rename;
use sea_orm::sea_query::{
    ColumnDef as SeaColumnDef, DynIden, ForeignKeyAction, Index as SeaIndex, IndexCreateStatement,
    IntoTableRef, SchemaName, TableCreateStatement, TableName, TableRef,
};
use sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, IdenStatic, Iterable, PrimaryKeyArity, PrimaryKeyToColumn,
    PrimaryKeyTrait, RelationDef, RelationTrait,
};
use std::borrow::Cow;
use std::collections::BTreeMap;

mod carrier;

/// What an entity says of itself, as plain values: gathered by [`Describe::describe`], the one
/// function compiled once per entity type (in the crate that lists the entities, the
/// application's xtask). Everything made of it ([`sea_orm_statements`], [`declare`]) is compiled
/// once, in this crate.
struct Description {
    table_name: &'static str,
    schema_name: Option<String>,
    comment: Option<String>,
    /// `EntityName::table_ref`.
    table_ref: TableRef,
    /// The entity's name as sea-orm's key and index names write it (`Iden::to_string`, which is
    /// `Iden::unquoted`).
    iden: String,
    columns: Vec<DescribedColumn>,
    /// `PrimaryKey::iter()`: each key's identifier and the name of its column.
    primary_key: Vec<(DynIden, &'static str)>,
    /// `PrimaryKeyTrait::auto_increment()`.
    auto_increment: bool,
    /// `PrimaryKeyArity::ARITY` of the key's value type.
    arity: usize,
    /// `Relation::iter()`: each relation's name (`Type::Variant`) and `RelationDef`.
    relations: Vec<(String, RelationDef)>,
}

/// [`Describe::describe`] for one entity type.
type DescribeFn = fn() -> Description;

/// An entity's `CREATE TABLE` and `CREATE INDEX` statements.
type Statements = (TableCreateStatement, Vec<IndexCreateStatement>);

struct DescribedColumn {
    /// `IdenStatic::as_str`.
    name: &'static str,
    /// The column as an identifier (`IntoIden`) and as text (`Iden::to_string`, which is
    /// `Iden::unquoted`).
    iden: DynIden,
    text: String,
    /// `ColumnTrait::def()`.
    def: sea_orm::ColumnDef,
}

/// Gathers an entity's [`Description`]: `<E as Describe>::describe`, the one function compiled
/// once per entity type besides [`Entities::entity`] (in the xtask, after every edit of the
/// entity crate).
///
/// A method of a blanket trait impl, and not a generic function, for rustc's sake: it places an
/// instance of a generic function in a codegen unit named after the function's module (all of
/// them in one, `automigrate::entities`), and an instance of a method in one named after the
/// impl's self type, here the entity's own module. So each entity's `describe` sits beside the
/// entity's other instances (`Iden::quoted` of its column, …), and after an edit of one entity
/// incremental compilation reuses the codegen units of the others instead of compiling all the
/// entities' `describe` again in one unit (issue 17).
///
/// It only calls the entity's own trait methods (compiled with the entity crate) and hands their
/// values to [`Description`]'s methods, which are not generic. Each generic helper it called
/// (iterator adapters, `IntoIden`, `IntoTableRef`, `format!` of a `Relation`) would be compiled
/// once more per entity: issue 17 measured 141 such functions per entity when the xtask called
/// sea-orm's `create_table_from_entity` here.
trait Describe {
    fn describe() -> Description;
}

impl<E: EntityTrait> Describe for E {
    fn describe() -> Description {
        let entity = E::default();
        let mut d = Description::new(
            entity.table_name(),
            entity.schema_name(),
            entity.comment(),
            sea_orm::Iden::quoted(&entity),
            sea_orm::Iden::unquoted(&entity),
        );
        // `while let` and not `for`: `for` instantiates `IntoIterator` for each entity's
        // iterator.
        let mut columns = E::Column::iter();
        #[allow(clippy::while_let_on_iterator)]
        while let Some(c) = columns.next() {
            d.column(
                IdenStatic::as_str(&c),
                sea_orm::Iden::quoted(&c),
                sea_orm::Iden::unquoted(&c),
                c.def(),
            );
        }
        let mut keys = E::PrimaryKey::iter();
        #[allow(clippy::while_let_on_iterator)]
        while let Some(k) = keys.next() {
            d.key(
                sea_orm::Iden::quoted(&k),
                IdenStatic::as_str(&k.into_column()),
            );
        }
        d.key_kind(
            E::PrimaryKey::auto_increment(),
            <<E::PrimaryKey as PrimaryKeyTrait>::ValueType as PrimaryKeyArity>::ARITY,
        );
        let relation_type = std::any::type_name::<E::Relation>();
        let mut relations = E::Relation::iter();
        #[allow(clippy::while_let_on_iterator)]
        while let Some(r) = relations.next() {
            d.relation(relation_type, &r, r.def());
        }
        d
    }
}

impl Description {
    /// `quoted` and `unquoted`: the entity's `Iden::quoted` and `Iden::unquoted`.
    fn new(
        table_name: &'static str,
        schema_name: Option<&str>,
        comment: Option<&str>,
        quoted: Cow<'static, str>,
        unquoted: &str,
    ) -> Self {
        let iden = dyn_iden(quoted);
        // `EntityName::table_ref`.
        let table_ref = match schema_name {
            Some(schema) => (schema.to_owned(), iden).into_table_ref(),
            None => iden.into_table_ref(),
        };
        Description {
            table_name,
            schema_name: schema_name.map(str::to_string),
            comment: comment.map(str::to_string),
            table_ref,
            // `Iden::to_string`.
            iden: unquoted.to_owned(),
            columns: Vec::new(),
            primary_key: Vec::new(),
            auto_increment: false,
            arity: 0,
            relations: Vec::new(),
        }
    }

    fn column(
        &mut self,
        name: &'static str,
        quoted: Cow<'static, str>,
        unquoted: &str,
        def: sea_orm::ColumnDef,
    ) {
        self.columns.push(DescribedColumn {
            name,
            iden: dyn_iden(quoted),
            text: unquoted.to_owned(),
            def,
        });
    }

    fn key(&mut self, quoted: Cow<'static, str>, column: &'static str) {
        self.primary_key.push((dyn_iden(quoted), column));
    }

    fn key_kind(&mut self, auto_increment: bool, arity: usize) {
        self.auto_increment = auto_increment;
        self.arity = arity;
    }

    fn relation(&mut self, relation_type: &str, variant: &dyn std::fmt::Debug, def: RelationDef) {
        self.relations
            .push((format!("{relation_type}::{variant:?}"), def));
    }
}

/// An identifier from its `Iden::quoted` text: what `IntoIden` makes of the `Iden` itself
/// (sea-query writes a borrowed name as it is and escapes an owned one; a borrowed one is always
/// a plain name, for which both are the same).
fn dyn_iden(quoted: Cow<'static, str>) -> DynIden {
    match quoted {
        Cow::Borrowed(name) => DynIden::from(name),
        Cow::Owned(name) => DynIden::from(name),
    }
}

/// What sea-orm's `Schema::create_table_from_entity` and `Schema::create_index_from_entity` give
/// for the entity, built from its description: their steps, in their order, with each column
/// converted by sea-orm itself ([`carrier::carry`]). `tests/tests/sea_orm_statements.rs` checks
/// that both give the same SQL, for every test and example entity, on every backend.
fn sea_orm_statements(d: &Description, backend: DbBackend) -> Statements {
    let mut stmt = TableCreateStatement::new();
    if let Some(comment) = &d.comment {
        stmt.comment(comment);
    }
    let mut indexes = Vec::new();
    let mut unique_keys: BTreeMap<String, Vec<DynIden>> = BTreeMap::new();
    // sea-orm's `index_table_ref`: MySQL's and SQLite's index builders take no schema.
    let index_table = || match (backend, d.table_ref.clone()) {
        (
            DbBackend::MySql | DbBackend::Sqlite,
            TableRef::Table(TableName(Some(_), table), alias),
        ) => TableRef::Table(TableName(None, table), alias),
        (_, table) => table,
    };
    for c in &d.columns {
        let carried = carrier::carry(&c.def, backend);
        let spec = carried.def.get_column_spec();
        let mut def = SeaColumnDef::new_with_type(
            c.iden.clone(),
            carried
                .def
                .get_column_type()
                .cloned()
                .expect("sea-orm gives every column a type"),
        );
        match spec.nullable {
            Some(false) => def.not_null(),
            Some(true) => def.null(),
            None => &mut def,
        };
        if spec.unique {
            def.unique_key();
        }
        if let Some(default) = &spec.default {
            def.default(default.clone());
        }
        if let Some(check) = &spec.check {
            def.check(check.clone());
        }
        if let Some(generated) = &spec.generated {
            def.generated(generated.expr.clone(), generated.stored);
        }
        if let Some(extra) = &spec.extra {
            def.extra(extra);
        }
        if let Some(comment) = &spec.comment {
            def.comment(comment);
        }
        if let Some(using) = &spec.using {
            def.using(using.clone());
        }
        if spec.auto_increment {
            def.auto_increment();
        }
        if spec.primary_key {
            def.primary_key();
        }
        for (_, key_column) in &d.primary_key {
            if c.name == *key_column {
                if d.auto_increment {
                    def.auto_increment();
                }
                if d.arity == 1 {
                    def.primary_key();
                }
            }
        }
        stmt.col(&mut def);
        if carried.indexed {
            indexes.push(
                SeaIndex::create()
                    .name(format!("idx-{}-{}", d.iden, c.text))
                    .table(index_table())
                    .col(c.iden.clone())
                    .take(),
            );
        }
        if let Some(key) = carried.unique_key {
            unique_keys.entry(key).or_default().push(c.iden.clone());
        }
    }
    for (key, cols) in unique_keys {
        let mut index = SeaIndex::create()
            .name(format!("idx-{}-{}", d.iden, key))
            .table(index_table())
            .unique()
            .take();
        for col in cols {
            index.col(col);
        }
        indexes.push(index);
    }
    if d.arity > 1 {
        let mut key = SeaIndex::create();
        for (iden, _) in &d.primary_key {
            key.col(iden.clone());
        }
        stmt.primary_key(key.name(format!("pk-{}", d.iden)).primary());
    }
    for (_, relation) in &d.relations {
        if relation.is_owner || relation.skip_fk {
            continue;
        }
        stmt.foreign_key(&mut relation.clone().into());
    }
    (stmt.table(d.table_ref.clone()).take(), indexes)
}

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
    /// Each entity's table name and [`Describe::describe`].
    entities: Vec<(&'static str, DescribeFn)>,
    /// The Rust path of each entity listed (`entity::user::Entity`).
    listed: Vec<&'static str>,
    /// Every entity of the crate, where `automigrate-discover` says ([`Entities::discovered`]).
    discovered: Vec<String>,
    /// sea-orm's own statements for each entity, for the test that compares them with ours.
    #[cfg(feature = "sea-orm-reference")]
    reference: Vec<fn(DbBackend) -> Statements>,
}

/// sea-orm's `Schema::create_table_from_entity` and `create_index_from_entity`, which
/// [`sea_orm_statements`] must equal.
#[cfg(feature = "sea-orm-reference")]
fn reference<E: EntityTrait>(backend: DbBackend) -> Statements {
    let schema = sea_orm::Schema::new(backend);
    (
        schema.create_table_from_entity(E::default()),
        schema.create_index_from_entity(E::default()),
    )
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
    #[cfg_attr(not(feature = "sea-orm-reference"), allow(unused_mut))]
    pub fn entity<E: EntityTrait + Copy + 'static>(mut self, entity: E) -> Self {
        #[cfg(feature = "sea-orm-reference")]
        self.reference.push(reference::<E>);
        self.push(
            entity.table_name(),
            <E as Describe>::describe,
            std::any::type_name::<E>(),
        )
    }

    /// [`Entities::entity`]'s work, out of the generic function.
    fn push(mut self, table_name: &'static str, describe: DescribeFn, path: &'static str) -> Self {
        self.entities.push((table_name, describe));
        self.listed.push(path);
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

    /// For tests (feature `sea-orm-reference`): each entity's table name, and its statements for
    /// `backend` as automigrate builds them beside those sea-orm's generic functions build.
    #[cfg(feature = "sea-orm-reference")]
    #[doc(hidden)]
    pub fn statements_beside_sea_orm(
        &self,
        backend: Backend,
    ) -> Vec<(&'static str, Statements, Statements)> {
        let backend = db_backend(backend);
        self.entities
            .iter()
            .zip(&self.reference)
            .map(|((name, describe), reference)| {
                (
                    *name,
                    sea_orm_statements(&describe(), backend),
                    reference(backend),
                )
            })
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
        for (name, describe) in &self.entities {
            let declared = declare(&describe(), backend)
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

/// The table, enums, renames and foreign keys an entity declares, read from the statements
/// sea-orm makes of it ([`sea_orm_statements`]).
fn declare(d: &Description, backend: Backend) -> Result<Declared, String> {
    let (stmt, indexes) = sea_orm_statements(d, db_backend(backend));
    let ns = d.schema_name.as_deref();
    if let (Some(ns), false) = (ns, backend == Backend::Postgres) {
        return Err(format!(
            "it names the schema `{ns}` (`schema_name`): on {} that is another database, which automigrate does not manage; schemas are supported on PostgreSQL",
            backend.name()
        ));
    }
    let name = qualified(ns, d.table_name);
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
    let enum_types: Vec<(&str, &ColumnType)> = d
        .columns
        .iter()
        .filter_map(|c| match c.def.get_column_type() {
            t @ ColumnType::Enum { .. } => Some((c.name, t)),
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
            kind = (*t).clone();
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
    for idx in indexes {
        table.indexes.push(Index {
            name: idx.get_index_spec().get_name().map(str::to_string),
            columns: idx.get_index_spec().get_column_names(),
            unique: idx.is_unique_key(),
            constraint: false,
        });
    }
    // The relations that make the foreign keys, in the order sea_orm makes them.
    let relation_names: Vec<&str> = d
        .relations
        .iter()
        .filter(|(_, r)| !r.is_owner && !r.skip_fk)
        .map(|(name, _)| name.as_str())
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
            .map(|r| r.to_string())
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
