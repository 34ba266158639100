//! The schema model: plain data, ordered deterministically.
//!
//! Both the declared side (SeaORM entities) and the live side (the database) are brought into
//! this model by the adapters, through the same [`crate::dialect`] rules, before they are compared.
use std::collections::{BTreeMap, BTreeSet};

pub use sea_query::ColumnType;

/// The database backend a schema lives in. Types and defaults are spelled per backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
            Backend::MySql => "MySQL/MariaDB",
        }
    }
}

/// A whole schema: the tables of the connection's namespace (and, on PostgreSQL, of the other
/// namespaces the entities name), and (PostgreSQL) its enum types.
///
/// Tables are keyed by name. On PostgreSQL a table outside the connection's default schema
/// (`current_schema()`, usually `public`) is named `schema.table` ([`qualified`]); on the other
/// backends names are never qualified.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    pub backend: Backend,
    pub tables: BTreeMap<String, Table>,
    /// PostgreSQL native enum types, by name. Empty on other backends.
    pub enums: BTreeMap<String, EnumType>,
    /// PostgreSQL schemas other than the default one: on the declared side, those the entities
    /// name (`schema_name`); on the live side, those of the ones read that exist.
    pub namespaces: BTreeSet<String>,
}

/// The key of a table in namespace `namespace` (`None`: the default one): `audit.events`.
pub fn qualified(namespace: Option<&str>, table: &str) -> String {
    match namespace {
        Some(ns) => format!("{ns}.{table}"),
        None => table.to_string(),
    }
}

/// Splits a table key into its namespace and name. Only PostgreSQL names are ever qualified;
/// elsewhere a dot is part of the name.
pub fn split_qualified(backend: Backend, key: &str) -> (Option<&str>, &str) {
    match (backend, key.split_once('.')) {
        (Backend::Postgres, Some((ns, table))) => (Some(ns), table),
        _ => (None, key),
    }
}

impl Schema {
    pub fn new(backend: Backend) -> Self {
        Schema {
            backend,
            tables: BTreeMap::new(),
            enums: BTreeMap::new(),
            namespaces: BTreeSet::new(),
        }
    }

    pub fn add_table(&mut self, table: Table) {
        self.tables.insert(table.name.clone(), table);
    }

    /// Takes `namespace` as the default one: its tables (and the keys to them) lose their
    /// `namespace.` prefix. For entities that name the connection's own schema.
    pub fn unqualify(&mut self, namespace: &str) {
        if !self.namespaces.remove(namespace) {
            return;
        }
        let prefix = format!("{namespace}.");
        let strip = |name: &mut String| {
            if let Some(rest) = name.strip_prefix(&prefix) {
                *name = rest.to_string();
            }
        };
        let tables = std::mem::take(&mut self.tables);
        for (_, mut t) in tables {
            strip(&mut t.name);
            for fk in &mut t.foreign_keys {
                strip(&mut fk.ref_table);
            }
            self.add_table(t);
        }
    }
}

/// A PostgreSQL enum type (`CREATE TYPE name AS ENUM (...)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumType {
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub name: String,
    /// In declaration (or ordinal) order.
    pub columns: Vec<Column>,
    /// Primary key columns, in key order. Empty when the table has none.
    pub primary_key: Vec<String>,
    /// The primary key constraint's name in the database, where it has one. Not compared.
    pub primary_key_name: Option<String>,
    /// Indexes and unique constraints, sorted by columns then uniqueness.
    pub indexes: Vec<Index>,
    /// Foreign keys owned by this table, sorted by columns.
    pub foreign_keys: Vec<ForeignKey>,
    /// The table's comment (PostgreSQL, MySQL/MariaDB; SQLite keeps none).
    pub comment: Option<String>,
    /// SQLite: the CHECK constraints of the live table, carried through table rebuilds. Never
    /// compared: the entities cannot declare one.
    pub checks: Vec<Check>,
}

/// A CHECK constraint as the database wrote it: `CONSTRAINT name CHECK (expr)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub name: Option<String>,
    /// The expression between the parentheses, as written.
    pub expr: String,
}

