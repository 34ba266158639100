use super::*;
use crate::dialect::canonical_type;
use crate::model::{Check, EnumType, FkAction, Schema};

fn col(backend: Backend, name: &str, kind: ColumnType, nullable: bool) -> Column {
    Column {
        name: name.into(),
        sql_type: canonical_type(
            backend,
            &crate::dialect::render_type(backend, &kind).unwrap(),
        ),
        kind,
        nullable,
        default: None,
        auto_increment: false,
        comment: None,
    }
}

/// users (id pk auto, email unique, name indexed, status default) and posts -> users.
fn blog(backend: Backend) -> Schema {
    let mut s = Schema::new(backend);
    let mut users = Table::new("users");
    let mut id = col(backend, "id", ColumnType::Integer, false);
    id.auto_increment = true;
    let mut status = col(
        backend,
        "status",
        ColumnType::String(StringLen::N(20)),
        false,
    );
    status.default = Some(DefaultValue::Str("active".into()));
    users.columns = vec![
        id,
        col(backend, "email", ColumnType::String(StringLen::None), false),
        col(
            backend,
            "name",
            ColumnType::String(StringLen::N(100)),
            false,
        ),
        status,
    ];
    users.primary_key = vec!["id".into()];
    users.indexes = vec![
        Index {
            name: None,
            columns: vec!["email".into()],
            unique: true,
            constraint: false,
        },
        Index {
            name: Some("idx-users-name".into()),
            columns: vec!["name".into()],
            unique: false,
            constraint: false,
        },
    ];
    let mut posts = Table::new("posts");
    let mut pid = col(backend, "id", ColumnType::Integer, false);
    pid.auto_increment = true;
    posts.columns = vec![
        pid,
        col(backend, "user_id", ColumnType::Integer, false),
        col(backend, "body", ColumnType::Text, true),
    ];
    posts.primary_key = vec!["id".into()];
    posts.foreign_keys = vec![ForeignKey {
        name: Some("fk-posts-user_id".into()),
        columns: vec!["user_id".into()],
        ref_table: "users".into(),
        ref_columns: vec!["id".into()],
        on_delete: FkAction::Cascade,
        on_update: FkAction::NoAction,
    }];
    if backend == Backend::Postgres {
        s.enums.insert(
            "mood".into(),
            EnumType {
                name: "mood".into(),
                values: vec!["happy".into(), "sad".into()],
            },
        );
        posts.columns.push(Column {
            name: "mood".into(),
            sql_type: "mood".into(),
            kind: ColumnType::Enum {
                name: "mood".to_string().into(),
                variants: vec!["happy".to_string().into(), "sad".to_string().into()],
            },
            nullable: true,
            default: None,
            auto_increment: false,
            comment: None,
        });
    }
    s.add_table(users);
    s.add_table(posts);
    s
}

fn render(backend: Backend, from: &Schema, to: &Schema, message: &str) -> String {
    let plan = crate::diff(from, to);
    render_file(&FileSpec {
        online: false,
        name: "m20261130_000000_test",
        follows: &[],
        message,
        backend,
        plan: &plan,
        rows: &BTreeMap::from([("users".to_string(), 3)]),
        declined: &[],
    })
    .unwrap()
}

fn create_schema(b: Backend) -> String {
    render(b, &Schema::new(b), &blog(b), "create blog")
}

#[test]
fn create_schema_postgres() {
    insta::assert_snapshot!(create_schema(Backend::Postgres));
}

#[test]
fn create_schema_sqlite() {
    insta::assert_snapshot!(create_schema(Backend::Sqlite));
}

fn add_and_drop_columns(b: Backend) -> String {
    let v1 = blog(b);
    let mut v2 = v1.clone();
    let users = v2.tables.get_mut("users").unwrap();
    users.columns.retain(|c| c.name != "status");
    users.columns.push(col(b, "bio", ColumnType::Text, true));
    render(b, &v1, &v2, "add bio, drop status")
}

#[test]
fn add_and_drop_columns_mysql() {
    insta::assert_snapshot!(add_and_drop_columns(Backend::MySql));
}

