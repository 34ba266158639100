//! The diff engine: compares two schemas and produces an ordered plan of reversible changes.
//!
//! `diff` knows nothing about databases or SeaORM: it compares two values of the schema model,
//! which the adapters have already brought to one canonical spelling.
use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Column, EnumType, ForeignKey, Index, Schema, Table};

/// One change to a schema. Each carries what it needs to build its own inverse: a dropped column
/// keeps the whole column, a dropped table the whole table.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A PostgreSQL schema (namespace) that declared tables live in. Never generated to drop a
    /// schema in `up` (a schema the entities stop naming is left alone); its inverse drops it.
    CreateNamespace(String),
    DropNamespace(String),
    CreateEnum(EnumType),
    /// A PostgreSQL enum's values change. `uses` are the columns of the enum's type that both
    /// schemas have, with their defaults before and after.
    AlterEnum {
        from: EnumType,
        to: EnumType,
        uses: Vec<EnumUse>,
    },
    DropEnum(EnumType),
    CreateTable(Table),
    DropTable(Table),
    AddColumn {
        table: String,
        column: Column,
    },
    DropColumn {
        table: String,
        column: Column,
    },
    AlterColumn {
        table: String,
        from: Column,
        to: Column,
    },
    AddIndex {
        table: String,
        index: Index,
    },
    DropIndex {
        table: String,
        index: Index,
    },
    AddForeignKey {
        table: String,
        fk: ForeignKey,
    },
    DropForeignKey {
        table: String,
        fk: ForeignKey,
    },
    RenameTable {
        from: String,
        to: String,
    },
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    /// The table's comment changes (PostgreSQL, MySQL/MariaDB).
    AlterTableComment {
        table: String,
        from: Option<String>,
        to: Option<String>,
    },
    /// The primary key columns change (`from` and `to` may be empty: no key).
    AlterPrimaryKey {
        table: String,
        from: Vec<String>,
        to: Vec<String>,
        /// The key's constraint name before and after, where the database names it
        /// (PostgreSQL); `None`: PostgreSQL's default, `<table>_pkey`.
        from_name: Option<String>,
        to_name: Option<String>,
    },
}

/// What a change touches, to find two changes of the same thing (two branches of the history
/// that each change one column): a table (or enum type, or PostgreSQL schema), and the part of it,
/// or `None` for the whole of it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Subject {
    pub object: String,
    pub part: Option<String>,
}

impl Subject {
    fn whole(object: &str) -> Subject {
        Subject {
            object: object.to_string(),
            part: None,
        }
    }

    fn part(object: &str, part: String) -> Subject {
        Subject {
            object: object.to_string(),
            part: Some(part),
        }
    }

    /// Whether two changes with these subjects touch the same thing: the same part, or a whole
    /// object and any part of it.
    pub fn overlaps(&self, other: &Subject) -> bool {
        self.object == other.object
            && (self.part.is_none() || other.part.is_none() || self.part == other.part)
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.part {
            Some(part) => write!(f, "{}: {part}", self.object),
            None => write!(f, "{}", self.object),
        }
    }
}

impl Change {
    /// What the change touches ([`Subject`]).
    pub fn subjects(&self) -> Vec<Subject> {
        use Change::*;
        let column = |table: &str, c: &str| Subject::part(table, format!("column {c}"));
        match self {
            CreateNamespace(n) | DropNamespace(n) => vec![Subject::whole(&format!("schema {n}"))],
            CreateEnum(e) | DropEnum(e) => vec![Subject::whole(&format!("enum {}", e.name))],
            AlterEnum { from, .. } => vec![Subject::whole(&format!("enum {}", from.name))],
            CreateTable(t) | DropTable(t) => vec![Subject::whole(&t.name)],
            AddColumn { table, column: c } | DropColumn { table, column: c } => {
                vec![column(table, &c.name)]
            }
            AlterColumn { table, to, .. } => vec![column(table, &to.name)],
            RenameColumn { table, from, to } => vec![column(table, from), column(table, to)],
            AddIndex { table, index } | DropIndex { table, index } => vec![Subject::part(
                table,
                format!("index ({})", index.columns.join(", ")),
            )],
            AddForeignKey { table, fk } | DropForeignKey { table, fk } => vec![Subject::part(
                table,
                format!("foreign key ({})", fk.columns.join(", ")),
            )],
            RenameTable { from, to } => vec![Subject::whole(from), Subject::whole(to)],
            AlterTableComment { table, .. } => vec![Subject::part(table, "comment".into())],
            AlterPrimaryKey { table, .. } => vec![Subject::part(table, "primary key".into())],
        }
    }

