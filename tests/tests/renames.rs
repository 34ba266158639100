//! Renames on each backend: found, asked, given on the command line or declared with
//! `renamed_from`; generated as renames that keep the data; or, when declined, as drop + add
//! with a REVIEW comment that carries the rename.
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

async fn renames(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    krate.run(&db, &["up"])?;
    db.execute("INSERT INTO users (email, name, role) VALUES ('ada@example.com', 'Ada', 'admin')")
        .await?;
    db.execute("INSERT INTO posts (user_id, title, body) VALUES (1, 'Notes', 'On the engine')")
        .await?;
    let v2_schema = db.schema().await?;
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
