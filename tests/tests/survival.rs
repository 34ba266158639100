//! Rows survive every kind of change that keeps them (issue 4), on each backend: a primary key
//! made composite (one of them auto-incremented before), a PostgreSQL enum with a value removed
//! and the others reordered, a foreign key's actions, uniques and indexes added and removed,
//! defaults changed, a column made nullable, types widened (see `entities::survival`). Rows are
//! inserted first; after `up`, every value of every column both versions have is the same;
//! after `down`, the schema is the original one by introspection, and every value is too.
//! On SQLite all of it goes through table rebuilds.
use std::collections::BTreeMap;

use automigrate::commands::Outcome;
use automigrate_core::{Backend, Schema, diff};
use automigrate_e2e::{MigrationCrate, TestDb, column_order_free, entities::survival, written};
use sea_orm::{ConnectionTrait, Statement};

/// Column names by table.
type Columns = BTreeMap<String, Vec<String>>;
/// Every value of each column, as text, in the order of the original primary key.
type Values = BTreeMap<(String, String), Vec<Option<String>>>;

const ROWS: [&str; 7] = [
    "INSERT INTO permit (user_id, scope) VALUES (1, 'read'), (2, 'write')",
    "INSERT INTO ticket (project, title) VALUES (7, 'first'), (7, 'second'), (8, 'third')",
    "INSERT INTO article (stage) VALUES ('published'), ('draft')",
    "INSERT INTO parent (id, name) VALUES (1, 'one'), (2, 'two')",
    "INSERT INTO child (id, parent_id) VALUES (10, 1), (11, 2), (12, 2)",
    "INSERT INTO gadget (code, sku, color, size, kind_a, kind_b) \
     VALUES ('g1', 's1', 'red', 1, 1, 1), ('g2', 's2', 'red', 2, 1, 2)",
    // `unit` and `tier` take their defaults.
    "INSERT INTO measure (qty, total, label, nickname) \
     VALUES (7, 123456, 'short', 'nick'), (-3, 2147483647, 'x', 'y')",
];

fn columns(schema: &Schema) -> Columns {
    schema
        .tables
        .values()
        .map(|t| {
            let names = t.columns.iter().map(|c| c.name.clone()).collect();
            (t.name.clone(), names)
        })
        .collect()
}

/// The columns of `a` that `b` has too.
fn common(a: &Columns, b: &Columns) -> Columns {
    a.iter()
        .filter_map(|(t, cols)| {
            let other = b.get(t)?;
            Some((
                t.clone(),
                cols.iter().filter(|c| other.contains(c)).cloned().collect(),
            ))
        })
        .collect()
}