    /// The change that undoes this one.
    pub fn inverse(&self) -> Change {
        use Change::*;
        match self.clone() {
            CreateNamespace(n) => DropNamespace(n),
            DropNamespace(n) => CreateNamespace(n),
            CreateEnum(e) => DropEnum(e),
            AlterEnum { from, to, uses } => AlterEnum {
                from: to,
                to: from,
                uses: uses
                    .into_iter()
                    .map(|u| EnumUse {
                        default_before: u.default_after,
                        default_after: u.default_before,
                        ..u
                    })
                    .collect(),
            },
            DropEnum(e) => CreateEnum(e),
            CreateTable(t) => DropTable(t),
            DropTable(t) => CreateTable(t),
            AddColumn { table, column } => DropColumn { table, column },
            DropColumn { table, column } => AddColumn { table, column },
            AlterColumn { table, from, to } => AlterColumn {
                table,
                from: to,
                to: from,
            },
            AddIndex { table, index } => DropIndex { table, index },
            DropIndex { table, index } => AddIndex { table, index },
            AddForeignKey { table, fk } => DropForeignKey { table, fk },
            DropForeignKey { table, fk } => AddForeignKey { table, fk },
            AlterPrimaryKey {
                table,
                from,
                to,
                from_name,
                to_name,
            } => AlterPrimaryKey {
                table,
                from: to,
                to: from,
                from_name: to_name,
                to_name: from_name,
            },
            AlterTableComment { table, from, to } => AlterTableComment {
                table,
                from: to,
                to: from,
            },
            RenameTable { from, to } => RenameTable { from: to, to: from },
            RenameColumn { table, from, to } => RenameColumn {
                table,
                from: to,
                to: from,
            },
        }
    }

    /// The table the change is about, if any.
    pub fn table(&self) -> Option<&str> {
        use Change::*;
        match self {
            CreateNamespace(_) | DropNamespace(_) => None,
            CreateEnum(_) | DropEnum(_) | AlterEnum { .. } => None,
            CreateTable(t) | DropTable(t) => Some(&t.name),
            RenameTable { to, .. } => Some(to),
            AddColumn { table, .. }
            | DropColumn { table, .. }
            | AlterColumn { table, .. }
            | AddIndex { table, .. }
            | DropIndex { table, .. }
            | AddForeignKey { table, .. }
            | DropForeignKey { table, .. }
            | AlterPrimaryKey { table, .. }
            | AlterTableComment { table, .. }
            | RenameColumn { table, .. } => Some(table),
        }
    }

    /// A one-line summary for the terminal and the file header: `+ column users.bio (text, null)`.
    pub fn summary(&self) -> String {
        use Change::*;
        let cols = |c: &[String]| c.join(", ");
        match self {
            CreateNamespace(n) => format!("+ schema {n}"),
            DropNamespace(n) => format!("- schema {n}"),
            CreateEnum(e) => format!("+ enum {} ({})", e.name, e.values.join(", ")),
            AlterEnum { from, to, .. } => {
                let added: Vec<&str> = to
                    .values
                    .iter()
                    .filter(|v| !from.values.contains(v))
                    .map(String::as_str)
                    .collect();
                let removed: Vec<&str> = from
                    .values
                    .iter()
                    .filter(|v| !to.values.contains(v))
                    .map(String::as_str)
                    .collect();
                let mut s = format!("~ enum {}", to.name);
                if !added.is_empty() {
                    s.push_str(&format!(" + ({})", added.join(", ")));
                }
                if !removed.is_empty() {
                    s.push_str(&format!(" - ({})", removed.join(", ")));
                }
                if added.is_empty() && removed.is_empty() {
                    s.push_str(&format!(" reordered ({})", to.values.join(", ")));
                }
                s
            }
            DropEnum(e) => format!("- enum {}", e.name),
            CreateTable(t) => format!("+ table {} ({})", t.name, columns(t.columns.len())),
            DropTable(t) => format!(
                "- table {} ({})  DATA LOSS: the table and its rows are dropped",
                t.name,
                columns(t.columns.len())
            ),
            AddColumn { table, column } => {
                format!("+ column {table}.{} ({})", column.name, column.describe())
            }
            DropColumn { table, column } => format!(
                "- column {table}.{} ({})  DATA LOSS: the column and its values are dropped",
                column.name,
                column.describe()
            ),
            AlterColumn { table, from, to } => format!(
                "~ column {table}.{} ({} -> {})",
                to.name,
                from.describe(),
                to.describe()
            ),
            AddIndex { table, index } => format!(
                "+ {} on {table} ({})",
                if index.unique {
                    "unique index"
                } else {
                    "index"
                },
                cols(&index.columns)
            ),
            DropIndex { table, index } => format!(
                "- {} on {table} ({})",
                if index.unique {
                    "unique index"
                } else {
                    "index"
                },
                cols(&index.columns)
            ),
            AddForeignKey { table, fk } => format!("+ foreign key {table} {}", fk.describe()),
            DropForeignKey { table, fk } => format!("- foreign key {table} {}", fk.describe()),
            RenameTable { from, to } => format!("> table {from} renamed to {to}"),
            RenameColumn { table, from, to } => {
                format!("> column {table}.{from} renamed to {to}")
            }
            AlterPrimaryKey {
                table, from, to, ..
            } => {
                format!("~ primary key {table} ({}) -> ({})", cols(from), cols(to))
            }
            AlterTableComment { table, from, to } => {
                let text =
                    |c: &Option<String>| c.as_ref().map_or("none".into(), |c| format!("{c:?}"));
                format!(
                    "~ comment on table {table} ({} -> {})",
                    text(from),
                    text(to)
                )
            }
        }
    }
}

