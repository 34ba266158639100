//! The live schema: read from the database catalog in a handful of bulk queries per backend.
//!
//! Introspection only reads. It reports what the catalog says, brought to canonical form by
//! [`automigrate_core::dialect`]; the diff decides what matters.
//!
//! Why not sea-schema's discovery: it issues several queries per table one after another, loses
//! the raw type and default text (SQLite), and does not see plain indexes on PostgreSQL. We read
//! the same catalogs in bulk and keep the text the database itself reports.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::Context as _;
use automigrate_core::dialect;
use automigrate_core::model::{
    Backend, Column, ColumnType, EnumType, FkAction, ForeignKey, Index, Schema, Table,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult, Statement, TryGetable};
use serde_json::Value as Json;

/// What introspection found: the schema, and the tables it left out on purpose.
pub struct Live {
    pub schema: Schema,
    /// True when the migration history table exists.
    pub has_history_table: bool,
    /// Objects the entities cannot describe, left alone: `users: check constraint age_positive`.
    pub unmanaged: Vec<String>,
    /// PostgreSQL: the connection's default schema, when other schemas were asked for (tables
    /// there are not qualified; a declared `schema_name` naming it must not be either).
    pub default_namespace: Option<String>,
}

pub fn backend_of(db: &DatabaseConnection) -> anyhow::Result<Backend> {
    Ok(match db.get_database_backend() {
        sea_orm::DbBackend::Sqlite => Backend::Sqlite,
        sea_orm::DbBackend::Postgres => Backend::Postgres,
        sea_orm::DbBackend::MySql => Backend::MySql,
        other => anyhow::bail!("unsupported database backend {other:?}"),
    })
}

/// Reads the live schema, leaving out the migration history table.
pub async fn introspect(db: &DatabaseConnection, history_table: &str) -> anyhow::Result<Live> {
    introspect_in(db, history_table, &[]).await
}

/// Reads the live schema of the connection's default schema and, on PostgreSQL, of the other
/// `namespaces` too (their tables named `schema.table`).
pub async fn introspect_in(
    db: &DatabaseConnection,
    history_table: &str,
    namespaces: &[String],
) -> anyhow::Result<Live> {
    let backend = backend_of(db)?;
    let mut unmanaged = Vec::new();
    let mut default_namespace = None;
    let mut schema = match backend {
        Backend::Sqlite => sqlite(db, &mut unmanaged).await,
        Backend::Postgres => postgres(db, namespaces, &mut default_namespace, &mut unmanaged).await,
        Backend::MySql => mysql(db, &mut unmanaged).await,
    }
    .with_context(|| format!("reading the schema of the {} database", backend.name()))?;
    let has_history_table = schema.tables.remove(history_table).is_some();
    for t in schema.tables.values_mut() {
        dialect::normalize_table(backend, t);
    }
    unmanaged.sort();
    Ok(Live {
        schema,
        has_history_table,
        unmanaged,
        default_namespace,
    })
}

/// Expression defaults as the database writes them back (issue 15, item 1): PostgreSQL prints
/// `lower('ABC')` as `lower('ABC'::text)`, MariaDB as `lcase('ABC')`, `random() * 10` gains a
/// cast, and so on for any expression. Where a declared expression default differs from the live
/// column's as text, the database itself is asked what it makes of the declared one: all of them
/// at once, as the defaults of one temporary table in a transaction of this session that is
/// rolled back (PostgreSQL: `pg_get_expr`; MySQL/MariaDB: `SHOW CREATE TABLE`, which lists
/// temporary tables where `information_schema` does not). When that is what the live column
/// has, the live default takes the entity's spelling, so the two meet and code regenerated from
/// the live side writes the portable spelling. Nothing persists; if the database refuses (no
/// right to create temporary tables, a type it cannot use there), the defaults are compared as
/// text, as before. SQLite keeps defaults as written and needs none of this.
pub async fn expression_defaults_as_the_database_writes_them(
    db: &DatabaseConnection,
    live: &mut Schema,
    declared: &Schema,
) {
    use automigrate_core::model::DefaultValue;
    let backend = live.backend;
    if backend == Backend::Sqlite {
        return;
    }
    // (table, column, live type, declared expression, declared default)
    let mut asked: Vec<(String, String, String, String, DefaultValue)> = Vec::new();
    for (name, table) in &declared.tables {
        let Some(live_table) = live.tables.get(name) else {
            continue;
        };
        for c in &table.columns {
            let Some(d @ DefaultValue::Expr(expr)) = &c.default else {
                continue;
            };
            let Some(l) = live_table.column(&c.name) else {
                continue;
            };
            if l.default.is_none() || l.default.as_ref() == Some(d) {
                continue;
            }
            asked.push((
                name.clone(),
                c.name.clone(),
                l.sql_type.clone(),
                expr.clone(),
                d.clone(),
            ));
        }
    }
    if asked.is_empty() {
        return;
    }
    let columns: Vec<String> = asked
        .iter()
        .enumerate()
        .map(|(i, (_, _, ty, expr, _))| format!("c{i} {ty} DEFAULT ({expr})"))
        .collect();
    let Ok(written) = defaults_of_a_scratch_table(db, backend, &columns.join(", ")).await else {
        return;
    };
    for (i, (table, column, ty, _, declared_default)) in asked.into_iter().enumerate() {
        let Some(text) = written.get(&i) else {
            continue;
        };
        let theirs = dialect::parse_default(backend, text, &ty);
        if let Some(c) = live
            .tables
            .get_mut(&table)
            .and_then(|t| t.columns.iter_mut().find(|c| c.name == column))
            && theirs.is_some()
            && c.default == theirs
        {
            c.default = Some(declared_default);
        }
    }
}

