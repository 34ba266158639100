//! Renames on each backend: found, asked, given on the command line or declared with
//! `renamed_from`; generated as renames that keep the data; or, when declined, as drop + add
//! with a REVIEW comment that gives the command writing the migration again with the rename.
use automigrate::commands::{self, MakeOptions, NoQuestions, Outcome, Project, Questioner};
use automigrate_core::renames::{Candidate, Rename};
use automigrate_core::{Backend, diff};
use automigrate_e2e::{MigrationCrate, TestDb, column_order_free, entities, written};
use sea_orm::{ConnectionTrait, Statement};

struct Yes(Vec<String>);

impl Questioner for Yes {
    fn confirm_rename(&mut self, c: &Candidate) -> bool {
        self.0.push(c.question.clone());
        true
    }
}

fn column(table: &str, from: &str, to: &str) -> Rename {
    Rename::Column {
        table: table.into(),
        from: from.into(),
        to: to.into(),
    }
}

fn table(from: &str, to: &str) -> Rename {
    Rename::Table {
        from: from.into(),
        to: to.into(),
    }
}

async fn dry_run(
    krate: &MigrationCrate,
    db: &TestDb,
    entities: &automigrate::Entities,
    options: MakeOptions,
    questioner: &mut dyn Questioner,
) -> anyhow::Result<(String, Vec<String>)> {
    let project = Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities,
        config: Default::default(),
    };
    let options = MakeOptions {
        dry_run: true,
        ..options
    };
    match commands::makemigration_with(&project, "renames", options, questioner).await? {
        Outcome::DryRun { source, report, .. } => Ok((source, report)),
        other => panic!("expected a dry run, got {other:?}"),
    }
}

async fn one_value(db: &TestDb, sql: &str) -> anyhow::Result<String> {
    let conn = db.connect().await?;
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await?
        .expect("a row");
    let value = row.try_get_by_index::<String>(0)?;
    conn.close().await?;
    Ok(value)
}

/// A database at v2 with a user, a post of theirs and a comment on it; its schema.
async fn v2_with_rows(
    backend: Backend,
    name: &str,
) -> anyhow::Result<(TestDb, MigrationCrate, automigrate_core::Schema)> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    krate.run(&db, &["up"])?;
    db.execute("INSERT INTO users (email, name, role) VALUES ('ada@example.com', 'Ada', 'admin')")
        .await?;
    db.execute("INSERT INTO posts (user_id, title, body) VALUES (1, 'Notes', 'On the engine')")
        .await?;
    db.execute("INSERT INTO comments (post_id, body) VALUES (1, 'Thorough')")
        .await?;
    let schema = db.schema().await?;
    Ok((db, krate, schema))
}

