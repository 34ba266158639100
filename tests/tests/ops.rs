//! The runtime operations of `automigrate-ops`, run directly against real databases: each one
//! does the same thing on SQLite, PostgreSQL and MariaDB (checked by introspection), and a
//! SQLite table rebuild keeps what it does not touch (rows, CHECKs, collations, hand-made
//! indexes, triggers, the AUTOINCREMENT counter) and leaves the table as it was when it fails.
use automigrate_core::{Backend, Schema};
use automigrate_e2e::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

const BACKENDS: [Backend; 3] = [Backend::Sqlite, Backend::Postgres, Backend::MySql];

/// Reads on a connection of its own: PostgreSQL's cached plans of the test's connection would
/// not survive the changes of its tables.
async fn rows(db: &TestDb, sql: &str) -> Vec<Vec<Option<String>>> {
    let conn = db.connect().await.unwrap();
    let backend = conn.get_database_backend();
    let rows = conn
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.unwrap();
    rows.iter()
        .map(|r| {
            let n = r.column_names().len();
            (0..n)
                .map(|i| {
                    r.try_get_by_index::<Option<String>>(i)
                        .or_else(|_| {
                            r.try_get_by_index::<Option<i64>>(i)
                                .map(|v| v.map(|v| v.to_string()))
                        })
                        .or_else(|_| {
                            r.try_get_by_index::<Option<i32>>(i)
                                .map(|v| v.map(|v| v.to_string()))
                        })
                        .unwrap()
                })
                .collect()
        })
        .collect()
}

fn one(values: &[Vec<Option<String>>]) -> Vec<String> {
    values
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| v.clone().unwrap_or("NULL".into()))
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