/// The default text of each column `c<i>` of a temporary table made with `columns`, as the
/// database writes it, in a transaction that is rolled back.
async fn defaults_of_a_scratch_table(
    db: &DatabaseConnection,
    backend: Backend,
    columns: &str,
) -> anyhow::Result<BTreeMap<usize, String>> {
    use sea_orm::TransactionTrait;
    let tx = db.begin().await?;
    let b = tx.get_database_backend();
    let stmt = |sql: String| Statement::from_string(b, sql);
    let result = async {
        let mut out = BTreeMap::new();
        let index = |name: &str| name.strip_prefix('c').and_then(|n| n.parse::<usize>().ok());
        match backend {
            Backend::Postgres => {
                tx.execute_raw(stmt(format!(
                    "CREATE TEMPORARY TABLE automigrate_defaults ({columns})"
                )))
                .await?;
                for r in tx
                    .query_all_raw(stmt(
                        "SELECT a.attname::text, pg_get_expr(d.adbin, CASE WHEN d.adbin::text                          LIKE '%{VAR %' THEN d.adrelid ELSE 0 END)                          FROM pg_attrdef d JOIN pg_attribute a                          ON a.attrelid = d.adrelid AND a.attnum = d.adnum                          WHERE d.adrelid = 'pg_temp.automigrate_defaults'::regclass"
                            .to_string(),
                    ))
                    .await?
                {
                    let (name, text): (String, String) = (get(&r, 0)?, get(&r, 1)?);
                    if let Some(i) = index(&name) {
                        out.insert(i, text);
                    }
                }
            }
            _ => {
                tx.execute_raw(stmt(format!(
                    "CREATE TEMPORARY TABLE automigrate_defaults ({columns})"
                )))
                .await?;
                let create: String = tx
                    .query_one_raw(stmt("SHOW CREATE TABLE automigrate_defaults".to_string()))
                    .await?
                    .context("SHOW CREATE TABLE returned nothing")
                    .and_then(|r| get(&r, 1))?;
                tx.execute_raw(stmt(
                    "DROP TEMPORARY TABLE automigrate_defaults".to_string(),
                ))
                .await?;
                for (name, text) in mysql_create_table_defaults(&create) {
                    if let Some(i) = index(&name) {
                        out.insert(i, text);
                    }
                }
            }
        }
        anyhow::Ok(out)
    }
    .await;
    tx.rollback().await.ok();
    result
}

/// The `DEFAULT` text of each column line of a MySQL/MariaDB `SHOW CREATE TABLE`:
/// `` `c0` text DEFAULT lcase('ABC'),`` gives (`c0`, `lcase('ABC')`).
fn mysql_create_table_defaults(create: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in create.lines() {
        let line = line.trim().trim_end_matches(',');
        let Some(rest) = line.strip_prefix('`') else {
            continue;
        };
        let Some((name, rest)) = rest.split_once('`') else {
            continue;
        };
        // The first ` DEFAULT ` outside quotes and parentheses ends the type.
        let (mut depth, mut quote, mut found) = (0i32, None::<char>, None);
        let chars: Vec<(usize, char)> = rest.char_indices().collect();
        for &(i, ch) in &chars {
            match (quote, ch) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(ch),
                (None, '(') => depth += 1,
                (None, ')') => depth -= 1,
                (None, ' ') if depth == 0 && rest[i..].starts_with(" DEFAULT ") => {
                    found = Some(i + " DEFAULT ".len());
                    break;
                }
                _ => {}
            }
        }
        if let Some(at) = found {
            out.push((name.to_string(), rest[at..].trim().to_string()));
        }
    }
    out
}

async fn rows(db: &DatabaseConnection, sql: &str) -> anyhow::Result<Vec<QueryResult>> {
    let stmt = Statement::from_string(db.get_database_backend(), sql.to_string());
    db.query_all_raw(stmt).await.with_context(|| {
        format!(
            "catalog query failed: {}",
            sql.split_whitespace().collect::<Vec<_>>().join(" ")
        )
    })
}

fn get<T: TryGetable>(row: &QueryResult, i: usize) -> anyhow::Result<T> {
    row.try_get_by_index::<T>(i)
        .map_err(|e| anyhow::anyhow!("reading column {i} of a catalog row: {e}"))
}