/// `values` restricted to `columns`.
fn only(values: &Values, columns: &Columns) -> Values {
    values
        .iter()
        .filter(|((t, c), _)| columns.get(t).is_some_and(|cols| cols.contains(c)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

async fn values(db: &TestDb, columns: &Columns, order: &Columns) -> anyhow::Result<Values> {
    let q = |n: &str| match db.backend {
        Backend::MySql => format!("`{n}`"),
        _ => format!("\"{n}\""),
    };
    let text = match db.backend {
        Backend::MySql => "CHAR",
        _ => "TEXT",
    };
    let conn = db.connect().await?;
    let mut out = Values::new();
    for (table, cols) in columns {
        let select: Vec<String> = cols
            .iter()
            .map(|c| format!("CAST({} AS {text})", q(c)))
            .collect();
        let order: Vec<String> = order[table].iter().map(|c| q(c)).collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            select.join(", "),
            q(table),
            order.join(", ")
        );
        let rows = conn
            .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await?;
        for (i, c) in cols.iter().enumerate() {
            let column = rows
                .iter()
                .map(|r| r.try_get_by_index::<Option<String>>(i))
                .collect::<Result<_, _>>()?;
            out.insert((table.clone(), c.clone()), column);
        }
    }
    conn.close().await?;
    Ok(out)
}

async fn survival(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(
        krate
            .makemigration(&db, &survival::before(), "before")
            .await?,
    );
    krate.run(&db, &["up"])?;
    for sql in ROWS {
        db.execute(sql).await?;
    }
    let original = db.schema().await?;
    let all = columns(&original);
    let keys: Columns = original
        .tables
        .values()
        .map(|t| (t.name.clone(), t.primary_key.clone()))
        .collect();
    let rows = values(&db, &all, &keys).await?;
    assert_eq!(
        rows[&("measure".into(), "unit".into())],
        [Some("kg".to_string()), Some("kg".to_string())]
    );
    assert_eq!(rows[&("ticket".into(), "id".into())].len(), 3);

    let (_, summary) = written(
        krate
            .makemigration(&db, &survival::after(), "after")
            .await?,
    );
    let text = summary.join("\n");
    for table in ["permit", "ticket", "child", "gadget", "measure"] {
        assert!(text.contains(table), "no change to {table}:\n{text}");
    }
    if backend != Backend::Sqlite {
        assert!(text.contains("primary key"), "{text}");
    }
    if backend == Backend::Postgres {
        assert!(text.contains("~ enum stage"), "{text}");
    }
    krate.run(&db, &["up"])?;
    let declared = survival::after().schema(backend)?;
    let live = db.schema().await?;
    assert!(
        diff(&live, &declared).is_empty(),
        "phantom diff after up:\n{:#?}",
        diff(&live, &declared)
    );
    assert!(matches!(
        krate
            .makemigration(&db, &survival::after(), "again")
            .await?,
        Outcome::NoChanges
    ));
    let kept = common(&all, &columns(&live));
    assert_eq!(kept.values().map(Vec::len).sum::<usize>(), 25, "{kept:?}");
    assert_eq!(
        values(&db, &kept, &keys).await?,
        only(&rows, &kept),
        "values changed by up"
    );

    // The new defaults apply and `nickname` takes NULL; that row goes again before `down`.
    db.execute("INSERT INTO measure (id, qty, total, label) VALUES (100, 1, 1, 'new')")
        .await?;
    let new_row = values(
        &db,
        &Columns::from([(
            "measure".into(),
            vec!["unit".into(), "tier".into(), "nickname".into()],
        )]),
        &keys,
    )
    .await?;
    assert_eq!(
        new_row[&("measure".into(), "unit".into())][2].as_deref(),
        Some("g")
    );
    assert_eq!(
        new_row[&("measure".into(), "tier".into())][2].as_deref(),
        Some("1")
    );
    assert_eq!(new_row[&("measure".into(), "nickname".into())][2], None);
    db.execute("DELETE FROM measure WHERE id = 100").await?;

    krate.run(&db, &["down"])?;
    let restored = db.schema().await?;
    assert!(
        diff(&restored, &original).is_empty(),
        "{:#?}",
        diff(&restored, &original)
    );
    assert_eq!(column_order_free(restored), column_order_free(original));
    assert_eq!(
        values(&db, &all, &keys).await?,
        rows,
        "values changed by up and down"
    );
    // The key that auto-incremented does again, after the rows it has.
    db.execute("INSERT INTO ticket (project, title) VALUES (9, 'fourth')")
        .await?;
    let ids = values(
        &db,
        &Columns::from([("ticket".into(), vec!["id".into()])]),
        &keys,
    )
    .await?;
    assert_eq!(
        ids[&("ticket".into(), "id".into())],
        ["1", "2", "3", "4"].map(|s| Some(s.to_string()))
    );
    Ok(())
}

#[tokio::test]
async fn sqlite_rows_survive() -> anyhow::Result<()> {
    survival(Backend::Sqlite, "sqlite_survival").await
}

#[tokio::test]
async fn postgres_rows_survive() -> anyhow::Result<()> {
    survival(Backend::Postgres, "postgres_survival").await
}

#[tokio::test]
async fn mysql_rows_survive() -> anyhow::Result<()> {
    survival(Backend::MySql, "mysql_survival").await
}