#[test]
fn a_tables_own_changes_are_one_batch() {
    let b = Backend::Sqlite;
    let v1 = blog(b);
    let mut v2 = v1.clone();
    let users = v2.tables.get_mut("users").unwrap();
    users.columns.retain(|c| c.name != "status");
    users.columns.push(col(b, "bio", ColumnType::Text, true));
    let out = render(b, &v1, &v2, "x");
    let (up, down) = out.split_once("async fn down").unwrap();
    assert_eq!(up.matches("ops::").count(), 1, "{out}");
    assert!(
        up.contains("ops::alter_table(\"users\")\n            .add_column(text_null(\"bio\"))\n"),
        "{out}"
    );
    assert!(
        up.contains(
            "            .drop_column(\"status\")\n            .run(manager)\n            .await?;"
        ),
        "{out}"
    );
    assert!(down.contains(".drop_column(\"bio\")"), "{out}");
    // One change alone is an operation of its own.
    let mut v3 = v1.clone();
    v3.tables
        .get_mut("users")
        .unwrap()
        .columns
        .push(col(b, "bio", ColumnType::Text, true));
    let out = render(b, &v1, &v3, "x");
    assert!(
        out.contains("ops::add_column(manager, \"users\", text_null(\"bio\")).await?;"),
        "{out}"
    );
}

fn sqlite_rebuild() -> String {
    let b = Backend::Sqlite;
    let v1 = blog(b);
    let mut v2 = v1.clone();
    let users = v2.tables.get_mut("users").unwrap();
    users.columns[2].nullable = true;
    users.columns[2].kind = ColumnType::String(StringLen::N(200));
    users.columns[2].sql_type = "varchar(200)".into();
    render(b, &v1, &v2, "widen users.name")
}

#[test]
fn sqlite_rebuilds_a_table_to_alter_a_column() {
    insta::assert_snapshot!(sqlite_rebuild());
}

fn postgres_in_place() -> String {
    let b = Backend::Postgres;
    let v1 = blog(b);
    let mut v2 = v1.clone();
    let users = v2.tables.get_mut("users").unwrap();
    users.columns[2].nullable = true;
    users.columns[2].kind = ColumnType::String(StringLen::N(200));
    users.columns[2].sql_type = "character varying(200)".into();
    users.columns[3].default = None;
    render(b, &v1, &v2, "widen users.name")
}

#[test]
fn postgres_alters_columns_in_place() {
    insta::assert_snapshot!(postgres_in_place());
}

/// The load test's changes (an index, a foreign key, a NOT NULL and a unique), online.
fn online(b: Backend) -> String {
    let mut v1 = blog(b);
    let posts = v1.tables.get_mut("posts").unwrap();
    posts.foreign_keys.clear();
    let mut v2 = v1.clone();
    let posts = v2.tables.get_mut("posts").unwrap();
    posts.foreign_keys = blog(b).tables["posts"].foreign_keys.clone();
    posts.columns[2].nullable = false;
    posts.indexes = vec![
        Index {
            name: Some("idx-posts-user_id".into()),
            columns: vec!["user_id".into()],
            unique: false,
            constraint: false,
        },
        Index {
            name: Some("posts_user_id_id_key".into()),
            columns: vec!["user_id".into(), "id".into()],
            unique: true,
            constraint: true,
        },
    ];
    let plan = crate::diff(&v1, &v2);
    render_file(&FileSpec {
        online: true,
        name: "m20261130_000000_test",
        message: "online changes",
        backend: b,
        plan: &plan,
        rows: &BTreeMap::from([("posts".to_string(), 10_000_000)]),
        declined: &[],
        follows: &["m20261129_000000_before".into()],
    })
    .unwrap()
}

#[test]
fn online_postgres() {
    let source = online(Backend::Postgres);
    assert!(!source.contains("manager.create_index"), "{source}");
    insta::assert_snapshot!(source);
}

#[test]
fn online_mysql() {
    insta::assert_snapshot!(online(Backend::MySql));
}

/// Online, SQLite's file says the mode changes nothing there, and its hazards are the same.
#[test]
fn online_on_sqlite_changes_no_hazard() {
    let source = online(Backend::Sqlite);
    assert!(
        source.contains("on SQLite (one writer) the mode changes nothing"),
        "{source}"
    );
    assert!(!source.contains("Online: "), "{source}");
    assert!(source.contains("ops::online::add_foreign_key"), "{source}");
}