async fn renames(backend: Backend, name: &str) -> anyhow::Result<()> {
    let (db, krate, v2_schema) = v2_with_rows(backend, name).await?;
    let v4 = entities::v4::entities();

    // Unanswered: drop + add, each drop marked with the rename it may be.
    let (source, report) =
        dry_run(&krate, &db, &v4, MakeOptions::default(), &mut NoQuestions).await?;
    assert!(
        source.contains("REVIEW(rename-candidate): `users.name` may have been renamed to"),
        "{source}"
    );
    assert!(
        source.contains("REVIEW(rename-candidate): table `posts` may have been renamed to"),
        "{source}"
    );
    let report = report.join("\n");
    assert!(
        report.contains("2 possible rename(s) generated as drop + add"),
        "{report}"
    );
    assert!(report.contains("--rename users.name=full_name"), "{report}");
    assert!(report.contains("--rename-table posts=articles"), "{report}");

    // --strict refuses to write drops that may be renames.
    let strict = MakeOptions {
        strict: true,
        ..MakeOptions::default()
    };
    let project = Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities: &v4,
        config: Default::default(),
    };
    let err = commands::makemigration(&project, "strict", strict)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("--strict: 2 possible rename(s)"),
        "{err}"
    );

    // `#[sea_orm(renamed_from = "name")]` needs no question and no flag.
    let (declared_source, _) = dry_run(
        &krate,
        &db,
        &entities::v4::declared(),
        MakeOptions::default(),
        &mut NoQuestions,
    )
    .await?;
    assert!(
        declared_source.contains(r#".rename_column("name", "full_name")"#),
        "{declared_source}"
    );
    assert!(
        !declared_source.contains("drop_column"),
        "{declared_source}"
    );

    // Answered Yes on the terminal, or given on the command line: the same migration.
    let mut yes = Yes(Vec::new());
    let (asked, _) = dry_run(&krate, &db, &v4, MakeOptions::default(), &mut yes).await?;
    let user_sql_type = &v2_schema.tables["users"].column("name").unwrap().sql_type;
    assert_eq!(
        yes.0,
        vec![
            "Was table posts renamed to articles (4 columns, the same)?".to_string(),
            format!("Was users.name renamed to users.full_name ({user_sql_type}, not null)?"),
        ]
    );
    let given = MakeOptions {
        renames: vec![
            column("users", "name", "full_name"),
            table("posts", "articles"),
        ],
        ..MakeOptions::default()
    };
    let (flagged, _) = dry_run(&krate, &db, &v4, given.clone(), &mut NoQuestions).await?;
    assert_eq!(asked, flagged);
    assert!(
        !flagged.contains("drop_column") && !flagged.contains("drop_table"),
        "{flagged}"
    );

    let outcome = commands::makemigration(&project, "renames", given).await?;
    let (_, summary) = written(outcome);
    assert_eq!(
        summary,
        vec![
            "> table posts renamed to articles",
            "> column users.name renamed to full_name"
        ]
    );
    krate.run(&db, &["up"])?;
    let live = db.schema().await?;
    let declared = v4.schema(backend)?;
    assert!(
        diff(&live, &declared).is_empty(),
        "{:#?}",
        diff(&live, &declared)
    );
    assert!(matches!(
        krate.makemigration(&db, &v4, "again").await?,
        Outcome::NoChanges
    ));
    assert_eq!(one_value(&db, "SELECT full_name FROM users").await?, "Ada");
    assert_eq!(one_value(&db, "SELECT title FROM articles").await?, "Notes");

    // down renames back, data and all.
    krate.run(&db, &["down"])?;
    assert_eq!(
        column_order_free(db.schema().await?),
        column_order_free(v2_schema)
    );
    assert_eq!(one_value(&db, "SELECT name FROM users").await?, "Ada");
    assert_eq!(one_value(&db, "SELECT title FROM posts").await?, "Notes");

    Ok(())
}

#[tokio::test]
async fn sqlite_renames() -> anyhow::Result<()> {
    renames(Backend::Sqlite, "sqlite_renames").await
}

#[tokio::test]
async fn postgres_renames() -> anyhow::Result<()> {
    renames(Backend::Postgres, "postgres_renames").await
}

#[tokio::test]
async fn mysql_renames() -> anyhow::Result<()> {
    renames(Backend::MySql, "mysql_renames").await
}

