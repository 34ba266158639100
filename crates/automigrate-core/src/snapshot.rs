//! The declared-schema snapshot: what the entities declared when the last migration was
//! generated, kept beside the migrations.
//!
//! It tells the objects the entities own (declared now, or declared before and since removed,
//! so the migration removes them) from those they never declared (made by hand, left alone).
//! It holds one line per owned object, sorted, so that it reads in review and merges in git:
//! after a conflict, keeping the lines of both sides is right.
use std::collections::BTreeSet;

use crate::model::{ForeignKey, Index, Schema};

/// The file name, in the migration crate's root.
pub const FILE: &str = "automigrate.snapshot";

const HEADER: &str = "# automigrate snapshot: what the entities declared when the last migration was generated.\n\
# Written by `cargo xtask makemigration`; do not edit. After a merge conflict, keep the lines of both sides.\n";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    lines: BTreeSet<String>,
}

pub fn index_key(table: &str, i: &Index) -> String {
    let kind = if i.unique { "unique index" } else { "index" };
    format!("{kind} {table} ({})", i.columns.join(", "))
}

pub fn foreign_key_key(table: &str, fk: &ForeignKey) -> String {
    format!(
        "foreign key {table} ({}) -> {} ({})",
        fk.columns.join(", "),
        fk.ref_table,
        fk.ref_columns.join(", ")
    )
}

pub fn default_key(table: &str, column: &str) -> String {
    format!("default {table}.{column}")
}

impl Snapshot {
    /// The objects a declared schema owns.
    pub fn of(declared: &Schema) -> Snapshot {
        let mut lines: BTreeSet<String> = declared
            .namespaces
            .iter()
            .map(|ns| format!("schema {ns}"))
            .collect();
        for t in declared.tables.values() {
            for i in &t.indexes {
                lines.insert(index_key(&t.name, i));
            }
            for fk in &t.foreign_keys {
                lines.insert(foreign_key_key(&t.name, fk));
            }
            for c in &t.columns {
                if c.default.is_some() {
                    lines.insert(default_key(&t.name, &c.name));
                }
            }
        }
        Snapshot { lines }
    }

    pub fn parse(text: &str) -> Snapshot {
        let lines = text
            .lines()
            .map(str::trim)
            .filter(|l| {
                !l.is_empty()
                    && !l.starts_with('#')
                    && !l.starts_with("<<<<<<<")
                    && !l.starts_with("=======")
                    && !l.starts_with(">>>>>>>")
            })
            .map(str::to_string)
            .collect();
        Snapshot { lines }
    }

    pub fn render(&self) -> String {
        let mut s = HEADER.to_string();
        for l in &self.lines {
            s.push_str(l);
            s.push('\n');
        }
        s
    }

    pub fn owns(&self, key: &str) -> bool {
        self.lines.contains(key)
    }

    /// The PostgreSQL schemas (other than the default one) that entities named: read again
    /// next time, so that a table whose entity went away is seen to go.
    pub fn namespaces(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().filter_map(|l| l.strip_prefix("schema "))
    }
}

/// The kinds of object the entities can be declared owners of, whether they declared them or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Indexes,
    Uniques,
    Defaults,
    ForeignKeys,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "indexes" => Kind::Indexes,
            "uniques" => Kind::Uniques,
            "defaults" => Kind::Defaults,
            "foreign_keys" => Kind::ForeignKeys,
            _ => return None,
        })
    }
}

/// What [`leave_alone`] took out of the live schema.
#[derive(Clone, Debug, Default)]
pub struct LeftAlone {
    /// One line per object, for the report.
    pub notes: Vec<String>,
    pub indexes: Vec<(String, Index)>,
    pub defaults: Vec<(String, String, crate::model::DefaultValue)>,
}

