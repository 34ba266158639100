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

/// The family and size of a fixed-size numeric type: (`0`, bytes) for integers, (`1`, bytes)
/// for floating point. Unsigned MySQL integers count as one size up.
fn numeric_size(sql_type: &str) -> Option<(u8, u8)> {
    let (base, unsigned) = match sql_type.strip_suffix(" unsigned") {
        Some(b) => (b, 1),
        None => (sql_type, 0),
    };
    let size = match base {
        "tinyint" => (0, 1),
        "smallint" => (0, 2),
        "mediumint" => (0, 3),
        "int" | "integer" => (0, 4),
        "bigint" => (0, 8),
        "real" | "float" => return Some((1, 4)),
        "double precision" | "double" => return Some((1, 8)),
        _ => return None,
    };
    Some((size.0, size.1 * 2 + unsigned))
}

/// True when `to` holds fewer values than `from`: a shorter length, less precision, a smaller
/// integer or floating point type. Never on SQLite, which keeps any value in any column.
fn narrows(backend: Backend, from: &Column, to: &Column) -> bool {
    if backend == Backend::Sqlite {
        return false;
    }
    if let (Some((ff, fs)), Some((tf, ts))) =
        (numeric_size(&from.sql_type), numeric_size(&to.sql_type))
    {
        // A float to an integer loses the fraction; an integer to a float keeps it or rounds.
        return (ff == tf && ts < fs) || (ff == 1 && tf == 0);
    }
    match (type_args(&from.sql_type), type_args(&to.sql_type)) {
        (Some((fb, f)), Some((tb, t))) if fb == tb => match (f.as_slice(), t.as_slice()) {
            ([fl], [tl]) => tl < fl,
            ([fp, fs], [tp, ts]) => tp - ts.min(tp) < fp - fs.min(fp) || ts < fs,
            _ => false,
        },
        // text → varchar(n), numeric → numeric(p, s) and the like; a fixed-size number into a
        // decimal with too few digits.
        (None, Some((tb, t))) => {
            let base = from.sql_type.as_str();
            matches!(
                base,
                "text" | "character varying" | "varchar" | "longtext" | "numeric" | "decimal"
            ) || numeric_size(base).is_some_and(|(family, size)| {
                // The digits before the point that the decimal keeps, and that the number needs.
                let kept = t.first().copied().unwrap_or(0) - t.get(1).copied().unwrap_or(0);
                let needed = match size / 2 {
                    1 => 3,
                    2 => 5,
                    3 => 7,
                    4 => 10,
                    _ => 19,
                };
                matches!(tb.as_str(), "numeric" | "decimal") && (family == 1 || kept < needed)
            })
        }
        _ => false,
    }
}

/// A foreign key as the plan drops and adds it: (table, columns, referenced table, columns).
pub type KeyOf = (String, Vec<String>, String, Vec<String>);

/// The foreign keys a plan drops: one it adds again on the same columns and target only changes
/// its actions, and the rows already satisfy it.
pub fn dropped_foreign_keys(plan: &crate::diff::Plan) -> std::collections::BTreeSet<KeyOf> {
    plan.changes
        .iter()
        .filter_map(|c| match c {
            Change::DropForeignKey { table, fk } => Some((
                table.clone(),
                fk.columns.clone(),
                fk.ref_table.clone(),
                fk.ref_columns.clone(),
            )),
            _ => None,
        })
        .collect()
}

/// The hazards of one change on a backend. A SQLite rebuild reports those of the changes it
/// carries, plus its own.
pub fn of(change: &Change, backend: Backend) -> Vec<Hazard> {
    of_in(change, backend, &std::collections::BTreeSet::new())
}

