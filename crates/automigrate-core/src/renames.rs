//! Renames: a rename written as drop + add destroys a column's data, so renames are found,
//! offered to a human, and — when accepted or declared — generated as renames.
//!
//! The diff itself knows nothing of renames: [`diff_with_renames`] applies the accepted renames
//! to the old schema, diffs what is left, and puts the renames first.
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::diff::{Change, Plan, diff};
use crate::model::{Column, Schema, Table};

/// A rename, accepted or declared. Columns are named by the table's new name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rename {
    Table {
        from: String,
        to: String,
    },
    Column {
        table: String,
        from: String,
        to: String,
    },
}

impl Rename {
    /// `users.name -> users.full_name`, `table old -> new`.
    pub fn describe(&self) -> String {
        match self {
            Rename::Table { from, to } => format!("table {from} -> {to}"),
            Rename::Column { table, from, to } => format!("{table}.{from} -> {table}.{to}"),
        }
    }
}

/// A drop and an add that may be one rename: same definition, other name.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub rename: Rename,
    /// The question to ask: `Was users.name renamed to users.full_name (varchar, not null)?`
    pub question: String,
    /// How alike the names are, 0 to 1.
    pub likeness: f32,
}

fn likeness(a: &str, b: &str) -> f32 {
    similar::TextDiff::from_chars(a, b).ratio()
}

/// Pairs each dropped item with at most one added item, most alike names first.
fn pair<T: Clone>(mut scored: Vec<(f32, String, String, T)>) -> Vec<(f32, String, String, T)> {
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.cmp(&b.1))
            .then_with(|| a.2.cmp(&b.2))
    });
    let (mut used_from, mut used_to) = (BTreeSet::new(), BTreeSet::new());
    scored
        .into_iter()
        .filter(|(_, f, t, _)| {
            let fresh = !used_from.contains(f) && !used_to.contains(t);
            if fresh {
                used_from.insert(f.clone());
                used_to.insert(t.clone());
            }
            fresh
        })
        .collect()
}

/// The changes of a plan.
fn flat(plan: &Plan) -> Vec<&Change> {
    plan.changes.iter().collect()
}

/// What two tables must share to be a rename candidate: their columns (by name, with their
/// definitions) and primary key. Tables with the same columns have the same shape; the converse
/// is checked column by column.
type TableShape = (Vec<(String, String)>, Vec<String>);

fn table_shape(t: &Table) -> TableShape {
    let mut cols: Vec<(String, String)> = t
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.describe()))
        .collect();
    cols.sort();
    (cols, t.primary_key.clone())
}

/// Rename candidates in a plan: within one table, a dropped column and an added column with
/// the same definition; a dropped table and an added table with the same columns.
pub fn candidates(plan: &Plan) -> Vec<Candidate> {
    let changes = flat(plan);
    let mut out = Vec::new();
    let dropped_tables: Vec<_> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropTable(t) => Some(t),
            _ => None,
        })
        .collect();
    let added_tables: Vec<_> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable(t) => Some(t),
            _ => None,
        })
        .collect();
    let same_columns = |a: &[Column], b: &[Column]| {
        a.len() == b.len()
            && a.iter()
                .all(|c| b.iter().any(|d| d.name == c.name && d.same_definition(c)))
    };
    // Only tables with the same columns and key can pair: bucket the added ones by that, so
    // that a dropped table is compared with its bucket rather than with every added table.
    let mut by_shape: BTreeMap<TableShape, Vec<&Table>> = BTreeMap::new();
    for &a in &added_tables {
        by_shape.entry(table_shape(a)).or_default().push(a);
    }
    let mut scored = Vec::new();
    for d in &dropped_tables {
        for a in by_shape.get(&table_shape(d)).into_iter().flatten() {
            // A table moved to another PostgreSQL schema is not a rename (`RENAME TO` cannot
            // move it), so only names in the same schema pair.
            let namespace = |t: &str| t.split_once('.').map(|(ns, _)| ns.to_string());
            if same_columns(&d.columns, &a.columns)
                && d.primary_key == a.primary_key
                && namespace(&d.name) == namespace(&a.name)
            {
                scored.push((
                    likeness(&d.name, &a.name),
                    d.name.clone(),
                    a.name.clone(),
                    a.columns.len(),
                ));
            }
        }
    }
    for (score, from, to, n) in pair(scored) {
        out.push(Candidate {
            question: format!("Was table {from} renamed to {to} ({n} columns, the same)?"),
            rename: Rename::Table { from, to },
            likeness: score,
        });
    }

    // Dropped and added columns by table, in plan order.
    let mut columns: BTreeMap<&str, (Vec<&Column>, Vec<&Column>)> = BTreeMap::new();
    for c in &changes {
        match c {
            Change::DropColumn { table, column } => {
                columns.entry(table).or_default().0.push(column)
            }
            Change::AddColumn { table, column } => columns.entry(table).or_default().1.push(column),
            _ => {}
        }
    }
    for (table, (dropped, added)) in columns {
        let mut scored = Vec::new();
        for d in &dropped {
            for a in &added {
                if d.same_definition(a) {
                    scored.push((
                        likeness(&d.name, &a.name),
                        d.name.clone(),
                        a.name.clone(),
                        a.describe(),
                    ));
                }
            }
        }
        for (score, from, to, description) in pair(scored) {
            out.push(Candidate {
                question: format!("Was {table}.{from} renamed to {table}.{to} ({description})?"),
                rename: Rename::Column {
                    table: table.to_string(),
                    from,
                    to,
                },
                likeness: score,
            });
        }
    }
    out
}

