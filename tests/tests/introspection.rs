//! Bulk introspection reports what per-table discovery reports.
//!
//! `introspect` reads every table of a schema in a handful of catalog queries. The reference it
//! is checked against is sea-schema's discovery, which queries table by table (several queries
//! each) through code that is not ours: written independently, against other catalog views
//! (`information_schema` on PostgreSQL, per-table pragmas on SQLite). Both are compared on what
//! both report: tables, columns and their nullability, primary keys, auto-increment (PostgreSQL,
//! MySQL), indexes and unique constraints with their names and columns, foreign keys with their
//! columns, targets and actions, and the enum types of PostgreSQL columns. Column types and
//! defaults are left out: sea-schema parses them lossily (see
//! `../shared/reference/sea-libraries.md`); the round-trip tests cover them.
//!
//! sea-schema does not see PostgreSQL's plain (non-unique) indexes, so there the indexes are also
//! checked table by table against the `pg_indexes` view.
//!
//! The schema has the shapes that grouping rows by table in bulk could get wrong: composite keys
//! whose order is not the column order, a composite foreign key to them, several keys from one
//! table to another, self-references, a table without a primary key, a quoted mixed-case name,
//! partial, prefix and expression indexes (which introspection leaves out), a generated column,
//! a key to a table of another PostgreSQL schema, the migration history table (left out),
//! InnoDB's implicit foreign key indexes, and a chain of tables with the same column and index
//! names. (Their foreign keys have names of their own on PostgreSQL: sea-schema joins
//! `information_schema` by constraint name alone, and with one name on every table it reports
//! each key as pointing at the first table.)
//!
//! sea-schema comes through sea-orm-migration (feature `schema-sync`) and is already built for
//! the workspace, so depending on it here costs no build.
use std::collections::{BTreeMap, BTreeSet};

use automigrate::commands::HISTORY_TABLE;
use automigrate_core::dialect::canonical_fk_action;
use automigrate_core::{Backend, FkAction, Schema};
use automigrate_e2e::TestDb;
use sea_orm::{ConnectionTrait, Database, Statement};

/// What both sides report about a table.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    /// Name and nullability. In ordinal order, except on PostgreSQL where sea-schema does not
    /// order them (sorted by name there, on both sides).
    columns: Vec<(String, bool)>,
    /// In key order, except on SQLite where sea-schema reports only membership (sorted there).
    primary_key: Vec<String>,
    /// Auto-incrementing columns (not compared on SQLite, where ours follows the rowid rule).
    auto_increment: BTreeSet<String>,
    /// (name, columns, unique).
    indexes: BTreeSet<(Option<String>, Vec<String>, bool)>,
    foreign_keys: BTreeSet<SeenKey>,
    /// PostgreSQL: column → (enum type, values).
    enums: BTreeMap<String, (String, Vec<String>)>,
}

/// A foreign key: (name, columns, referenced table, referenced columns, on delete, on update).
type SeenKey = (
    Option<String>,
    Vec<String>,
    String,
    Vec<String>,
    FkAction,
    FkAction,
);

type Report = BTreeMap<String, Seen>;