/// [`of`], for a change of a plan whose [`dropped_foreign_keys`] are `dropped`.
pub fn of_in(
    change: &Change,
    backend: Backend,
    dropped: &std::collections::BTreeSet<KeyOf>,
) -> Vec<Hazard> {
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
            if from.sql_type != to.sql_type && narrows(backend, from, to) {
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
        // The same key with other actions: the rows satisfy it already.
        Change::AddForeignKey { table, fk }
            if dropped.contains(&(
                table.clone(),
                fk.columns.clone(),
                fk.ref_table.clone(),
                fk.ref_columns.clone(),
            )) => {}
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
        Change::AddColumn { .. }
        | Change::AlterEnum { .. }
        | Change::CreateNamespace(_)
        | Change::DropNamespace(_)
        | Change::CreateEnum(_)
        | Change::DropEnum(_)
        | Change::CreateTable(_)
        | Change::DropIndex { .. }
        | Change::DropForeignKey { .. }
        | Change::RenameTable { .. }
        | Change::RenameColumn { .. }
        | Change::AlterTableComment { .. } => {}
    }
    if backend == Backend::Sqlite
        && let Some(table) = change.table()
        && sqlite_rebuilds(change)
    {
        out.push(Hazard::new(
            "table-rebuild",
            table,
            format!("SQLite rebuilds `{table}` for this, copying every row"),
            None,
        ));
    }
    out
}

