//! `--format json`: the report of `diff`, `check`, `check --replay` and `makemigration` as one
//! JSON document on standard output, for CI bots and editors.
//!
//! The shape is versioned (`"format": 1`) and described field by field in
//! `docs/automigrate-output.schema.json` (JSON Schema, draft 2020-12), which the end-to-end tests
//! validate every document against. A field is only ever added within a version; a field removed
//! or changed in meaning is a new `format`.
//!
//! It is built here from the public types of the core (`Change`, `Column`, `Hazard`, …), so
//! that the core stays free of output concerns. The kinds of change are an exhaustive `match`:
//! a new kind of change does not compile until it has a JSON kind.
use std::path::Path;

use automigrate_core::hazards::Hazard;
use automigrate_core::model::ColumnType;
use automigrate_core::renames::{Candidate, Rename};
use automigrate_core::{Backend, Change, Column, EnumType, ForeignKey, Index, Table};
use serde::Serialize;

use crate::commands::{self, Analysis};

/// The version of the shape. Raised when a field is removed or changes meaning (never when one
/// is added).
pub const FORMAT: u32 = 1;

/// The document `diff`, `check` and `makemigration` print with `--format json`.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub format: u32,
    /// `diff`, `check`, `check --replay` or `makemigration`.
    pub command: &'static str,
    /// `sqlite`, `postgres` or `mysql`: the backend compared with (for `check --replay`, the
    /// scratch database's).
    pub backend: &'static str,
    /// The plan, in the order the migration carries it out.
    pub changes: Vec<ChangeOut<'a>>,
    /// Drops and adds that may be renames, generated as drop + add unless confirmed.
    pub rename_candidates: Vec<CandidateOut<'a>>,
    /// Notes about the plan: drops and adds with alike names but other definitions.
    pub notes: Vec<&'a str>,
    /// Everything in the database the entities do not manage, left alone (all of it).
    pub unmanaged: Vec<&'a str>,
    /// `makemigration`: the migration file (written, or with `--dry-run` the one that would
    /// be); `null` otherwise and when there are no changes.
    pub file: Option<FileOut>,
    /// The process's exit code (0, or 1 for `check` when the schemas differ).
    pub exit_code: u8,
}

/// One change of the plan.
#[derive(Debug, Serialize)]
pub struct ChangeOut<'a> {
    /// `add_column`, `drop_table`, … (one per kind of change, see [`kind_of`]).
    pub kind: &'static str,
    /// The line the text output shows for it (without its indent).
    pub summary: String,
    /// The table it changes (its new name for a rename); `null` for schemas and enum types.
    pub table: Option<&'a str>,
    /// What in the table it is about: a column's name, an index's or a foreign key's columns
    /// (`a, b`), an enum type's or a PostgreSQL schema's name; `null` for the table itself.
    pub object: Option<String>,
    /// The definition before (`null`: it did not exist).
    pub before: Option<Definition<'a>>,
    /// The definition after (`null`: it no longer exists).
    pub after: Option<Definition<'a>>,
    /// The hazards of this change.
    pub hazards: Vec<HazardOut<'a>>,
}

