//! MySQL/MariaDB: `MODIFY COLUMN` with whole definitions, foreign keys found by their columns in
//! `information_schema`, and the keys that must go around a change (MySQL refuses to change the
//! type of a column a foreign key uses, at either end, or to drop the key a foreign key needs).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DbBackend, Value};

use crate::{ForeignKeyDef, TableName, execute, query, quote, render_type};

const MY: DbBackend = DbBackend::MySql;

fn q(name: &str) -> String {
    quote(MY, name)
}

pub(crate) async fn alter_column(
    manager: &SchemaManager<'_>,
    table: &TableName,
    from: &ColumnDef,
    to: &ColumnDef,
) -> Result<(), DbErr> {
    let column = to.get_column_name();
    let modify = || {
        manager.alter_table(
            Table::alter()
                .table(table.table_ref())
                .modify_column(crate::without_keys(to))
                .to_owned(),
        )
    };
    if render_type(MY, from) == render_type(MY, to) {
        return modify().await;
    }
    let keys = foreign_keys(manager, Some((&table.name, &column)), None).await?;
    for fk in &keys {
        drop_key(manager, fk).await?;
    }
    modify().await?;
    for fk in &keys {
        add_key(manager, fk).await?;
    }
    Ok(())
}

/// The foreign keys of the database that use column `uses` (as `(table, column)`, at either
/// end) or that reference table `references`.
async fn foreign_keys(
    manager: &SchemaManager<'_>,
    uses: Option<(&str, &str)>,
    references: Option<&str>,
) -> Result<Vec<ForeignKeyDef>, DbErr> {
    let rows = query(
        manager,
        "SELECT k.CONSTRAINT_NAME, k.TABLE_NAME, \
         GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR 0x1f), \
         k.REFERENCED_TABLE_NAME, \
         GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR 0x1f), \
         r.DELETE_RULE, r.UPDATE_RULE, \
         MAX((k.TABLE_NAME = ? AND k.COLUMN_NAME = ?) OR (k.REFERENCED_TABLE_NAME = ? AND k.REFERENCED_COLUMN_NAME = ?)), \
         MAX(k.REFERENCED_TABLE_NAME = ?) \
         FROM information_schema.KEY_COLUMN_USAGE k \
         JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
         AND r.TABLE_NAME = k.TABLE_NAME \
         WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL \
         GROUP BY k.CONSTRAINT_NAME, k.TABLE_NAME, k.REFERENCED_TABLE_NAME, r.DELETE_RULE, r.UPDATE_RULE \
         ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME",
        {
            let (t, c) = uses.unwrap_or(("", ""));
            let r = references.unwrap_or("");
            [t, c, t, c, r]
                .into_iter()
                .map(|v| Value::from(v.to_string()))
                .collect()
        },
        9,
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| {
            (uses.is_some() && r[7].as_deref() == Some("1"))
                || (references.is_some() && r[8].as_deref() == Some("1"))
        })
        .map(|r| ForeignKeyDef {
            name: r[0].clone().unwrap_or_default(),
            table: r[1].clone().unwrap_or_default(),
            columns: crate::split_list(r[2].clone()),
            ref_table: r[3].clone().unwrap_or_default(),
            ref_columns: crate::split_list(r[4].clone()),
            on_delete: r[5].clone().unwrap_or_default(),
            on_update: r[6].clone().unwrap_or_default(),
        })
        .collect())
}

async fn drop_key(manager: &SchemaManager<'_>, fk: &ForeignKeyDef) -> Result<(), DbErr> {
    let sql = format!(
        "ALTER TABLE {} DROP FOREIGN KEY {}",
        q(&fk.table),
        q(&fk.name)
    );
    execute(manager, &sql).await
}

async fn add_key(manager: &SchemaManager<'_>, fk: &ForeignKeyDef) -> Result<(), DbErr> {
    let list = |cols: &[String]| cols.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {} ON UPDATE {}",
        q(&fk.table),
        q(&fk.name),
        list(&fk.columns),
        q(&fk.ref_table),
        list(&fk.ref_columns),
        fk.on_delete,
        fk.on_update
    );
    execute(manager, &sql).await
}

