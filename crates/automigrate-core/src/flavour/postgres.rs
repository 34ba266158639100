//! PostgreSQL: a type change may rewrite the table, and an index build blocks writes.
use super::Flavour;
use crate::diff::Change;
use crate::hazards::Hazard;
use crate::model::Column;

pub struct Postgres;

impl Flavour for Postgres {
    fn cost(&self, change: &Change) -> Vec<Hazard> {
        match change {
            Change::AlterColumn { table, from, to } if from.sql_type != to.sql_type => {
                vec![Hazard::new(
                    "table-rewrite",
                    table,
                    format!(
                        "changing the type of `{table}.{}` may rewrite `{table}` under an ACCESS EXCLUSIVE lock",
                        to.name
                    ),
                    Some("on a large table, add a new column, backfill it in batches, then swap"),
                )]
            }
            Change::AddIndex { table, .. } => vec![Hazard::new(
                "index-lock",
                table,
                format!("building an index on `{table}` blocks writes to it until it is done"),
                Some(
                    "on a large table, CREATE INDEX CONCURRENTLY, outside a transaction: \
                     `makemigration --online` writes it so",
                ),
            )],
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
        Some(
            "on a large table, add it NOT VALID, then VALIDATE CONSTRAINT separately: \
             `makemigration --online` writes it so",
        )
    }

    fn file_note(&self) -> Option<&'static str> {
        None
    }

    fn online_plan(&self, code: &str) -> Option<&'static str> {
        Some(match code {
            "index-lock" => {
                "it is built CONCURRENTLY, outside a transaction: writes go on while it builds"
            }
            "add-unique" => {
                "its index is built CONCURRENTLY, then made the constraint (ADD CONSTRAINT ... USING \
                 INDEX, a brief lock): writes go on; duplicates still make it fail"
            }
            "add-foreign-key" => {
                "it is added NOT VALID (a brief lock), then VALIDATE CONSTRAINT checks the rows while \
                 writes go on; rows that point nowhere still make it fail"
            }
            "set-not-null" => {
                "a CHECK (column IS NOT NULL) NOT VALID is validated while writes go on, then SET NOT \
                 NULL uses it instead of scanning under an ACCESS EXCLUSIVE lock; NULLs still make it \
                 fail"
            }
            "table-rewrite" => {
                "not avoided: the rewrite still holds an ACCESS EXCLUSIVE lock throughout \
                 (lock_timeout only bounds the wait for it); on a large table, expand and contract: \
                 add a new column, backfill it in batches, switch to it, drop the old one"
            }
            _ => return None,
        })
    }
}
