//! Online plans (issue 18): `makemigration --online` writes a migration that runs without a
//! transaction and calls `automigrate_ops::online`; on every backend its `up` applies the load
//! test's four changes (an index, a foreign key, a NOT NULL, a unique) to a table with rows,
//! `check` is clean after it, and its `down` brings the schema back. On PostgreSQL and
//! MariaDB, a migration that finds the table held by a long transaction gives up waiting after
//! its lock timeout (so writers do not queue behind it), says so, and tries again until it
//! gets through.
use std::time::{Duration, Instant};

use automigrate::commands::Outcome;
use automigrate_core::{Backend, diff};
use automigrate_e2e::{MigrationCrate, TestDb, entities::online, written};
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};

const ROWS: [&str; 2] = [
    "INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'bob')",
    "INSERT INTO events (id, user_id, code, kind) VALUES (1, 1, 1, 'a'), (2, 2, 1, 'b'), (3, 1, 2, 'c')",
];

/// The database with `before()` applied and rows in it, and the online migration to
/// `after()` written (its name).
async fn prepared(
    backend: Backend,
    name: &str,
) -> anyhow::Result<(TestDb, MigrationCrate, String)> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(
        krate
            .makemigration(&db, &online::before(), "before")
            .await?,
    );
    krate.run(&db, &["up"])?;
    for sql in ROWS {
        db.execute(sql).await?;
    }
    let outcome = krate
        .makemigration_online(&db, &online::after(), "online")
        .await?;
    // The report says what the online plan does about each hazard.
    if let Outcome::Written { report, .. } = &outcome
        && backend == Backend::Postgres
    {
        let report = report.join("\n");
        assert!(
            report.contains("index-lock") && report.contains("online: it is built CONCURRENTLY"),
            "{report}"
        );
    }
    let (migration, summary) = written(outcome);
    assert_eq!(summary.len(), 4, "{summary:#?}");
    let source = krate.file(&migration)?;
    for expected in [
        "fn use_transaction(&self) -> Option<bool> {\n        Some(false)",
        "ops::online::create_index(",
        "ops::online::add_foreign_key(",
        "ops::online::alter_column(",
        "REVIEW(no-transaction)",
    ] {
        assert!(source.contains(expected), "{expected}:\n{source}");
    }
    Ok((db, krate, migration))
}

/// The live schema is what `entities` declare; with `krate`, `makemigration` finds nothing
/// to do (after `down`, it would refuse: a migration is pending).
async fn assert_clean(
    db: &TestDb,
    krate: Option<&MigrationCrate>,
    entities: &automigrate::Entities,
) {
    let declared = entities.schema(db.backend).unwrap();
    let live = db.schema().await.unwrap();
    let changes = diff(&live, &declared);
    assert!(changes.is_empty(), "{:?}: {changes:#?}", db.backend);
    if let Some(krate) = krate {
        assert!(matches!(
            krate.makemigration(db, entities, "again").await.unwrap(),
            Outcome::NoChanges
        ));
    }
}

#[tokio::test]
async fn online_up_and_down_on_every_backend() -> anyhow::Result<()> {
    for backend in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
        let (db, krate, _) =
            prepared(backend, &format!("online_{backend:?}").to_lowercase()).await?;
        krate.run(&db, &["up"])?;
        assert_clean(&db, Some(&krate), &online::after()).await;
        if backend == Backend::Postgres {
            // The NOT NULL's helper CHECK is gone, and no index was left invalid.
            let conn = db.connect().await?;
            let leftovers = conn
                .query_all_raw(Statement::from_string(
                    conn.get_database_backend(),
                    "SELECT conname::text FROM pg_constraint WHERE contype = 'c' AND conrelid = 'events'::regclass \
                     UNION ALL SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid",
                ))
                .await?;
            assert!(leftovers.is_empty(), "{leftovers:?}");
            conn.close().await?;
        }
        krate.run(&db, &["down"])?;
        assert_clean(&db, None, &online::before()).await;
    }
    Ok(())
}

/// A transaction that wrote to `events` and stays open for `hold`: the online migration's
/// first ALTER cannot get its lock until it ends.
async fn hold_events(db: &TestDb, hold: Duration) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let conn = db.connect().await?;
    let tx = conn.begin().await?;
    tx.execute_unprepared("UPDATE events SET code = code WHERE id = 1")
        .await?;
    Ok(tokio::spawn(async move {
        tokio::time::sleep(hold).await;
        tx.commit().await.unwrap();
        conn.close().await.unwrap();
    }))
}