/// Takes out of the live schema what the entities never declared, on the tables they declare:
/// indexes, unique constraints, foreign keys and column defaults that neither the entities nor
/// the snapshot name. Those are left alone by the diff; the result lists them.
///
/// `owns(table, kind)`: the entities own every object of that kind on that table (a
/// configuration switch), so nothing of it is left alone.
pub fn leave_alone(
    live: &mut Schema,
    declared: &Schema,
    snapshot: &Snapshot,
    owns: &dyn Fn(&str, Kind) -> bool,
) -> LeftAlone {
    let mut left = LeftAlone::default();
    let notes = &mut left.notes;
    for (name, table) in live.tables.iter_mut() {
        let Some(decl) = declared.tables.get(name) else {
            continue;
        };
        let declared_indexes: BTreeSet<(Vec<String>, bool)> =
            decl.indexes.iter().map(Index::key).collect();
        table.indexes.retain(|i| {
            let kind = if i.unique {
                Kind::Uniques
            } else {
                Kind::Indexes
            };
            let keep = declared_indexes.contains(&i.key())
                || snapshot.owns(&index_key(name, i))
                || owns(name, kind);
            if !keep {
                let kind = if i.unique { "unique index" } else { "index" };
                notes.push(format!(
                    "{name}: {kind} {} ({}), not declared by the entities",
                    i.name.as_deref().unwrap_or("(unnamed)"),
                    i.columns.join(", ")
                ));
                left.indexes.push((name.clone(), i.clone()));
            }
            keep
        });
        let declared_fks: BTreeSet<String> = decl
            .foreign_keys
            .iter()
            .map(|fk| foreign_key_key(name, fk))
            .collect();
        table.foreign_keys.retain(|fk| {
            let key = foreign_key_key(name, fk);
            let keep =
                declared_fks.contains(&key) || snapshot.owns(&key) || owns(name, Kind::ForeignKeys);
            if !keep {
                notes.push(format!(
                    "{name}: foreign key {}, not declared by the entities",
                    fk.describe()
                ));
            }
            keep
        });
        for c in &mut table.columns {
            let undeclared = decl.column(&c.name).is_some_and(|d| d.default.is_none());
            if c.default.is_some()
                && undeclared
                && !snapshot.owns(&default_key(name, &c.name))
                && !owns(name, Kind::Defaults)
            {
                notes.push(format!(
                    "{name}.{}: default {}, not declared by the entities",
                    c.name,
                    c.default.as_ref().map(|d| d.to_sql()).unwrap_or_default()
                ));
                if let Some(d) = c.default.take() {
                    left.defaults.push((name.clone(), c.name.clone(), d));
                }
            }
        }
    }
    left
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Backend, Column, ColumnType, DefaultValue, Table};

    fn schema(default: Option<DefaultValue>, indexes: Vec<Index>) -> Schema {
        let mut s = Schema::new(Backend::Postgres);
        let mut t = Table::new("users");
        t.columns = vec![Column {
            name: "email".into(),
            sql_type: "text".into(),
            kind: ColumnType::Text,
            nullable: false,
            default,
            auto_increment: false,
            comment: None,
        }];
        t.indexes = indexes;
        s.add_table(t);
        s
    }

    fn index() -> Index {
        Index {
            name: Some("users_email_idx".into()),
            columns: vec!["email".into()],
            unique: false,
            constraint: false,
        }
    }

    #[test]
    fn undeclared_is_left_alone_unless_the_snapshot_owns_it() {
        let declared = schema(None, vec![]);
        let with = || schema(Some(DefaultValue::Str("x".into())), vec![index()]);

        // Never declared: left alone, and said so.
        let mut live = with();
        let left = leave_alone(&mut live, &declared, &Snapshot::default(), &|_, _| false);
        assert_eq!(left.notes.len(), 2, "{:?}", left.notes);
        assert!(crate::diff(&live, &declared).is_empty());

        // Owner of the indexes by configuration: the index goes, the default stays.
        let mut live = with();
        let left = leave_alone(&mut live, &declared, &Snapshot::default(), &|t, k| {
            t == "users" && k == Kind::Indexes
        });
        assert_eq!(left.notes.len(), 1, "{:?}", left.notes);
        let plan = crate::diff(&live, &declared);
        assert!(
            matches!(plan.changes[..], [crate::Change::DropIndex { .. }]),
            "{plan:#?}"
        );

        // Declared before: the entities' own, so the diff removes them.
        let before = Snapshot::of(&with());
        let mut live = with();
        assert!(
            leave_alone(&mut live, &declared, &before, &|_, _| false)
                .notes
                .is_empty()
        );
        assert_eq!(crate::diff(&live, &declared).changes.len(), 2);
    }

    #[test]
    fn round_trips_through_text_and_survives_a_merge_conflict() {
        let s = Snapshot::of(&schema(Some(DefaultValue::Int(1)), vec![index()]));
        assert_eq!(Snapshot::parse(&s.render()), s);
        let conflicted =
            "<<<<<<< ours\nindex users (email)\n=======\nindex users (name)\n>>>>>>> theirs\n";
        let merged = Snapshot::parse(conflicted);
        assert!(merged.owns("index users (email)") && merged.owns("index users (name)"));
    }
}