pub(crate) async fn drop_foreign_key(
    manager: &SchemaManager<'_>,
    table: &TableName,
    columns: &[String],
) -> Result<(), DbErr> {
    let rows = query(
        manager,
        "SELECT k.CONSTRAINT_NAME, GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR 0x1f) \
         FROM information_schema.KEY_COLUMN_USAGE k \
         WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL \
         GROUP BY k.CONSTRAINT_NAME",
        vec![Value::from(table.name.clone())],
        2,
    )
    .await?;
    let keys: Vec<(Option<String>, Vec<String>)> = rows
        .into_iter()
        .map(|r| (r[0].clone(), crate::split_list(r[1].clone())))
        .collect();
    let Some(name) = keys
        .iter()
        .find(|(_, cols)| cols == columns)
        .and_then(|(name, _)| name.clone())
    else {
        return Err(DbErr::Migration(format!(
            "`{}` has no foreign key on ({})",
            table.name,
            columns.join(", ")
        )));
    };
    let sql = format!(
        "ALTER TABLE {} DROP FOREIGN KEY {}",
        table.quoted(MY),
        q(&name)
    );
    execute(manager, &sql).await?;
    // InnoDB made an index for the key when its columns had none, named after the key and on
    // exactly its columns, and keeps it when the key goes: it goes too, so that dropping the key
    // (in `up`, or in the `down` of a migration that added it) leaves the table as it was. An
    // index of another name was made on purpose and stays; so does this one while another
    // foreign key of the table stands on it (its columns start the index's).
    let index = query(
        manager,
        "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR 0x1f), MIN(NON_UNIQUE) \
         FROM information_schema.STATISTICS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ? \
         GROUP BY INDEX_NAME",
        vec![Value::from(table.name.clone()), Value::from(name.clone())],
        2,
    )
    .await?;
    let Some(index) = index.into_iter().next() else {
        return Ok(());
    };
    let index_columns = crate::split_list(index[0].clone());
    let implicit = index_columns == columns && index[1].as_deref() == Some("1");
    let needed = keys.iter().any(|(other, cols)| {
        other.as_deref() != Some(name.as_str()) && index_columns.starts_with(cols)
    });
    if !implicit || needed {
        return Ok(());
    }
    let sql = format!("ALTER TABLE {} DROP INDEX {}", table.quoted(MY), q(&name));
    execute(manager, &sql).await
}

pub(crate) async fn drop_unique(
    manager: &SchemaManager<'_>,
    table: &TableName,
    columns: &[String],
) -> Result<(), DbErr> {
    let rows = query(
        manager,
        "SELECT INDEX_NAME, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR 0x1f) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? \
         AND NON_UNIQUE = 0 AND INDEX_NAME <> 'PRIMARY' GROUP BY INDEX_NAME",
        vec![Value::from(table.name.clone())],
        2,
    )
    .await?;
    let Some(name) = rows
        .into_iter()
        .find(|r| crate::split_list(r[1].clone()) == columns)
        .and_then(|r| r[0].clone())
    else {
        return Err(DbErr::Migration(format!(
            "`{}` has no unique constraint on ({})",
            table.name,
            columns.join(", ")
        )));
    };
    let sql = format!("ALTER TABLE {} DROP INDEX {}", table.quoted(MY), q(&name));
    execute(manager, &sql).await
}