/// `1 column`, `3 columns`.
fn columns(n: usize) -> String {
    if n == 1 {
        "1 column".into()
    } else {
        format!("{n} columns")
    }
}

/// A column whose type is an enum being altered.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumUse {
    pub table: String,
    pub column: String,
    pub default_before: Option<crate::model::DefaultValue>,
    pub default_after: Option<crate::model::DefaultValue>,
}

/// True when the column is of the enum type `name`: by its kind, or (PostgreSQL) its type.
fn of_enum(c: &Column, name: &str) -> bool {
    match &c.kind {
        sea_query::ColumnType::Enum { name: n, .. } => n.to_string() == name,
        _ => c.sql_type == name,
    }
}

/// True when `to` keeps every value of `from`, in the same order: the change only adds values.
pub fn only_adds(from: &EnumType, to: &EnumType) -> bool {
    let mut it = to.values.iter();
    from.values.iter().all(|v| it.any(|w| w == v))
}

/// An ordered list of changes. Applying them in order turns the `from` schema into the `to`
/// schema; applying [`Plan::inverse`] turns it back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub changes: Vec<Change>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The plan that undoes this one: the inverse of each change, in reverse order.
    pub fn inverse(&self) -> Plan {
        Plan {
            changes: self.changes.iter().rev().map(Change::inverse).collect(),
        }
    }
}

