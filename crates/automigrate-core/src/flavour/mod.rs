//! One flavour per backend: every decision of the core that depends on the backend a diff ran
//! against, besides the spelling of types and defaults (`dialect`): what a change costs there (a
//! lock, a rewrite, a copy, a rebuild), whether a type change loses values there, the safer way
//! there, and what a file generated there must say. The diff and codegen know no backend; the
//! hazards ask the flavour.
//!
//! What a backend *does* with a change is decided when the migration runs, by `automigrate-ops`,
//! which has one file per backend too.
use crate::diff::Change;
use crate::hazards::Hazard;
use crate::model::{Backend, Column};

mod mysql;
mod postgres;
mod sqlite;

pub trait Flavour: Sync {
    /// What carrying out `change` costs on this backend, as hazards: PostgreSQL's rewrite and
    /// index lock, MySQL's table copy, SQLite's table rebuild.
    fn cost(&self, change: &Change) -> Vec<Hazard>;

    /// True when changing a column's type from `from` to `to` can lose values here.
    fn narrows(&self, from: &Column, to: &Column) -> bool;

    /// The safer way to add a foreign key to a large table, where there is one.
    fn add_foreign_key_alternative(&self) -> Option<&'static str>;

    /// What the header of a file generated against this backend must say of it.
    fn file_note(&self) -> Option<&'static str>;

    /// What the online plan (`automigrate_ops::online`) does here about the hazard `code`,
    /// where it does something.
    fn online_plan(&self, code: &str) -> Option<&'static str>;
}

/// The flavour of `backend`.
pub fn of(backend: Backend) -> &'static dyn Flavour {
    match backend {
        Backend::Sqlite => &sqlite::Sqlite,
        Backend::Postgres => &postgres::Postgres,
        Backend::MySql => &mysql::MySql,
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

/// True when `to` holds fewer values than `from`, on a backend that enforces its types: a
/// shorter length, less precision, a smaller integer or floating point type.
fn narrows_by_size(from: &Column, to: &Column) -> bool {
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