fn mysql_whole_columns() -> String {
    let b = Backend::MySql;
    let v1 = blog(b);
    let mut v2 = v1.clone();
    let users = v2.tables.get_mut("users").unwrap();
    users.columns[2].nullable = true;
    users.columns[3].default = Some(DefaultValue::Str("new".into()));
    render(b, &v1, &v2, "relax users.name")
}

#[test]
fn mysql_modifies_whole_columns() {
    insta::assert_snapshot!(mysql_whole_columns());
}

fn empty() -> String {
    let plan = Plan::default();
    render_file(&FileSpec {
        online: false,
        name: "m20261130_000000_test",
        follows: &[],
        message: "backfill slugs",
        backend: Backend::Sqlite,
        plan: &plan,
        rows: &BTreeMap::new(),
        declined: &[],
    })
    .unwrap()
}

#[test]
fn empty_migration() {
    insta::assert_snapshot!(empty());
}

/// `makemigration --merge`: follows both heads, changes nothing, and says so.
fn merge() -> String {
    render_file(&FileSpec {
        online: false,
        name: "m20261130_000002_merge",
        follows: &["m20261130_000000_a".into(), "m20261130_000001_b".into()],
        message: "merge",
        backend: Backend::Postgres,
        plan: &Plan::default(),
        rows: &BTreeMap::new(),
        declined: &[],
    })
    .unwrap()
}

#[test]
fn merge_migration() {
    insta::assert_snapshot!(merge());
}

/// A file with every rename candidate of the plan declined (drop + add, with REVIEW comments).
fn render_declined(backend: Backend, from: &Schema, to: &Schema) -> String {
    let plan = crate::diff(from, to);
    let declined = crate::renames::candidates(&plan);
    assert!(!declined.is_empty(), "no candidates in {plan:#?}");
    render_file(&FileSpec {
        online: false,
        name: "m20261130_000000_test",
        follows: &[],
        message: "renames",
        backend,
        plan: &plan,
        rows: &BTreeMap::from([("users".to_string(), 3)]),
        declined: &declined,
    })
    .unwrap()
}

/// `users.status` becomes `users.state` (same definition) and `posts` becomes `articles`.
fn renamed(backend: Backend) -> (Schema, Schema) {
    let v1 = blog(backend);
    let mut v2 = v1.clone();
    let users = v2.tables.get_mut("users").unwrap();
    users.columns[3].name = "state".into();
    let mut articles = v2.tables.remove("posts").unwrap();
    articles.name = "articles".into();
    articles.foreign_keys[0].name = Some("fk-articles-user_id".into());
    v2.add_table(articles);
    (v1, v2)
}

/// A candidate's drop says, in `up`, that it may be a rename, and gives the command that writes
/// the migration again with it.
fn declined_postgres() -> String {
    let b = Backend::Postgres;
    let (v1, mut v2) = renamed(b);
    // Another column change to `users` stays out of the candidate's blocks.
    let users = v2.tables.get_mut("users").unwrap();
    users.columns.push(col(b, "bio", ColumnType::Text, true));
    render_declined(b, &v1, &v2)
}

#[test]
fn declined_renames_give_the_command_postgres() {
    insta::assert_snapshot!(declined_postgres());
}

/// On SQLite the same; the candidate's drop is in its table's batch, with the other changes.
fn declined_sqlite() -> String {
    let b = Backend::Sqlite;
    let (v1, mut v2) = renamed(b);
    v2.tables.remove("articles");
    v2.add_table(v1.tables["posts"].clone());
    let users = v2.tables.get_mut("users").unwrap();
    users.columns[2].nullable = true;
    render_declined(b, &v1, &v2)
}

#[test]
fn declined_rename_on_sqlite() {
    insta::assert_snapshot!(declined_sqlite());
}

/// The command a declined candidate gives is one a shell runs as written, whatever the message
/// holds (it is its first line).
#[test]
fn the_rename_command_quotes_the_message_for_a_shell() {
    let b = Backend::Postgres;
    let (v1, v2) = renamed(b);
    let plan = crate::diff(&v1, &v2);
    let declined = crate::renames::candidates(&plan);
    let source = render_file(&FileSpec {
        online: false,
        name: "m20261130_000000_test",
        follows: &[],
        message: "it's \"x\" \\ $HOME\nsecond line",
        backend: b,
        plan: &plan,
        rows: &BTreeMap::new(),
        declined: &declined,
    })
    .unwrap();
    assert!(
        source.contains(
            "//     cargo xtask makemigration --replace m20261130_000000_test \
             --rename users.status=state 'it'\\''s \"x\" \\ $HOME'\n"
        ),
        "{source}"
    );
    assert!(!source.contains("second line"), "{source}");
}