/// The canonical type and builder type of each type text met so far: a schema has thousands of
/// columns but a few dozen types, and finding the builder type renders every candidate.
type Types = BTreeMap<String, (String, ColumnType)>;

/// Builds a column from catalog text.
#[allow(clippy::too_many_arguments)]
fn column(
    backend: Backend,
    name: String,
    raw_type: &str,
    nullable: bool,
    raw_default: Option<&str>,
    auto_increment: bool,
    enums: &BTreeMap<String, EnumType>,
    types: &mut Types,
) -> Column {
    let (sql_type, kind) = match types.get(raw_type) {
        Some(known) => known.clone(),
        None => {
            let sql_type = dialect::canonical_type(backend, raw_type);
            let kind =
                dialect::parse_type(backend, &dialect::written_type(backend, raw_type), enums);
            types.insert(raw_type.to_string(), (sql_type.clone(), kind.clone()));
            (sql_type, kind)
        }
    };
    let default = raw_default.and_then(|d| dialect::parse_default(backend, d, &sql_type));
    Column {
        name,
        kind,
        sql_type,
        nullable,
        default,
        auto_increment,
        comment: None,
    }
}

// ---------------------------------------------------------------------------------------------
// SQLite: table-valued pragma functions give every table's columns, indexes and keys in one
// query each.