impl Table {
    pub fn new(name: impl Into<String>) -> Self {
        Table {
            name: name.into(),
            columns: Vec::new(),
            primary_key: Vec::new(),
            primary_key_name: None,
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
            comment: None,
            checks: Vec::new(),
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The definition as text, one item a line, as the comparison sees it (names of indexes and
    /// keys left out): for showing differences.
    pub fn definition(&self) -> String {
        let mut s = format!("table {}\n", self.name);
        if let Some(c) = &self.comment {
            s.push_str(&format!("  comment {c:?}\n"));
        }
        let mut cols: Vec<&Column> = self.columns.iter().collect();
        cols.sort_by(|a, b| a.name.cmp(&b.name));
        for c in cols {
            s.push_str(&format!("  column {} {}\n", c.name, c.describe()));
        }
        if !self.primary_key.is_empty() {
            s.push_str(&format!(
                "  primary key ({})\n",
                self.primary_key.join(", ")
            ));
        }
        for i in &self.indexes {
            let kind = if i.unique { "unique index" } else { "index" };
            s.push_str(&format!("  {kind} ({})\n", i.columns.join(", ")));
        }
        for fk in &self.foreign_keys {
            s.push_str(&format!("  foreign key {}\n", fk.describe()));
        }
        s
    }

    /// Sorts indexes and foreign keys so that equal tables are equal values.
    pub fn sort(&mut self) {
        self.indexes
            .sort_by(|a, b| a.key().cmp(&b.key()).then(a.name.cmp(&b.name)));
        self.foreign_keys
            .sort_by(|a, b| a.key().cmp(&b.key()).then(a.name.cmp(&b.name)));
    }

    /// The tables this table references through its foreign keys (itself excluded).
    pub fn referenced_tables(&self) -> impl Iterator<Item = &str> {
        self.foreign_keys
            .iter()
            .map(|fk| fk.ref_table.as_str())
            .filter(move |t| *t != self.name)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    /// The canonical SQL type for the backend ([`crate::dialect::canonical_type`]). This is what
    /// is compared.
    pub sql_type: String,
    /// How to write the type in generated code. For the declared side this is SeaORM's own
    /// column type; for the live side, the type parsed back from `sql_type`, or
    /// `ColumnType::Custom(sql_type)` when no builder type renders to exactly that.
    pub kind: ColumnType,
    pub nullable: bool,
    pub default: Option<DefaultValue>,
    pub auto_increment: bool,
    pub comment: Option<String>,
}

impl Column {
    /// True when the two columns have the same definition (the name aside).
    pub fn same_definition(&self, other: &Column) -> bool {
        self.sql_type == other.sql_type
            && self.nullable == other.nullable
            && self.default == other.default
            && self.auto_increment == other.auto_increment
            && self.comment == other.comment
    }

    /// The type, for people: `varchar(100)`, `enum mood (happy, sad)`.
    pub fn describe_type(&self) -> String {
        // An enum by its values, which every backend's migration carries (SQLite's type is
        // only text, MySQL's lists them, PostgreSQL's names a type).
        match &self.kind {
            ColumnType::Enum { name, variants } => {
                let values: Vec<String> = variants.iter().map(|v| v.to_string()).collect();
                format!("enum {name} ({})", values.join(", "))
            }
            _ => self.sql_type.clone(),
        }
    }

    /// A short human description: `varchar(100), not null, default 'x'`.
    pub fn describe(&self) -> String {
        let mut s = self.describe_type();
        s.push_str(if self.nullable {
            ", null"
        } else {
            ", not null"
        });
        if self.auto_increment {
            s.push_str(", auto increment");
        }
        if let Some(d) = &self.default {
            s.push_str(", default ");
            s.push_str(&d.to_sql());
        }
        if let Some(c) = &self.comment {
            s.push_str(&format!(", comment {c:?}"));
        }
        s
    }
}

/// A column default, canonical for its backend ([`crate::dialect::parse_default`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DefaultValue {
    Null,
    Bool(bool),
    Int(i64),
    /// A non-integer number, kept as written.
    Float(String),
    Str(String),
    CurrentTimestamp,
    /// Any other SQL expression, as the backend spells it.
    Expr(String),
}

impl DefaultValue {
    pub fn to_sql(&self) -> String {
        match self {
            DefaultValue::Null => "NULL".into(),
            DefaultValue::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
            DefaultValue::Int(i) => i.to_string(),
            DefaultValue::Float(f) => f.clone(),
            DefaultValue::Str(s) => format!("'{}'", s.replace('\'', "''")),
            DefaultValue::CurrentTimestamp => "CURRENT_TIMESTAMP".into(),
            DefaultValue::Expr(e) => e.clone(),
        }
    }
}

/// An index, or a unique constraint (which the backends back with a unique index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Index {
    /// The name in the database. `None` for a declared column-level `unique`, whose name the
    /// database chooses.
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub unique: bool,
    /// A unique *constraint* (PostgreSQL `UNIQUE`, SQLite inline `UNIQUE`) rather than a
    /// `CREATE INDEX`. Decides how it is dropped; not compared.
    pub constraint: bool,
}

impl Index {
    /// What identifies an index in a comparison: its structure, not its name.
    pub fn key(&self) -> (Vec<String>, bool) {
        (self.columns.clone(), self.unique)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }

    pub fn parse(s: &str) -> FkAction {
        match s.trim().to_ascii_uppercase().replace('_', " ").as_str() {
            "RESTRICT" | "R" => FkAction::Restrict,
            "CASCADE" | "C" => FkAction::Cascade,
            "SET NULL" | "N" => FkAction::SetNull,
            "SET DEFAULT" | "D" => FkAction::SetDefault,
            _ => FkAction::NoAction,
        }
    }

    /// The sea-query variant name, for generated code.
    pub fn rust(self) -> &'static str {
        match self {
            FkAction::NoAction => "NoAction",
            FkAction::Restrict => "Restrict",
            FkAction::Cascade => "Cascade",
            FkAction::SetNull => "SetNull",
            FkAction::SetDefault => "SetDefault",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
}

impl ForeignKey {
    /// `(post_id) -> posts (id) on delete CASCADE`, naming only the actions that are not
    /// `NO ACTION`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "({}) -> {} ({})",
            self.columns.join(", "),
            self.ref_table,
            self.ref_columns.join(", ")
        );
        if self.on_delete != FkAction::NoAction {
            s.push_str(" on delete ");
            s.push_str(self.on_delete.sql());
        }
        if self.on_update != FkAction::NoAction {
            s.push_str(" on update ");
            s.push_str(self.on_update.sql());
        }
        s
    }

    /// A foreign key's structure, not its name: the order of a table's keys. (The diff compares
    /// actions as the backend tells them apart: see `diff`.)
    pub fn key(&self) -> (Vec<String>, String, Vec<String>, FkAction, FkAction) {
        (
            self.columns.clone(),
            self.ref_table.clone(),
            self.ref_columns.clone(),
            self.on_delete,
            self.on_update,
        )
    }
}
