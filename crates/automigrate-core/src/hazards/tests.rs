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
    assert!(!of(&removed, pg)[0].loses_data() && of(&drop, pg)[0].loses_data());
    assert_eq!(
        of(&removed, pg)[0].reason,
        "enum `mood` loses b: rows holding it make it fail (on SQLite they keep it)"
    );
}

/// A type change that some values already there cannot take: `may-fail`, saying which values.
#[test]
fn type_changes_that_may_fail() {
    let c = |sql_type: &str, kind: ColumnType| Column {
        name: "c".into(),
        sql_type: sql_type.into(),
        kind,
        nullable: true,
        default: None,
        auto_increment: false,
        comment: None,
    };
    let mood = |name: &str, values: &[&str]| ColumnType::Enum {
        name: name.to_string().into(),
        variants: values.iter().map(|v| v.to_string().into()).collect(),
    };
    let varchar = || {
        c(
            "varchar(20)",
            ColumnType::String(sea_query::StringLen::N(20)),
        )
    };
    let reason = |from: Column, to: Column| {
        let change = Change::AlterColumn {
            table: "t".into(),
            from,
            to,
        };
        of(&change, Backend::Sqlite)
            .into_iter()
            .find(|h| h.code == "may-fail")
            .map(|h| h.reason)
    };
    assert_eq!(
        reason(varchar(), c("integer", ColumnType::Integer)).as_deref(),
        Some(
            "changing `t.c` from varchar(20) to integer fails where a value is not a valid integer"
        )
    );
    assert_eq!(
        reason(varchar(), c("mood", mood("mood", &["a", "b"]))).as_deref(),
        Some(
            "changing `t.c` from varchar(20) to enum mood (a, b) fails where a value is not one of a, b"
        )
    );
    assert_eq!(
        reason(c("m", mood("m", &["a", "b"])), c("n", mood("n", &["a"]))).as_deref(),
        Some("changing `t.c` from enum m (a, b) to enum n (a) fails where a value is b")
    );
    assert_eq!(
        reason(
            c("integer", ColumnType::Integer),
            c("uuid", ColumnType::Uuid)
        )
        .as_deref(),
        Some("changing `t.c` from integer to uuid fails where a value does not convert")
    );
    // Every value converts.
    for (from, to) in [
        (c("integer", ColumnType::Integer), varchar()),
        (c("m", mood("m", &["a"])), varchar()),
        (
            c("integer", ColumnType::Integer),
            c("bigint", ColumnType::BigInteger),
        ),
        (
            c("integer", ColumnType::Integer),
            c("double", ColumnType::Double),
        ),
        (
            c("boolean", ColumnType::Boolean),
            c("integer", ColumnType::Integer),
        ),
        (
            c("date", ColumnType::Date),
            c("timestamp", ColumnType::Timestamp),
        ),
        (
            c("timestamp", ColumnType::Timestamp),
            c("timestamptz", ColumnType::TimestampWithTimeZone),
        ),
        (c("m", mood("m", &["a"])), c("n", mood("n", &["a", "b"]))),
        // The enum's own values change: judged at its `AlterEnum`.
        (c("m", mood("m", &["a", "b"])), c("m", mood("m", &["a"]))),
        (
            c("text", ColumnType::Text),
            c(
                "varchar(20)",
                ColumnType::String(sea_query::StringLen::N(20)),
            ),
        ),
    ] {
        let what = format!("{} -> {}", from.sql_type, to.sql_type);
        assert_eq!(reason(from, to), None, "{what}");
    }
}

/// Online, a hazard says what the online plan does about it on the diff's backend; offline and
/// on SQLite it says nothing of the kind.
#[test]
fn online_plans_are_said_per_backend() {
    let change = Change::AddIndex {
        table: "events".into(),
        index: Index {
            name: Some("idx".into()),
            columns: vec!["user_id".into()],
            unique: false,
            constraint: false,
        },
    };
    let none = std::collections::BTreeSet::new();
    let online = of_mode(&change, Backend::Postgres, &none, true);
    assert_eq!(online.len(), 1);
    assert_eq!(online[0].code, "index-lock");
    assert!(
        online[0]
            .online
            .as_deref()
            .unwrap()
            .contains("CONCURRENTLY")
    );
    assert!(
        online[0]
            .alternative
            .as_deref()
            .unwrap()
            .contains("--online")
    );
    assert!(
        of_mode(&change, Backend::Postgres, &none, false)[0]
            .online
            .is_none()
    );
    assert!(
        of_mode(&change, Backend::Sqlite, &none, true)
            .iter()
            .all(|h| h.online.is_none())
    );
}