async fn sqlite(db: &DatabaseConnection, notes: &mut Vec<String>) -> anyhow::Result<Schema> {
    let b = Backend::Sqlite;
    let mut schema = Schema::new(b);
    let no_enums = BTreeMap::new();
    let mut types = Types::new();
    // One row per table, its columns, indexes and foreign keys as JSON arrays: the driver hands
    // rows over one at a time, and one row per column costs more than the pragmas themselves.
    let int = |v: &Json, i: usize| v[i].as_i64().unwrap_or(0);
    let text = |v: &Json, i: usize| v[i].as_str().map(str::to_string);
    for r in rows(
        db,
        "SELECT m.name, \
           (SELECT json_group_array(json_array(p.cid, p.name, p.type, p.\"notnull\", \
                   p.dflt_value, p.pk, p.hidden)) FROM pragma_table_xinfo(m.name) p), \
           (SELECT json_group_array(json_array(il.name, ii.seqno, il.\"unique\", il.origin, \
                   il.partial, ii.name)) \
            FROM pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii), \
           (SELECT json_group_array(json_array(f.id, f.seq, f.\"table\", f.\"from\", f.\"to\", \
                   f.on_update, f.on_delete)) FROM pragma_foreign_key_list(m.name) f), \
           m.sql \
         FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .await?
    {
        let table: String = get(&r, 0)?;
        let list = |i: usize| -> anyhow::Result<Vec<Json>> {
            let text: String = get(&r, i)?;
            match serde_json::from_str(&text)? {
                Json::Array(items) => Ok(items),
                _ => anyhow::bail!("catalog value {i} of {table} is not a JSON array: {text}"),
            }
        };
        let (mut columns, mut index_rows, mut fk_rows) = (list(1)?, list(2)?, list(3)?);
        let mut t = Table::new(&table);
        // CHECK constraints: not managed, but carried through table rebuilds.
        let create: Option<String> = get(&r, 4)?;
        t.checks = create
            .as_deref()
            .map(dialect::sqlite_checks)
            .unwrap_or_default();
        for c in &t.checks {
            notes.push(match &c.name {
                Some(name) => format!("{table}: check constraint {name}"),
                None => format!("{table}: check constraint ({})", c.expr),
            });
        }
        // `AUTOINCREMENT` is written on the table's one `INTEGER PRIMARY KEY`, if anywhere
        // (`normalize_table` keeps it on that column only).
        let autoincrement = create.as_deref().is_some_and(dialect::sqlite_autoincrement);
        // Columns, in `cid` order; the key in key order.
        columns.sort_by_key(|c| int(c, 0));
        let mut pk: Vec<(i64, String)> = Vec::new();
        for c in &columns {
            let name = text(c, 1).unwrap_or_default();
            if int(c, 6) != 0 {
                continue; // generated columns are not managed
            }
            if int(c, 5) > 0 {
                pk.push((int(c, 5), name.clone()));
            }
            t.columns.push(column(
                b,
                name,
                &text(c, 2).unwrap_or_default(),
                int(c, 3) == 0,
                text(c, 4).as_deref(),
                autoincrement && int(c, 5) > 0,
                &no_enums,
                &mut types,
            ));
        }
        pk.sort();
        t.primary_key = pk.into_iter().map(|(_, c)| c).collect();

        // Indexes: `origin` is 'c' for CREATE INDEX, 'u' for an inline UNIQUE, 'pk' for the key.
        index_rows.sort_by_key(|i| (text(i, 0), int(i, 1)));
        let mut indexes: BTreeMap<String, (Index, bool)> = BTreeMap::new();
        for i in &index_rows {
            let name = text(i, 0).unwrap_or_default();
            let origin = text(i, 3).unwrap_or_default();
            if origin == "pk" {
                continue;
            }
            let entry = indexes.entry(name.clone()).or_insert_with(|| {
                (
                    Index {
                        name: Some(name),
                        columns: Vec::new(),
                        unique: int(i, 2) != 0,
                        constraint: origin == "u",
                    },
                    int(i, 4) != 0,
                )
            });
            match text(i, 5) {
                Some(c) => entry.0.columns.push(c),
                None => entry.1 = true, // an expression: not managed
            }
        }
        for (name, (index, unmanaged)) in indexes {
            if unmanaged {
                notes.push(format!(
                    "{table}: index {name} (partial or on an expression)"
                ));
            } else {
                t.indexes.push(index);
            }
        }

        fk_rows.sort_by_key(|f| (int(f, 0), int(f, 1)));
        let mut fks: BTreeMap<i64, ForeignKey> = BTreeMap::new();
        for f in &fk_rows {
            let fk = fks.entry(int(f, 0)).or_insert_with(|| ForeignKey {
                name: None,
                columns: Vec::new(),
                ref_table: text(f, 2).unwrap_or_default(),
                ref_columns: Vec::new(),
                on_delete: FkAction::parse(&text(f, 6).unwrap_or_default()),
                on_update: FkAction::parse(&text(f, 5).unwrap_or_default()),
            });
            fk.columns.push(text(f, 3).unwrap_or_default());
            fk.ref_columns.extend(text(f, 4));
        }
        t.foreign_keys = fks.into_values().collect();
        schema.tables.insert(table, t);
    }
    // `REFERENCES t` without columns means t's primary key.
    let keys: BTreeMap<String, Vec<String>> = schema
        .tables
        .values()
        .map(|t| (t.name.clone(), t.primary_key.clone()))
        .collect();
    for t in schema.tables.values_mut() {
        for fk in &mut t.foreign_keys {
            if fk.ref_columns.is_empty() {
                fk.ref_columns = keys.get(&fk.ref_table).cloned().unwrap_or_default();
            }
        }
    }
    // Views and triggers: not managed.
    for r in rows(
        db,
        "SELECT type, name, tbl_name FROM sqlite_master WHERE type IN ('view', 'trigger') ORDER BY type, name",
    )
    .await?
    {
        let (kind, name, table): (String, String, String) = (get(&r, 0)?, get(&r, 1)?, get(&r, 2)?);
        notes.push(if kind == "view" {
            format!("view {name}")
        } else {
            format!("{table}: trigger {name}")
        });
    }
    Ok(schema)
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: pg_catalog, the current schema only.

/// The numbers of an `int2[]` or `int2vector` as text: `{1,3}` or `1 3`.
fn int_array(text: &str) -> Vec<i16> {
    text.trim_matches(['{', '}'])
        .split([',', ' '])
        .filter(|n| !n.is_empty())
        .map(|n| n.parse().unwrap_or(0))
        .collect()
}

/// A table's key in SQL: its name in the default schema, `schema.name` in another.
fn pg_key(ns: &str, rel: &str) -> String {
    format!(
        "CASE WHEN {ns} = current_schema() THEN {rel}::text ELSE {ns}::text || '.' || {rel}::text END"
    )
}

async fn postgres(
    db: &DatabaseConnection,
    namespaces: &[String],
    default_namespace: &mut Option<String>,
    notes: &mut Vec<String>,
) -> anyhow::Result<Schema> {
    let b = Backend::Postgres;
    let mut schema = Schema::new(b);
    let mut types = Types::new();

    // The schemas read: the default one, and those asked for that exist.
    let mut read = "current_schema()".to_string();
    if !namespaces.is_empty() {
        for ns in namespaces {
            read.push_str(&format!(", '{}'", ns.replace('\'', "''")));
        }
        for r in rows(
            db,
            &format!(
                "SELECT nspname::text, nspname = current_schema() FROM pg_namespace \
                 WHERE nspname IN ({read})"
            ),
        )
        .await?
        {
            let name: String = get(&r, 0)?;
            if get::<bool>(&r, 1)? {
                *default_namespace = Some(name);
            } else {
                schema.namespaces.insert(name);
            }
        }
    }
    let read = &read;
    let table_key = pg_key("n.nspname", "c.relname");

    for r in rows(
        db,
        "SELECT t.typname::text, e.enumlabel::text FROM pg_type t \
         JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace \
         WHERE n.nspname = current_schema() ORDER BY t.typname, e.enumsortorder",
    )
    .await?
    {
        let name: String = get(&r, 0)?;
        let label: String = get(&r, 1)?;
        schema
            .enums
            .entry(name.clone())
            .or_insert_with(|| EnumType {
                name,
                values: Vec::new(),
            })
            .values
            .push(label);
    }

    // Columns. Constraints and indexes name their columns by number: they are resolved here,
    // in memory, rather than by joining `pg_attribute` once per key column in the catalog.
    // `pg_get_expr` gets the table only for expressions that refer to columns (generated
    // columns): opening each table to print constants costs more than the rest of the query.
    // One row per column: the table's name and comment are read from its first row only, and
    // its columns gathered by oid (at 10,000 tables, 100,000 rows, a string and a lookup by
    // name per row were a fifth of introspection's own time).
    let mut table_of: HashMap<i64, String> = HashMap::new();
    let mut column_of: HashMap<(i64, i32), String> = HashMap::new();
    let mut columns: HashMap<i64, Vec<(i32, Column)>> = HashMap::new();
    let mut comments: HashMap<i64, String> = HashMap::new();
    for r in rows(
        db,
        &format!(
        "SELECT c.oid::int8, {table_key}, a.attnum::int4, a.attname::text, \
                CASE WHEN ty.typtype = 'e' AND ty.typnamespace = to_regnamespace(current_schema())::oid \
                     THEN ty.typname::text ELSE format_type(a.atttypid, a.atttypmod) END, a.attnotnull, \
                pg_get_expr(d.adbin, CASE WHEN d.adbin::text LIKE '%{{VAR %' THEN d.adrelid ELSE 0 END), \
                a.attidentity::text, ds.description, td.description \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         LEFT JOIN pg_type ty ON ty.oid = a.atttypid \
         LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum \
         LEFT JOIN pg_description ds ON ds.classoid = 'pg_class'::regclass \
              AND ds.objoid = c.oid AND ds.objsubid = a.attnum \
         LEFT JOIN pg_description td ON td.classoid = 'pg_class'::regclass \
              AND td.objoid = c.oid AND td.objsubid = 0 \
         WHERE n.nspname IN ({read}) AND c.relkind IN ('r', 'p')"),
    )
    .await?
    {
        let oid: i64 = get(&r, 0)?;
        let cols = match columns.entry(oid) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(first) => {
                table_of.insert(oid, get(&r, 1)?);
                let table_comment: Option<String> = get(&r, 9)?;
                if let Some(c) = table_comment.filter(|c| !c.is_empty()) {
                    comments.insert(oid, c);
                }
                first.insert(Vec::new())
            }
        };
        let (Some(attnum), Some(name)) = (get::<Option<i32>>(&r, 2)?, get::<Option<String>>(&r, 3)?)
        else {
            continue; // a table without columns
        };
        column_of.insert((oid, attnum), name.clone());
        let ty: String = get(&r, 4)?;
        let not_null: bool = get(&r, 5)?;
        let dflt: Option<String> = get(&r, 6)?;
        let identity: String = get(&r, 7)?;
        let comment: Option<String> = get(&r, 8)?;
        let serial = dflt.as_deref().is_some_and(|d| d.starts_with("nextval("));
        let auto = serial || !identity.is_empty();
        let dflt = if serial { None } else { dflt };
        let mut col = column(
            b,
            name,
            &ty,
            !not_null,
            dflt.as_deref(),
            auto,
            &schema.enums,
            &mut types,
        );
        col.comment = comment.filter(|c| !c.is_empty());
        cols.push((attnum, col));
    }
    for (oid, mut cols) in columns {
        let Some(table) = table_of.get(&oid) else {
            continue;
        };
        cols.sort_by_key(|(attnum, _)| *attnum);
        let mut t = Table::new(table);
        t.columns = cols.into_iter().map(|(_, c)| c).collect();
        t.comment = comments.remove(&oid);
        schema.tables.insert(table.clone(), t);
    }
    // Primary keys, unique constraints and foreign keys.
    let mut constraints: BTreeMap<(String, String), (String, ForeignKey)> = BTreeMap::new();
    let mut rows_read = Vec::new();
    for r in rows(
        db,
        &format!(
        "SELECT con.conrelid::int8, con.conname::text, con.contype::text, con.conkey::text, \
                con.confrelid::int8, con.confkey::text, con.confdeltype::text, con.confupdtype::text \
         FROM pg_constraint con \
         JOIN pg_class cl ON cl.oid = con.conrelid \
         JOIN pg_namespace n ON n.oid = cl.relnamespace \
         WHERE n.nspname IN ({read}) AND con.contype IN ('p', 'u', 'f')"),
    )
    .await?
    {
        let rel: i64 = get(&r, 0)?;
        let name: String = get(&r, 1)?;
        let kind: String = get(&r, 2)?;
        let key: String = get(&r, 3)?;
        let ref_rel: i64 = get(&r, 4)?;
        let ref_key: Option<String> = get(&r, 5)?;
        let on_delete: String = get(&r, 6)?;
        let on_update: String = get(&r, 7)?;
        rows_read.push((rel, name, kind, key, ref_rel, ref_key, on_delete, on_update));
    }
    // Keys to tables of other schemas: their names, in one more query when there are any.
    let elsewhere: BTreeSet<i64> = rows_read
        .iter()
        .filter(|r| r.2 == "f" && !table_of.contains_key(&r.4))
        .map(|r| r.4)
        .collect();
    if !elsewhere.is_empty() {
        let oids: Vec<String> = elsewhere.iter().map(i64::to_string).collect();
        for r in rows(
            db,
            &format!(
                "SELECT c.oid::int8, {table_key}, a.attnum::int4, a.attname::text \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 \
                 WHERE c.oid IN ({})",
                oids.join(", ")
            ),
        )
        .await?
        {
            let oid: i64 = get(&r, 0)?;
            table_of.entry(oid).or_insert(get(&r, 1)?);
            column_of.insert((oid, get(&r, 2)?), get(&r, 3)?);
        }
    }
    let names = |rel: i64, attnums: &[i16]| -> Option<Vec<String>> {
        attnums
            .iter()
            .map(|n| column_of.get(&(rel, i32::from(*n))).cloned())
            .collect()
    };
    for (rel, name, kind, key, ref_rel, ref_key, on_delete, on_update) in rows_read {
        let (Some(table), Some(columns)) = (table_of.get(&rel), names(rel, &int_array(&key)))
        else {
            continue;
        };
        let ref_columns = ref_key
            .and_then(|k| names(ref_rel, &int_array(&k)))
            .unwrap_or_default();
        let fk = ForeignKey {
            name: Some(name.clone()),
            columns,
            ref_table: table_of.get(&ref_rel).cloned().unwrap_or_default(),
            ref_columns,
            on_delete: FkAction::parse(&on_delete),
            on_update: FkAction::parse(&on_update),
        };
        constraints.insert((table.clone(), name), (kind, fk));
    }
    for ((table, _), (kind, fk)) in constraints {
        let Some(t) = schema.tables.get_mut(&table) else {
            continue;
        };
        match kind.as_str() {
            "p" => {
                t.primary_key = fk.columns;
                t.primary_key_name = fk.name;
            }
            "u" => t.indexes.push(Index {
                name: fk.name,
                columns: fk.columns,
                unique: true,
                constraint: true,
            }),
            _ => t.foreign_keys.push(fk),
        }
    }

    // Indexes that back no constraint. Partial and expression indexes are not managed.
    let mut indexes: BTreeMap<(String, String), Index> = BTreeMap::new();
    for r in rows(
        db,
        &format!(
        "SELECT ix.indrelid::int8, {}, i.relname::text, ix.indisunique, \
                ix.indkey::text, (ix.indpred IS NOT NULL OR ix.indexprs IS NOT NULL) \
         FROM pg_index ix \
         JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname IN ({read}) AND NOT ix.indisprimary \
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
                           WHERE c.conindid = ix.indexrelid AND c.conrelid = t.oid AND c.contype IN ('p', 'u', 'x'))",
        pg_key("n.nspname", "t.relname")),
    )
    .await?
    {
        let rel: i64 = get(&r, 0)?;
        let table: String = get(&r, 1)?;
        let name: String = get(&r, 2)?;
        let unique: bool = get(&r, 3)?;
        let key = int_array(&get::<String>(&r, 4)?);
        let unmanaged: bool = get(&r, 5)?;
        if unmanaged || key.contains(&0) {
            notes.push(format!(
                "{table}: index {name} (partial or on an expression)"
            ));
            continue;
        }
        if let Some(columns) = names(rel, &key) {
            let index = Index {
                name: Some(name.clone()),
                columns,
                unique,
                constraint: false,
            };
            indexes.insert((table, name), index);
        }
    }
    for ((table, _), index) in indexes {
        if let Some(t) = schema.tables.get_mut(&table) {
            t.indexes.push(index);
        }
    }
    // Every enum type of the schema: the comparison leaves alone those the entities never
    // declared (`snapshot::leave_undeclared_enums_alone`).
    // Check constraints, views and triggers: not managed.
    let on_table = pg_key("n.nspname", "cl.relname");
    for r in rows(
        db,
        &format!(
            "SELECT {on_table}, con.conname::text, 'check constraint' FROM pg_constraint con \
         JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_namespace n ON n.oid = cl.relnamespace \
         WHERE n.nspname IN ({read}) AND con.contype IN ('c', 'x') \
         UNION ALL \
         SELECT '', {table_key}, CASE c.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname IN ({read}) AND c.relkind IN ('v', 'm') \
         UNION ALL \
         SELECT {on_table}, t.tgname::text, 'trigger' FROM pg_trigger t \
         JOIN pg_class cl ON cl.oid = t.tgrelid JOIN pg_namespace n ON n.oid = cl.relnamespace \
         WHERE n.nspname IN ({read}) AND NOT t.tgisinternal \
         ORDER BY 1, 3, 2"
        ),
    )
    .await?
    {
        let (table, name, kind): (String, String, String) = (get(&r, 0)?, get(&r, 1)?, get(&r, 2)?);
        notes.push(if table.is_empty() {
            format!("{kind} {name}")
        } else {
            format!("{table}: {kind} {name}")
        });
    }
    Ok(schema)
}

