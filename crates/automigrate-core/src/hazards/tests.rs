use super::*;
use crate::diff::EnumUse;
use crate::model::{Column, ColumnType, EnumType, FkAction, ForeignKey, Index, Table};

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
    let n = |b, f: &str, t: &str| crate::flavour::of(b).narrows(&c(f), &c(t));
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