/// What a reviewer does with a `REVIEW(rename-candidate)`: runs the command it gives, which
/// writes the migration again in its place, with the rename. Without answers the migration is
/// drop + add; written again, it builds, applies with rows present, keeps them under the new
/// names, leaves nothing to generate, and `down` brings them back under the old names with the
/// schema as it was. A `--replace` that cannot be done (a migration already applied) changes
/// nothing.
async fn written_again(backend: Backend, name: &str) -> anyhow::Result<()> {
    let (db, krate, v2_schema) = v2_with_rows(backend, name).await?;
    let v4 = entities::v4::entities();

    let (migration, summary) = written(krate.makemigration(&db, &v4, "renames").await?);
    let summary = summary.join("\n");
    for change in [
        "+ table articles",
        "- table posts",
        "+ column users.full_name",
        "- column users.name",
    ] {
        assert!(summary.contains(change), "{change} in\n{summary}");
    }
    let source = krate.file(&migration)?;
    let again = format!("cargo xtask makemigration --replace {migration}");
    for review in [
        "REVIEW(rename-candidate): `users.name` may have been renamed to `full_name`".to_string(),
        format!("//     {again} --rename users.name=full_name 'renames'"),
        "REVIEW(rename-candidate): table `posts` may have been renamed to `articles`".to_string(),
        format!("//     {again} --rename-table posts=articles 'renames'"),
    ] {
        assert!(source.contains(&review), "{review} missing:\n{source}");
    }
    // Once each, at the drops of `up`.
    assert_eq!(
        source.matches("REVIEW(rename-candidate)").count(),
        2,
        "{source}"
    );

    // The command, through the library: the renames the comments give, in the file's place.
    let project = Project {
        database_url: &db.url,
        migration_dir: &krate.root,
        entities: &v4,
        config: Default::default(),
    };
    let options = MakeOptions {
        renames: vec![
            column("users", "name", "full_name"),
            table("posts", "articles"),
        ],
        replace: Some(migration.clone()),
        ..MakeOptions::default()
    };
    let (again, _) = written(
        commands::makemigration_with(&project, "renames", options, &mut NoQuestions).await?,
    );
    assert!(
        !krate
            .root
            .join("src")
            .join(format!("{migration}.rs"))
            .exists()
            || again == migration
    );
    let lib = std::fs::read_to_string(krate.root.join("src/lib.rs"))?;
    assert_eq!(lib.matches("::Migration)").count(), 2, "{lib}");
    assert!(lib.contains(&format!("mod {again};")), "{lib}");
    let source = krate.file(&again)?;
    assert!(!source.contains("rename-candidate"), "{source}");
    for gone in [
        r#"ops::drop_column(manager, "users", "name")"#,
        r#"Table::drop().table("posts")"#,
    ] {
        assert!(!source.contains(gone), "{gone} in\n{source}");
    }
    for renamed in [
        r#".rename_column("name", "full_name")"#,
        r#".rename_column("full_name", "name")"#,
        r#".rename_table(Table::rename().table("posts", "articles").to_owned())"#,
        r#".rename_table(Table::rename().table("articles", "posts").to_owned())"#,
    ] {
        assert_eq!(source.matches(renamed).count(), 1, "{renamed} in\n{source}");
    }

    // Built and applied with the rows there: they keep their values under the new names.
    krate.run(&db, &["up"])?;
    assert_eq!(one_value(&db, "SELECT full_name FROM users").await?, "Ada");
    assert_eq!(one_value(&db, "SELECT title FROM articles").await?, "Notes");
    let joined = "SELECT a.title FROM comments c JOIN articles a ON a.id = c.post_id";
    assert_eq!(one_value(&db, joined).await?, "Notes");
    let live = db.schema().await?;
    let declared = v4.schema(backend)?;
    assert!(
        diff(&live, &declared).is_empty(),
        "{:#?}",
        diff(&live, &declared)
    );
    assert!(matches!(
        krate.makemigration(&db, &v4, "again").await?,
        Outcome::NoChanges
    ));
    // An applied migration is not written again: refused, the crate as it was.
    let before = (
        std::fs::read_to_string(krate.root.join("src/lib.rs"))?,
        krate.file(&again)?,
    );
    let options = MakeOptions {
        replace: Some(again.clone()),
        ..MakeOptions::default()
    };
    let err = commands::makemigration_with(&project, "renames", options, &mut NoQuestions)
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains(&again), "{err:#}");
    let after = (
        std::fs::read_to_string(krate.root.join("src/lib.rs"))?,
        krate.file(&again)?,
    );
    assert_eq!(after, before);

    // down: the rows are back under the old names, and the schema is v2's.
    krate.run(&db, &["down"])?;
    assert_eq!(
        column_order_free(db.schema().await?),
        column_order_free(v2_schema)
    );
    assert_eq!(one_value(&db, "SELECT name FROM users").await?, "Ada");
    assert_eq!(one_value(&db, "SELECT title FROM posts").await?, "Notes");
    let joined = "SELECT p.title FROM comments c JOIN posts p ON p.id = c.post_id";
    assert_eq!(one_value(&db, joined).await?, "Notes");
    Ok(())
}

#[tokio::test]
async fn sqlite_rename_written_again() -> anyhow::Result<()> {
    written_again(Backend::Sqlite, "sqlite_rename_written_again").await
}

#[tokio::test]
async fn postgres_rename_written_again() -> anyhow::Result<()> {
    written_again(Backend::Postgres, "postgres_rename_written_again").await
}

#[tokio::test]
async fn mysql_rename_written_again() -> anyhow::Result<()> {
    written_again(Backend::MySql, "mysql_rename_written_again").await
}