// ---------------------------------------------------------------------------------------------
// MySQL / MariaDB: information_schema, the current database only.

async fn mysql(db: &DatabaseConnection, notes: &mut Vec<String>) -> anyhow::Result<Schema> {
    let b = Backend::MySql;
    let mut schema = Schema::new(b);
    let no_enums = BTreeMap::new();
    let mut types = Types::new();
    // information_schema's views are each cheap to read alone but slow to join (MariaDB
    // evaluates a join row by row: seconds for 1,000 tables), so each is read on its own and
    // they are joined here. MariaDB reads each view table by table (at 10,000 tables, a few
    // hundred milliseconds per query), so the queries run at once, on the pool's connections.
    const TABLES: &str = "\
        SELECT CAST(TABLE_NAME AS CHAR), CAST(VERSION() AS CHAR), CAST(TABLE_COMMENT AS CHAR) \
        FROM information_schema.TABLES \
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'";
    const COLUMNS: &str = "\
        SELECT CAST(TABLE_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR), CAST(COLUMN_TYPE AS CHAR), \
        CAST(IS_NULLABLE AS CHAR), CAST(COLUMN_DEFAULT AS CHAR), CAST(EXTRA AS CHAR), \
        CAST(COLUMN_COMMENT AS CHAR), CAST(ORDINAL_POSITION AS SIGNED) \
        FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()";
    const KEY_COLUMNS: &str = "\
        SELECT CAST(TABLE_NAME AS CHAR), CAST(CONSTRAINT_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR), \
        CAST(REFERENCED_TABLE_NAME AS CHAR), CAST(REFERENCED_COLUMN_NAME AS CHAR) \
        FROM information_schema.KEY_COLUMN_USAGE \
        WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL \
        ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION";
    const KEY_ACTIONS: &str = "\
        SELECT CAST(TABLE_NAME AS CHAR), CAST(CONSTRAINT_NAME AS CHAR), \
        CAST(DELETE_RULE AS CHAR), CAST(UPDATE_RULE AS CHAR) \
        FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()";
    const INDEXES: &str = "\
        SELECT CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), CAST(NON_UNIQUE AS SIGNED), \
        CAST(COLUMN_NAME AS CHAR), SUB_PART IS NOT NULL \
        FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
        ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";
    const OTHERS: &str = "\
        SELECT CAST(TABLE_NAME AS CHAR), CAST(CONSTRAINT_NAME AS CHAR), 'check constraint', \
        CAST(CHECK_CLAUSE AS CHAR) \
        FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() \
        UNION ALL \
        SELECT '', CAST(TABLE_NAME AS CHAR), 'view', '' FROM information_schema.VIEWS \
        WHERE TABLE_SCHEMA = DATABASE() \
        UNION ALL \
        SELECT CAST(EVENT_OBJECT_TABLE AS CHAR), CAST(TRIGGER_NAME AS CHAR), 'trigger', '' \
        FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() \
        ORDER BY 1, 3, 2";
    let (tables, column_rows, key_rows, action_rows, index_rows, other_rows) = tokio::try_join!(
        rows(db, TABLES),
        rows(db, COLUMNS),
        rows(db, KEY_COLUMNS),
        rows(db, KEY_ACTIONS),
        rows(db, INDEXES),
        rows(db, OTHERS),
    )?;
    let mut mariadb = false;
    let mut base_tables: BTreeMap<String, Option<String>> = BTreeMap::new();
    for r in tables {
        let version: String = get(&r, 1)?;
        mariadb = version.to_ascii_lowercase().contains("mariadb");
        let comment: Option<String> = get(&r, 2)?;
        base_tables.insert(get(&r, 0)?, comment.filter(|c| !c.is_empty()));
    }

    let mut columns: BTreeMap<String, Vec<(i64, Column)>> = BTreeMap::new();
    for r in column_rows {
        let table: String = get(&r, 0)?;
        if !base_tables.contains_key(&table) {
            continue; // a view's
        }
        let name: String = get(&r, 1)?;
        let ty: String = get(&r, 2)?;
        let nullable: String = get(&r, 3)?;
        let mut dflt: Option<String> = get(&r, 4)?;
        let extra: String = get(&r, 5)?;
        let extra = extra.to_ascii_lowercase();
        // MySQL (not MariaDB) reports literal defaults without quotes.
        if !mariadb
            && !extra.contains("default_generated")
            && let Some(d) = &dflt
            && d.parse::<f64>().is_err()
        {
            dflt = Some(format!("'{}'", d.replace('\'', "''")));
        }
        let comment: Option<String> = get(&r, 6)?;
        let position: i64 = get(&r, 7)?;
        let mut col = column(
            b,
            name,
            &ty,
            nullable == "YES",
            dflt.as_deref(),
            extra.contains("auto_increment"),
            &no_enums,
            &mut types,
        );
        col.comment = comment.filter(|c| !c.is_empty());
        columns.entry(table).or_default().push((position, col));
    }
    for (table, mut cols) in columns {
        cols.sort_by_key(|(position, _)| *position);
        let mut t = Table::new(&table);
        t.columns = cols.into_iter().map(|(_, c)| c).collect();
        t.comment = base_tables.get(&table).cloned().flatten();
        schema.tables.insert(table, t);
    }

    // Foreign keys: their columns, then their actions.
    let mut fks: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    for r in key_rows {
        let table: String = get(&r, 0)?;
        let name: String = get(&r, 1)?;
        let col: String = get(&r, 2)?;
        let ref_table: String = get(&r, 3)?;
        let ref_col: String = get(&r, 4)?;
        let fk = fks
            .entry((table, name.clone()))
            .or_insert_with(|| ForeignKey {
                name: Some(name),
                columns: Vec::new(),
                ref_table,
                ref_columns: Vec::new(),
                on_delete: FkAction::NoAction,
                on_update: FkAction::NoAction,
            });
        fk.columns.push(col);
        fk.ref_columns.push(ref_col);
    }
    let mut actions: BTreeMap<(String, String), (FkAction, FkAction)> = BTreeMap::new();
    for r in action_rows {
        let (table, name): (String, String) = (get(&r, 0)?, get(&r, 1)?);
        let (on_delete, on_update): (String, String) = (get(&r, 2)?, get(&r, 3)?);
        actions.insert(
            (table, name),
            (
                dialect::canonical_fk_action(b, FkAction::parse(&on_delete)),
                dialect::canonical_fk_action(b, FkAction::parse(&on_update)),
            ),
        );
    }
    for (key, mut fk) in fks {
        let Some(&(on_delete, on_update)) = actions.get(&key) else {
            continue;
        };
        fk.on_delete = on_delete;
        fk.on_update = on_update;
        if let Some(t) = schema.tables.get_mut(&key.0) {
            t.foreign_keys.push(fk);
        }
    }

    let mut indexes: BTreeMap<(String, String), (Index, bool)> = BTreeMap::new();
    for r in index_rows {
        let table: String = get(&r, 0)?;
        let name: String = get(&r, 1)?;
        let non_unique: i64 = get(&r, 2)?;
        let col: Option<String> = get(&r, 3)?;
        let prefix: bool = get::<i64>(&r, 4)
            .map(|v| v != 0)
            .or_else(|_| get::<bool>(&r, 4))?;
        let entry = indexes.entry((table, name.clone())).or_insert_with(|| {
            (
                Index {
                    name: Some(name),
                    columns: Vec::new(),
                    unique: non_unique == 0,
                    constraint: false,
                },
                false,
            )
        });
        match col {
            Some(c) if !prefix => entry.0.columns.push(c),
            _ => entry.1 = true, // expression or prefix index: not managed
        }
    }
    for ((table, name), (index, unmanaged)) in indexes {
        let Some(t) = schema.tables.get_mut(&table) else {
            continue;
        };
        if name == "PRIMARY" {
            t.primary_key = index.columns;
            continue;
        }
        // InnoDB creates an index for a foreign key that has none; it carries the key's name.
        let fk_index = t
            .foreign_keys
            .iter()
            .any(|fk| fk.name.as_deref() == Some(name.as_str()) && fk.columns == index.columns);
        if unmanaged {
            notes.push(format!(
                "{table}: index {name} (prefix or on an expression)"
            ));
        } else if !fk_index || index.unique {
            t.indexes.push(index);
        }
    }
    // Check constraints (but the json_valid ones MariaDB adds for JSON columns), views and
    // triggers: not managed.
    for r in other_rows {
        let (table, name, kind, clause): (String, String, String, String) =
            (get(&r, 0)?, get(&r, 1)?, get(&r, 2)?, get(&r, 3)?);
        if kind == "check constraint"
            && clause
                .trim()
                .to_ascii_lowercase()
                .starts_with("json_valid(")
        {
            continue;
        }
        notes.push(if table.is_empty() {
            format!("{kind} {name}")
        } else {
            format!("{table}: {kind} {name}")
        });
    }
    Ok(schema)
}

#[cfg(test)]
mod tests {
    #[test]
    fn mysql_defaults_are_read_from_show_create_table() {
        let create = "CREATE TEMPORARY TABLE `automigrate_defaults` (\n  \
                      `c0` text DEFAULT lcase('ABC'),\n  \
                      `c1` double DEFAULT (rand() * 10),\n  \
                      `c2` enum('a DEFAULT b','c') DEFAULT concat('a',' DEFAULT ')\n\
                      ) ENGINE=InnoDB";
        assert_eq!(
            super::mysql_create_table_defaults(create),
            [
                ("c0".to_string(), "lcase('ABC')".to_string()),
                ("c1".to_string(), "(rand() * 10)".to_string()),
                ("c2".to_string(), "concat('a',' DEFAULT ')".to_string()),
            ]
        );
    }
}
