//! SQLite: any value goes in any column, and most changes rebuild the table.
use super::Flavour;
use crate::diff::Change;
use crate::hazards::Hazard;
use crate::model::{Column, DefaultValue};

pub struct Sqlite;

impl Flavour for Sqlite {
    fn cost(&self, change: &Change) -> Vec<Hazard> {
        match change.table() {
            Some(table) if rebuilds(change) => vec![Hazard::new(
                "table-rebuild",
                table,
                format!("SQLite rebuilds `{table}` for this, copying every row"),
                None,
            )],
            _ => Vec::new(),
        }
    }

    /// SQLite keeps any value in any column: a type change loses none.
    fn narrows(&self, _from: &Column, _to: &Column) -> bool {
        false
    }

    fn add_foreign_key_alternative(&self) -> Option<&'static str> {
        None
    }

    fn file_note(&self) -> Option<&'static str> {
        None
    }

    /// One writer at a time: the online mode changes nothing here.
    fn online_plan(&self, _code: &str) -> Option<&'static str> {
        None
    }
}

/// True when SQLite carries out the change by rebuilding its table (`automigrate_ops`): it
/// alters in place only renames, added columns that are NULL or have a constant default, and
/// indexes.
fn rebuilds(change: &Change) -> bool {
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
