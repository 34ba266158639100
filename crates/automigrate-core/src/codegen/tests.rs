use super::*;
use crate::dialect::canonical_type;
use crate::model::{EnumType, FkAction, Schema};

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
        name: "m20261130_000000_test",
        message,
        backend,
        plan: &plan,
        rows: &BTreeMap::from([("users".to_string(), 3)]),
        declined: &[],
    })
    .unwrap()
}

#[test]
fn create_schema_postgres() {
    let b = Backend::Postgres;
    insta::assert_snapshot!(render(b, &Schema::new(b), &blog(b), "create blog"));
}

#[test]
fn create_schema_sqlite() {
    let b = Backend::Sqlite;
    insta::assert_snapshot!(render(b, &Schema::new(b), &blog(b), "create blog"));
}

#[test]
fn add_and_drop_columns_mysql() {
    let b = Backend::MySql;
    let v1 = blog(b);
    let mut v2 = v1.clone();
    let users = v2.tables.get_mut("users").unwrap();
    users.columns.retain(|c| c.name != "status");
    users.columns.push(col(b, "bio", ColumnType::Text, true));
    insta::assert_snapshot!(render(b, &v1, &v2, "add bio, drop status"));
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

#[test]
fn sqlite_rebuilds_a_table_to_alter_a_column() {
    let b = Backend::Sqlite;
    let v1 = blog(b);
    let mut v2 = v1.clone();
    let users = v2.tables.get_mut("users").unwrap();
    users.columns[2].nullable = true;
    users.columns[2].kind = ColumnType::String(StringLen::N(200));
    users.columns[2].sql_type = "varchar(200)".into();
    insta::assert_snapshot!(render(b, &v1, &v2, "widen users.name"));
}

#[test]
fn postgres_alters_columns_in_place() {
    let b = Backend::Postgres;
    let v1 = blog(b);
    let mut v2 = v1.clone();
    let users = v2.tables.get_mut("users").unwrap();
    users.columns[2].nullable = true;
    users.columns[2].kind = ColumnType::String(StringLen::N(200));
    users.columns[2].sql_type = "character varying(200)".into();
    users.columns[3].default = None;
    insta::assert_snapshot!(render(b, &v1, &v2, "widen users.name"));
}

#[test]
fn mysql_modifies_whole_columns() {
    let b = Backend::MySql;
    let v1 = blog(b);
    let mut v2 = v1.clone();
    let users = v2.tables.get_mut("users").unwrap();
    users.columns[2].nullable = true;
    users.columns[3].default = Some(DefaultValue::Str("new".into()));
    insta::assert_snapshot!(render(b, &v1, &v2, "relax users.name"));
}

#[test]
fn empty_migration() {
    let plan = Plan::default();
    insta::assert_snapshot!(
        render_file(&FileSpec {
            name: "m20261130_000000_test",
            message: "backfill slugs",
            backend: Backend::Sqlite,
            plan: &plan,
            rows: &BTreeMap::new(),
            declined: &[],
        })
        .unwrap()
    );
}

/// A file with every rename candidate of the plan declined (drop + add, with REVIEW comments).
fn render_declined(backend: Backend, from: &Schema, to: &Schema) -> String {
    let plan = crate::diff(from, to);
    let declined = crate::renames::candidates(&plan);
    assert!(!declined.is_empty(), "no candidates in {plan:#?}");
    render_file(&FileSpec {
        name: "m20261130_000000_test",
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
#[test]
fn declined_renames_give_the_command_postgres() {
    let b = Backend::Postgres;
    let (v1, mut v2) = renamed(b);
    // Another column change to `users` stays out of the candidate's blocks.
    let users = v2.tables.get_mut("users").unwrap();
    users.columns.push(col(b, "bio", ColumnType::Text, true));
    insta::assert_snapshot!(render_declined(b, &v1, &v2));
}

/// On SQLite the same; the candidate's drop is in its table's batch, with the other changes.
#[test]
fn declined_rename_on_sqlite() {
    let b = Backend::Sqlite;
    let (v1, mut v2) = renamed(b);
    v2.tables.remove("articles");
    v2.add_table(v1.tables["posts"].clone());
    let users = v2.tables.get_mut("users").unwrap();
    users.columns[2].nullable = true;
    insta::assert_snapshot!(render_declined(b, &v1, &v2));
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
        name: "m20261130_000000_test",
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