#[test]
fn postgres_restores_a_dropped_unique_constraint_as_a_constraint() {
    let b = Backend::Postgres;
    let mut v1 = blog(b);
    v1.tables.get_mut("users").unwrap().indexes[0] = Index {
        name: Some("users_email_key".into()),
        columns: vec!["email".into()],
        unique: true,
        constraint: true,
    };
    let mut v2 = v1.clone();
    v2.tables.get_mut("users").unwrap().indexes.remove(0);
    let source = render(b, &v1, &v2, "email not unique");
    let (up, down) = source.split_once("async fn down").unwrap();
    assert!(
        up.contains(r#"ops::drop_unique(manager, "users", ["email"]).await?;"#),
        "{up}"
    );
    assert!(
        down.contains(r#"ops::add_unique(manager, "users", "users_email_key", ["email"])"#),
        "{down}"
    );
}

/// A one-column type change is one call each way, on every backend: the SQLite rebuild is the
/// library's, not the file's, whose whole text stays within 40 lines.
#[test]
fn a_one_column_type_change_is_short() {
    for b in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
        let v1 = blog(b);
        let mut v2 = v1.clone();
        let name = &mut v2.tables.get_mut("users").unwrap().columns[2];
        name.kind = ColumnType::String(StringLen::N(200));
        name.sql_type = col(b, "name", name.kind.clone(), false).sql_type;
        let out = render(b, &v1, &v2, "widen users.name");
        if b == Backend::Sqlite {
            assert!(
                out.lines().count() <= 40,
                "{} lines:\n{out}",
                out.lines().count()
            );
        }
        let (up, down) = out.split_once("async fn down").unwrap();
        let call = r#"ops::alter_column(
            manager,
            "users",
            string_len("name", 100),
            string_len("name", 200),
        )"#;
        assert!(up.contains(call), "{out}");
        assert!(
            down.contains(
                &call
                    .replace("100", "x")
                    .replace("200", "100")
                    .replace("x", "200")
            )
        );
    }
}

