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