pub(crate) async fn set_primary_key(
    manager: &SchemaManager<'_>,
    table: &TableName,
    columns: &[String],
) -> Result<(), DbErr> {
    let current = query(
        manager,
        "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR 0x1f) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? \
         AND INDEX_NAME = 'PRIMARY'",
        vec![Value::from(table.name.clone())],
        1,
    )
    .await?;
    let current = crate::split_list(current.into_iter().next().and_then(|r| r[0].clone()));
    if current == columns {
        return Ok(());
    }
    // Foreign keys that reference the table stand on its key (or on its index).
    let keys = foreign_keys(manager, None, Some(&table.name)).await?;
    for fk in &keys {
        drop_key(manager, fk).await?;
    }
    let mut parts = Vec::new();
    if !current.is_empty() {
        parts.push("DROP PRIMARY KEY".to_string());
    }
    if !columns.is_empty() {
        let cols: Vec<String> = columns.iter().map(|c| q(c)).collect();
        parts.push(format!("ADD PRIMARY KEY ({})", cols.join(", ")));
    }
    let sql = format!("ALTER TABLE {} {}", table.quoted(MY), parts.join(", "));
    execute(manager, &sql).await?;
    for fk in &keys {
        add_key(manager, fk).await?;
    }
    Ok(())
}

/// `lock_wait_timeout` of the connection (whole seconds, at least 1): how long a statement waits
/// for a table's metadata lock; `None` puts the server's default back.
pub(crate) async fn lock_timeout(
    manager: &SchemaManager<'_>,
    timeout: Option<std::time::Duration>,
) -> Result<(), DbErr> {
    let value = match timeout {
        Some(t) => t.as_secs_f64().ceil().max(1.0).to_string(),
        None => "DEFAULT".to_string(),
    };
    execute(manager, &format!("SET SESSION lock_wait_timeout = {value}")).await
}

/// True when the server refused the `ALGORITHM`/`LOCK` it was asked for.
fn not_supported(e: &DbErr) -> bool {
    let text = e.to_string();
    text.contains("is not supported") && (text.contains("ALGORITHM") || text.contains("LOCK"))
}

/// The error of a change the server cannot make without blocking writes.
fn copies(e: DbErr) -> DbErr {
    if !not_supported(&e) {
        return e;
    }
    DbErr::Migration(format!(
        "{e}: MySQL/MariaDB can make this change only by copying the table, which blocks writes \
         for as long as the copy takes; the online migration stops here instead. Make this change \
         offline (`automigrate_ops::` instead of `automigrate_ops::online::` for this statement) \
         when the table is quiet, or with an online schema change tool (gh-ost, \
         pt-online-schema-change)"
    ))
}

/// An `ALTER TABLE` pinned to `ALGORITHM=INSTANT`, else to `ALGORITHM=INPLACE, LOCK=NONE`: a
/// change the server could only make by copying the table fails instead.
async fn alter_in_place(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    match execute(manager, &format!("{sql}, ALGORITHM=INSTANT")).await {
        Err(e) if not_supported(&e) => {
            execute(manager, &format!("{sql}, ALGORITHM=INPLACE, LOCK=NONE"))
                .await
                .map_err(copies)
        }
        other => other,
    }
}

/// `CREATE INDEX … ALGORITHM=INPLACE LOCK=NONE`.
pub(crate) async fn create_index_online(
    manager: &SchemaManager<'_>,
    index: &IndexCreateStatement,
) -> Result<(), DbErr> {
    let sql = index.to_string(MysqlQueryBuilder);
    execute(manager, &format!("{sql} ALGORITHM=INPLACE LOCK=NONE"))
        .await
        .map_err(copies)
}

/// `ALTER TABLE … DROP INDEX …` pinned in place (MariaDB's `DROP INDEX` takes no `ALGORITHM`).
pub(crate) async fn drop_index_online(
    manager: &SchemaManager<'_>,
    index: &IndexDropStatement,
) -> Result<(), DbErr> {
    // sea-query keeps the table to itself: read back from `DROP INDEX `name` ON `table``.
    let sql = index.to_string(MysqlQueryBuilder);
    let Some((name, table)) = sql
        .strip_prefix("DROP INDEX ")
        .and_then(|rest| rest.split_once("` ON "))
    else {
        return Err(DbErr::Migration(format!(
            "drop_index: the statement names no table (`.table(…)`): {sql}"
        )));
    };
    alter_in_place(manager, &format!("ALTER TABLE {table} DROP INDEX {name}`")).await
}