/// Compares two schemas. The plan is deterministic: the same inputs give the same plan.
///
/// Order: foreign keys and indexes that go away are dropped first; then enums and tables are
/// created (parents before children); table by table, columns added and altered, the primary
/// key, columns dropped; new indexes and foreign keys added; finally tables are dropped
/// (children before parents) and enums after them.
pub fn diff(from: &Schema, to: &Schema) -> Plan {
    // Foreign keys compare by structure, their actions as the backend tells them apart (MySQL:
    // RESTRICT is NO ACTION); each side keeps the action as it was written.
    let action = |a| crate::dialect::canonical_fk_action(to.backend, a);
    let fk_key = |fk: &ForeignKey| {
        (
            fk.columns.clone(),
            fk.ref_table.clone(),
            fk.ref_columns.clone(),
            action(fk.on_delete),
            action(fk.on_update),
        )
    };
    let mut drop_fks = Vec::new();
    let mut drop_indexes = Vec::new();
    let mut create_enums = Vec::new();
    let mut add_columns = Vec::new();
    let mut alter_columns = Vec::new();
    let mut drop_columns = Vec::new();
    let mut add_indexes = Vec::new();
    let mut add_fks = Vec::new();
    let mut alter_pks = Vec::new();
    let mut drop_enums = Vec::new();

    for (name, e) in &to.enums {
        if !from.enums.contains_key(name) {
            create_enums.push(Change::CreateEnum(e.clone()));
        }
    }
    for (name, e) in &from.enums {
        match to.enums.get(name) {
            None => drop_enums.push(Change::DropEnum(e.clone())),
            Some(new) if new.values != e.values => {
                let mut uses = Vec::new();
                for (t, new_table) in &to.tables {
                    let Some(old_table) = from.tables.get(t) else {
                        continue;
                    };
                    for c in &new_table.columns {
                        // The type first: only the enum's columns are looked up.
                        if of_enum(c, name)
                            && let Some(old) = old_table.column(&c.name)
                        {
                            uses.push(EnumUse {
                                table: t.clone(),
                                column: c.name.clone(),
                                default_before: old.default.clone(),
                                default_after: c.default.clone(),
                            });
                        }
                    }
                }
                create_enums.push(Change::AlterEnum {
                    from: e.clone(),
                    to: new.clone(),
                    uses,
                });
            }
            Some(_) => {}
        }
    }

    let created: Vec<&Table> = to
        .tables
        .values()
        .filter(|t| !from.tables.contains_key(&t.name))
        .collect();
    let dropped: Vec<&Table> = from
        .tables
        .values()
        .filter(|t| !to.tables.contains_key(&t.name))
        .collect();

    for (name, new) in &to.tables {
        let Some(old) = from.tables.get(name) else {
            continue;
        };
        let old_cols: BTreeMap<&str, &Column> =
            old.columns.iter().map(|c| (c.name.as_str(), c)).collect();
        let new_cols: BTreeMap<&str, &Column> =
            new.columns.iter().map(|c| (c.name.as_str(), c)).collect();
        for c in &new.columns {
            match old_cols.get(c.name.as_str()) {
                None => add_columns.push(Change::AddColumn {
                    table: name.clone(),
                    column: c.clone(),
                }),
                Some(o) if !o.same_definition(c) => {
                    let mut from = (*o).clone();
                    // The same type: the declared side's is the one with a builder (a live
                    // SQLite `varchar` is only `custom("varchar")`), which every backend reads.
                    if from.sql_type == c.sql_type {
                        from.kind = c.kind.clone();
                    }
                    alter_columns.push(Change::AlterColumn {
                        table: name.clone(),
                        from,
                        to: c.clone(),
                    })
                }
                Some(_) => {}
            }
        }
        for c in &old.columns {
            if !new_cols.contains_key(c.name.as_str()) {
                drop_columns.push(Change::DropColumn {
                    table: name.clone(),
                    column: c.clone(),
                });
            }
        }

        if old.comment != new.comment {
            alter_columns.push(Change::AlterTableComment {
                table: name.clone(),
                from: old.comment.clone(),
                to: new.comment.clone(),
            });
        }
        if old.primary_key != new.primary_key {
            alter_pks.push(Change::AlterPrimaryKey {
                table: name.clone(),
                from: old.primary_key.clone(),
                to: new.primary_key.clone(),
                from_name: old.primary_key_name.clone(),
                to_name: None,
            });
        }

        let old_idx: BTreeSet<_> = old.indexes.iter().map(Index::key).collect();
        let new_idx: BTreeSet<_> = new.indexes.iter().map(Index::key).collect();
        for i in &old.indexes {
            if !new_idx.contains(&i.key()) {
                drop_indexes.push(Change::DropIndex {
                    table: name.clone(),
                    index: i.clone(),
                });
            }
        }
        for i in &new.indexes {
            if !old_idx.contains(&i.key()) {
                add_indexes.push(Change::AddIndex {
                    table: name.clone(),
                    index: i.clone(),
                });
            }
        }

        let old_fks: BTreeSet<_> = old.foreign_keys.iter().map(fk_key).collect();
        let new_fks: BTreeSet<_> = new.foreign_keys.iter().map(fk_key).collect();
        for fk in &old.foreign_keys {
            if !new_fks.contains(&fk_key(fk)) {
                drop_fks.push(Change::DropForeignKey {
                    table: name.clone(),
                    fk: fk.clone(),
                });
            }
        }
        for fk in &new.foreign_keys {
            if !old_fks.contains(&fk_key(fk)) {
                add_fks.push(Change::AddForeignKey {
                    table: name.clone(),
                    fk: fk.clone(),
                });
            }
        }
    }

    // Each column of an enum whose values change changes with it, on every backend: MySQL
    // keeps the values in the column (`MODIFY COLUMN`), PostgreSQL in the type (for which the
    // column's own change is nothing), SQLite nowhere.
    let altered: BTreeSet<(String, String)> = alter_columns
        .iter()
        .filter_map(|c| match c {
            Change::AlterColumn { table, to, .. } => Some((table.clone(), to.name.clone())),
            _ => None,
        })
        .collect();
    for change in &create_enums {
        let Change::AlterEnum {
            from: old_enum,
            uses,
            ..
        } = change
        else {
            continue;
        };
        for u in uses {
            if altered.contains(&(u.table.clone(), u.column.clone())) {
                continue;
            }
            let (Some(old), Some(new)) = (
                from.tables.get(&u.table).and_then(|t| t.column(&u.column)),
                to.tables.get(&u.table).and_then(|t| t.column(&u.column)),
            ) else {
                continue;
            };
            let mut old = old.clone();
            if let sea_query::ColumnType::Enum { name, .. } = &new.kind {
                old.kind = sea_query::ColumnType::Enum {
                    name: name.clone(),
                    variants: old_enum.values.iter().map(|v| v.clone().into()).collect(),
                };
            }
            alter_columns.push(Change::AlterColumn {
                table: u.table.clone(),
                from: old,
                to: new.clone(),
            });
        }
    }

    // Foreign keys of surviving tables that point at a dropped table must go before it does.
    // (`dropping` holds what `drop_fks` drops, by table and key: a lookup, not a scan.)
    let mut dropping: BTreeSet<(String, _)> = drop_fks
        .iter()
        .filter_map(|c| match c {
            Change::DropForeignKey { table, fk } => Some((table.clone(), fk_key(fk))),
            _ => None,
        })
        .collect();
    for t in to.tables.values() {
        if let Some(old) = from.tables.get(&t.name) {
            for fk in &old.foreign_keys {
                if to.tables.contains_key(&fk.ref_table) {
                    continue;
                }
                if dropping.insert((t.name.clone(), fk_key(fk))) {
                    drop_fks.push(Change::DropForeignKey {
                        table: t.name.clone(),
                        fk: fk.clone(),
                    });
                }
            }
        }
    }

    // Foreign keys that must be dropped before a change and added again after it, for the
    // backend that needs it most, so that the plan runs on every backend: those on a column
    // whose type changes (either end; MySQL refuses the change otherwise, and the two ends must
    // match again when the key comes back), and those that reference a table whose primary key
    // changes (the key, or its index, is what they stand on).
    let retyped: BTreeSet<(&str, &str)> = alter_columns
        .iter()
        .filter_map(|c| match c {
            Change::AlterColumn { table, from, to } if from.sql_type != to.sql_type => {
                Some((table.as_str(), to.name.as_str()))
            }
            _ => None,
        })
        .collect();
    let rekeyed: BTreeSet<&str> = alter_pks.iter().filter_map(Change::table).collect();
    if !retyped.is_empty() || !rekeyed.is_empty() {
        let adding: BTreeSet<(String, _)> = add_fks
            .iter()
            .filter_map(|c| match c {
                Change::AddForeignKey { table, fk } => Some((table.clone(), fk_key(fk))),
                _ => None,
            })
            .collect();
        let mut bounced = Vec::new();
        for new in to.tables.values() {
            let Some(old) = from.tables.get(&new.name) else {
                continue;
            };
            for fk in &new.foreign_keys {
                let stands_on_change = rekeyed.contains(fk.ref_table.as_str())
                    || fk
                        .columns
                        .iter()
                        .any(|c| retyped.contains(&(new.name.as_str(), c.as_str())))
                    || fk
                        .ref_columns
                        .iter()
                        .any(|c| retyped.contains(&(fk.ref_table.as_str(), c.as_str())));
                let Some(existing) = old.foreign_keys.iter().find(|o| fk_key(o) == fk_key(fk))
                else {
                    continue;
                };
                if stands_on_change && dropping.insert((new.name.clone(), fk_key(existing))) {
                    bounced.push((new.name.clone(), existing.clone(), fk.clone()));
                }
            }
        }
        for (table, existing, fk) in bounced {
            drop_fks.push(Change::DropForeignKey {
                table: table.clone(),
                fk: existing,
            });
            if !adding.contains(&(table.clone(), fk_key(&fk))) {
                add_fks.push(Change::AddForeignKey { table, fk });
            }
        }
    }

    // Tables that reference each other (a cycle) cannot all have their foreign keys inline:
    // a key to a table created later is added after both exist, and a key to a table dropped
    // earlier is dropped before it. (SQLite would accept them inline; the other backends not.)
    let mut create_tables = Vec::new();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let created_names: BTreeSet<&str> = created.iter().map(|t| t.name.as_str()).collect();
    for orig in topological(&created) {
        let mut t = orig.clone();
        {
            let (later, now): (Vec<ForeignKey>, Vec<ForeignKey>) =
                t.foreign_keys.drain(..).partition(|fk| {
                    fk.ref_table != t.name
                        && created_names.contains(fk.ref_table.as_str())
                        && !placed.contains(fk.ref_table.as_str())
                });
            t.foreign_keys = now;
            for fk in later {
                add_fks.push(Change::AddForeignKey {
                    table: t.name.clone(),
                    fk,
                });
            }
        }
        placed.insert(orig.name.as_str());
        create_tables.push(Change::CreateTable(t));
    }
    let mut drop_tables = Vec::new();
    let order: Vec<&Table> = topological(&dropped).into_iter().rev().collect();
    // The tables dropped before the one at hand.
    let mut earlier: BTreeSet<&str> = BTreeSet::new();
    for t in &order {
        let name = t.name.as_str();
        let mut t = (*t).clone();
        {
            // Keys of this table to tables dropped before it go first.
            let (first, keep): (Vec<ForeignKey>, Vec<ForeignKey>) = t
                .foreign_keys
                .drain(..)
                .partition(|fk| fk.ref_table != t.name && earlier.contains(fk.ref_table.as_str()));
            t.foreign_keys = keep;
            for fk in first {
                drop_fks.push(Change::DropForeignKey {
                    table: t.name.clone(),
                    fk,
                });
            }
        }
        drop_tables.push(Change::DropTable(t));
        earlier.insert(name);
    }

    let mut changes: Vec<Change> = to
        .namespaces
        .difference(&from.namespaces)
        .map(|n| Change::CreateNamespace(n.clone()))
        .collect();
    changes.extend(drop_fks);
    changes.extend(drop_indexes);
    changes.extend(create_enums);
    changes.extend(create_tables);
    // A table's own changes (columns added, altered, its key, columns dropped) go together,
    // table by table: SQLite carries them out in one rebuild. The key comes before the drops,
    // so that in `down` a column comes back before the key that needs it.
    let mut own: Vec<Change> = add_columns;
    own.extend(alter_columns);
    own.extend(alter_pks);
    own.extend(drop_columns);
    own.sort_by(|a, b| a.table().cmp(&b.table()));
    changes.extend(own);
    changes.extend(add_indexes);
    changes.extend(add_fks);
    changes.extend(drop_tables);
    changes.extend(drop_enums);
    Plan { changes }
}