/// What a change is about, before or after it. The change's `kind` says which one.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Definition<'a> {
    Table(TableOut<'a>),
    Column(ColumnOut<'a>),
    Index(IndexOut<'a>),
    ForeignKey(ForeignKeyOut<'a>),
    Enum(EnumOut<'a>),
    PrimaryKey {
        columns: &'a [String],
        name: Option<&'a str>,
    },
    /// A PostgreSQL schema, or the old and new name of a renamed table or column.
    Name {
        name: &'a str,
    },
    Comment {
        comment: &'a str,
    },
}

#[derive(Debug, Serialize)]
pub struct TableOut<'a> {
    pub name: &'a str,
    pub columns: Vec<ColumnOut<'a>>,
    pub primary_key: &'a [String],
    pub indexes: Vec<IndexOut<'a>>,
    pub foreign_keys: Vec<ForeignKeyOut<'a>>,
    pub comment: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct ColumnOut<'a> {
    pub name: &'a str,
    /// The type as the text output shows it: `varchar(100)`, `enum mood (happy, sad)`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The canonical SQL type compared for the backend.
    pub sql_type: &'a str,
    /// An enum column's values; `null` for other types.
    pub enum_values: Option<Vec<String>>,
    pub nullable: bool,
    /// The default as SQL (`'x'`, `0`, `CURRENT_TIMESTAMP`, an expression); `null`: none.
    pub default: Option<String>,
    pub auto_increment: bool,
    pub comment: Option<&'a str>,
    /// The whole definition as the text output shows it: `varchar(100), not null, default 'x'`.
    pub definition: String,
}

#[derive(Debug, Serialize)]
pub struct IndexOut<'a> {
    /// `null` where the database chooses the name.
    pub name: Option<&'a str>,
    pub columns: &'a [String],
    pub unique: bool,
}

#[derive(Debug, Serialize)]
pub struct ForeignKeyOut<'a> {
    pub name: Option<&'a str>,
    pub columns: &'a [String],
    pub ref_table: &'a str,
    pub ref_columns: &'a [String],
    /// `NO ACTION`, `RESTRICT`, `CASCADE`, `SET NULL` or `SET DEFAULT`.
    pub on_delete: &'static str,
    pub on_update: &'static str,
}

#[derive(Debug, Serialize)]
pub struct EnumOut<'a> {
    pub name: &'a str,
    pub values: &'a [String],
}

/// A hazard of a change.
#[derive(Debug, Serialize)]
pub struct HazardOut<'a> {
    /// The stable code (`drop-column`, `narrowing`, …; README, "Hazard codes").
    pub code: &'static str,
    /// What can go wrong (with, for `may-fail` and `enum-value-removed`, the rows that hold
    /// such a value).
    pub message: &'a str,
    /// The safer way, where there is one.
    pub safer: Option<&'a str>,
    /// With `--online`: what the online plan does about it on this backend, where it does
    /// something (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online: Option<&'a str>,
    /// True for the codes that lose data (`drop-table`, `drop-column`, `narrowing`).
    pub loses_data: bool,
    /// The table whose rows it concerns.
    pub table: &'a str,
    /// The rows of `table`, where they were counted (tables the database has); counting stops
    /// just over 1,000,000: a number above it means "more than 1000000".
    pub rows: Option<u64>,
}

/// A drop and an add that may be one rename.
#[derive(Debug, Serialize)]
pub struct CandidateOut<'a> {
    /// `column` or `table`.
    pub kind: &'static str,
    /// The column's table (the new name); `null` for a table rename.
    pub table: Option<&'a str>,
    pub from: &'a str,
    pub to: &'a str,
    /// `users.name -> users.full_name`, as the text output says it.
    pub rename: String,
    /// The question `makemigration` asks on a terminal.
    pub question: &'a str,
    /// The flag that confirms it: `--rename users.name=full_name`, `--rename-table a=b`.
    pub flag: String,
}

/// The migration file of `makemigration`.
#[derive(Debug, Serialize)]
pub struct FileOut {
    /// The migration's name: `m20261121_093000_add_bio_to_users`.
    pub name: String,
    /// Where it is (or, with `--dry-run`, would be) written.
    pub path: String,
    /// Its whole text.
    pub source: String,
    /// False with `--dry-run`: nothing was written.
    pub written: bool,
}

impl FileOut {
    pub fn new(name: &str, path: &Path, source: String, written: bool) -> FileOut {
        FileOut {
            name: name.to_string(),
            path: path.display().to_string(),
            source,
            written,
        }
    }
}

/// The document printed on an error (exit 2).
#[derive(Debug, Serialize)]
pub struct ErrorOut<'a> {
    pub format: u32,
    /// The command, when the command line could be read that far.
    pub command: Option<&'static str>,
    /// The error, as the text output says it (on standard error too).
    pub error: &'a str,
    pub exit_code: u8,
}

/// `sqlite`, `postgres`, `mysql`.
pub fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
        Backend::MySql => "mysql",
    }
}

/// The report of `analysis` for `command`.
pub fn report<'a>(
    command: &'static str,
    analysis: &'a Analysis,
    file: Option<FileOut>,
    exit_code: u8,
) -> Report<'a> {
    let changes = analysis
        .plan
        .changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut out = change(c);
            out.hazards = analysis
                .hazards_of(i)
                .iter()
                .map(|h| hazard(h, analysis))
                .collect();
            out
        })
        .collect();
    Report {
        format: FORMAT,
        command,
        backend: backend_name(analysis.backend),
        changes,
        rename_candidates: analysis.declined.iter().map(candidate).collect(),
        notes: analysis.near_misses.iter().map(String::as_str).collect(),
        unmanaged: analysis.unmanaged.iter().map(String::as_str).collect(),
        file,
        exit_code,
    }
}