/// What bulk introspection reports.
fn ours(backend: Backend, schema: &Schema) -> Report {
    schema
        .tables
        .values()
        .map(|t| {
            let mut columns: Vec<(String, bool)> = t
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.nullable))
                .collect();
            let mut primary_key = t.primary_key.clone();
            match backend {
                Backend::Postgres => columns.sort(),
                Backend::Sqlite => primary_key.sort(),
                Backend::MySql => {}
            }
            let auto_increment = if backend == Backend::Sqlite {
                BTreeSet::new()
            } else {
                t.columns
                    .iter()
                    .filter(|c| c.auto_increment)
                    .map(|c| c.name.clone())
                    .collect()
            };
            let seen = Seen {
                columns,
                primary_key,
                auto_increment,
                indexes: t
                    .indexes
                    .iter()
                    .map(|i| (i.name.clone(), i.columns.clone(), i.unique))
                    .collect(),
                foreign_keys: t
                    .foreign_keys
                    .iter()
                    .map(|f| {
                        (
                            f.name.clone(),
                            f.columns.clone(),
                            // sea-schema names the referenced table without its schema; ours
                            // says `elsewhere.hidden` for a table outside the default one
                            // (checked on its own below).
                            automigrate_core::model::split_qualified(backend, &f.ref_table)
                                .1
                                .to_string(),
                            f.ref_columns.clone(),
                            f.on_delete,
                            f.on_update,
                        )
                    })
                    .collect(),
                enums: t
                    .columns
                    .iter()
                    .filter_map(|c| {
                        let e = schema.enums.get(&c.sql_type)?;
                        Some((c.name.clone(), (e.name.clone(), e.values.clone())))
                    })
                    .collect(),
            };
            (t.name.clone(), seen)
        })
        .collect()
}

