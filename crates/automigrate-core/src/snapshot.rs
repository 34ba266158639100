//! The declared-schema snapshot: what the entities declared when the last migration was
//! generated, kept beside the migrations.
//!
//! It tells the objects the entities own (declared now, or declared before and since removed,
//! so the migration removes them) from those they never declared (made by hand, left alone).
//! It holds one line per owned object, sorted, so that it reads in review and merges in git:
//! after a conflict, keeping the lines of both sides is right.
use std::collections::BTreeSet;

use crate::diff::{Change, Plan};
use crate::model::{Backend, ColumnType, EnumType, ForeignKey, Index, Schema};

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

/// `enum user_role ["admin", "member"]`: an enum type and its values, as Rust writes strings
/// (any character can be in a value).
pub fn enum_line(e: &EnumType) -> String {
    format!("enum {} {:?}", e.name, e.values)
}

/// Reads [`enum_line`]'s list back: `["a", "b\"c"]`.
fn parse_values(list: &str) -> Option<Vec<String>> {
    let inner = list.trim().strip_prefix('[')?.strip_suffix(']')?;
    let mut values = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ' ' || *c == ',') {
            chars.next();
        }
        match chars.next() {
            None => return Some(values),
            Some('"') => {}
            Some(_) => return None,
        }
        let mut v = String::new();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => match chars.next()? {
                    'n' => v.push('\n'),
                    'r' => v.push('\r'),
                    't' => v.push('\t'),
                    '0' => v.push('\0'),
                    'u' => {
                        let hex: String =
                            chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                        v.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                    }
                    other => v.push(other),
                },
                c => v.push(c),
            }
        }
        values.push(v);
    }
}

