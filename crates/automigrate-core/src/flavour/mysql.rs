//! MySQL/MariaDB: a type change copies the table, and DDL commits statement by statement.
use super::Flavour;
use crate::diff::Change;
use crate::hazards::Hazard;
use crate::model::Column;

pub struct MySql;

impl Flavour for MySql {
    fn cost(&self, change: &Change) -> Vec<Hazard> {
        match change {
            Change::AlterColumn { table, from, to } if from.sql_type != to.sql_type => {
                vec![Hazard::new(
                    "table-copy",
                    table,
                    format!(
                        "changing the type of `{table}.{}` copies `{table}`",
                        to.name
                    ),
                    Some("on a large table, use an online schema change tool"),
                )]
            }
            Change::AlterColumn { .. }
            | Change::CreateNamespace(_)
            | Change::DropNamespace(_)
            | Change::CreateEnum(_)
            | Change::AlterEnum { .. }
            | Change::DropEnum(_)
            | Change::CreateTable(_)
            | Change::DropTable(_)
            | Change::AddColumn { .. }
            | Change::DropColumn { .. }
            | Change::AddIndex { .. }
            | Change::DropIndex { .. }
            | Change::AddForeignKey { .. }
            | Change::DropForeignKey { .. }
            | Change::RenameTable { .. }
            | Change::RenameColumn { .. }
            | Change::AlterTableComment { .. }
            | Change::AlterPrimaryKey { .. } => Vec::new(),
        }
    }

    fn narrows(&self, from: &Column, to: &Column) -> bool {
        super::narrows_by_size(from, to)
    }

    fn add_foreign_key_alternative(&self) -> Option<&'static str> {
        None
    }

    fn file_note(&self) -> Option<&'static str> {
        Some(
            "MySQL/MariaDB commit each DDL statement on its own: if a statement fails, the ones\n\
             before it stay applied. Fix the cause, then finish or undo them by hand.",
        )
    }

    fn online_plan(&self, code: &str) -> Option<&'static str> {
        Some(match code {
            "table-copy" => {
                "the MODIFY is pinned to ALGORITHM=INPLACE, LOCK=NONE: where the server can only \
                 copy the table, the migration fails here instead of blocking writes (then make this \
                 change offline, with `automigrate_ops::`, or with an online schema change tool)"
            }
            "add-foreign-key" => {
                "it is added in place with foreign_key_checks off (so enforced from then on), then a \
                 read that takes no lock checks the rows; rows that point nowhere make it fail, and \
                 the key is dropped again"
            }
            _ => return None,
        })
    }
}
