//! What a change can do to data, to a running application, or to itself on a full table.
//!
//! Each hazard has a stable code (for scripts and for people searching the docs), a one-line
//! reason, and where one exists the safer way to get the same result.
use crate::diff::Change;
use crate::model::{Backend, Column};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hazard {
    /// Stable identifier, e.g. `drop-column`.
    pub code: &'static str,
    /// The table whose rows it concerns, for the row count.
    pub table: String,
    pub reason: String,
    pub alternative: Option<String>,
}

impl Hazard {
    fn new(code: &'static str, table: &str, reason: String, alternative: Option<&str>) -> Hazard {
        Hazard {
            code,
            table: table.to_string(),
            reason,
            alternative: alternative.map(str::to_string),
        }
    }

    /// True for hazards that lose data, as opposed to ones that may fail or lock.
    pub fn loses_data(&self) -> bool {
        matches!(
            self.code,
            "drop-table" | "drop-column" | "narrowing" | "enum-value-removed"
        )
    }
}

/// The length or precision a type allows, when it has one: `varchar(100)` → [100].
fn type_args(sql_type: &str) -> Option<(String, Vec<u32>)> {
    let open = sql_type.find('(')?;
    let close = sql_type.find(')')?;
    let nums = sql_type[open + 1..close]
        .split(',')
        .map(|n| n.trim().parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    Some((sql_type[..open].to_string(), nums))
}

/// True when `to` holds fewer values than `from`: a shorter length, or less precision.
fn narrows(from: &Column, to: &Column) -> bool {
    match (type_args(&from.sql_type), type_args(&to.sql_type)) {
        (Some((fb, f)), Some((tb, t))) if fb == tb => match (f.as_slice(), t.as_slice()) {
            ([fl], [tl]) => tl < fl,
            ([fp, fs], [tp, ts]) => tp - ts.min(tp) < fp - fs.min(fp) || ts < fs,
            _ => false,
        },
        // text → varchar(n) and the like.
        (None, Some(_)) => {
            let base = from.sql_type.as_str();
            matches!(base, "text" | "character varying" | "varchar" | "longtext")
        }
        _ => false,
    }
}

/// The hazards of one change on a backend. A SQLite rebuild reports those of the changes it
/// carries, plus its own.
pub fn of(change: &Change, backend: Backend) -> Vec<Hazard> {
    let mut out = Vec::new();
    match change {
        Change::DropTable(t) => out.push(Hazard::new(
            "drop-table",
            &t.name,
            format!("dropping table `{}` deletes all of its rows", t.name),
            Some("if the table was renamed, rename it instead (`--rename-table old=new`)"),
        )),
        Change::DropColumn { table, column } => out.push(Hazard::new(
            "drop-column",
            table,
            format!("dropping `{table}.{}` deletes the values it holds", column.name),
            Some("if the column was renamed, rename it instead (`--rename table.old=new`)"),
        )),
        Change::AddColumn { table, column } if !column.nullable && column.default.is_none() => {
            out.push(Hazard::new(
                "not-null-without-default",
                table,
                format!(
                    "adding NOT NULL column `{table}.{}` without a default fails if `{table}` has rows",
                    column.name
                ),
                Some("add it nullable, fill it in, then make it NOT NULL; or give it a default"),
            ))
        }
        Change::AlterColumn { table, from, to } => {
            if from.sql_type != to.sql_type && narrows(from, to) {
                out.push(Hazard::new(
                    "narrowing",
                    table,
                    format!(
                        "`{table}.{}` narrows from {} to {}: longer values are cut or make it fail",
                        to.name, from.sql_type, to.sql_type
                    ),
                    None,
                ));
            }
            if from.nullable && !to.nullable {
                out.push(Hazard::new(
                    "set-not-null",
                    table,
                    format!("making `{table}.{}` NOT NULL fails if it holds NULLs", to.name),
                    Some("fill in the NULLs first (an UPDATE in this migration, before the ALTER)"),
                ));
            }
            if from.sql_type != to.sql_type {
                match backend {
                    Backend::Postgres => out.push(Hazard::new(
                        "table-rewrite",
                        table,
                        format!(
                            "changing the type of `{table}.{}` may rewrite `{table}` under an ACCESS EXCLUSIVE lock",
                            to.name
                        ),
                        Some("on a large table, add a new column, backfill it in batches, then swap"),
                    )),
                    Backend::MySql => out.push(Hazard::new(
                        "table-copy",
                        table,
                        format!("changing the type of `{table}.{}` copies `{table}`", to.name),
                        Some("on a large table, use an online schema change tool"),
                    )),
                    Backend::Sqlite => {}
                }
            }
        }
        Change::AddIndex { table, index } => {
            if index.unique {
                out.push(Hazard::new(
                    "add-unique",
                    table,
                    format!(
                        "a unique index on `{table}` ({}) fails if it holds duplicates",
                        index.columns.join(", ")
                    ),
                    None,
                ));
            }
            if backend == Backend::Postgres {
                out.push(Hazard::new(
                    "index-lock",
                    table,
                    format!("building an index on `{table}` blocks writes to it until it is done"),
                    Some("on a large table, CREATE INDEX CONCURRENTLY in a migration of its own, outside a transaction"),
                ));
            }
        }
        Change::AddForeignKey { table, fk } => out.push(Hazard::new(
            "add-foreign-key",
            table,
            format!(
                "adding foreign key `{table}` {} fails if rows point nowhere",
                fk.describe()
            ),
            (backend == Backend::Postgres)
                .then_some("on a large table, add it NOT VALID, then VALIDATE CONSTRAINT separately"),
        )),
        Change::AlterEnum { from, to, uses } if !crate::diff::only_adds(from, to) => {
            out.push(Hazard::new(
                "enum-value-removed",
                uses.first().map_or("", |u| u.table.as_str()),
                format!(
                    "enum `{}` loses or reorders values: PostgreSQL cannot do that in place, so the type is recreated and every column of it converted; rows holding a removed value make it fail",
                    to.name
                ),
                Some("first update the rows that hold the values to remove"),
            ))
        }
        Change::AlterPrimaryKey { table, .. } => out.push(Hazard::new(
            "primary-key-change",
            table,
            format!("changing the primary key of `{table}` rebuilds its index and fails on duplicates"),
            None,
        )),
        Change::RebuildTable { to, changes, .. } => {
            for c in changes {
                out.extend(of(c, backend));
            }
            out.push(Hazard::new(
                "table-rebuild",
                &to.name,
                format!("`{}` is copied into a new table, which takes time on a large table", to.name),
                None,
            ));
        }
        _ => {}
    }
    out
}

/// The largest row count worth counting exactly; adapters count up to one more.
pub const ROW_COUNT_LIMIT: u64 = 1_000_000;

/// `1 row`, `3 rows`, `more than 1000000 rows`.
pub fn rows_text(n: u64) -> String {
    match n {
        1 => "1 row".into(),
        n if n > ROW_COUNT_LIMIT => format!("more than {ROW_COUNT_LIMIT} rows"),
        n => format!("{n} rows"),
    }
}