impl Snapshot {
    /// The objects a declared schema owns.
    pub fn of(declared: &Schema) -> Snapshot {
        let mut lines: BTreeSet<String> = declared
            .namespaces
            .iter()
            .map(|ns| format!("schema {ns}"))
            .collect();
        for e in declared.enums.values() {
            lines.insert(enum_line(e));
        }
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

    /// This snapshot, still owning what `previous` owned (but its enums, which are this one's):
    /// an object the entities declared before and this migration drops stays theirs, so that the
    /// migration can be written again (`--replace`) while it is not applied.
    pub fn keeping(mut self, previous: &Snapshot) -> Snapshot {
        self.lines.extend(
            previous
                .lines
                .iter()
                .filter(|l| !l.starts_with("enum "))
                .cloned(),
        );
        self
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

    /// The enum types the entities declared, where the snapshot says (`None`: a snapshot older
    /// than enum lines, or none). An enum with two lines (a merge of two branches that both
    /// changed it) is not known.
    pub fn enums(&self) -> Option<std::collections::BTreeMap<String, EnumType>> {
        let mut out = std::collections::BTreeMap::new();
        let mut twice = BTreeSet::new();
        let mut any = false;
        for l in &self.lines {
            let Some(rest) = l.strip_prefix("enum ") else {
                continue;
            };
            any = true;
            let Some((name, list)) = rest.split_once(' ') else {
                continue;
            };
            let Some(values) = parse_values(list) else {
                continue;
            };
            let e = EnumType {
                name: name.to_string(),
                values,
            };
            if out.insert(name.to_string(), e).is_some() {
                twice.insert(name.to_string());
            }
        }
        for name in twice {
            out.remove(&name);
        }
        any.then_some(out)
    }

    /// The enums with more than one line (a merge of two branches that both changed one): not
    /// known, so taken as declared, as with no snapshot.
    pub fn ambiguous_enums(&self) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut twice = BTreeSet::new();
        for l in &self.lines {
            if let Some((name, _)) = l.strip_prefix("enum ").and_then(|r| r.split_once(' '))
                && !seen.insert(name.to_string())
            {
                twice.insert(name.to_string());
            }
        }
        twice
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
    /// The foreign keys and indexes left alone, by table: a drop of what they depend on takes
    /// them with it ([`LeftAlone::drop_with_what_they_need`]).
    pub foreign_keys: Vec<(String, ForeignKey)>,
    pub indexes: Vec<(String, Index)>,
}

impl LeftAlone {
    /// Adds to the plan the drops of the objects left alone that a table or column it drops takes
    /// with it: a foreign key on a dropped column or to a dropped table or column, an index on a
    /// dropped column. They go first (foreign keys, then indexes), as the diff's own do, and
    /// `down` adds them again after what they need is back. A database would drop some of them
    /// itself, refuse others, and bring none of them back.
    pub fn drop_with_what_they_need(&self, plan: &mut Plan) {
        let dropped_table = |t: &str| {
            plan.changes
                .iter()
                .any(|c| matches!(c, Change::DropTable(d) if d.name == t))
        };
        let dropped_column = |t: &str, columns: &[String]| {
            plan.changes.iter().any(|c| {
                matches!(c, Change::DropColumn { table, column }
                    if table == t && columns.contains(&column.name))
            })
        };
        let mut first = Vec::new();
        for (table, fk) in &self.foreign_keys {
            if dropped_column(table, &fk.columns)
                || dropped_table(&fk.ref_table)
                || dropped_column(&fk.ref_table, &fk.ref_columns)
            {
                first.push(Change::DropForeignKey {
                    table: table.clone(),
                    fk: fk.clone(),
                });
            }
        }
        for (table, index) in &self.indexes {
            if dropped_column(table, &index.columns) {
                first.push(Change::DropIndex {
                    table: table.clone(),
                    index: index.clone(),
                });
            }
        }
        plan.changes.splice(0..0, first);
    }
}

/// On the backends without enum types (SQLite keeps an enum as text, MySQL in each column's
/// `ENUM(…)`), the enums are what the migrations made of them for PostgreSQL: the declared side's
/// come from its enum columns; the live side's from the snapshot (what the last migration
/// declared), or, with no snapshot that says, those of the declared enums some live column of
/// the entities' tables still has. A live column that is a declared enum column takes the enum
/// as its kind (MySQL with the values its `ENUM(…)` lists), so that code regenerated from it
/// runs on every backend. On PostgreSQL both sides already have their types.
pub fn enums_where_kept_in_columns(live: &mut Schema, declared: &mut Schema, snapshot: &Snapshot) {
    if declared.backend == Backend::Postgres {
        return;
    }
    let enum_of = |kind: &ColumnType| match kind {
        ColumnType::Enum { name, variants } => Some(EnumType {
            name: name.to_string(),
            values: variants.iter().map(|v| v.to_string()).collect(),
        }),
        _ => None,
    };
    for t in declared.tables.values() {
        for c in &t.columns {
            if let Some(e) = enum_of(&c.kind) {
                declared.enums.insert(e.name.clone(), e);
            }
        }
    }
    let remembered = snapshot.enums();
    let ambiguous = snapshot.ambiguous_enums();
    let mut used = std::collections::BTreeMap::new();
    for (name, t) in &mut live.tables {
        let Some(declared_table) = declared.tables.get(name) else {
            continue;
        };
        for c in &mut t.columns {
            let Some(e) = declared_table
                .column(&c.name)
                .and_then(|d| enum_of(&d.kind))
            else {
                continue;
            };
            // Only a column that is of the enum there: MySQL's lists its values; SQLite's is text
            // of the enum the snapshot remembers (or, with no snapshot that says, the declared one).
            let values = match (declared.backend, &remembered) {
                (Backend::MySql, _) => crate::dialect::mysql_enum_values(&c.sql_type),
                (_, Some(r)) if !ambiguous.contains(&e.name) => {
                    r.get(&e.name).map(|r| r.values.clone())
                }
                _ => Some(e.values.clone()),
            };
            let Some(values) = values else {
                continue;
            };
            c.kind = ColumnType::Enum {
                name: e.name.clone().into(),
                variants: values.iter().map(|v| v.clone().into()).collect(),
            };
            used.insert(
                e.name.clone(),
                EnumType {
                    name: e.name,
                    values,
                },
            );
        }
    }
    // What the columns say wins (MySQL's lists, an enum the snapshot cannot tell).
    live.enums = match remembered {
        Some(mut r) => {
            for (name, e) in used {
                if declared.backend == Backend::MySql || ambiguous.contains(&name) {
                    r.insert(name, e);
                }
            }
            r
        }
        None => used,
    };
}

/// Takes out of the live schema the enum types that the entities do not declare, no live column
/// of a compared table uses, and the snapshot does not own (the entities never declared them):
/// those are left alone and listed. One the snapshot owns goes (and comes back in `down`), unless
/// a column of a table kept out of the comparison (`kept_out`: the types of their columns) still
/// uses it.
pub fn leave_undeclared_enums_alone(
    live: &mut Schema,
    declared: &Schema,
    snapshot: &Snapshot,
    kept_out: &BTreeSet<String>,
) -> Vec<String> {
    let used: BTreeSet<String> = live
        .tables
        .values()
        .flat_map(|t| &t.columns)
        .map(|c| match &c.kind {
            ColumnType::Enum { name, .. } => name.to_string(),
            _ => c.sql_type.clone(),
        })
        .collect();
    let owned = snapshot.enums().unwrap_or_default();
    let mut notes = Vec::new();
    live.enums.retain(|name, _| {
        let keep = declared.enums.contains_key(name)
            || used.contains(name)
            || (owned.contains_key(name) && !kept_out.contains(name));
        if !keep {
            notes.push(format!("enum type {name}, not declared by the entities"));
        }
        keep
    });
    notes
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
    let left_keys = &mut left.foreign_keys;
    let left_indexes = &mut left.indexes;
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
                left_indexes.push((name.clone(), i.clone()));
                let kind = if i.unique { "unique index" } else { "index" };
                notes.push(format!(
                    "{name}: {kind} {} ({}), not declared by the entities",
                    i.name.as_deref().unwrap_or("(unnamed)"),
                    i.columns.join(", ")
                ));
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
                left_keys.push((name.clone(), fk.clone()));
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
                c.default = None;
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

    fn role(values: &[&str]) -> ColumnType {
        ColumnType::Enum {
            name: "user_role".to_string().into(),
            variants: values.iter().map(|v| v.to_string().into()).collect(),
        }
    }

    fn with_role(backend: Backend, kind: ColumnType, sql_type: &str) -> Schema {
        let mut s = Schema::new(backend);
        let mut t = Table::new("users");
        t.columns = vec![Column {
            name: "role".into(),
            sql_type: sql_type.into(),
            kind,
            nullable: false,
            default: None,
            auto_increment: false,
            comment: None,
        }];
        s.add_table(t);
        s
    }

    #[test]
    fn what_a_drop_needs_gone_goes_first_and_nothing_else() {
        let fk = |columns: &[&str], ref_table: &str, ref_columns: &[&str]| ForeignKey {
            name: None,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            ref_table: ref_table.into(),
            ref_columns: ref_columns.iter().map(|c| c.to_string()).collect(),
            on_delete: crate::model::FkAction::NoAction,
            on_update: crate::model::FkAction::NoAction,
        };
        let column = |name: &str| Column {
            name: name.into(),
            sql_type: "integer".into(),
            kind: ColumnType::Integer,
            nullable: true,
            default: None,
            auto_increment: false,
            comment: None,
        };
        let left = LeftAlone {
            notes: Vec::new(),
            foreign_keys: vec![
                // To a column that goes (a unique one, referenced by another table).
                ("orders".into(), fk(&["user_code"], "users", &["code"])),
                // On a column that stays, to a table that stays.
                ("orders".into(), fk(&["user_id"], "users", &["id"])),
                // To a table that goes.
                ("orders".into(), fk(&["box_id"], "boxes", &["id"])),
            ],
            indexes: vec![
                (
                    "users".into(),
                    Index {
                        name: Some("ix_code_name".into()),
                        columns: vec!["name".into(), "code".into()],
                        unique: false,
                        constraint: false,
                    },
                ),
                ("users".into(), index()),
            ],
        };
        let mut plan = Plan {
            changes: vec![
                Change::DropColumn {
                    table: "users".into(),
                    column: column("code"),
                },
                Change::DropTable(Table::new("boxes")),
            ],
        };
        left.drop_with_what_they_need(&mut plan);
        let summary: Vec<String> = plan.changes.iter().map(|c| c.summary()).collect();
        assert_eq!(
            summary
                .iter()
                .map(|s| s.split("  ").next().unwrap())
                .collect::<Vec<_>>(),
            [
                "- foreign key orders (user_code) -> users (code)",
                "- foreign key orders (box_id) -> boxes (id)",
                "- index on users (name, code)",
                "- column users.code (integer, null)",
                "- table boxes (0 columns)",
            ]
        );
    }

    #[test]
    fn an_enum_type_nothing_declares_goes_only_when_the_snapshot_owns_it() {
        let e = |name: &str| EnumType {
            name: name.into(),
            values: vec!["a".into()],
        };
        let mut live = with_role(Backend::Postgres, ColumnType::Text, "user_role");
        for name in ["user_role", "mood", "hand_made", "kept_out"] {
            live.enums.insert(name.into(), e(name));
        }
        let declared = Schema::new(Backend::Postgres);
        let snapshot = Snapshot::parse("enum mood [\"a\"]\nenum kept_out [\"a\"]\n");
        let kept_out = BTreeSet::from(["kept_out".to_string()]);
        let notes = leave_undeclared_enums_alone(&mut live, &declared, &snapshot, &kept_out);
        // In use by a compared column (the diff drops it after the column), or owned: compared.
        assert_eq!(live.enums.keys().collect::<Vec<_>>(), ["mood", "user_role"]);
        assert_eq!(
            notes,
            [
                "enum type hand_made, not declared by the entities",
                "enum type kept_out, not declared by the entities"
            ]
        );
    }

    #[test]
    fn a_new_snapshot_keeps_what_the_entities_owned_but_enums() {
        let previous = Snapshot::parse("index users (email)\nenum mood [\"a\"]\n");
        let new =
            Snapshot::parse("index users (name)\nenum mood [\"a\", \"b\"]\n").keeping(&previous);
        assert!(new.owns("index users (email)") && new.owns("index users (name)"));
        assert_eq!(new.enums().unwrap()["mood"].values, ["a", "b"]);
        assert!(new.ambiguous_enums().is_empty());
    }

    #[test]
    fn enum_values_of_any_text_survive_the_file() {
        let e = EnumType {
            name: "mood".into(),
            values: vec![
                "it's".into(),
                "a \"quote\"".into(),
                "back\\slash".into(),
                "new\nline, comma]".into(),
                "\u{1b}".into(),
            ],
        };
        let mut schema = Schema::new(Backend::Sqlite);
        schema.enums.insert(e.name.clone(), e.clone());
        let text = Snapshot::of(&schema).render();
        assert_eq!(text.lines().count(), 3, "{text}");
        let read = Snapshot::parse(&text).enums().unwrap();
        assert_eq!(read["mood"], e);
        // Two lines for one enum (a merge of two branches): not known.
        let mut other = e.clone();
        other.values.push("x".into());
        let merged = format!("{text}{}\n", enum_line(&other));
        assert!(
            !Snapshot::parse(&merged)
                .enums()
                .unwrap()
                .contains_key("mood")
        );
        // A snapshot older than enum lines says nothing.
        assert_eq!(Snapshot::parse("default users.email\n").enums(), None);
    }

    #[test]
    fn enums_kept_in_columns_come_from_the_snapshot_or_the_live_columns() {
        let declared = || with_role(Backend::Sqlite, role(&["a", "b", "c"]), "text");
        let live = || with_role(Backend::Sqlite, ColumnType::Text, "text");
        // No snapshot: the declared enums the live columns have are taken as there.
        let (mut l, mut d) = (live(), declared());
        enums_where_kept_in_columns(&mut l, &mut d, &Snapshot::default());
        assert_eq!(d.enums["user_role"].values, ["a", "b", "c"]);
        assert_eq!(l.enums, d.enums);
        assert_eq!(l.tables["users"].columns[0].kind, role(&["a", "b", "c"]));
        // ... and none on an empty database.
        let (mut l, mut d) = (Schema::new(Backend::Sqlite), declared());
        enums_where_kept_in_columns(&mut l, &mut d, &Snapshot::default());
        assert!(l.enums.is_empty());
        // The snapshot remembers two values: the third is new.
        let mut before = declared();
        before.enums.insert(
            "user_role".into(),
            EnumType {
                name: "user_role".into(),
                values: vec!["a".into(), "b".into()],
            },
        );
        let snapshot = Snapshot::parse(&Snapshot::of(&before).render());
        let (mut l, mut d) = (live(), declared());
        enums_where_kept_in_columns(&mut l, &mut d, &snapshot);
        assert_eq!(l.enums["user_role"].values, ["a", "b"]);
        assert_eq!(l.tables["users"].columns[0].kind, role(&["a", "b"]));
        // Merged from two branches that both changed it: taken as declared, no phantom enum.
        let mut other = before.clone();
        other
            .enums
            .get_mut("user_role")
            .unwrap()
            .values
            .push("x".into());
        let merged = Snapshot::parse(&format!(
            "{}{}\n",
            Snapshot::of(&before).render(),
            enum_line(&other.enums["user_role"])
        ));
        assert!(merged.ambiguous_enums().contains("user_role"));
        let (mut l, mut d) = (live(), declared());
        enums_where_kept_in_columns(&mut l, &mut d, &merged);
        assert_eq!(l.enums, d.enums);
        // MySQL: a column's values are its own.
        let mut l = with_role(Backend::MySql, ColumnType::Text, "enum('a','b')");
        let mut d = with_role(Backend::MySql, role(&["a", "b", "c"]), "enum('a','b','c')");
        enums_where_kept_in_columns(&mut l, &mut d, &Snapshot::default());
        assert_eq!(l.tables["users"].columns[0].kind, role(&["a", "b"]));
        // A column that is not of the enum there (a string the entities now make an enum) stays
        // what it is.
        let mut l = with_role(Backend::MySql, ColumnType::Text, "varchar(255)");
        let mut d = with_role(Backend::MySql, role(&["a"]), "enum('a')");
        enums_where_kept_in_columns(&mut l, &mut d, &Snapshot::default());
        assert_eq!(l.tables["users"].columns[0].kind, ColumnType::Text);
        assert!(l.enums.is_empty());
        // PostgreSQL has types of its own: nothing changes.
        let mut l = with_role(Backend::Postgres, ColumnType::Text, "user_role");
        let mut d = with_role(Backend::Postgres, role(&["a"]), "user_role");
        enums_where_kept_in_columns(&mut l, &mut d, &snapshot);
        assert!(l.enums.is_empty() && d.enums.is_empty());
    }
}