/// Writes `value` on `out` as pretty-printed JSON and a newline.
pub fn write(out: &mut dyn std::io::Write, value: &impl Serialize) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// The JSON kind of a change. Exhaustive on purpose: a new kind of change must be given one.
pub fn kind_of(change: &Change) -> &'static str {
    match change {
        Change::CreateNamespace(_) => "create_schema",
        Change::DropNamespace(_) => "drop_schema",
        Change::CreateEnum(_) => "create_enum",
        Change::AlterEnum { .. } => "alter_enum",
        Change::DropEnum(_) => "drop_enum",
        Change::CreateTable(_) => "create_table",
        Change::DropTable(_) => "drop_table",
        Change::AddColumn { .. } => "add_column",
        Change::DropColumn { .. } => "drop_column",
        Change::AlterColumn { .. } => "alter_column",
        Change::AddIndex { .. } => "add_index",
        Change::DropIndex { .. } => "drop_index",
        Change::AddForeignKey { .. } => "add_foreign_key",
        Change::DropForeignKey { .. } => "drop_foreign_key",
        Change::RenameTable { .. } => "rename_table",
        Change::RenameColumn { .. } => "rename_column",
        Change::AlterTableComment { .. } => "alter_table_comment",
        Change::AlterPrimaryKey { .. } => "alter_primary_key",
    }
}

/// A change, its hazards left to the caller.
fn change(c: &Change) -> ChangeOut<'_> {
    // (object, before, after); no wildcard, as in `kind_of`.
    let (object, before, after): (Option<String>, Option<Definition>, Option<Definition>) = match c
    {
        Change::CreateNamespace(n) => (Some(n.clone()), None, Some(Definition::Name { name: n })),
        Change::DropNamespace(n) => (Some(n.clone()), Some(Definition::Name { name: n }), None),
        Change::CreateEnum(e) => (Some(e.name.clone()), None, Some(enum_type(e))),
        Change::AlterEnum { from, to, .. } => (
            Some(to.name.clone()),
            Some(enum_type(from)),
            Some(enum_type(to)),
        ),
        Change::DropEnum(e) => (Some(e.name.clone()), Some(enum_type(e)), None),
        Change::CreateTable(t) => (None, None, Some(Definition::Table(table(t)))),
        Change::DropTable(t) => (None, Some(Definition::Table(table(t))), None),
        Change::AddColumn { column: col, .. } => (
            Some(col.name.clone()),
            None,
            Some(Definition::Column(column(col))),
        ),
        Change::DropColumn { column: col, .. } => (
            Some(col.name.clone()),
            Some(Definition::Column(column(col))),
            None,
        ),
        Change::AlterColumn { from, to, .. } => (
            Some(to.name.clone()),
            Some(Definition::Column(column(from))),
            Some(Definition::Column(column(to))),
        ),
        Change::AddIndex { index: i, .. } => (
            Some(i.columns.join(", ")),
            None,
            Some(Definition::Index(index(i))),
        ),
        Change::DropIndex { index: i, .. } => (
            Some(i.columns.join(", ")),
            Some(Definition::Index(index(i))),
            None,
        ),
        Change::AddForeignKey { fk, .. } => (
            Some(fk.columns.join(", ")),
            None,
            Some(Definition::ForeignKey(foreign_key(fk))),
        ),
        Change::DropForeignKey { fk, .. } => (
            Some(fk.columns.join(", ")),
            Some(Definition::ForeignKey(foreign_key(fk))),
            None,
        ),
        Change::RenameTable { from, to } => (
            None,
            Some(Definition::Name { name: from }),
            Some(Definition::Name { name: to }),
        ),
        Change::RenameColumn { from, to, .. } => (
            Some(to.clone()),
            Some(Definition::Name { name: from }),
            Some(Definition::Name { name: to }),
        ),
        Change::AlterTableComment { from, to, .. } => (None, comment(from), comment(to)),
        Change::AlterPrimaryKey {
            from,
            to,
            from_name,
            to_name,
            ..
        } => (None, primary_key(from, from_name), primary_key(to, to_name)),
    };
    ChangeOut {
        kind: kind_of(c),
        summary: c.summary(),
        table: c.table(),
        object,
        before,
        after,
        hazards: Vec::new(),
    }
}