/// Drops and adds in one table whose names are alike but whose definitions differ: not offered
/// as renames (a rename and a change at once is two steps), but worth a look.
pub fn near_misses(plan: &Plan) -> Vec<String> {
    let changes = flat(plan);
    // Added columns by table, in plan order.
    let mut added: BTreeMap<&str, Vec<&Column>> = BTreeMap::new();
    for c in &changes {
        if let Change::AddColumn { table, column } = c {
            added.entry(table).or_default().push(column);
        }
    }
    let mut out = Vec::new();
    for c in &changes {
        let Change::DropColumn { table, column: d } = c else {
            continue;
        };
        for a in added.get(table.as_str()).into_iter().flatten() {
            if !d.same_definition(a) && likeness(&d.name, &a.name) >= 0.5 {
                out.push(format!(
                    "{table}.{} ({}) is dropped and {table}.{} ({}) added: if that is a rename, \
                     rename it in a migration of its own first, then change it",
                    d.name,
                    d.describe(),
                    a.name,
                    a.describe()
                ));
            }
        }
    }
    out
}

/// The old schema with the renames applied, foreign keys of other tables following them.
pub fn apply(schema: &Schema, renames: &[Rename]) -> Schema {
    let mut out = schema.clone();
    for r in renames {
        if let Rename::Table { from, to } = r
            && let Some(mut t) = out.tables.remove(from)
        {
            t.name = to.clone();
            out.tables.insert(to.clone(), t);
            for t in out.tables.values_mut() {
                for fk in &mut t.foreign_keys {
                    if &fk.ref_table == from {
                        fk.ref_table = to.clone();
                    }
                }
            }
        }
    }
    for r in renames {
        if let Rename::Column { table, from, to } = r {
            let rename = |cols: &mut Vec<String>| {
                for c in cols.iter_mut() {
                    if c == from {
                        *c = to.clone();
                    }
                }
            };
            if let Some(t) = out.tables.get_mut(table) {
                for c in &mut t.columns {
                    if &c.name == from {
                        c.name = to.clone();
                    }
                }
                rename(&mut t.primary_key);
                for i in &mut t.indexes {
                    rename(&mut i.columns);
                }
                for fk in &mut t.foreign_keys {
                    rename(&mut fk.columns);
                }
                t.sort();
            }
            for t in out.tables.values_mut() {
                for fk in &mut t.foreign_keys {
                    if &fk.ref_table == table {
                        rename(&mut fk.ref_columns);
                    }
                }
            }
        }
    }
    out
}

