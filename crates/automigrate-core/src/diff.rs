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

impl Change {
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

    /// True when applying the change destroys data.
    pub fn loses_data(&self) -> bool {
        use Change::*;
        match self {
            DropTable(_) | DropColumn { .. } => true,
            AlterEnum { from, to, .. } => !only_adds(from, to),
            // What a change of type or key may lose is a hazard of its own (narrowing).
            CreateNamespace(_)
            | DropNamespace(_)
            | CreateEnum(_)
            | DropEnum(_)
            | CreateTable(_)
            | AddColumn { .. }
            | AlterColumn { .. }
            | AddIndex { .. }
            | DropIndex { .. }
            | AddForeignKey { .. }
            | DropForeignKey { .. }
            | RenameTable { .. }
            | RenameColumn { .. }
            | AlterTableComment { .. }
            | AlterPrimaryKey { .. } => false,
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
/// created (parents before children); columns added, altered and dropped; new indexes and
/// foreign keys added; finally tables are dropped (children before parents) and enums after them.
pub fn diff(from: &Schema, to: &Schema) -> Plan {
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
                        if c.sql_type == *name
                            && let Some(old) = old_table.column(&c.name)
                            && old.sql_type == *name
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
                Some(o) if !o.same_definition(c) => alter_columns.push(Change::AlterColumn {
                    table: name.clone(),
                    from: (*o).clone(),
                    to: c.clone(),
                }),
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

        let old_fks: BTreeSet<_> = old.foreign_keys.iter().map(ForeignKey::key).collect();
        let new_fks: BTreeSet<_> = new.foreign_keys.iter().map(ForeignKey::key).collect();
        for fk in &old.foreign_keys {
            if !new_fks.contains(&fk.key()) {
                drop_fks.push(Change::DropForeignKey {
                    table: name.clone(),
                    fk: fk.clone(),
                });
            }
        }
        for fk in &new.foreign_keys {
            if !old_fks.contains(&fk.key()) {
                add_fks.push(Change::AddForeignKey {
                    table: name.clone(),
                    fk: fk.clone(),
                });
            }
        }
    }

    // Foreign keys of surviving tables that point at a dropped table must go before it does.
    // (`dropping` holds what `drop_fks` drops, by table and key: a lookup, not a scan.)
    let mut dropping: BTreeSet<(String, _)> = drop_fks
        .iter()
        .filter_map(|c| match c {
            Change::DropForeignKey { table, fk } => Some((table.clone(), fk.key())),
            _ => None,
        })
        .collect();
    for t in to.tables.values() {
        if let Some(old) = from.tables.get(&t.name) {
            for fk in &old.foreign_keys {
                if to.tables.contains_key(&fk.ref_table) {
                    continue;
                }
                if dropping.insert((t.name.clone(), fk.key())) {
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
                Change::AddForeignKey { table, fk } => Some((table.clone(), fk.key())),
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
                let Some(existing) = old.foreign_keys.iter().find(|o| o.key() == fk.key()) else {
                    continue;
                };
                if stands_on_change && dropping.insert((new.name.clone(), existing.key())) {
                    bounced.push((new.name.clone(), existing.clone(), fk.clone()));
                }
            }
        }
        for (table, existing, fk) in bounced {
            drop_fks.push(Change::DropForeignKey {
                table: table.clone(),
                fk: existing,
            });
            if !adding.contains(&(table.clone(), fk.key())) {
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
    // A table's own changes (columns added, altered, dropped, its key) go together, table by
    // table: SQLite carries them out in one rebuild.
    let mut own: Vec<Change> = add_columns;
    own.extend(alter_columns);
    own.extend(drop_columns);
    own.extend(alter_pks);
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
mod tests {
    use super::*;
    use crate::model::{Backend, ColumnType, FkAction};

    fn col(name: &str, ty: &str, nullable: bool) -> Column {
        Column {
            name: name.into(),
            sql_type: ty.into(),
            kind: ColumnType::Custom(ty.to_string().into()),
            nullable,
            default: None,
            auto_increment: false,
            comment: None,
        }
    }

    fn table(name: &str, cols: &[Column]) -> Table {
        let mut t = Table::new(name);
        t.columns = cols.to_vec();
        t.primary_key = vec![cols[0].name.clone()];
        t
    }

    fn fk(col: &str, to: &str) -> ForeignKey {
        ForeignKey {
            name: None,
            columns: vec![col.into()],
            ref_table: to.into(),
            ref_columns: vec!["id".into()],
            on_delete: FkAction::Cascade,
            on_update: FkAction::NoAction,
        }
    }

    fn schema(tables: Vec<Table>) -> Schema {
        let mut s = Schema::new(Backend::Postgres);
        for t in tables {
            s.add_table(t);
        }
        s
    }

    #[test]
    fn equal_schemas_give_an_empty_plan() {
        let s = schema(vec![table("users", &[col("id", "integer", false)])]);
        assert!(diff(&s, &s).is_empty());
    }

    #[test]
    fn column_added_and_dropped() {
        let v1 = schema(vec![table(
            "users",
            &[col("id", "integer", false), col("legacy", "text", true)],
        )]);
        let v2 = schema(vec![table(
            "users",
            &[col("id", "integer", false), col("bio", "text", true)],
        )]);
        let plan = diff(&v1, &v2);
        let summaries: Vec<_> = plan.changes.iter().map(Change::summary).collect();
        assert_eq!(
            summaries,
            vec![
                "+ column users.bio (text, null)",
                "- column users.legacy (text, null)  DATA LOSS: the column and its values are dropped",
            ]
        );
        // The inverse plan turns v2 back into v1.
        assert_eq!(plan.inverse(), diff(&v2, &v1).inverse().inverse());
        assert_eq!(plan.inverse().changes.len(), 2);
    }

    #[test]
    fn tables_created_parents_first_and_dropped_children_first() {
        let users = table("users", &[col("id", "integer", false)]);
        let mut posts = table(
            "posts",
            &[
                col("id", "integer", false),
                col("user_id", "integer", false),
            ],
        );
        posts.foreign_keys.push(fk("user_id", "users"));
        let mut comments = table(
            "comments",
            &[
                col("id", "integer", false),
                col("post_id", "integer", false),
            ],
        );
        comments.foreign_keys.push(fk("post_id", "posts"));
        let empty = schema(vec![]);
        let full = schema(vec![users, posts, comments]);
        let names = |p: &Plan| -> Vec<String> { p.changes.iter().map(Change::summary).collect() };
        assert_eq!(
            names(&diff(&empty, &full)),
            vec![
                "+ table users (1 column)",
                "+ table posts (2 columns)",
                "+ table comments (2 columns)"
            ]
        );
        let down: Vec<_> = diff(&full, &empty)
            .changes
            .iter()
            .map(|c| c.table().unwrap().to_string())
            .collect();
        assert_eq!(down, vec!["comments", "posts", "users"]);
    }

    #[test]
    fn indexes_compare_by_structure_not_name() {
        let mut a = table(
            "users",
            &[col("id", "integer", false), col("email", "text", false)],
        );
        let mut b = a.clone();
        a.indexes.push(Index {
            name: Some("users_email_key".into()),
            columns: vec!["email".into()],
            unique: true,
            constraint: true,
        });
        b.indexes.push(Index {
            name: None,
            columns: vec!["email".into()],
            unique: true,
            constraint: false,
        });
        assert!(diff(&schema(vec![a.clone()]), &schema(vec![b.clone()])).is_empty());
        b.indexes[0].unique = false;
        let plan = diff(&schema(vec![a]), &schema(vec![b]));
        assert_eq!(plan.changes.len(), 2, "{plan:?}");
        assert!(matches!(plan.changes[0], Change::DropIndex { .. }));
        assert!(matches!(plan.changes[1], Change::AddIndex { .. }));
    }

    /// The plan does not depend on the backend it was diffed for: its changes are carried out
    /// by each backend when the migration runs (SQLite rebuilds the table for what it cannot
    /// alter in place, which its hazards say).
    #[test]
    fn the_plan_is_the_same_on_every_backend() {
        let users = table(
            "users",
            &[
                col("id", "integer", false),
                col("name", "varchar(100)", false),
            ],
        );
        let posts = table(
            "posts",
            &[
                col("id", "integer", false),
                col("user_id", "integer", false),
            ],
        );
        let mut users2 = users.clone();
        users2.columns[1].sql_type = "varchar(255)".into();
        users2.columns.push(col("bio", "text", true));
        let mut posts2 = posts.clone();
        posts2.foreign_keys.push(fk("user_id", "users"));
        let on = |backend, tables| Schema {
            backend,
            ..schema(tables)
        };
        let plans: Vec<Plan> = [Backend::Sqlite, Backend::Postgres, Backend::MySql]
            .into_iter()
            .map(|b| {
                diff(
                    &on(b, vec![users.clone(), posts.clone()]),
                    &on(b, vec![users2.clone(), posts2.clone()]),
                )
            })
            .collect();
        assert!(
            matches!(
                plans[0].changes[..],
                [
                    Change::AddColumn { .. },
                    Change::AlterColumn { .. },
                    Change::AddForeignKey { .. }
                ]
            ),
            "{:#?}",
            plans[0]
        );
        assert_eq!(plans[0], plans[1]);
        assert_eq!(plans[1], plans[2]);
        let rebuilds = |c: &Change| {
            crate::hazards::of(c, Backend::Sqlite)
                .iter()
                .any(|h| h.code == "table-rebuild")
        };
        let flags: Vec<bool> = plans[0].changes.iter().map(rebuilds).collect();
        assert_eq!(flags, [false, true, true]);
        assert!(!plans[1].changes.iter().any(|c| {
            crate::hazards::of(c, Backend::Postgres)
                .iter()
                .any(|h| h.code == "table-rebuild")
        }));
    }

    #[test]
    fn a_reference_cycle_gets_its_closing_key_after_both_tables() {
        let mut a = table(
            "a",
            &[col("id", "integer", false), col("b_id", "integer", true)],
        );
        a.foreign_keys.push(fk("b_id", "b"));
        let mut b = table(
            "b",
            &[col("id", "integer", false), col("a_id", "integer", true)],
        );
        b.foreign_keys.push(fk("a_id", "a"));
        let plan = diff(&schema(vec![]), &schema(vec![a.clone(), b.clone()]));
        let kinds: Vec<String> = plan.changes.iter().map(Change::summary).collect();
        assert_eq!(
            kinds,
            vec![
                "+ table a (2 columns)",
                "+ table b (2 columns)",
                "+ foreign key a (b_id) -> b (id) on delete CASCADE"
            ]
        );
        let Change::CreateTable(created_a) = &plan.changes[0] else {
            panic!()
        };
        assert!(created_a.foreign_keys.is_empty());
        // Dropping both drops that key first; and the inverse of creating is exactly that.
        let down = diff(&schema(vec![a, b]), &schema(vec![]));
        assert_eq!(down, plan.inverse(), "{down:#?}");
    }

    /// The order `topological` gave before it was made O(n log n): the first table by name
    /// whose references are all placed, else (a cycle) the first by name.
    fn topological_by_scanning<'a>(tables: &[&'a Table]) -> Vec<&'a Table> {
        let names: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        let mut done: BTreeSet<&str> = BTreeSet::new();
        let mut out = Vec::new();
        let mut remaining: Vec<&Table> = tables.to_vec();
        remaining.sort_by(|a, b| a.name.cmp(&b.name));
        while !remaining.is_empty() {
            let ready = remaining.iter().position(|t| {
                t.referenced_tables()
                    .all(|r| !names.contains(r) || done.contains(r))
            });
            let t = remaining.remove(ready.unwrap_or(0));
            done.insert(t.name.as_str());
            out.push(t);
        }
        out
    }

    #[test]
    fn topological_order_is_the_scanning_order() {
        // Pseudo-random reference graphs with chains, fan-in, self-references, cycles and keys
        // to tables outside the set.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..200 {
            let n = 1 + next(30) as usize;
            let tables: Vec<Table> = (0..n)
                .map(|i| {
                    let mut t = table(&format!("t{}", next(1000)), &[col("id", "integer", false)]);
                    t.name = format!("{}_{i}", t.name);
                    for _ in 0..next(4) {
                        let target = if next(10) == 0 {
                            "elsewhere".to_string()
                        } else {
                            format!("{}", next(n as u64))
                        };
                        t.foreign_keys.push(fk("id", &target));
                    }
                    t
                })
                .collect();
            // References name tables by index; resolve them to names.
            let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
            let tables: Vec<Table> = tables
                .into_iter()
                .map(|mut t| {
                    for k in &mut t.foreign_keys {
                        if let Ok(i) = k.ref_table.parse::<usize>() {
                            k.ref_table = names[i].clone();
                        }
                    }
                    t
                })
                .collect();
            let refs: Vec<&Table> = tables.iter().collect();
            let fast: Vec<&str> = topological(&refs).iter().map(|t| t.name.as_str()).collect();
            let slow: Vec<&str> = topological_by_scanning(&refs)
                .iter()
                .map(|t| t.name.as_str())
                .collect();
            assert_eq!(fast, slow, "round {round}");
        }
    }

    #[test]
    fn primary_key_changes_are_seen() {
        let a = table(
            "t",
            &[col("a", "integer", false), col("b", "integer", false)],
        );
        let mut b = a.clone();
        b.primary_key = vec!["a".into(), "b".into()];
        let mut from = schema(vec![a]);
        from.backend = Backend::MySql;
        let mut to = schema(vec![b]);
        to.backend = Backend::MySql;
        let plan = diff(&from, &to);
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].summary(), "~ primary key t (a) -> (a, b)");
    }

    #[test]
    fn foreign_key_into_a_dropped_table_goes_first() {
        let users = table("users", &[col("id", "integer", false)]);
        let mut posts = table(
            "posts",
            &[
                col("id", "integer", false),
                col("user_id", "integer", false),
            ],
        );
        posts.foreign_keys.push(fk("user_id", "users"));
        let v1 = schema(vec![users, posts.clone()]);
        let mut posts2 = posts.clone();
        posts2.foreign_keys.clear();
        let v2 = schema(vec![posts2]);
        let plan = diff(&v1, &v2);
        assert!(matches!(plan.changes[0], Change::DropForeignKey { .. }));
        assert!(matches!(plan.changes[1], Change::DropTable(_)));
        assert_eq!(plan.changes.len(), 2);
    }
}