/// A table's comment; `None` when it has none.
fn comment(c: &Option<String>) -> Option<Definition<'_>> {
    c.as_deref().map(|comment| Definition::Comment { comment })
}

/// A primary key; `None` when there is none.
fn primary_key<'a>(columns: &'a [String], name: &'a Option<String>) -> Option<Definition<'a>> {
    (!columns.is_empty()).then_some(Definition::PrimaryKey {
        columns,
        name: name.as_deref(),
    })
}

fn enum_type(e: &EnumType) -> Definition<'_> {
    Definition::Enum(EnumOut {
        name: &e.name,
        values: &e.values,
    })
}

fn table(t: &Table) -> TableOut<'_> {
    TableOut {
        name: &t.name,
        columns: t.columns.iter().map(column).collect(),
        primary_key: &t.primary_key,
        indexes: t.indexes.iter().map(index).collect(),
        foreign_keys: t.foreign_keys.iter().map(foreign_key).collect(),
        comment: t.comment.as_deref(),
    }
}

fn column(c: &Column) -> ColumnOut<'_> {
    ColumnOut {
        name: &c.name,
        type_: c.describe_type(),
        sql_type: &c.sql_type,
        enum_values: match &c.kind {
            ColumnType::Enum { variants, .. } => {
                Some(variants.iter().map(|v| v.to_string()).collect())
            }
            _ => None,
        },
        nullable: c.nullable,
        default: c.default.as_ref().map(|d| d.to_sql()),
        auto_increment: c.auto_increment,
        comment: c.comment.as_deref(),
        definition: c.describe(),
    }
}

fn index(i: &Index) -> IndexOut<'_> {
    IndexOut {
        name: i.name.as_deref(),
        columns: &i.columns,
        unique: i.unique,
    }
}

fn foreign_key(fk: &ForeignKey) -> ForeignKeyOut<'_> {
    ForeignKeyOut {
        name: fk.name.as_deref(),
        columns: &fk.columns,
        ref_table: &fk.ref_table,
        ref_columns: &fk.ref_columns,
        on_delete: fk.on_delete.sql(),
        on_update: fk.on_update.sql(),
    }
}

fn hazard<'a>(h: &'a Hazard, analysis: &Analysis) -> HazardOut<'a> {
    HazardOut {
        code: h.code,
        message: &h.reason,
        safer: h.alternative.as_deref(),
        online: h.online.as_deref(),
        loses_data: h.loses_data(),
        table: &h.table,
        rows: analysis.rows.get(&h.table).copied(),
    }
}