async fn setup(db: &TestDb) -> DatabaseConnection {
    let conn = db.connect().await.unwrap();
    let manager = SchemaManager::new(&conn);
    manager
        .create_table(
            Table::create()
                .table("team")
                .col(pk_auto("id"))
                .col(string_len("code", 10).unique_key())
                .to_owned(),
        )
        .await
        .unwrap();
    manager
        .create_table(
            Table::create()
                .table("member")
                .col(pk_auto("id"))
                .col(string_len("name", 100))
                .col(integer_null("team_id"))
                .col(string_len_null("nick", 20))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk-member-team_id")
                        .from("member", "team_id")
                        .to("team", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await
        .unwrap();
    for sql in [
        "INSERT INTO team (code) VALUES ('red'), ('blue')",
        "INSERT INTO member (name, team_id, nick) VALUES ('ann', 1, 'a'), ('bob', 2, NULL), ('cy', NULL, 'c')",
    ] {
        conn.execute_unprepared(sql).await.unwrap();
    }
    conn
}

async fn schema(db: &TestDb) -> Schema {
    db.schema().await.unwrap()
}

/// Every operation, then its inverse, on each backend: the schema after each step is what the
/// step says, the rows are intact, and the inverse restores the schema exactly.
#[tokio::test]
async fn each_operation_does_the_same_on_every_backend() {
    for backend in BACKENDS {
        let db = TestDb::new(backend, "ops_each").await.unwrap();
        let conn = setup(&db).await;
        let manager = SchemaManager::new(&conn);
        let before = schema(&db).await;
        let data = "SELECT id, name, team_id, nick FROM member ORDER BY id";
        let rows_before = one(&rows(&db, data).await);

        // A column widened and made nullable, then back.
        automigrate_ops::alter_column(
            &manager,
            "member",
            string_len("name", 100),
            string_len_null("name", 200),
        )
        .await
        .unwrap();
        let s = schema(&db).await;
        let name = s.tables["member"].column("name").unwrap();
        assert!(name.nullable, "{backend:?}: {name:?}");
        assert!(name.sql_type.contains("200"), "{backend:?}: {name:?}");
        assert_eq!(one(&rows(&db, data).await), rows_before, "{backend:?}");
        automigrate_ops::alter_column(
            &manager,
            "member",
            string_len_null("name", 200),
            string_len("name", 100),
        )
        .await
        .unwrap();
        assert_eq!(
            schema(&db).await,
            before,
            "{backend:?}: alter_column undone"
        );

        // A foreign key dropped by its columns, and added again.
        automigrate_ops::drop_foreign_key(&manager, "member", ["team_id"])
            .await
            .unwrap();
        assert!(
            schema(&db).await.tables["member"].foreign_keys.is_empty(),
            "{backend:?}"
        );
        automigrate_ops::add_foreign_key(
            &manager,
            ForeignKey::create()
                .name("fk-member-team_id")
                .from("member", "team_id")
                .to("team", "id")
                .on_delete(ForeignKeyAction::SetNull)
                .to_owned(),
        )
        .await
        .unwrap();
        let mut after = schema(&db).await;
        // MySQL keeps the index it made for the key after the key goes; the rest is equal.
        if backend == Backend::MySql {
            for t in after.tables.values_mut() {
                t.indexes.retain(|i| i.columns != ["team_id"]);
            }
            let mut b = before.clone();
            for t in b.tables.values_mut() {
                t.indexes.retain(|i| i.columns != ["team_id"]);
            }
            assert_eq!(after, b, "{backend:?}: foreign key back");
        } else {
            assert_eq!(after, before, "{backend:?}: foreign key back");
        }

        // A unique constraint dropped by its columns, and added again.
        automigrate_ops::drop_unique(&manager, "team", ["code"])
            .await
            .unwrap();
        assert!(
            schema(&db).await.tables["team"].indexes.is_empty(),
            "{backend:?}"
        );
        automigrate_ops::add_unique(&manager, "team", "team_code_key", ["code"])
            .await
            .unwrap();
        assert!(
            schema(&db).await.tables["team"]
                .indexes
                .iter()
                .any(|i| i.unique && i.columns == ["code"])
        );

        // The primary key made composite, then single again.
        automigrate_ops::set_primary_key(&manager, "member", ["id", "name"])
            .await
            .unwrap();
        assert_eq!(
            schema(&db).await.tables["member"].primary_key,
            ["id", "name"],
            "{backend:?}"
        );
        automigrate_ops::set_primary_key(&manager, "member", ["id"])
            .await
            .unwrap();
        assert_eq!(
            schema(&db).await.tables["member"].primary_key,
            ["id"],
            "{backend:?}"
        );
        assert_eq!(
            schema(&db).await.tables["member"].foreign_keys.len(),
            1,
            "{backend:?}"
        );

        // A NOT NULL column with a default added to rows, and a column in a foreign key dropped.
        automigrate_ops::add_column(&manager, "member", integer("score").default(7).to_owned())
            .await
            .unwrap();
        let scores = one(&rows(&db, "SELECT score FROM member ORDER BY id").await);
        assert_eq!(scores, ["7", "7", "7"], "{backend:?}");
        automigrate_ops::drop_column(&manager, "member", "score")
            .await
            .unwrap();
        if backend != Backend::MySql {
            // (MySQL refuses to drop a column its foreign key uses; the plan drops the key first.)
            automigrate_ops::drop_column(&manager, "member", "team_id")
                .await
                .unwrap();
            assert!(
                schema(&db).await.tables["member"]
                    .column("team_id")
                    .is_none()
            );
        }
        assert_eq!(
            one(&rows(&db, "SELECT id, name, nick FROM member ORDER BY id").await),
            ["1|ann|a", "2|bob|NULL", "3|cy|c"],
            "{backend:?}"
        );
        conn.close().await.unwrap();
    }
}

/// A SQLite rebuild keeps what the edit does not touch.
#[tokio::test]
async fn sqlite_rebuild_keeps_what_it_does_not_touch() {
    let db = TestDb::new(Backend::Sqlite, "ops_keep").await.unwrap();
    let conn = db.connect().await.unwrap();
    for sql in [
        "CREATE TABLE item (id integer PRIMARY KEY AUTOINCREMENT, \
         name varchar(20) NOT NULL COLLATE NOCASE, qty integer NOT NULL DEFAULT 0, \
         CONSTRAINT qty_positive CHECK (qty >= 0))",
        "CREATE INDEX item_lower_name ON item (lower(name))",
        "CREATE INDEX item_big ON item (qty) WHERE qty > 100",
        "CREATE TABLE log (msg text)",
        "CREATE TRIGGER item_logged AFTER INSERT ON item BEGIN INSERT INTO log VALUES (NEW.name); END",
        "INSERT INTO item (name, qty) VALUES ('a', 1), ('b', 2), ('c', 3)",
        "DELETE FROM item WHERE id = 3",
    ] {
        conn.execute_unprepared(sql).await.unwrap();
    }
    let manager = SchemaManager::new(&conn);
    automigrate_ops::alter_column(
        &manager,
        "item",
        string_len("name", 20),
        string_len_null("name", 200),
    )
    .await
    .unwrap();

    let master = one(&rows(
        &db,
        "SELECT type, name FROM sqlite_master WHERE tbl_name = 'item' ORDER BY name",
    )
    .await);
    assert_eq!(
        master,
        [
            "table|item",
            "index|item_big",
            "trigger|item_logged",
            "index|item_lower_name"
        ],
    );
    let create = one(&rows(&db, "SELECT sql FROM sqlite_master WHERE name = 'item'").await);
    assert!(
        create[0].contains("varchar(200) NULL COLLATE NOCASE"),
        "{create:?}"
    );
    assert!(
        create[0].contains("CONSTRAINT qty_positive CHECK (qty >= 0)"),
        "{create:?}"
    );
    // The rows, and the counter: the deleted row's id is not given out again.
    conn.execute_unprepared("INSERT INTO item (name, qty) VALUES ('d', 4)")
        .await
        .unwrap();
    assert_eq!(
        one(&rows(&db, "SELECT id, name, qty FROM item ORDER BY id").await),
        ["1|a|1", "2|b|2", "4|d|4"]
    );
    // The CHECK is enforced, the trigger fires, the collation holds.
    assert!(
        conn.execute_unprepared("INSERT INTO item (name, qty) VALUES ('e', -1)")
            .await
            .is_err()
    );
    assert_eq!(
        one(&rows(&db, "SELECT msg FROM log").await),
        ["a", "b", "c", "d"]
    );
    assert_eq!(
        one(&rows(&db, "SELECT count(*) FROM item WHERE name = 'A'").await),
        ["1"]
    );
    // Foreign key enforcement is on again after the swap.
    assert_eq!(one(&rows(&db, "PRAGMA foreign_keys").await), ["1"]);
}

/// A rebuild that fails (a NULL copied into a column made NOT NULL) changes nothing.
#[tokio::test]
async fn sqlite_failed_rebuild_leaves_the_table_as_it_was() {
    let db = TestDb::new(Backend::Sqlite, "ops_fail").await.unwrap();
    let conn = setup(&db).await;
    let before = schema(&db).await;
    let manager = SchemaManager::new(&conn);
    let err = automigrate_ops::alter_column(
        &manager,
        "member",
        string_len_null("nick", 20),
        string_len("nick", 20),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("NOT NULL"), "{err}");
    assert_eq!(schema(&db).await, before);
    assert_eq!(one(&rows(&db, "SELECT count(*) FROM member").await), ["3"]);
    assert_eq!(one(&rows(&db, "PRAGMA foreign_keys").await), ["1"]);
}

/// A referenced key and its foreign key widened together, on each backend.
#[tokio::test]
async fn retyping_a_referenced_key_on_every_backend() {
    for backend in BACKENDS {
        let db = TestDb::new(backend, "ops_retype").await.unwrap();
        let conn = setup(&db).await;
        let manager = SchemaManager::new(&conn);
        // As a plan does it: the key dropped first, both ends changed, the key added again.
        automigrate_ops::drop_foreign_key(&manager, "member", ["team_id"])
            .await
            .unwrap();
        automigrate_ops::alter_column(
            &manager,
            "member",
            integer_null("team_id"),
            big_integer_null("team_id"),
        )
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        automigrate_ops::alter_column(
            &manager,
            "team",
            integer("id").auto_increment().to_owned(),
            big_integer("id").auto_increment().to_owned(),
        )
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        automigrate_ops::add_foreign_key(
            &manager,
            ForeignKey::create()
                .name("fk-member-team_id")
                .from("member", "team_id")
                .to("team", "id")
                .on_delete(ForeignKeyAction::SetNull)
                .to_owned(),
        )
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        let s = schema(&db).await;
        assert_eq!(s.tables["member"].foreign_keys.len(), 1, "{backend:?}");
        conn.execute_unprepared("INSERT INTO team (code) VALUES ('green')")
            .await
            .unwrap();
        assert_eq!(
            one(&rows(&db, "SELECT id FROM team ORDER BY id").await),
            ["1", "2", "3"],
            "{backend:?}"
        );
        conn.close().await.unwrap();
    }
}

/// A table written by hand, in every way SQLite allows: quoted names with quotes and spaces,
/// lower-case keywords, comments, a generated column, a named composite key, `WITHOUT ROWID`:
/// a rebuild changes what it is asked to and keeps the rest, rows included.
#[tokio::test]
async fn sqlite_rebuild_of_a_hand_written_table() {
    let db = TestDb::new(Backend::Sqlite, "ops_hand").await.unwrap();
    let conn = db.connect().await.unwrap();
    for sql in [
        "create table \"odd \"\"name\"\"\" ( -- the key, named\n\
         [a b] integer not null, `c,d` text collate nocase default 'x,y' /* a, comment */,\n\
         total integer generated always as ([a b] * 2) virtual,\n\
         note varchar(10) check (length(note) < 10),\n\
         constraint \"pk odd\" primary key ([a b], `c,d`)) without rowid",
        "insert into \"odd \"\"name\"\"\" ([a b], `c,d`, note) values (1, 'p', 'n1'), (2, 'q', null)",
    ] {
        conn.execute_unprepared(sql).await.unwrap();
    }
    let manager = SchemaManager::new(&conn);
    automigrate_ops::alter_column(
        &manager,
        "odd \"name\"",
        string_len_null("note", 10),
        string_len_null("note", 50),
    )
    .await
    .unwrap();
    automigrate_ops::add_column(
        &manager,
        "odd \"name\"",
        integer("extra").default(3).to_owned(),
    )
    .await
    .unwrap();
    let create = one(&rows(&db, "SELECT sql FROM sqlite_master WHERE type = 'table'").await);
    for kept in [
        "generated always as ([a b] * 2) virtual",
        "collate nocase default 'x,y'",
        "check (length(note) < 10)",
        "constraint \"pk odd\" primary key ([a b], `c,d`)",
        "without rowid",
        "\"note\" varchar(50) NULL",
    ] {
        assert!(
            create[0].contains(kept),
            "{kept} missing from {}",
            create[0]
        );
    }
    assert_eq!(
        one(&rows(
            &db,
            "SELECT [a b], `c,d`, total, note, extra FROM \"odd \"\"name\"\"\" ORDER BY 1"
        )
        .await),
        ["1|p|2|n1|3", "2|q|4|NULL|3"]
    );
}

/// PostgreSQL enum types: made once whatever made them first, an error when they exist with
/// other values; values added in place (again: nothing), removed by recreating the type with its
/// columns converted and their defaults kept. Nothing on the other backends.
#[tokio::test]
async fn enum_types_where_there_are_types() {
    for backend in BACKENDS {
        let db = TestDb::new(backend, "ops_enums").await.unwrap();
        let conn = db.connect().await.unwrap();
        let manager = SchemaManager::new(&conn);
        // (Names that need quoting, through `ops::enumeration`: tests/tests/enum_quoting.rs.)
        let name = "mood";
        automigrate_ops::create_enum(&manager, name, ["a", "it's"])
            .await
            .unwrap();
        automigrate_ops::create_enum(&manager, name, ["a", "it's"])
            .await
            .unwrap();
        let other = automigrate_ops::create_enum(&manager, name, ["a"]).await;
        if backend != Backend::Postgres {
            assert!(other.is_ok());
            continue;
        }
        let err = other.unwrap_err().to_string();
        assert!(err.contains("exists already with other values"), "{err}");
        manager
            .create_table(
                Table::create()
                    .table("t")
                    .col(pk_auto("id"))
                    .col(enumeration("m", name, ["a", "it's"]).default("it's"))
                    .to_owned(),
            )
            .await
            .unwrap();
        conn.execute_unprepared("INSERT INTO t DEFAULT VALUES")
            .await
            .unwrap();
        // An index on the column goes along (its relation is not a table to convert).
        conn.execute_unprepared("CREATE INDEX t_m ON t (m)")
            .await
            .unwrap();
        let values =
            || async { one(&rows(&db, "SELECT unnest(enum_range(NULL::mood))::text").await) };
        automigrate_ops::alter_enum(&manager, name, ["a", "it's"], ["z", "a", "it's"])
            .await
            .unwrap();
        automigrate_ops::alter_enum(&manager, name, ["a", "it's"], ["z", "a", "it's"])
            .await
            .unwrap();
        assert_eq!(values().await, ["z", "a", "it's"]);
        automigrate_ops::alter_enum(&manager, name, ["z", "a", "it's"], ["it's", "a"])
            .await
            .unwrap();
        assert_eq!(values().await, ["it's", "a"]);
        assert_eq!(one(&rows(&db, "SELECT m::text FROM t").await), ["it's"]);
        conn.execute_unprepared("INSERT INTO t DEFAULT VALUES")
            .await
            .unwrap();
        assert_eq!(
            one(&rows(&db, "SELECT count(*) FROM t WHERE m = 'it''s'").await),
            ["2"]
        );
        manager
            .drop_table(Table::drop().table("t").to_owned())
            .await
            .unwrap();
        automigrate_ops::drop_enum(&manager, name).await.unwrap();
        assert!(values_gone(&db).await);
    }
}

async fn values_gone(db: &TestDb) -> bool {
    one(&rows(db, "SELECT count(*) FROM pg_type WHERE typname = 'mood'").await) == ["0"]
}

/// A primary key moves while a foreign key the plan does not know of (one made by hand, left
/// alone) references the table: the operation carries it around the change where the backend
/// needs it (PostgreSQL and MySQL refuse to drop a key a foreign key stands on).
#[tokio::test]
async fn a_key_moves_under_a_foreign_key_it_was_not_told_of() {
    for backend in BACKENDS {
        let db = TestDb::new(backend, "ops_rekey").await.unwrap();
        let conn = setup(&db).await;
        // `team.id` stays unique without the key, so the foreign key still has a target.
        conn.execute_unprepared("CREATE UNIQUE INDEX team_id_unique ON team (id)")
            .await
            .unwrap();
        let manager = SchemaManager::new(&conn);
        automigrate_ops::set_primary_key(&manager, "team", ["code"])
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        let s = schema(&db).await;
        assert_eq!(s.tables["team"].primary_key, ["code"], "{backend:?}");
        assert_eq!(s.tables["member"].foreign_keys.len(), 1, "{backend:?}");
        assert_eq!(
            one(&rows(&db, "SELECT count(*) FROM member WHERE team_id IS NOT NULL").await),
            ["2"],
            "{backend:?}"
        );
        conn.close().await.unwrap();
    }
}