#[tokio::test]
async fn a_long_transaction_makes_the_online_migration_give_up_and_retry() -> anyhow::Result<()> {
    for (backend, timeout) in [(Backend::Postgres, "300ms"), (Backend::MySql, "1s")] {
        let name = format!("online_retry_{backend:?}").to_lowercase();
        let (db, krate, _) = prepared(backend, &name).await?;
        let binary = krate.build()?;
        let holder = hold_events(&db, Duration::from_secs(4)).await?;
        let url = db.url.clone();
        let started = Instant::now();
        let migration = tokio::task::spawn_blocking(move || {
            automigrate_e2e::clean_env(&mut std::process::Command::new(binary))
                .arg("up")
                .env("DATABASE_URL", url)
                .env("AUTOMIGRATE_LOCK_TIMEOUT", timeout)
                .env("AUTOMIGRATE_LOCK_RETRIES", "20")
                .output()
        });
        // Meanwhile, a writer on another row: it waits behind the migration's lock request
        // at most one lock timeout at a time, never for the whole transaction.
        let writer = db.connect().await?;
        let mut longest = Duration::ZERO;
        let mut n = 0;
        while started.elapsed() < Duration::from_secs(3) {
            let t = Instant::now();
            writer
                .execute_unprepared(&format!(
                    "INSERT INTO events (id, user_id, code, kind) VALUES ({}, 2, {}, 'w')",
                    100 + n,
                    100 + n
                ))
                .await?;
            longest = longest.max(t.elapsed());
            n += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        writer.close().await?;
        let out = migration.await??;
        holder.await?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{backend:?}: {text}");
        for line in text.lines().filter(|l| l.contains("gave up")) {
            eprintln!("{backend:?}: {line}");
        }
        assert!(
            text.contains("gave up waiting for a lock after") && text.contains("trying again"),
            "{backend:?}: {text}"
        );
        // Writers waited at most about one lock timeout (plus the ALTER itself), not the 4 s
        // the transaction held the table.
        assert!(
            longest < Duration::from_millis(2500),
            "{backend:?}: a write waited {longest:?}\n{text}"
        );
        assert_clean(&db, Some(&krate), &online::after()).await;
    }
    Ok(())
}

/// On MariaDB, a change the server can make only by copying the table (a type change) fails
/// online, with the reason and what to do, and leaves the column as it was.
#[tokio::test]
async fn mysql_refuses_to_copy_the_table_online() -> anyhow::Result<()> {
    use sea_orm_migration::prelude::*;
    use sea_orm_migration::schema::*;
    let db = TestDb::new(Backend::MySql, "online_copy").await?;
    db.execute("CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL)")
        .await?;
    db.execute("INSERT INTO t VALUES (1, 1)").await?;
    let before = db.schema().await?;
    let conn = db.connect().await?;
    let manager = SchemaManager::new(&conn);
    let err = automigrate_ops::online::alter_column(&manager, "t", integer("n"), big_integer("n"))
        .await
        .expect_err("a type change copies the table");
    let text = err.to_string();
    assert!(
        text.contains("only by copying the table") && text.contains("gh-ost"),
        "{text}"
    );
    assert_eq!(db.schema().await?, before);
    // A column added and dropped: in place.
    automigrate_ops::online::add_column(&manager, "t", string_len_null("note", 20)).await?;
    assert!(
        db.schema().await?.tables["t"]
            .columns
            .iter()
            .any(|c| c.name == "note")
    );
    automigrate_ops::online::drop_column(&manager, "t", "note").await?;
    conn.close().await?;
    assert_eq!(db.schema().await?, before);
    Ok(())
}

/// `online = true` in automigrate.toml writes online migrations, as `--online` does.
#[tokio::test]
async fn the_configuration_turns_the_mode_on() -> anyhow::Result<()> {
    use automigrate::commands::{self, MakeOptions, Project};
    let db = TestDb::new(Backend::Sqlite, "online_config").await?;
    let krate = MigrationCrate::new("online_config")?;
    let config: automigrate::config::Config = toml_online()?;
    let outcome = commands::makemigration(
        &Project {
            database_url: &db.url,
            migration_dir: &krate.root,
            entities: &online::before(),
            config,
        },
        "online by configuration",
        MakeOptions::default(),
    )
    .await?;
    let (name, _) = written(outcome);
    let source = krate.file(&name)?;
    assert!(source.contains("ops::online::run("), "{source}");
    assert!(source.contains("Some(false)"), "{source}");
    assert!(
        source.contains("on SQLite (one writer) the mode changes nothing"),
        "{source}"
    );
    Ok(())
}

fn toml_online() -> anyhow::Result<automigrate::config::Config> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("automigrate.toml");
    std::fs::write(&path, "online = true\n")?;
    automigrate::config::Config::load(&path)
}