async fn bulk(db: &TestDb) -> anyhow::Result<(Report, usize)> {
    let mut conn = Database::connect(&db.url).await?;
    let queries = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = queries.clone();
    conn.set_metric_callback(move |_| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    let live = automigrate::introspect::introspect(&conn, HISTORY_TABLE).await?;
    conn.close().await?;
    Ok((
        ours(db.backend, &live.schema),
        queries.load(std::sync::atomic::Ordering::SeqCst),
    ))
}

/// A sea-schema foreign key action, by its variant name (`SetNull`).
fn action_name(variant: &str) -> FkAction {
    match variant {
        "Cascade" => FkAction::Cascade,
        "SetNull" => FkAction::SetNull,
        "SetDefault" => FkAction::SetDefault,
        "Restrict" => FkAction::Restrict,
        "NoAction" => FkAction::NoAction,
        other => panic!("unknown foreign key action {other}"),
    }
}

/// What sea-schema's per-table discovery reports (and, for PostgreSQL indexes, `pg_indexes`).
async fn per_table(db: &TestDb) -> anyhow::Result<Report> {
    let conn = Database::connect(&db.url).await?;
    let b = db.backend;
    let mut report = Report::new();
    match b {
        Backend::Postgres => {
            use sea_schema::postgres::def::{ColumnDefault, Type};
            let pool = conn.get_postgres_connection_pool().clone();
            let schema = sea_schema::postgres::discovery::SchemaDiscovery::new(pool, "public")
                .discover()
                .await?;
            for t in schema.tables {
                let name = t.info.name.clone();
                let mut columns: Vec<(String, bool)> = t
                    .columns
                    .iter()
                    .map(|c| (c.name.clone(), c.not_null.is_none()))
                    .collect();
                columns.sort();
                let pk = t.primary_key_constraints.first();
                let auto_increment = t
                    .columns
                    .iter()
                    .filter(|c| {
                        c.is_identity || matches!(c.default, Some(ColumnDefault::AutoIncrement(_)))
                    })
                    .map(|c| c.name.clone())
                    .collect();
                let enums = t
                    .columns
                    .iter()
                    .filter_map(|c| match &c.col_type {
                        Type::Enum(e) => {
                            Some((c.name.clone(), (e.typename.clone(), e.values.clone())))
                        }
                        _ => None,
                    })
                    .collect();
                let foreign_keys = t
                    .reference_constraints
                    .iter()
                    .map(|r| {
                        let action = |a: &Option<sea_schema::postgres::def::ForeignKeyAction>| {
                            a.as_ref()
                                .map_or(FkAction::NoAction, |a| action_name(&format!("{a:?}")))
                        };
                        (
                            Some(r.name.clone()),
                            r.columns.clone(),
                            r.table.clone(),
                            r.foreign_columns.clone(),
                            action(&r.on_delete),
                            action(&r.on_update),
                        )
                    })
                    .collect();
                // Unique indexes as sea-schema sees them (partial ones are not managed).
                let unique_seen: BTreeSet<(Option<String>, Vec<String>, bool)> = t
                    .unique_constraints
                    .iter()
                    .filter(|u| !u.is_partial)
                    .map(|u| (Some(u.name.clone()), u.columns.clone(), true))
                    .collect();
                // All indexes, from pg_indexes, one query per table.
                let rows = conn
                    .query_all_raw(Statement::from_sql_and_values(
                        conn.get_database_backend(),
                        "SELECT indexname::text, indexdef FROM pg_indexes \
                         WHERE schemaname = 'public' AND tablename = $1 ORDER BY indexname",
                        [name.clone().into()],
                    ))
                    .await?;
                let mut indexes = BTreeSet::new();
                for r in rows {
                    let index: String = r.try_get_by_index(0)?;
                    let def: String = r.try_get_by_index(1)?;
                    if pk.is_some_and(|pk| pk.name == index) {
                        continue;
                    }
                    if let Some(columns) = pg_index_columns(&def) {
                        indexes.insert((Some(index), columns, def.starts_with("CREATE UNIQUE")));
                    }
                }
                let unique_listed: BTreeSet<_> = indexes.iter().filter(|i| i.2).cloned().collect();
                assert_eq!(
                    unique_seen, unique_listed,
                    "sea-schema and pg_indexes disagree on the unique indexes of {name}"
                );
                report.insert(
                    name,
                    Seen {
                        columns,
                        primary_key: pk.map(|p| p.columns.clone()).unwrap_or_default(),
                        auto_increment,
                        indexes,
                        foreign_keys,
                        enums,
                    },
                );
            }
        }
        Backend::MySql => {
            let pool = conn.get_mysql_connection_pool().clone();
            let database = db.url.rsplit('/').next().unwrap_or_default();
            let schema = sea_schema::mysql::discovery::SchemaDiscovery::new(pool, database)
                .discover()
                .await?;
            for t in schema.tables {
                let action = |a: &sea_schema::mysql::def::ForeignKeyAction| {
                    canonical_fk_action(b, action_name(&format!("{a:?}")))
                };
                let foreign_keys: BTreeSet<_> = t
                    .foreign_keys
                    .iter()
                    .map(|f| {
                        (
                            Some(f.name.clone()),
                            f.columns.clone(),
                            f.referenced_table.clone(),
                            f.referenced_columns.clone(),
                            action(&f.on_delete),
                            action(&f.on_update),
                        )
                    })
                    .collect();
                let mut primary_key = Vec::new();
                let mut indexes = BTreeSet::new();
                for i in &t.indexes {
                    let columns: Vec<String> = i.parts.iter().map(|p| p.column.clone()).collect();
                    if i.name == "PRIMARY" {
                        primary_key = columns;
                        continue;
                    }
                    // Prefix and functional indexes are not managed.
                    if i.functional || i.parts.iter().any(|p| p.sub_part.is_some()) {
                        continue;
                    }
                    // InnoDB's own index for a foreign key carries the key's name: left out.
                    let implicit = !i.unique
                        && t.foreign_keys
                            .iter()
                            .any(|f| f.name == i.name && f.columns == columns);
                    if !implicit {
                        indexes.insert((Some(i.name.clone()), columns, i.unique));
                    }
                }
                report.insert(
                    t.info.name.clone(),
                    Seen {
                        columns: t.columns.iter().map(|c| (c.name.clone(), c.null)).collect(),
                        primary_key,
                        auto_increment: t
                            .columns
                            .iter()
                            .filter(|c| c.extra.auto_increment)
                            .map(|c| c.name.clone())
                            .collect(),
                        indexes,
                        foreign_keys,
                        enums: BTreeMap::new(),
                    },
                );
            }
        }
        Backend::Sqlite => {
            let pool = conn.get_sqlite_connection_pool().clone();
            let schema = sea_schema::sqlite::discovery::SchemaDiscovery::new(pool)
                .discover()
                .await
                .map_err(|e| anyhow::anyhow!("sea-schema: {e:?}"))?
                .merge_indexes_into_table();
            for t in schema.tables {
                let action =
                    |a: &sea_schema::sqlite::def::ForeignKeyAction| action_name(&format!("{a:?}"));
                let mut primary_key: Vec<String> = t
                    .columns
                    .iter()
                    .filter(|c| c.primary_key)
                    .map(|c| c.name.clone())
                    .collect();
                primary_key.sort();
                report.insert(
                    t.name.clone(),
                    Seen {
                        columns: t
                            .columns
                            .iter()
                            .map(|c| (c.name.clone(), !c.not_null))
                            .collect(),
                        primary_key,
                        auto_increment: BTreeSet::new(),
                        // Partial indexes are not managed.
                        indexes: t
                            .constraints
                            .iter()
                            .filter(|i| i.partial == 0)
                            .map(|i| (Some(i.index_name.clone()), i.columns.clone(), i.unique))
                            .collect(),
                        foreign_keys: t
                            .foreign_keys
                            .iter()
                            .map(|f| {
                                (
                                    None,
                                    f.from.clone(),
                                    f.table.clone(),
                                    f.to.clone(),
                                    action(&f.on_delete),
                                    action(&f.on_update),
                                )
                            })
                            .collect(),
                        enums: BTreeMap::new(),
                    },
                );
            }
        }
    }
    conn.close().await?;
    // The history table is not part of the schema.
    report.remove(HISTORY_TABLE);
    Ok(report)
}

/// The columns of a plain `CREATE [UNIQUE] INDEX … USING btree (a, b)` from `pg_indexes`;
/// `None` for partial and expression indexes, which are not managed.
fn pg_index_columns(def: &str) -> Option<Vec<String>> {
    if def.contains(" WHERE ") {
        return None;
    }
    let open = def.find(" USING ")? + def[def.find(" USING ")?..].find('(')?;
    let inner = def[open + 1..].strip_suffix(')')?;
    if inner.contains('(') {
        return None;
    }
    Some(
        inner
            .split(", ")
            .map(|c| c.trim_matches('"').replace("\"\"", "\""))
            .collect(),
    )
}

/// Tables in the chain: each with the same column, index (MySQL) and key names.
const CHAIN: usize = 12;

/// The DDL: the same shapes on each backend, spelled for it.
fn ddl(backend: Backend) -> String {
    let mut sql = String::new();
    match backend {
        Backend::Postgres => {
            sql.push_str(
                r#"
CREATE TYPE mood AS ENUM ('happy', 'sad', 'it''s');
CREATE TYPE unused AS ENUM ('x');
CREATE SCHEMA elsewhere;
CREATE TABLE elsewhere.hidden (id integer PRIMARY KEY);
CREATE TABLE users (
    id serial PRIMARY KEY,
    email varchar(255) NOT NULL UNIQUE,
    name text,
    mood mood NOT NULL DEFAULT 'happy',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE "Mixed Case" ("Id" integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "Value" text);
CREATE INDEX "Mixed Case value" ON "Mixed Case" ("Value", "Id");
CREATE TABLE posts (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    editor_id integer CONSTRAINT posts_editor REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    parent_id bigint REFERENCES posts (id),
    title varchar(200) NOT NULL,
    slug text NOT NULL,
    body text,
    CONSTRAINT posts_slug_title_key UNIQUE (slug, title)
);
CREATE INDEX posts_user_title ON posts (user_id, title);
CREATE INDEX posts_title ON posts (title);
CREATE UNIQUE INDEX posts_title_body ON posts (title, body);
CREATE UNIQUE INDEX posts_lower_slug ON posts (lower(slug));
CREATE UNIQUE INDEX posts_partial ON posts (title) WHERE body IS NOT NULL;
CREATE TABLE tags (a integer NOT NULL, b integer NOT NULL, label text, PRIMARY KEY (b, a));
CREATE TABLE post_tags (
    post_id bigint NOT NULL REFERENCES posts (id),
    tag_b integer NOT NULL,
    tag_a integer NOT NULL,
    CONSTRAINT post_tags_tag FOREIGN KEY (tag_b, tag_a) REFERENCES tags (b, a) ON DELETE RESTRICT,
    PRIMARY KEY (post_id, tag_b, tag_a)
);
CREATE TABLE log (
    at timestamp,
    message text DEFAULT lower('X'),
    length integer GENERATED ALWAYS AS (length(message)) STORED,
    hidden_id integer REFERENCES elsewhere.hidden (id)
);
CREATE TABLE seaql_migrations (version varchar NOT NULL PRIMARY KEY, applied_at bigint NOT NULL);
"#,
            );
            for i in 0..CHAIN {
                let prev = if i == 0 { 0 } else { i - 1 };
                sql.push_str(&format!(
                    "CREATE TABLE chain_{i:02} (id integer PRIMARY KEY, prev_id integer \
                     CONSTRAINT chain_{i:02}_prev_fk REFERENCES chain_{prev:02} (id), code varchar(20) NOT NULL, \
                     CONSTRAINT chain_{i:02}_code UNIQUE (code));\n\
                     CREATE INDEX chain_{i:02}_prev ON chain_{i:02} (prev_id, code);\n"
                ));
            }
        }
        Backend::MySql => {
            sql.push_str(
                r#"
CREATE TABLE users (
    id int AUTO_INCREMENT PRIMARY KEY,
    email varchar(255) NOT NULL UNIQUE,
    name text,
    mood enum('happy', 'sad') NOT NULL DEFAULT 'happy',
    created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE posts (
    id bigint AUTO_INCREMENT PRIMARY KEY,
    user_id int NOT NULL,
    editor_id int NULL,
    parent_id bigint NULL,
    title varchar(200) NOT NULL,
    slug varchar(100) NOT NULL,
    body text,
    UNIQUE KEY posts_slug_title_key (slug, title),
    KEY posts_user_title (user_id, title),
    KEY posts_title (title),
    KEY posts_body_prefix (body(10)),
    CONSTRAINT posts_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT posts_editor FOREIGN KEY (editor_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT posts_parent FOREIGN KEY (parent_id) REFERENCES posts (id)
);
CREATE TABLE tags (a int NOT NULL, b int NOT NULL, label text, PRIMARY KEY (b, a));
CREATE TABLE post_tags (
    post_id bigint NOT NULL,
    tag_b int NOT NULL,
    tag_a int NOT NULL,
    PRIMARY KEY (post_id, tag_b, tag_a),
    CONSTRAINT post_tags_post FOREIGN KEY (post_id) REFERENCES posts (id),
    CONSTRAINT post_tags_tag FOREIGN KEY (tag_b, tag_a) REFERENCES tags (b, a) ON DELETE RESTRICT
);
CREATE TABLE log (at datetime, message text);
CREATE TABLE seaql_migrations (version varchar(255) NOT NULL PRIMARY KEY, applied_at bigint NOT NULL);
"#,
            );
            for i in 0..CHAIN {
                let prev = if i == 0 { 0 } else { i - 1 };
                sql.push_str(&format!(
                    "CREATE TABLE chain_{i:02} (id int PRIMARY KEY, prev_id int, \
                     code varchar(20) NOT NULL, UNIQUE KEY code (code), \
                     KEY prev (prev_id, code), CONSTRAINT chain_{i:02}_prev FOREIGN KEY (prev_id) \
                     REFERENCES chain_{prev:02} (id));\n"
                ));
            }
        }
        Backend::Sqlite => {
            sql.push_str(
                r#"
CREATE TABLE users (
    id integer PRIMARY KEY AUTOINCREMENT,
    email varchar(255) NOT NULL UNIQUE,
    name text,
    created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE "Mixed Case" ("Id" integer PRIMARY KEY, "Value" text);
CREATE INDEX "Mixed Case value" ON "Mixed Case" ("Value", "Id");
CREATE TABLE posts (
    id integer PRIMARY KEY,
    user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    editor_id integer REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE,
    parent_id integer REFERENCES posts (id),
    title varchar(200) NOT NULL,
    slug text NOT NULL,
    body text,
    UNIQUE (slug, title)
);
CREATE INDEX posts_user_title ON posts (user_id, title);
CREATE UNIQUE INDEX posts_title_body ON posts (title, body);
CREATE INDEX posts_partial ON posts (title) WHERE body IS NOT NULL;
CREATE TABLE tags (a integer NOT NULL, b integer NOT NULL, label text, PRIMARY KEY (b, a));
CREATE TABLE post_tags (
    post_id integer NOT NULL REFERENCES posts (id),
    tag_b integer NOT NULL,
    tag_a integer NOT NULL,
    FOREIGN KEY (tag_b, tag_a) REFERENCES tags (b, a) ON DELETE RESTRICT,
    PRIMARY KEY (post_id, tag_b, tag_a)
);
CREATE TABLE log (at datetime, message text);
CREATE TABLE seaql_migrations (version varchar NOT NULL PRIMARY KEY, applied_at bigint NOT NULL);
"#,
            );
            for i in 0..CHAIN {
                let prev = if i == 0 { 0 } else { i - 1 };
                sql.push_str(&format!(
                    "CREATE TABLE chain_{i:02} (id integer PRIMARY KEY, prev_id integer \
                     REFERENCES chain_{prev:02} (id), code varchar(20) NOT NULL UNIQUE);\n\
                     CREATE INDEX chain_{i:02}_prev ON chain_{i:02} (prev_id, code);\n"
                ));
            }
        }
    }
    sql
}

async fn bulk_equals_per_table(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    db.execute(&ddl(backend)).await?;
    let (bulk, queries) = bulk(&db).await?;
    let reference = per_table(&db).await?;
    if backend == Backend::Postgres {
        let conn = db.connect().await?;
        let live = automigrate::introspect::introspect(&conn, HISTORY_TABLE).await?;
        conn.close().await?;
        let targets: Vec<&str> = live.schema.tables["log"]
            .foreign_keys
            .iter()
            .map(|f| f.ref_table.as_str())
            .collect();
        assert_eq!(targets, ["elsewhere.hidden"]);
    }
    // Not vacuous: every table is there, with its keys.
    let tables = CHAIN + if backend == Backend::MySql { 5 } else { 6 };
    assert_eq!(bulk.len(), tables, "{:?}", bulk.keys().collect::<Vec<_>>());
    assert!(
        bulk["post_tags"].foreign_keys.len() == 2,
        "{:#?}",
        bulk["post_tags"]
    );
    for (table, seen) in &reference {
        assert_eq!(
            bulk.get(table),
            Some(seen),
            "{}: bulk introspection (left) and per-table discovery (right) differ on {table}",
            backend.name()
        );
    }
    assert_eq!(
        bulk.keys().collect::<Vec<_>>(),
        reference.keys().collect::<Vec<_>>(),
        "tables"
    );
    // A handful of queries for the whole schema, not a few per table.
    assert!(queries <= 6, "{queries} catalog queries");
    Ok(())
}

#[tokio::test]
async fn sqlite_bulk_introspection_equals_per_table_discovery() -> anyhow::Result<()> {
    bulk_equals_per_table(Backend::Sqlite, "introspection_sqlite").await
}

#[tokio::test]
async fn postgres_bulk_introspection_equals_per_table_discovery() -> anyhow::Result<()> {
    bulk_equals_per_table(Backend::Postgres, "introspection_postgres").await
}

#[tokio::test]
async fn mysql_bulk_introspection_equals_per_table_discovery() -> anyhow::Result<()> {
    bulk_equals_per_table(Backend::MySql, "introspection_mysql").await
}