/// `rustfmt --edition 2024` of `source`, as `automigrate`'s makemigration runs it. rustfmt comes
/// with the toolchain: without it the test fails.
fn rustfmt(source: &str) -> String {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rustfmt runs (it is installed with the toolchain)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(source.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "rustfmt failed: {}\n{source}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn assert_rustfmt_clean(case: &str, source: &str) {
    let formatted = rustfmt(source);
    if formatted != source {
        let diff = similar::TextDiff::from_lines(source, &formatted)
            .unified_diff()
            .header("render_file", "rustfmt")
            .to_string();
        panic!("{case}: rustfmt changes the file:\n{diff}");
    }
}

/// The text of every snapshot case is rustfmt's formatting of it.
#[test]
fn every_snapshot_case_is_rustfmt_clean() {
    let cases = [
        ("create_schema_postgres", create_schema(Backend::Postgres)),
        ("create_schema_sqlite", create_schema(Backend::Sqlite)),
        (
            "add_and_drop_columns_mysql",
            add_and_drop_columns(Backend::MySql),
        ),
        (
            "sqlite_rebuilds_a_table_to_alter_a_column",
            sqlite_rebuild(),
        ),
        ("postgres_alters_columns_in_place", postgres_in_place()),
        ("mysql_modifies_whole_columns", mysql_whole_columns()),
        ("empty_migration", empty()),
        ("merge_migration", merge()),
        (
            "declined_renames_give_the_command_postgres",
            declined_postgres(),
        ),
        ("declined_rename_on_sqlite", declined_sqlite()),
        ("online_postgres", online(Backend::Postgres)),
        ("online_mysql", online(Backend::MySql)),
    ];
    for (case, source) in cases {
        assert_rustfmt_clean(case, &source);
    }
}

fn render_plan(backend: Backend, changes: Vec<Change>, message: &str) -> String {
    render_plan_mode(backend, changes, message, false)
}

fn render_plan_mode(backend: Backend, changes: Vec<Change>, message: &str, online: bool) -> String {
    let plan = Plan { changes };
    render_file(&FileSpec {
        online,
        name: "m20261130_000000_test",
        follows: &[],
        message,
        backend,
        plan: &plan,
        rows: &BTreeMap::from([("users".to_string(), 3)]),
        declined: &[],
    })
    .unwrap()
}

/// Every kind of statement, with names and values short and long (rustfmt's width rules meet
/// each of their limits somewhere), on every backend.
fn kitchen_sink(b: Backend, scale: usize) -> Vec<Change> {
    let long = |s: &str| format!("{s}{}", "_x".repeat(scale));
    let table = if b == Backend::Postgres {
        format!("audit.{}", long("events"))
    } else {
        long("events")
    };
    let mut columns = vec![
        {
            let mut id = col(b, "id", ColumnType::BigInteger, false);
            id.auto_increment = true;
            id
        },
        col(
            b,
            &long("name"),
            ColumnType::String(StringLen::N(100)),
            true,
        ),
        col(b, "code", ColumnType::Char(Some(3)), false),
        col(b, "price", ColumnType::Decimal(Some((10, 2))), true),
        col(b, "raw", ColumnType::VarBinary(StringLen::None), true),
        col(b, "flags", ColumnType::Binary(16), false),
        col(b, "ok", ColumnType::Boolean, false),
    ];
    let defaults = [
        DefaultValue::Int(-5),
        DefaultValue::Int(3_000_000_000),
        DefaultValue::Float("1.5".into()),
        DefaultValue::Bool(true),
        DefaultValue::CurrentTimestamp,
        DefaultValue::Expr("lower('A')".into()),
        DefaultValue::Expr(format!("coalesce(\"{}\", 'x')", long("name"))),
        DefaultValue::Str(format!("it's \"quoted\" \\ {}", long("text"))),
    ];
    for (i, d) in defaults.into_iter().enumerate() {
        let mut c = col(b, &format!("d{i}"), ColumnType::Integer, i % 2 == 0);
        c.default = Some(d);
        if i == 3 {
            c.comment = Some(format!("a comment with \"quotes\" {}", long("and")));
        }
        columns.push(c);
    }
    let mut t = Table::new(table.clone());
    t.columns = columns;
    t.primary_key = vec!["id".into()];
    t.indexes = vec![
        Index {
            name: None,
            columns: vec!["code".into()],
            unique: true,
            constraint: false,
        },
        Index {
            name: Some(long("uq-events-code-ok")),
            columns: vec!["code".into(), "ok".into()],
            unique: true,
            constraint: true,
        },
        Index {
            name: None,
            columns: vec![long("name"), "ok".into()],
            unique: false,
            constraint: false,
        },
    ];
    t.foreign_keys = vec![ForeignKey {
        name: None,
        columns: vec!["d0".into(), "d1".into()],
        ref_table: long("users"),
        ref_columns: vec!["id".into(), long("other")],
        on_delete: FkAction::SetNull,
        on_update: FkAction::Restrict,
    }];
    t.checks = vec![
        Check {
            name: Some("positive".into()),
            expr: "\"price\" > 0".into(),
        },
        Check {
            name: None,
            expr: format!("length({}) < 10", long("name")),
        },
    ];
    t.comment = Some(long("the events"));
    let mut pair = Table::new(long("pairs"));
    pair.columns = vec![
        col(b, "a", ColumnType::Integer, false),
        col(b, "b", ColumnType::Integer, false),
    ];
    pair.primary_key = vec!["a".into(), "b".into()];
    let values: Vec<String> = (0..scale * 3 + 2).map(|i| format!("v{i}")).collect();
    let mood = EnumType {
        name: long("mood"),
        values: values.clone(),
    };
    let mut enum_col = col(b, "mood", ColumnType::Integer, true);
    enum_col.kind = ColumnType::Enum {
        name: mood.name.clone().into(),
        variants: values.iter().map(|v| v.clone().into()).collect(),
    };
    enum_col.sql_type = mood.name.clone();
    // A value the migration adds, used in it: no transaction.
    enum_col.default = Some(DefaultValue::Str(long("more")));
    let mut changes = vec![];
    if b == Backend::Postgres {
        changes.push(Change::CreateNamespace("audit".into()));
        changes.push(Change::CreateNamespace(long("namespace")));
        changes.push(Change::CreateEnum(mood.clone()));
        changes.push(Change::AlterEnum {
            from: mood.clone(),
            to: EnumType {
                name: mood.name.clone(),
                values: values.iter().chain([&long("more")]).cloned().collect(),
            },
            uses: vec![],
        });
    }
    let users = long("users");
    let text = |n: &str| col(b, n, ColumnType::Text, true);
    changes.extend([
        Change::CreateTable(t.clone()),
        Change::CreateTable(pair),
        Change::AddColumn {
            table: users.clone(),
            column: if b == Backend::Postgres {
                enum_col
            } else {
                text("bio")
            },
        },
        Change::AddColumn {
            table: users.clone(),
            column: {
                let mut c = text(&long("about"));
                c.comment = Some(long("about the user"));
                c
            },
        },
        Change::DropColumn {
            table: table.clone(),
            column: text(&long("old")),
        },
        Change::AlterColumn {
            table: table.clone(),
            from: text("x"),
            to: col(b, "x", ColumnType::String(StringLen::N(10)), false),
        },
        Change::RenameTable {
            from: table.clone(),
            to: format!("{table}_{}", long("renamed")),
        },
        Change::RenameColumn {
            table: users.clone(),
            from: long("a"),
            to: long("b"),
        },
        Change::AddIndex {
            table: users.clone(),
            index: Index {
                name: Some(long("users_email_key")),
                columns: vec!["email".into(), long("other")],
                unique: true,
                constraint: true,
            },
        },
        Change::AddIndex {
            table: users.clone(),
            index: Index {
                name: None,
                columns: vec![long("email")],
                unique: false,
                constraint: false,
            },
        },
        Change::DropIndex {
            table: users.clone(),
            index: Index {
                name: Some(long("idx")),
                columns: vec![long("email")],
                unique: false,
                constraint: false,
            },
        },
        Change::AddForeignKey {
            table: users.clone(),
            fk: t.foreign_keys[0].clone(),
        },
        Change::AlterPrimaryKey {
            table: users.clone(),
            from: vec!["id".into()],
            to: vec!["id".into(), long("tenant")],
            from_name: None,
            to_name: None,
        },
        Change::AlterTableComment {
            table: users.clone(),
            from: None,
            to: Some(format!("users' \"table\" {}", long("comment"))),
        },
        Change::AddColumn {
            table: long("posts"),
            column: text("a"),
        },
        Change::AlterColumn {
            table: long("posts"),
            from: text("b"),
            to: {
                let mut c = col(b, "b", ColumnType::String(StringLen::N(10)), false);
                c.default = Some(DefaultValue::Str(long("x")));
                c.comment = Some(long("comment"));
                c
            },
        },
        Change::DropColumn {
            table: long("posts"),
            column: text(&long("c")),
        },
        Change::AlterPrimaryKey {
            table: long("posts"),
            from: vec!["id".into()],
            to: vec!["id".into(), long("tenant")],
            from_name: None,
            to_name: None,
        },
    ]);
    changes
}

/// Every statement codegen writes, at many widths, is laid out as rustfmt lays it out.
#[test]
fn every_statement_is_rustfmt_clean_at_any_width() {
    for b in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
        for scale in 0..24 {
            for online in [false, true] {
                let source = render_plan_mode(b, kitchen_sink(b, scale), "kitchen sink", online);
                assert!(!source.contains("__automigrate"), "{source}");
                assert_rustfmt_clean(&format!("{b:?} at scale {scale}, online {online}"), &source);
            }
        }
    }
}

