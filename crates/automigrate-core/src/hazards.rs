//! What a change can do to data, to a running application, or to itself on a full table.
//!
//! Each hazard has a stable code (for scripts and for people searching the docs), a one-line
//! reason, and where one exists the safer way to get the same result.
use crate::diff::Change;
use crate::model::{Backend, Column, ColumnType, EnumType};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hazard {
    /// Stable identifier, e.g. `drop-column`.
    pub code: &'static str,
    /// The table whose rows it concerns, for the row count.
    pub table: String,
    pub reason: String,
    pub alternative: Option<String>,
    /// In online mode, what the online plan does about it on this backend.
    pub online: Option<String>,
}

impl Hazard {
    pub(crate) fn new(
        code: &'static str,
        table: &str,
        reason: String,
        alternative: Option<&str>,
    ) -> Hazard {
        Hazard {
            code,
            table: table.to_string(),
            reason,
            alternative: alternative.map(str::to_string),
            online: None,
        }
    }

    /// True for hazards that lose data, as opposed to ones that may fail or lock.
    pub fn loses_data(&self) -> bool {
        matches!(self.code, "drop-table" | "drop-column" | "narrowing")
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
    let flavour = crate::flavour::of(backend);
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
            if from.sql_type != to.sql_type && flavour.narrows(from, to) {
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
            if let Some(why) = conversion_failure(from, to) {
                out.push(Hazard::new(
                    "may-fail",
                    table,
                    format!(
                        "changing `{table}.{}` from {} to {} fails {why}",
                        to.name,
                        from.describe_type(),
                        to.describe_type()
                    ),
                    Some("find and fix those values first (an UPDATE in this migration, before the change)"),
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
            flavour.add_foreign_key_alternative(),
        )),
        Change::AlterEnum { from, to, uses } if !crate::diff::only_adds(from, to) => {
            out.push(Hazard::new(
                "enum-value-removed",
                uses.first().map_or("", |u| u.table.as_str()),
                match removed_values(from, to).as_slice() {
                    [] => format!("enum `{}` reorders its values", to.name),
                    removed => format!(
                        "enum `{}` loses {}: rows holding {} make it fail (on SQLite they keep it)",
                        to.name,
                        removed.join(", "),
                        if removed.len() == 1 { "it" } else { "one" }
                    ),
                },
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
    // What carrying it out costs on this backend.
    out.extend(flavour.cost(change));
    out
}

/// [`of_in`]; with `online`, each hazard says what the online plan
/// (`makemigration --online`) does about it on this backend, where it does something.
pub fn of_mode(
    change: &Change,
    backend: Backend,
    dropped: &std::collections::BTreeSet<KeyOf>,
    online: bool,
) -> Vec<Hazard> {
    let mut out = of_in(change, backend, dropped);
    if online {
        say_online(&mut out, backend);
    }
    out
}

/// Sets each hazard's [`Hazard::online`]: what the online plan does about it on `backend`.
pub fn say_online(hazards: &mut [Hazard], backend: Backend) {
    let flavour = crate::flavour::of(backend);
    for h in hazards {
        h.online = flavour.online_plan(h.code).map(str::to_string);
    }
}

/// The values of `from` that `to` does not have.
pub fn removed_values(from: &EnumType, to: &EnumType) -> Vec<String> {
    from.values
        .iter()
        .filter(|v| !to.values.contains(v))
        .cloned()
        .collect()
}

/// What a value of a type is, to tell the type changes that can fail on values already there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    Text,
    Integer,
    Number,
    Boolean,
    Date,
    DateTime,
    Time,
    Binary,
    Json,
    Uuid,
    Enum,
    /// A type of one backend's own: nothing is known of its values.
    Other,
}

fn family(kind: &ColumnType) -> Family {
    use ColumnType as T;
    match kind {
        T::Char(_) | T::String(_) | T::Text => Family::Text,
        T::TinyInteger
        | T::SmallInteger
        | T::Integer
        | T::BigInteger
        | T::TinyUnsigned
        | T::SmallUnsigned
        | T::Unsigned
        | T::BigUnsigned
        | T::Year => Family::Integer,
        T::Float | T::Double | T::Decimal(_) | T::Money(_) => Family::Number,
        T::Boolean => Family::Boolean,
        T::Date => Family::Date,
        T::DateTime | T::Timestamp | T::TimestampWithTimeZone => Family::DateTime,
        T::Time => Family::Time,
        T::Binary(_) | T::VarBinary(_) | T::Blob | T::Bit(_) | T::VarBit(_) => Family::Binary,
        T::Json | T::JsonBinary => Family::Json,
        T::Uuid => Family::Uuid,
        T::Enum { .. } => Family::Enum,
        _ => Family::Other,
    }
}

/// When changing a column's type from `from` to `to` fails on a value already there (on the
/// backends that convert values: PostgreSQL and MySQL/MariaDB; SQLite keeps them as they are):
/// `None` when every value converts (anything to text, between numbers, a date to a timestamp,
/// an enum to one with all of its values). A size that gets smaller is `narrowing`'s concern.
fn conversion_failure(from: &Column, to: &Column) -> Option<String> {
    use Family as F;
    if from.sql_type == to.sql_type {
        return None;
    }
    let values = |kind: &ColumnType| match kind {
        ColumnType::Enum { variants, .. } => variants.iter().map(|v| v.to_string()).collect(),
        _ => Vec::new(),
    };
    match (family(&from.kind), family(&to.kind)) {
        (_, F::Text) => None,
        (F::Enum, F::Enum) => {
            let to_values: Vec<String> = values(&to.kind);
            let missing: Vec<String> = values(&from.kind)
                .into_iter()
                .filter(|v| !to_values.contains(v))
                .collect();
            // An enum whose own values change is judged at its `AlterEnum`.
            let same_type = matches!((&from.kind, &to.kind),
                (ColumnType::Enum { name: a, .. }, ColumnType::Enum { name: b, .. }) if a.to_string() == b.to_string());
            (!missing.is_empty() && !same_type)
                .then(|| format!("where a value is {}", missing.join(" or ")))
        }
        // Nothing is known of either: not guessed.
        (F::Other, F::Other) => None,
        (F::Other, _) | (_, F::Other) => Some("where a value does not convert".to_string()),
        (a, b) if a == b => None,
        (F::Integer | F::Boolean, F::Number | F::Integer | F::Boolean)
        | (F::Number, F::Integer)
        | (F::Date, F::DateTime)
        | (F::DateTime, F::Date | F::Time) => None,
        (F::Text, F::Enum) => Some(format!(
            "where a value is not one of {}",
            values(&to.kind).join(", ")
        )),
        (F::Text, _) => Some(format!(
            "where a value is not a valid {}",
            to.describe_type()
        )),
        _ => Some("where a value does not convert".to_string()),
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
mod tests;