/// Orders tables so that every table comes after the tables it references (among `tables`).
/// Ties are broken by name, so the order is deterministic. Tables in a reference cycle keep
/// name order among themselves.
fn topological<'a>(tables: &[&'a Table]) -> Vec<&'a Table> {
    // Kahn's algorithm, taking the first ready table by name each time: O(n log n) in tables
    // and keys. Tables are named by their position in name order.
    let mut sorted: Vec<&Table> = tables.to_vec();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let names: BTreeSet<&str> = sorted.iter().map(|t| t.name.as_str()).collect();
    // How many of the tables it references each table still waits for; who waits for a name.
    let mut waiting: Vec<usize> = Vec::with_capacity(sorted.len());
    let mut waiters: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, t) in sorted.iter().enumerate() {
        let refs: BTreeSet<&str> = t
            .referenced_tables()
            .filter(|r| names.contains(r))
            .collect();
        waiting.push(refs.len());
        for r in refs {
            waiters.entry(r).or_default().push(i);
        }
    }
    let mut ready: BTreeSet<usize> = (0..sorted.len()).filter(|&i| waiting[i] == 0).collect();
    let mut remaining: BTreeSet<usize> = (0..sorted.len()).collect();
    let mut out = Vec::with_capacity(sorted.len());
    while let Some(&first) = remaining.first() {
        // A cycle: take the first by name and go on.
        let i = ready.pop_first().unwrap_or(first);
        remaining.remove(&i);
        let t = sorted[i];
        out.push(t);
        for w in waiters.remove(t.name.as_str()).unwrap_or_default() {
            waiting[w] -= 1;
            if waiting[w] == 0 && remaining.contains(&w) {
                ready.insert(w);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