/// Every identifier of the file's token stream.
fn idents(tokens: proc_macro2::TokenStream, out: &mut Vec<String>) {
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
            proc_macro2::TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}

/// Text of the user's (names, the message) that looks like Rust, or like the end of a string,
/// a comment or a placeholder, stays text: in string literals, doc attributes or `//` comments.
#[test]
fn no_text_becomes_code() {
    let evil = "x\"); evil_call(); /* */ */ // \n evil_line(); \r\u{2028}\u{202e}__automigrate_slot!(0); __automigrate_comment!(\"y\");";
    for b in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
        let v1 = blog(b);
        let mut v2 = v1.clone();
        let users = v2.tables.get_mut("users").unwrap();
        users.columns[3].name = format!("status{evil}");
        users.columns[2].comment = Some(evil.into());
        users.columns[2].default = Some(DefaultValue::Expr(format!("\"{evil}\"")));
        users.checks.push(Check {
            name: Some(evil.into()),
            expr: format!("\"#{evil}"),
        });
        v2.tables.remove("posts");
        let mut evil_table = v1.tables["posts"].clone();
        evil_table.name = format!("posts{evil}");
        v2.add_table(evil_table);
        let plan = crate::diff(&v1, &v2);
        let declined = crate::renames::candidates(&plan);
        for declined in [&declined[..], &[]] {
            let source = render_file(&FileSpec {
                online: false,
                name: "m20261130_000000_test",
                follows: &[format!("m1{evil}"), evil.to_string()],
                message: &format!("{evil}\n{evil}"),
                backend: b,
                plan: &plan,
                rows: &BTreeMap::from([("users".to_string(), 3)]),
                declined,
            })
            .unwrap();
            let file = syn::parse_file(&source).unwrap_or_else(|e| panic!("{e}:\n{source}"));
            let mut names = Vec::new();
            idents(file.to_token_stream(), &mut names);
            assert!(
                !names
                    .iter()
                    .any(|n| n.starts_with("evil") || n.starts_with("__automigrate")),
                "{names:?}\n{source}"
            );
            for line in source.lines() {
                let code = line.trim_start();
                assert!(
                    !code.starts_with("__automigrate") && !code.starts_with("evil"),
                    "{line:?} in\n{source}"
                );
                assert!(
                    !line.contains(['\r', '\u{2028}', '\u{202e}']),
                    "{line:?} in\n{source}"
                );
            }
            assert!(source.contains("// REVIEW("), "{source}");
            assert_rustfmt_clean(&format!("{b:?}"), &source);
        }
    }
}