/// Renames that cannot be applied: the old name is not there, or the new one already is.
pub fn check(schema: &Schema, target: &Schema, renames: &[Rename]) -> Result<(), String> {
    let table_renames: Vec<Rename> = renames
        .iter()
        .filter(|r| matches!(r, Rename::Table { .. }))
        .cloned()
        .collect();
    // Without table renames the schema is the one to look in: no copy of it.
    let renamed_tables = if table_renames.is_empty() {
        Cow::Borrowed(schema)
    } else {
        Cow::Owned(apply(schema, &table_renames))
    };
    for r in renames {
        match r {
            Rename::Table { from, to } => {
                if !schema.tables.contains_key(from) {
                    return Err(format!(
                        "cannot rename table {from}: the database has no such table"
                    ));
                }
                if schema.tables.contains_key(to) {
                    return Err(format!(
                        "cannot rename table {from} to {to}: {to} exists already"
                    ));
                }
                if !target.tables.contains_key(to) {
                    return Err(format!(
                        "cannot rename table {from} to {to}: no entity declares {to}"
                    ));
                }
            }
            Rename::Column { table, from, to } => {
                let Some(t) = renamed_tables.tables.get(table) else {
                    return Err(format!(
                        "cannot rename {table}.{from}: the database has no table {table}"
                    ));
                };
                if t.column(from).is_none() {
                    return Err(format!(
                        "cannot rename {table}.{from}: the table has no such column"
                    ));
                }
                if t.column(to).is_some() {
                    return Err(format!(
                        "cannot rename {table}.{from} to {to}: {table}.{to} exists already"
                    ));
                }
                if target
                    .tables
                    .get(table)
                    .and_then(|t| t.column(to))
                    .is_none()
                {
                    return Err(format!(
                        "cannot rename {table}.{from} to {to}: the entity declares no {table}.{to}"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The plan with the renames: renames first, then the diff of what is left.
pub fn diff_with_renames(from: &Schema, to: &Schema, renames: &[Rename]) -> Plan {
    let mut renames = renames.to_vec();
    renames.sort();
    renames.dedup();
    let renamed = if renames.is_empty() {
        Cow::Borrowed(from)
    } else {
        Cow::Owned(apply(from, &renames))
    };
    let rest = diff(&renamed, to);
    let mut changes: Vec<Change> = renames
        .iter()
        .map(|r| match r {
            Rename::Table { from, to } => Change::RenameTable {
                from: from.clone(),
                to: to.clone(),
            },
            Rename::Column { table, from, to } => Change::RenameColumn {
                table: table.clone(),
                from: from.clone(),
                to: to.clone(),
            },
        })
        .collect();
    changes.extend(rest.changes);
    Plan { changes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Backend, ColumnType, Table};

    fn col(name: &str, ty: &str) -> Column {
        Column {
            name: name.into(),
            sql_type: ty.into(),
            kind: ColumnType::Custom(ty.to_string().into()),
            nullable: false,
            default: None,
            auto_increment: false,
            comment: None,
        }
    }

    fn schema(cols: &[Column]) -> Schema {
        let mut s = Schema::new(Backend::Postgres);
        let mut t = Table::new("users");
        t.columns = cols.to_vec();
        t.primary_key = vec!["id".into()];
        s.add_table(t);
        s
    }

    #[test]
    fn same_definition_other_name_is_a_candidate_paired_by_likeness() {
        let v1 = schema(&[
            col("id", "integer"),
            col("name", "text"),
            col("mail", "text"),
        ]);
        let v2 = schema(&[
            col("id", "integer"),
            col("full_name", "text"),
            col("email", "text"),
        ]);
        let plan = diff(&v1, &v2);
        let found: Vec<String> = candidates(&plan)
            .iter()
            .map(|c| c.rename.describe())
            .collect();
        assert_eq!(
            found,
            vec!["users.mail -> users.email", "users.name -> users.full_name"]
        );
        assert_eq!(
            candidates(&plan)[1].question,
            "Was users.name renamed to users.full_name (text, not null)?"
        );
    }

    #[test]
    fn tables_pair_only_with_tables_of_the_same_columns() {
        let table = |name: &str, cols: &[Column]| {
            let mut t = Table::new(name);
            t.columns = cols.to_vec();
            t.primary_key = vec!["id".into()];
            t
        };
        let mut v1 = Schema::new(Backend::Postgres);
        v1.add_table(table(
            "orders",
            &[col("id", "integer"), col("total", "integer")],
        ));
        v1.add_table(table(
            "people",
            &[col("id", "integer"), col("name", "text")],
        ));
        let mut v2 = Schema::new(Backend::Postgres);
        v2.add_table(table(
            "order_rows",
            &[col("id", "integer"), col("total", "integer")],
        ));
        v2.add_table(table(
            "persons",
            &[col("id", "integer"), col("name", "text")],
        ));
        v2.add_table(table(
            "purchases",
            &[col("id", "integer"), col("total", "text")],
        ));
        let plan = diff(&v1, &v2);
        let found: Vec<String> = candidates(&plan)
            .iter()
            .map(|c| c.rename.describe())
            .collect();
        assert_eq!(
            found,
            vec!["table orders -> order_rows", "table people -> persons"]
        );
    }

    #[test]
    fn a_changed_definition_is_not_offered_but_mentioned() {
        let v1 = schema(&[col("id", "integer"), col("name", "text")]);
        let v2 = schema(&[col("id", "integer"), col("names", "varchar(10)")]);
        let plan = diff(&v1, &v2);
        assert!(candidates(&plan).is_empty());
        assert_eq!(near_misses(&plan).len(), 1);
    }

    #[test]
    fn accepted_renames_come_first_and_leave_nothing_else() {
        let v1 = schema(&[col("id", "integer"), col("name", "text")]);
        let v2 = schema(&[col("id", "integer"), col("full_name", "text")]);
        let rename = Rename::Column {
            table: "users".into(),
            from: "name".into(),
            to: "full_name".into(),
        };
        check(&v1, &v2, std::slice::from_ref(&rename)).unwrap();
        let plan = diff_with_renames(&v1, &v2, &[rename]);
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(
            plan.changes[0].summary(),
            "> column users.name renamed to full_name"
        );
        assert_eq!(
            plan.inverse().changes[0].summary(),
            "> column users.full_name renamed to name"
        );
    }

    #[test]
    fn renames_that_cannot_apply_are_refused() {
        let v1 = schema(&[col("id", "integer"), col("name", "text")]);
        let v2 = schema(&[col("id", "integer"), col("full_name", "text")]);
        let bad = Rename::Column {
            table: "users".into(),
            from: "nope".into(),
            to: "full_name".into(),
        };
        assert!(
            check(&v1, &v2, &[bad])
                .unwrap_err()
                .contains("no such column")
        );
    }
}