/// True when SQLite carries out the change by rebuilding its table (`automigrate_ops`): it
/// alters in place only renames, added columns that are NULL or have a constant default, and
/// indexes.
fn sqlite_rebuilds(change: &Change) -> bool {
    use crate::model::DefaultValue;
    match change {
        Change::AlterColumn { from, to, .. } => {
            from.sql_type != to.sql_type
                || from.nullable != to.nullable
                || from.default != to.default
                || from.auto_increment != to.auto_increment
        }
        Change::AddColumn { column, .. } => {
            matches!(
                column.default,
                Some(DefaultValue::CurrentTimestamp | DefaultValue::Expr(_))
            ) || (!column.nullable && column.default.is_none())
        }
        Change::DropColumn { .. }
        | Change::AddForeignKey { .. }
        | Change::DropForeignKey { .. }
        | Change::AlterPrimaryKey { .. } => true,
        Change::DropIndex { index, .. } => index.constraint,
        Change::CreateNamespace(_)
        | Change::DropNamespace(_)
        | Change::CreateEnum(_)
        | Change::AlterEnum { .. }
        | Change::DropEnum(_)
        | Change::CreateTable(_)
        | Change::DropTable(_)
        | Change::AddIndex { .. }
        | Change::RenameTable { .. }
        | Change::RenameColumn { .. }
        | Change::AlterTableComment { .. } => false,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::EnumUse;
    use crate::model::{ColumnType, EnumType, FkAction, ForeignKey, Index, Table};

    fn col(ty: &str, nullable: bool) -> Column {
        Column {
            name: "c".into(),
            sql_type: ty.into(),
            kind: ColumnType::Custom(ty.to_string().into()),
            nullable,
            default: None,
            auto_increment: false,
            comment: None,
        }
    }

    fn codes(change: &Change, backend: Backend) -> Vec<&'static str> {
        of(change, backend).iter().map(|h| h.code).collect()
    }

    #[test]
    fn numbers_narrow_too() {
        let c = |t: &str| Column {
            name: "n".into(),
            sql_type: t.into(),
            kind: ColumnType::Integer,
            nullable: true,
            default: None,
            auto_increment: false,
            comment: None,
        };
        let n = |b, f: &str, t: &str| narrows(b, &c(f), &c(t));
        let (pg, my) = (Backend::Postgres, Backend::MySql);
        assert!(n(pg, "bigint", "integer"));
        assert!(n(pg, "double precision", "real"));
        assert!(n(pg, "real", "integer"));
        assert!(n(pg, "numeric", "numeric(6,2)"));
        assert!(n(pg, "integer", "numeric(6,2)"));
        assert!(n(my, "int unsigned", "int"));
        assert!(n(my, "int", "tinyint"));
        assert!(!n(pg, "integer", "bigint"));
        assert!(!n(pg, "smallint", "numeric(7,2)"));
        assert!(!n(pg, "integer", "double precision"));
        assert!(!n(my, "tinyint", "int unsigned"));
        assert!(!n(Backend::Sqlite, "varchar(50)", "varchar(30)"));
        assert!(n(pg, "character varying(50)", "character varying(30)"));
    }

    #[test]
    fn each_code() {
        let t = || "t".to_string();
        let pg = Backend::Postgres;
        assert_eq!(
            codes(&Change::DropTable(Table::new("t")), pg),
            ["drop-table"]
        );
        let drop = Change::DropColumn {
            table: t(),
            column: col("text", true),
        };
        assert_eq!(codes(&drop, pg), ["drop-column"]);
        let add = Change::AddColumn {
            table: t(),
            column: col("text", false),
        };
        assert_eq!(codes(&add, pg), ["not-null-without-default"]);
        let narrow = Change::AlterColumn {
            table: t(),
            from: col("character varying(200)", true),
            to: col("character varying(100)", false),
        };
        assert_eq!(
            codes(&narrow, pg),
            ["narrowing", "set-not-null", "table-rewrite"]
        );
        assert_eq!(
            codes(&narrow, Backend::MySql),
            ["narrowing", "set-not-null", "table-copy"]
        );
        let widen = Change::AlterColumn {
            table: t(),
            from: col("numeric(10,2)", false),
            to: col("numeric(12,2)", false),
        };
        assert_eq!(codes(&widen, Backend::Sqlite), ["table-rebuild"]);
        let unique = Change::AddIndex {
            table: t(),
            index: Index {
                name: None,
                columns: vec!["c".into()],
                unique: true,
                constraint: false,
            },
        };
        assert_eq!(codes(&unique, pg), ["add-unique", "index-lock"]);
        assert_eq!(codes(&unique, Backend::MySql), ["add-unique"]);
        let fk = Change::AddForeignKey {
            table: t(),
            fk: ForeignKey {
                name: None,
                columns: vec!["c".into()],
                ref_table: "u".into(),
                ref_columns: vec!["id".into()],
                on_delete: FkAction::NoAction,
                on_update: FkAction::NoAction,
            },
        };
        assert_eq!(codes(&fk, pg), ["add-foreign-key"]);
        // The same key with other actions (dropped and added again) fails on no row.
        let Change::AddForeignKey { fk: key, .. } = &fk else {
            unreachable!()
        };
        let mut cascade = key.clone();
        cascade.on_delete = FkAction::Cascade;
        let plan = crate::diff::Plan {
            changes: vec![
                Change::DropForeignKey {
                    table: t(),
                    fk: key.clone(),
                },
                Change::AddForeignKey {
                    table: t(),
                    fk: cascade,
                },
            ],
        };
        let dropped = dropped_foreign_keys(&plan);
        assert!(of_in(&plan.changes[1], pg, &dropped).is_empty());
        let pk = Change::AlterPrimaryKey {
            table: t(),
            from: vec![],
            to: vec!["c".into()],
            from_name: None,
            to_name: None,
        };
        assert_eq!(codes(&pk, pg), ["primary-key-change"]);
        assert_eq!(
            codes(&drop, Backend::Sqlite),
            ["drop-column", "table-rebuild"]
        );
        let e = |v: &[&str]| EnumType {
            name: "mood".into(),
            values: v.iter().map(|s| s.to_string()).collect(),
        };
        let removed = Change::AlterEnum {
            from: e(&["a", "b"]),
            to: e(&["a"]),
            uses: Vec::<EnumUse>::new(),
        };
        assert_eq!(codes(&removed, pg), ["enum-value-removed"]);
        let added = Change::AlterEnum {
            from: e(&["a"]),
            to: e(&["a", "b"]),
            uses: vec![],
        };
        assert!(codes(&added, pg).is_empty());
        assert!(of(&removed, pg)[0].loses_data() && of(&drop, pg)[0].loses_data());
    }
}