/// A REVIEW line in a chain and before a statement is a `//` comment at the step's indentation,
/// whatever its text holds.
#[test]
fn review_lines_are_comments_where_they_were() {
    let b = Backend::Sqlite;
    let v1 = blog(b);
    let mut v2 = v1.clone();
    let users = v2.tables.get_mut("users").unwrap();
    users.columns[3].name = "st\"); */ x".into();
    users.columns.push(col(b, "bio", ColumnType::Text, true));
    v2.tables.remove("posts");
    let out = render(b, &v1, &v2, "x");
    assert!(
        out.contains(
            "            // REVIEW(drop-column): dropping `users.status` deletes the values it holds\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("        // REVIEW(drop-table): dropping table `posts`"),
        "{out}"
    );
    assert!(out.contains(".drop_column(\"status\")"), "{out}");
    assert!(
        out.contains(".add_column(string_len(\"st\\\"); */ x\", 20)"),
        "{out}"
    );
}

/// SQL with double quotes is a raw string where one holds it exactly; escaped otherwise.
#[test]
fn sql_literals() {
    let raw = |s: &str| sql_lit(s).to_string();
    assert_eq!(
        raw(r#"CREATE SCHEMA "audit""#),
        r###"r#"CREATE SCHEMA "audit""#"###
    );
    assert_eq!(raw("CREATE SCHEMA audit"), r#""CREATE SCHEMA audit""#);
    assert_eq!(raw("a \"# b"), r##""a \"# b""##);
    assert_eq!(raw("a \"\n b"), r#""a \"\n b""#);
    assert_eq!(
        default_expr(&DefaultValue::Int(3_000_000_000))
            .unwrap()
            .to_string(),
        "3000000000i64"
    );
    assert!(
        render_plan(
            Backend::Sqlite,
            vec![Change::AddColumn {
                table: "t".into(),
                column: {
                    let mut c = col(Backend::Sqlite, "n", ColumnType::Integer, false);
                    c.default = Some(DefaultValue::Int(-5));
                    c
                }
            }],
            "x"
        )
        .contains("integer(\"n\").default(-5)")
    );
}

/// The helper that runs SQL is written only when a statement calls it, and is laid out as
/// rustfmt does.
#[test]
fn execute_sql_helper_only_when_called() {
    let b = Backend::Postgres;
    let source = render_plan(b, vec![Change::CreateNamespace("audit".into())], "schema");
    assert!(
        source.contains("execute_sql(manager, r#\"CREATE SCHEMA \"audit\"\"#).await?;"),
        "{source}"
    );
    assert!(
        source.contains("\n/// Runs SQL that sea-query has no builder for"),
        "{source}"
    );
    assert_rustfmt_clean("execute_sql", &source);
    assert!(!create_schema(b).contains("execute_sql"));
}

/// `n` copies of `users` (a table and its index: two statements each), from nothing.
fn many_tables(n: usize) -> String {
    let b = Backend::Postgres;
    render(b, &Schema::new(b), &copies_of_users(n), "many tables")
}

fn copies_of_users(n: usize) -> Schema {
    let b = Backend::Postgres;
    let users = blog(b).tables["users"].clone();
    let mut to = Schema::new(b);
    for i in 0..n {
        let mut t = users.clone();
        t.name = format!("t{i:03}");
        for ix in &mut t.indexes {
            ix.name = ix.name.as_ref().map(|_| format!("idx-t{i:03}-name"));
        }
        to.add_table(t);
    }
    to
}

/// The text of `async fn <name>` up to the end of its body.
fn function<'a>(file: &'a str, name: &str) -> &'a str {
    let start = file
        .find(&format!("async fn {name}("))
        .unwrap_or_else(|| panic!("no fn {name}:\n{file}"));
    let body = &file[start..];
    // A method of the `impl` ends at `    }`, a function after it at `}`.
    let end = ["\n}", "\n    }"].iter().filter_map(|e| body.find(e)).min();
    &body[..end.unwrap()]
}

#[test]
fn a_long_up_calls_parts_of_at_most_fifty_statements() {
    let file = many_tables(60);
    let up = function(&file, "up");
    assert!(
        up.contains("// 120 statements, in 3 parts of at most 50: one function holding them all"),
        "{up}"
    );
    assert!(
        up.contains(
            "        up_part_1(manager).await?;\n        up_part_2(manager).await?;\n        \
             up_part_3(manager).await?;\n        Ok(())"
        ),
        "{up}"
    );
    // Every statement is in a part, in the plan's order, at most 50 to a part; no part ends
    // with a comment that belongs to a statement of the next.
    let mut tables = Vec::new();
    for (part, expected) in [(1, 50), (2, 50), (3, 20)] {
        let name = format!("up_part_{part}");
        let body = function(&file, &name);
        assert!(
            file.contains(&format!(
                "/// `up`, part {part} of 3.\nasync fn {name}(manager: &SchemaManager<'_>) -> \
                 Result<(), DbErr> {{\n"
            )),
            "{file}"
        );
        assert_eq!(body.matches(".await?;").count(), expected, "{body}");
        let last = body.lines().rev().nth(1).unwrap();
        assert!(last.trim_start().starts_with(".await?;"), "{body}");
        tables.extend(
            body.match_indices(".table(\"")
                .map(|(at, _)| &body[at + 8..at + 12]),
        );
    }
    let created: Vec<String> = (0..60).map(|i| format!("t{i:03}")).collect();
    let in_order: Vec<&str> = created
        .iter()
        .flat_map(|t| [t.as_str(), t.as_str()])
        .collect();
    assert_eq!(tables, in_order);
    // `down` drops the tables, one statement each.
    assert!(
        function(&file, "down").contains("down_part_2(manager).await?;\n        Ok(())"),
        "{file}"
    );
    assert!(!file.contains("down_part_3"), "{file}");
    assert_rustfmt_clean("many_tables", &file);
}

#[test]
fn fifty_statements_stay_in_up() {
    let file = many_tables(25);
    assert!(!file.contains("_part_"), "{file}");
    assert_eq!(function(&file, "up").matches(".await?;").count(), 50);
}

#[test]
fn a_part_holds_each_statement_with_its_review_lines() {
    let b = Backend::Postgres;
    let file = render(b, &copies_of_users(60), &Schema::new(b), "drop them all");
    assert!(
        file.contains("up_part_2(manager).await?;\n        Ok(())"),
        "{file}"
    );
    for (part, drops) in [(1, 50), (2, 10)] {
        let body = function(&file, &format!("up_part_{part}"));
        assert_eq!(body.matches(".drop_table(").count(), drops, "{body}");
        // Each drop's REVIEW lines are in its part, right before it.
        let reviews = body.matches("// REVIEW(drop-table)").count();
        assert_eq!(reviews, drops, "{body}");
        let first = body.lines().nth(1).unwrap().trim_start();
        assert!(first.starts_with("// REVIEW(drop-table)"), "{body}");
    }
    assert_rustfmt_clean("many_drops", &file);
}