/// [`alter_column`], its `MODIFY` pinned in place; the foreign keys a type change drops come
/// back if the server refuses it.
pub(crate) async fn alter_column_online(
    manager: &SchemaManager<'_>,
    table: &TableName,
    from: &ColumnDef,
    to: &ColumnDef,
) -> Result<(), DbErr> {
    let column = to.get_column_name();
    let modify = Table::alter()
        .table(table.table_ref())
        .modify_column(crate::without_keys(to))
        .to_string(MysqlQueryBuilder);
    if render_type(MY, from) == render_type(MY, to) {
        return alter_in_place(manager, &modify).await;
    }
    let keys = foreign_keys(manager, Some((&table.name, &column)), None).await?;
    for fk in &keys {
        drop_key(manager, fk).await?;
    }
    let modified = alter_in_place(manager, &modify).await;
    for fk in &keys {
        add_key(manager, fk).await?;
    }
    modified
}

/// A foreign key added in place: with `foreign_key_checks` off for this statement (InnoDB adds
/// a key in place only so; the server copies the table otherwise), so enforced on every write
/// from then on, then the rows already there checked by a read that takes no lock. If a row
/// points nowhere, the key goes again and the error says so.
pub(crate) async fn add_foreign_key_online(
    manager: &SchemaManager<'_>,
    foreign_key: &ForeignKeyCreateStatement,
) -> Result<(), DbErr> {
    let fk = foreign_key.get_foreign_key();
    let (Some(table), Some(ref_table)) = (fk.get_table(), fk.get_ref_table()) else {
        return Err(DbErr::Migration(
            "add_foreign_key: the foreign key names no table (`.from(…)`, `.to(…)`)".into(),
        ));
    };
    let name = fk.get_name().unwrap_or("").to_string();
    let ident = |t: &TableRef| {
        let mut sql = String::new();
        MysqlQueryBuilder.prepare_table_ref_iden(t, &mut sql);
        sql
    };
    let (child, parent) = (ident(table), ident(ref_table));
    let add = foreign_key.to_string(MysqlQueryBuilder);
    let what = format!("add foreign key {name}");
    crate::online::guard!(manager, &what, |m| [add] {
        execute(m, "SET SESSION foreign_key_checks = 0").await?;
        let added = execute(m, &format!("{add}, ALGORITHM=INPLACE, LOCK=NONE")).await;
        execute(m, "SET SESSION foreign_key_checks = 1").await?;
        added.map_err(copies)
    })
    .await?;
    let (columns, ref_columns) = (fk.get_columns(), fk.get_ref_columns());
    let present: Vec<String> = columns
        .iter()
        .map(|c| format!("c.{} IS NOT NULL", q(c)))
        .collect();
    let matches: Vec<String> = columns
        .iter()
        .zip(&ref_columns)
        .map(|(c, r)| format!("p.{} = c.{}", q(r), q(c)))
        .collect();
    let orphans = query(
        manager,
        &format!(
            "SELECT 1 FROM {child} c WHERE {} AND NOT EXISTS \
             (SELECT 1 FROM {parent} p WHERE {}) LIMIT 1",
            present.join(" AND "),
            matches.join(" AND ")
        ),
        vec![],
        1,
    )
    .await?;
    if orphans.is_empty() {
        return Ok(());
    }
    let drop = format!("ALTER TABLE {child} DROP FOREIGN KEY {}", q(&name));
    crate::online::guard!(manager, &what, |m| [drop] { execute(m, &drop).await }).await?;
    Err(DbErr::Migration(format!(
        "{what}: rows of {child} point nowhere in {parent} ({}): the key is dropped again; \
         fix those rows first",
        columns.join(", ")
    )))
}

/// An `ALTER TABLE` of sea-query's (a column added or dropped), pinned in place.
pub(crate) async fn alter_table_online(
    manager: &SchemaManager<'_>,
    alter: &TableAlterStatement,
) -> Result<(), DbErr> {
    alter_in_place(manager, &alter.to_string(MysqlQueryBuilder)).await
}