fn candidate(c: &Candidate) -> CandidateOut<'_> {
    let (kind, table, from, to) = match &c.rename {
        Rename::Column { table, from, to } => ("column", Some(table.as_str()), from, to),
        Rename::Table { from, to } => ("table", None, from, to),
    };
    CandidateOut {
        kind,
        table,
        from,
        to,
        rename: c.rename.describe(),
        question: &c.question,
        flag: commands::rename_flag(&c.rename),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automigrate_core::{DefaultValue, FkAction, Plan};
    use std::collections::BTreeMap;

    fn col(name: &str, sql_type: &str, nullable: bool) -> Column {
        Column {
            name: name.into(),
            sql_type: sql_type.into(),
            kind: ColumnType::Custom(sql_type.to_string().into()),
            nullable,
            default: None,
            auto_increment: false,
            comment: None,
        }
    }

    fn analysis(changes: Vec<Change>) -> Analysis {
        let dropped = automigrate_core::hazards::dropped_foreign_keys(&Plan {
            changes: changes.clone(),
        });
        let mut hazards = Vec::new();
        let mut hazard_spans = Vec::new();
        for c in &changes {
            let start = hazards.len();
            hazards.extend(automigrate_core::hazards::of_in(
                c,
                Backend::Postgres,
                &dropped,
            ));
            hazard_spans.push(start..hazards.len());
        }
        Analysis {
            backend: Backend::Postgres,
            live: automigrate_core::Schema::new(Backend::Postgres),
            declared: automigrate_core::Schema::new(Backend::Postgres),
            plan: Plan { changes },
            hazards,
            hazard_spans,
            rows: BTreeMap::from([("users".to_string(), 12)]),
            declined: vec![Candidate {
                rename: Rename::Column {
                    table: "users".into(),
                    from: "name".into(),
                    to: "full_name".into(),
                },
                question: "Was users.name renamed to users.full_name (text, null)?".into(),
                likeness: 0.5,
            }],
            near_misses: Vec::new(),
            unmanaged: vec!["view by_hand".into()],
        }
    }

    #[test]
    fn each_change_carries_its_own_hazards_and_definitions() {
        let mut bio = col("bio", "text", true);
        bio.default = Some(DefaultValue::Str("it's".into()));
        let a = analysis(vec![
            Change::AddColumn {
                table: "users".into(),
                column: bio,
            },
            Change::DropColumn {
                table: "users".into(),
                column: col("legacy", "integer", false),
            },
            Change::AddForeignKey {
                table: "posts".into(),
                fk: ForeignKey {
                    name: None,
                    columns: vec!["user_id".into()],
                    ref_table: "users".into(),
                    ref_columns: vec!["id".into()],
                    on_delete: FkAction::Cascade,
                    on_update: FkAction::NoAction,
                },
            },
        ]);
        let v = serde_json::to_value(report("diff", &a, None, 0)).unwrap();
        assert_eq!(v["format"], 1);
        assert_eq!(v["backend"], "postgres");
        let changes = v["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 3);
        assert_eq!(changes[0]["kind"], "add_column");
        assert_eq!(changes[0]["table"], "users");
        assert_eq!(changes[0]["object"], "bio");
        assert_eq!(changes[0]["before"], serde_json::Value::Null);
        assert_eq!(changes[0]["after"]["default"], "'it''s'");
        assert_eq!(changes[0]["after"]["type"], "text");
        assert_eq!(changes[0]["summary"], a.plan.changes[0].summary());
        assert_eq!(changes[0]["hazards"], serde_json::json!([]));
        assert_eq!(changes[1]["kind"], "drop_column");
        assert_eq!(changes[1]["before"]["nullable"], false);
        assert_eq!(changes[1]["hazards"][0]["code"], "drop-column");
        assert_eq!(changes[1]["hazards"][0]["rows"], 12);
        assert_eq!(changes[1]["hazards"][0]["loses_data"], true);
        assert_eq!(changes[2]["object"], "user_id");
        assert_eq!(changes[2]["after"]["on_delete"], "CASCADE");
        // posts' rows were not counted.
        assert_eq!(changes[2]["hazards"][0]["code"], "add-foreign-key");
        assert_eq!(changes[2]["hazards"][0]["rows"], serde_json::Value::Null);
        assert!(changes[2]["hazards"][0].get("online").is_none());
        // With --online, what the online plan does.
        let mut online = a;
        automigrate_core::hazards::say_online(&mut online.hazards, Backend::Postgres);
        let v = serde_json::to_value(report("diff", &online, None, 0)).unwrap();
        let fk = &v["changes"][2]["hazards"][0];
        assert!(fk["online"].as_str().unwrap().contains("NOT VALID"), "{fk}");
        assert_eq!(
            v["rename_candidates"][0]["flag"],
            "--rename users.name=full_name"
        );
        assert_eq!(v["unmanaged"], serde_json::json!(["view by_hand"]));
        assert_eq!(v["file"], serde_json::Value::Null);
    }

    #[test]
    fn a_table_without_a_key_before_has_none() {
        let a = analysis(vec![Change::AlterPrimaryKey {
            table: "tags".into(),
            from: vec![],
            to: vec!["id".into()],
            from_name: None,
            to_name: None,
        }]);
        let v = serde_json::to_value(report("check", &a, None, 1)).unwrap();
        let c = &v["changes"][0];
        assert_eq!(c["kind"], "alter_primary_key");
        assert_eq!(c["object"], serde_json::Value::Null);
        assert_eq!(c["before"], serde_json::Value::Null);
        assert_eq!(
            c["after"],
            serde_json::json!({"columns": ["id"], "name": null})
        );
        assert_eq!(v["exit_code"], 1);
    }
}
