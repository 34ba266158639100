//! automigrate-runner (issue 7) end to end on SQLite, PostgreSQL and MariaDB, through the
//! binary of a real migration crate whose `main` is `automigrate_runner::run_cli`: `--sql`
//! changes nothing, `--to` and `stamp` land where asked, sea-orm-migration's own commands still
//! work, 8 processes that run `up` together apply each migration once, and a process that waits
//! for the lock longer than its timeout gets a clear error.
//!
//! The crate is built once for every test (its migrations are the same on every backend) and
//! its binary is run directly.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb};
use sea_orm::{ConnectionTrait, Statement};

const M1: &str = "m20200101_000001_create_author";
const M2: &str = "m20200101_000002_create_post";
const M3: &str = "m20200101_000003_add_bio";
const M4: &str = "m20200101_000004_count_authors";
const ALL: [&str; 4] = [M1, M2, M3, M4];

/// `lib.rs`: the four migrations, and `pause()`, which every migration calls first: when
/// `TEST_PAUSE_MS` is set it touches the file `TEST_MARKER` (if set) and sleeps, so that a test
/// can make a migration run long and know when it has started (holding the lock).
const LIB: &str = r#"pub use sea_orm_migration::prelude::*;

mod m20200101_000001_create_author;
mod m20200101_000002_create_post;
mod m20200101_000003_add_bio;
mod m20200101_000004_count_authors;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20200101_000001_create_author::Migration),
            Box::new(m20200101_000002_create_post::Migration),
            Box::new(m20200101_000003_add_bio::Migration),
            Box::new(m20200101_000004_count_authors::Migration),
        ]
    }
}

pub fn pause() {
    if let Some(ms) = std::env::var("TEST_PAUSE_MS").ok().and_then(|v| v.parse().ok()) {
        if let Ok(marker) = std::env::var("TEST_MARKER") {
            std::fs::write(marker, "").unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// Every application of a migration leaves a row: applied twice would show twice.
pub async fn log(m: &SchemaManager<'_>, name: &str) -> Result<(), DbErr> {
    m.get_connection()
        .execute_unprepared(&format!("INSERT INTO run_log (migration) VALUES ('{name}')"))
        .await?;
    Ok(())
}
"#;

/// `main.rs`: the runner's CLI, and `startup`, which calls `migrate_on_startup` as an
/// application would.
const MAIN: &str = r#"use sea_orm_migration::sea_orm::Database;

#[tokio::main]
async fn main() {
    if std::env::args().nth(1).as_deref() == Some("startup") {
        let db = Database::connect(std::env::var("DATABASE_URL").unwrap()).await.unwrap();
        let report = automigrate_runner::migrate_on_startup::<migration_runner::Migrator>(
            &db,
            automigrate_runner::DEFAULT_LOCK_TIMEOUT,
        )
        .await;
        match report {
            Ok(report) => println!("startup applied [{}]: {report}", report.applied.join(",")),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    automigrate_runner::run_cli(migration_runner::Migrator).await;
}
"#;

fn migration(name: &str, up: &str, down: &str) -> String {
    format!(
        r#"use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {{
    fn name(&self) -> &str {{
        "{name}"
    }}
}}

#[async_trait::async_trait]
impl MigrationTrait for Migration {{
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {{
        crate::pause();
        {up}
        crate::log(m, "{name}").await
    }}

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {{
        {down}
        Ok(())
    }}
}}
"#
    )
}

fn write_crate(krate: &MigrationCrate) -> anyhow::Result<()> {
    let src = krate.root.join("src");
    std::fs::write(src.join("lib.rs"), LIB)?;
    std::fs::write(src.join("main.rs"), MAIN)?;
    let files = [
        (
            M1,
            r#"m.create_table(Table::create().table("run_log")
            .col(ColumnDef::new("migration").string().not_null()).to_owned()).await?;
        m.create_table(Table::create().table("author")
            .col(ColumnDef::new("id").integer().not_null().auto_increment().primary_key())
            .col(ColumnDef::new("name").string().not_null()).to_owned()).await?;"#,
            r#"m.drop_table(Table::drop().table("author").to_owned()).await?;
        m.drop_table(Table::drop().table("run_log").to_owned()).await?;"#,
        ),
        (
            M2,
            r#"m.create_table(Table::create().table("post")
            .col(ColumnDef::new("id").integer().not_null().auto_increment().primary_key())
            .col(ColumnDef::new("author_id").integer().not_null())
            .col(ColumnDef::new("title").string().not_null()).to_owned()).await?;
        m.create_index(Index::create().name("idx_post_title").table("post").col("title")
            .to_owned()).await?;"#,
            r#"m.drop_table(Table::drop().table("post").to_owned()).await?;"#,
        ),
        (
            M3,
            r#"m.alter_table(Table::alter().table("author")
            .add_column(ColumnDef::new("bio").string().null()).to_owned()).await?;"#,
            r#"m.alter_table(Table::alter().table("author").drop_column("bio").to_owned())
            .await?;"#,
        ),
        (
            // Reads data: its SQL cannot be previewed.
            M4,
            r#"let count = sea_orm_migration::sea_orm::Statement::from_string(
            m.get_database_backend(),
            "SELECT COUNT(*) AS n FROM author",
        );
        m.get_connection().query_one_raw(count).await?;"#,
            "let _ = m;",
        ),
    ];
    for (name, up, down) in files {
        std::fs::write(src.join(format!("{name}.rs")), migration(name, up, down))?;
    }
    Ok(())
}

/// The test crate's binary, built once for all the tests of this file.
fn binary() -> PathBuf {
    static BINARY: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut built = BINARY.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = &*built {
        return path.clone();
    }
    let krate = MigrationCrate::with_runner("runner").expect("writing the test crate");
    write_crate(&krate).expect("writing the test crate");
    let path = krate.build().expect("building the test crate");
    *built = Some(path.clone());
    path
}

fn command(db: &TestDb, args: &[&str]) -> Command {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .env("DATABASE_URL", &db.url)
        .env_remove("DATABASE_SCHEMA")
        .env_remove("MIGRATION_LOCK_TIMEOUT")
        .env_remove("TEST_PAUSE_MS")
        .env_remove("TEST_MARKER")
        .env_remove("RUST_LOG");
    cmd
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the binary; it must succeed. Returns stdout.
fn ok(db: &TestDb, args: &[&str]) -> String {
    let out = command(db, args).output().expect("running the test crate");
    let (stdout, stderr) = text(&out);
    assert!(
        out.status.success(),
        "`{}` failed:\n{stdout}{stderr}",
        args.join(" ")
    );
    stdout
}

/// Runs the binary; it must fail. Returns (stdout, stderr).
fn fails(db: &TestDb, args: &[&str]) -> (String, String) {
    let out = command(db, args).output().expect("running the test crate");
    let (stdout, stderr) = text(&out);
    assert!(
        !out.status.success(),
        "`{}` should have failed:\n{stdout}{stderr}",
        args.join(" ")
    );
    (stdout, stderr)
}

async fn rows(db: &TestDb, sql: &str) -> anyhow::Result<Vec<sea_orm::QueryResult>> {
    let conn = db.connect().await?;
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await?;
    conn.close().await?;
    Ok(rows)
}

/// The history table's rows, by version; `None` when the table does not exist.
async fn history(db: &TestDb) -> anyhow::Result<Option<Vec<(String, i64)>>> {
    let exists = match db.backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = 'seaql_migrations'"
        }
        Backend::MySql => {
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_name = 'seaql_migrations'"
        }
    };
    let n: i64 = rows(db, exists).await?[0].try_get("", "n")?;
    if n == 0 {
        return Ok(None);
    }
    let mut out = Vec::new();
    for row in rows(
        db,
        "SELECT version, applied_at FROM seaql_migrations ORDER BY version",
    )
    .await?
    {
        out.push((row.try_get("", "version")?, row.try_get("", "applied_at")?));
    }
    Ok(Some(out))
}

async fn versions(db: &TestDb) -> anyhow::Result<Vec<String>> {
    Ok(history(db)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(|(v, _)| v)
        .collect())
}

/// How many times each migration's `up` ran, from `run_log`.
async fn run_counts(db: &TestDb) -> anyhow::Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for row in rows(
        db,
        "SELECT migration, COUNT(*) AS n FROM run_log GROUP BY migration ORDER BY migration",
    )
    .await?
    {
        out.push((row.try_get("", "migration")?, row.try_get("", "n")?));
    }
    Ok(out)
}

/// Table names (without the history table), and the columns of `author` if it exists.
async fn tables(db: &TestDb) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let schema = db.schema().await?;
    let author = schema
        .tables
        .get("author")
        .map(|t| t.columns.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    Ok((schema.tables.keys().cloned().collect(), author))
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn quoted(backend: Backend, ident: &str) -> String {
    match backend {
        Backend::MySql => format!("`{ident}`"),
        _ => format!("\"{ident}\""),
    }
}

/// `a` appears in `text`, before `b`.
fn before(text: &str, a: &str, b: &str) -> bool {
    match (text.find(a), text.find(b)) {
        (Some(x), Some(y)) => x < y,
        _ => false,
    }
}

/// A URL of the backend's kind where nothing listens: `--from` must not connect.
fn unreachable_url(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite:///nonexistent-dir/never.db",
        Backend::Postgres => "postgres://postgres@127.0.0.1:1/never",
        Backend::MySql => "mysql://root@127.0.0.1:1/never",
    }
}

async fn sql_to_and_stamp(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let q = |ident: &str| quoted(backend, ident);

    // `up --sql` on a fresh database: the SQL of M1..M3, then M4 cannot be previewed.
    let (sql, err) = fails(&db, &["up", "--sql"]);
    for m in [M1, M2, M3] {
        assert!(sql.contains(&format!("\n-- {m} (up)\n")), "{sql}");
        assert!(
            sql.contains(&format!(
                "INSERT INTO {} ({}, {}) VALUES ('{m}',",
                q("seaql_migrations"),
                q("version"),
                q("applied_at")
            )),
            "{sql}"
        );
    }
    assert!(before(
        &sql,
        &format!("-- {M1} (up)"),
        &format!("-- {M2} (up)")
    ));
    assert!(before(
        &sql,
        &format!("-- {M2} (up)"),
        &format!("-- {M3} (up)")
    ));
    assert!(
        sql.contains(&format!("CREATE TABLE {} (", q("author"))),
        "{sql}"
    );
    assert!(
        sql.contains(&format!(
            "CREATE INDEX {} ON {}",
            q("idx_post_title"),
            q("post")
        )),
        "{sql}"
    );
    assert!(
        sql.contains(&format!(
            "ALTER TABLE {} ADD COLUMN {}",
            q("author"),
            q("bio")
        )),
        "{sql}"
    );
    assert!(
        sql.contains(&format!(
            "-- {M4} (up): CANNOT BE PREVIEWED: it reads from the database"
        )),
        "{sql}"
    );
    assert!(!sql.contains("SELECT COUNT(*)"), "{sql}");
    assert!(
        err.contains(&format!("error: migration `{M4}` cannot be previewed")),
        "{err}"
    );
    // PostgreSQL runs each migration in its own transaction; the others run none.
    assert_eq!(
        sql.matches("\nBEGIN;\n").count(),
        if backend == Backend::Postgres { 3 } else { 0 },
        "{sql}"
    );
    let sql = ok(&db, &["up", "--sql", "--to", M3]);
    assert!(
        sql.contains(&format!("-- {M3} (up)")) && !sql.contains(M4),
        "{sql}"
    );
    // Nothing changed: no history table, no tables.
    assert_eq!(history(&db).await?, None);
    assert_eq!(tables(&db).await?, (vec![], vec![]));

    // `--to` lands exactly there.
    let out = ok(&db, &["up", "--to", M2]);
    assert!(
        out.contains(&format!("Applied 2 migration(s): {M1}, {M2}.")),
        "{out}"
    );
    assert_eq!(versions(&db).await?, names(&[M1, M2]));
    assert_eq!(
        tables(&db).await?,
        (
            names(&["author", "post", "run_log"]),
            names(&["id", "name"])
        )
    );

    // `--sql` from there, both ways: nothing changes (history with its times, and schema).
    let snapshot = (history(&db).await?, db.schema().await?);
    let (sql, _) = fails(&db, &["up", "--sql"]);
    assert!(!sql.contains(&format!("-- {M1} (up)")), "{sql}");
    assert!(sql.contains(&format!("-- {M3} (up)")), "{sql}");
    let sql = ok(&db, &["down", "--sql", "--to", "base"]);
    assert!(
        before(&sql, &format!("-- {M2} (down)"), &format!("-- {M1} (down)")),
        "{sql}"
    );
    assert!(sql.contains(&format!("DROP TABLE {}", q("post"))), "{sql}");
    assert!(
        sql.contains(&format!(
            "DELETE FROM {} WHERE {} = '{M1}'",
            q("seaql_migrations"),
            q("version")
        )),
        "{sql}"
    );
    let sql = ok(&db, &["down", "--sql"]);
    assert!(
        sql.contains(&format!("-- {M2} (down)")) && !sql.contains(&format!("-- {M1} (down)")),
        "{sql}"
    );
    assert_eq!((history(&db).await?, db.schema().await?), snapshot);

    // Fully offline: --from says where the database is; nothing is contacted.
    let sql = ok(
        &db,
        &[
            "up",
            "--sql",
            "--from",
            M2,
            "--to",
            M3,
            "-u",
            unreachable_url(backend),
        ],
    );
    assert!(sql.contains("(--from); the database was not read"), "{sql}");
    assert!(
        sql.contains(&format!("-- {M3} (up)")) && !sql.contains(&format!("-- {M2} (up)")),
        "{sql}"
    );

    // Unknown targets are errors that list the migrations.
    for args in [
        &["up", "--to", "m20200101_nope"][..],
        &["down", "--to", "m20200101_nope"],
        &["stamp", "m20200101_nope"],
    ] {
        let (_, err) = fails(&db, args);
        assert!(
            err.contains(&format!(
                "unknown migration `m20200101_nope`; the migrations are:\n  {M1}\n  {M2}\n  {M3}\n  {M4}"
            )),
            "{err}"
        );
    }
    assert_eq!((history(&db).await?, db.schema().await?), snapshot);

    ok(&db, &["up", "--to", M3]);
    assert_eq!(versions(&db).await?, names(&[M1, M2, M3]));
    assert_eq!(tables(&db).await?.1, names(&["id", "name", "bio"]));
    let out = ok(&db, &["down", "--to", M1]);
    assert!(
        out.contains(&format!("Rolled back 2 migration(s): {M3}, {M2}.")),
        "{out}"
    );
    assert_eq!(versions(&db).await?, names(&[M1]));
    assert_eq!(
        tables(&db).await?,
        (names(&["author", "run_log"]), names(&["id", "name"]))
    );
    ok(&db, &["down", "--to", "base"]);
    assert_eq!(history(&db).await?, Some(vec![]));
    assert_eq!(tables(&db).await?, (vec![], vec![]));

    // `stamp` writes the history and runs nothing.
    let out = ok(&db, &["stamp", M3]);
    assert!(
        out.contains(&format!("Recorded as applied (not run): {M1}, {M2}, {M3}.")),
        "{out}"
    );
    assert_eq!(versions(&db).await?, names(&[M1, M2, M3]));
    assert_eq!(tables(&db).await?, (vec![], vec![]));
    assert_eq!(
        ok(&db, &["current"]),
        format!("{M3} (1 pending; head is {M4})\n")
    );
    let listing = ok(&db, &["history"]);
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(lines.len(), 4, "{listing}");
    for (line, m) in lines.iter().zip([M1, M2, M3]) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words[..2], [m, "applied"], "{listing}");
        assert!(words[2].starts_with("20") && words[4] == "UTC", "{listing}");
    }
    assert!(lines[2].ends_with("  (current)"), "{listing}");
    assert_eq!(
        lines[3].split_whitespace().collect::<Vec<_>>(),
        [M4, "pending"]
    );
    ok(&db, &["stamp", "base"]);
    assert_eq!(history(&db).await?, Some(vec![]));
    assert_eq!(ok(&db, &["current"]), "base (4 pending)\n");
    ok(&db, &["stamp", "head"]);
    assert_eq!(versions(&db).await?, names(&ALL));
    assert_eq!(ok(&db, &["current"]), format!("{M4} (head)\n"));
    let out = ok(&db, &["stamp", "m20200101_000001"]);
    assert!(
        out.contains(&format!(
            "Removed from the history (not run): {M2}, {M3}, {M4}."
        )),
        "{out}"
    );
    assert_eq!(versions(&db).await?, names(&[M1]));
    assert_eq!(tables(&db).await?, (vec![], vec![]));

    // sea-orm-migration's own commands still work.
    ok(&db, &["stamp", "base"]);
    let out = ok(&db, &[]);
    assert!(
        out.contains(&format!("Applying migration '{M1}'")),
        "no subcommand is `up`: {out}"
    );
    assert_eq!(versions(&db).await?, names(&ALL));
    let status = ok(&db, &["status"]);
    assert_eq!(status.matches("... Applied").count(), 4, "{status}");
    ok(&db, &["refresh"]);
    assert_eq!(versions(&db).await?, names(&ALL));
    ok(&db, &["reset"]);
    assert_eq!(history(&db).await?, None, "reset drops the history table");
    assert_eq!(tables(&db).await?, (vec![], vec![]));
    ok(&db, &["up", "-n", "1"]);
    assert_eq!(versions(&db).await?, names(&[M1]));
    ok(&db, &["fresh"]);
    assert_eq!(versions(&db).await?, names(&ALL));
    assert_eq!(
        run_counts(&db).await?,
        ALL.iter().map(|m| (m.to_string(), 1)).collect::<Vec<_>>()
    );
    ok(&db, &["down", "-n", "2"]);
    assert_eq!(versions(&db).await?, names(&[M1, M2]));
    Ok(())
}

async fn concurrency(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    let once_each = || ALL.iter().map(|m| (m.to_string(), 1)).collect::<Vec<_>>();
    let bin = binary();

    // 8 processes run `up` at the same moment on a fresh database.
    let children: Vec<_> = (0..8)
        .map(|_| {
            command(&db, &["up"])
                .env("TEST_PAUSE_MS", "150")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawning")
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("waiting"))
        .collect();
    let mut applied_all = 0;
    for out in &outputs {
        let (stdout, stderr) = text(out);
        assert!(out.status.success(), "an `up` failed:\n{stdout}{stderr}");
        if stdout.contains("Applied 4 migration(s)") {
            applied_all += 1;
        } else {
            assert!(stdout.contains("Nothing to do."), "{stdout}{stderr}");
        }
    }
    assert_eq!(applied_all, 1, "exactly one process applies the migrations");
    let rows = history(&db).await?.unwrap();
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(
        rows.iter()
            .map(|(v, _)| v.as_str())
            .collect::<BTreeSet<_>>(),
        ALL.into_iter().collect::<BTreeSet<_>>()
    );
    assert_eq!(
        run_counts(&db).await?,
        once_each(),
        "each migration ran once"
    );

    // A process that waits past the timeout gives up with a clear error.
    ok(&db, &["down", "--to", "base"]);
    let dir = tempfile::tempdir()?;
    let marker = dir.path().join("started");
    let holder = command(&db, &["up", "--to", M1])
        .env("TEST_PAUSE_MS", "3000")
        .env("TEST_MARKER", &marker)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    wait_for(&marker);
    let started = Instant::now();
    let (stdout, err) = fails(&db, &["up", "--lock-timeout", "1"]);
    let waited = started.elapsed();
    assert!(
        err.contains(
            "error: gave up waiting for the migration lock after 1s: another process is running \
             migrations on this database"
        ),
        "{err}"
    );
    assert!(err.contains("held by"), "the holder is named: {err}");
    assert!(err.contains("--lock-timeout"), "{err}");
    assert!(
        stdout.contains("Waiting for the migration lock"),
        "{stdout}"
    );
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_millis(2900),
        "waited {waited:?}"
    );
    let out = holder.wait_with_output()?;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(
        versions(&db).await?,
        names(&[M1]),
        "the waiter changed nothing"
    );

    // The start-up function: replicas that start together apply each migration once.
    ok(&db, &["down", "--to", "base"]);
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(&bin)
                .arg("startup")
                .env("DATABASE_URL", &db.url)
                .env("TEST_PAUSE_MS", "100")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawning")
        })
        .collect();
    let mut applied = Vec::new();
    for child in children {
        let out = child.wait_with_output()?;
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stdout}{stderr}");
        let list = stdout
            .split("startup applied [")
            .nth(1)
            .and_then(|s| s.split(']').next())
            .unwrap_or_else(|| panic!("no report: {stdout}{stderr}"));
        applied.extend(list.split(',').filter(|s| !s.is_empty()).map(String::from));
    }
    assert_eq!(
        applied,
        names(&ALL),
        "applied once, in order, by one replica"
    );
    assert_eq!(versions(&db).await?, names(&ALL));
    assert_eq!(run_counts(&db).await?, once_each());
    Ok(())
}

/// Waits (up to 60 s) for `path` to exist.
fn wait_for(path: &Path) {
    let started = Instant::now();
    while !path.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the lock holder never started its migration"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn sqlite_sql_to_and_stamp() -> anyhow::Result<()> {
    sql_to_and_stamp(Backend::Sqlite, "runner_sql_sqlite").await
}

#[tokio::test]
async fn postgres_sql_to_and_stamp() -> anyhow::Result<()> {
    sql_to_and_stamp(Backend::Postgres, "runner_sql_pg").await
}

#[tokio::test]
async fn mysql_sql_to_and_stamp() -> anyhow::Result<()> {
    sql_to_and_stamp(Backend::MySql, "runner_sql_mysql").await
}

#[tokio::test]
async fn sqlite_concurrent_up_and_lock_timeout() -> anyhow::Result<()> {
    concurrency(Backend::Sqlite, "runner_lock_sqlite").await
}

#[tokio::test]
async fn postgres_concurrent_up_and_lock_timeout() -> anyhow::Result<()> {
    concurrency(Backend::Postgres, "runner_lock_pg").await
}

#[tokio::test]
async fn mysql_concurrent_up_and_lock_timeout() -> anyhow::Result<()> {
    concurrency(Backend::MySql, "runner_lock_mysql").await
}

/// Runs the binary with `url` as DATABASE_URL (none if empty) in `dir` (the test's own if
/// `None`); returns whether it succeeded, its stderr and how long it took.
fn run_with(url: &str, args: &[&str], dir: Option<&Path>) -> (bool, String, Duration) {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env_remove("DATABASE_SCHEMA")
        .env_remove("MIGRATION_LOCK_TIMEOUT")
        .env_remove("RUST_LOG");
    if !url.is_empty() {
        cmd.env("DATABASE_URL", url);
    }
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let started = Instant::now();
    let out = cmd.output().expect("running the test crate");
    let (stdout, stderr) = text(&out);
    assert!(stdout.is_empty(), "{stdout}");
    (out.status.success(), stderr, started.elapsed())
}

/// The URL of the test server of `backend`, with `user`, `password` and `database` instead.
fn server_url(backend: Backend, user: &str, password: Option<&str>, database: &str) -> String {
    let (scheme, port) = match backend {
        Backend::Postgres => ("postgres", 5432),
        _ => ("mysql", 3306),
    };
    let var = match backend {
        Backend::Postgres => "AUTOMIGRATE_TEST_POSTGRES",
        _ => "AUTOMIGRATE_TEST_MYSQL",
    };
    // The host of the test server (the harness's default is 127.0.0.1).
    let host = std::env::var(var)
        .ok()
        .and_then(|u| {
            let rest = u.split_once("://")?.1.split('/').next()?.to_string();
            Some(
                rest.rsplit_once('@')
                    .map_or(rest.clone(), |(_, h)| h.to_string()),
            )
        })
        .unwrap_or_else(|| format!("127.0.0.1:{port}"));
    let password = password.map(|p| format!(":{p}")).unwrap_or_default();
    format!("{scheme}://{user}{password}@{host}/{database}")
}

/// Issue 15, items 13 and 15: a connection error is said at once, once, without the driver's
/// source location, with what to do about it, and never with the password (which here has an
/// `@` in it).
#[tokio::test]
async fn connection_errors_are_said_once_at_once_with_what_to_do() -> anyhow::Result<()> {
    // Both servers must be there for the cases that reach them.
    drop(TestDb::new(Backend::Postgres, "conn_pg").await?);
    drop(TestDb::new(Backend::MySql, "conn_my").await?);
    let secret = "pa@ss4w0rd";
    let cases: Vec<(String, &str, Vec<&str>, Vec<&str>)> = vec![
        (
            format!("postgres://app:{secret}@127.0.0.1:1/never"),
            "refuses the connection",
            vec![
                "postgres://app:***@127.0.0.1:1/never",
                "is the database server running",
            ],
            vec![],
        ),
        (
            server_url(Backend::MySql, "root", Some(secret), "test"),
            "Access denied for user 'root'",
            vec!["check the user name and the password"],
            vec![],
        ),
        (
            server_url(Backend::Postgres, "postgres", None, "am_no_such_database"),
            "database \"am_no_such_database\" does not exist",
            vec!["create the database first (CREATE DATABASE"],
            vec![],
        ),
        (
            server_url(Backend::MySql, "root", None, "am_no_such_database"),
            "Unknown database 'am_no_such_database'",
            vec!["create the database first (CREATE DATABASE"],
            vec![],
        ),
        (
            server_url(
                Backend::Postgres,
                "am_no_such_role",
                Some(secret),
                "postgres",
            ),
            "role \"am_no_such_role\" does not exist",
            vec!["CREATE ROLE"],
            vec!["DATABASE"],
        ),
        (
            format!("postgres://app:{secret}@127.0.0.1:notaport/db"),
            "it is not a valid URL",
            vec!["the URL cannot be read", "percent-encoded"],
            vec![],
        ),
        (
            format!("postgress://app:{secret}@127.0.0.1/db"),
            "is not a database URL",
            vec!["postgress://app:***@127.0.0.1/db"],
            vec![],
        ),
        (
            "sqlite:///am-no-such-directory/app.db".to_string(),
            "unable to open database file",
            vec!["?mode=rwc"],
            vec![],
        ),
    ];
    for (url, error, hints, never) in cases {
        let (success, stderr, took) = run_with(&url, &["current"], None);
        assert!(!success, "{url}: {stderr}");
        assert!(
            took < Duration::from_secs(5),
            "{url}: took {took:?} to fail:\n{stderr}"
        );
        assert_eq!(stderr.matches(error).count(), 1, "{url}: once:\n{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{url}: one line:\n{stderr}");
        assert!(stderr.starts_with("error: "), "{url}:\n{stderr}");
        for hint in hints {
            assert!(stderr.contains(hint), "{url}: `{hint}` in:\n{stderr}");
        }
        for word in never
            .into_iter()
            .chain(["at line", "ss4w0rd", "pa@", "Connection Error"])
        {
            assert!(!stderr.contains(word), "{url}: no `{word}` in:\n{stderr}");
        }
    }
    Ok(())
}

/// Issue 15, item 14: a history row whose `applied_at` is not a number (edited by hand, or a
/// column made text) is one error that names the row and says how to fix it, for every command
/// that reads the history.
async fn bad_history_row(backend: Backend, name: &str) -> anyhow::Result<()> {
    let db = TestDb::new(backend, name).await?;
    ok(&db, &["stamp", M1]);
    let retype = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some("ALTER TABLE seaql_migrations ALTER COLUMN applied_at TYPE text"),
        Backend::MySql => {
            Some("ALTER TABLE seaql_migrations MODIFY applied_at varchar(20) NOT NULL")
        }
    };
    if let Some(sql) = retype {
        db.execute(sql).await?;
    }
    db.execute("UPDATE seaql_migrations SET applied_at = 'yesterday'")
        .await?;
    for args in [
        &["history"][..],
        &["current"],
        &["status"],
        &["up"],
        &["down"],
    ] {
        let (_, stderr) = fails(&db, args);
        let what = format!("migration `{M1}` has applied_at `yesterday`");
        assert_eq!(stderr.matches(&what).count(), 1, "{args:?}:\n{stderr}");
        assert!(
            stderr.contains("UPDATE seaql_migrations SET applied_at = ")
                && stderr.contains(&format!("WHERE version = '{M1}'")),
            "{args:?}:\n{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{args:?}:\n{stderr}");
    }
    // Nothing ran, and the row is as it was.
    let rows = rows(&db, "SELECT version FROM seaql_migrations").await?;
    let left: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("", "version"))
        .collect::<Result<_, _>>()?;
    assert_eq!(left, names(&[M1]));
    Ok(())
}

#[tokio::test]
async fn sqlite_bad_history_row() -> anyhow::Result<()> {
    bad_history_row(Backend::Sqlite, "sqlite_bad_history").await
}

#[tokio::test]
async fn postgres_bad_history_row() -> anyhow::Result<()> {
    bad_history_row(Backend::Postgres, "postgres_bad_history").await
}

#[tokio::test]
async fn mysql_bad_history_row() -> anyhow::Result<()> {
    bad_history_row(Backend::MySql, "mysql_bad_history").await
}

/// Issue 15, item 14: a line of `.env` that cannot be parsed is named (file and line), instead
/// of the variables after it silently missing ("no database URL"); its value is not shown.
#[test]
fn a_malformed_env_line_is_named() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join(".env"),
        "# local settings\nRUST_LOG=info\nDATABASE_URL postgres://app:hunter2@db/app\n",
    )?;
    let (success, stderr, _) = run_with("", &["current"], Some(dir.path()));
    assert!(!success, "{stderr}");
    assert!(
        stderr.contains(".env, line 3: this line is not KEY=value"),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(!stderr.contains("no database URL"), "{stderr}");
    Ok(())
}

/// Issue 15, item 14's class: a standard output that closes early (`migration history | head
/// -1`) does not make the runner panic: the command does its work and exits as without the pipe.
#[tokio::test]
async fn a_closed_standard_output_changes_nothing() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "runner_closed_stdout").await?;
    let closed = |args: &[&str]| -> anyhow::Result<(Option<i32>, String)> {
        // A pipe whose reader is gone before the command writes anything.
        let (reader, writer) = std::io::pipe()?;
        drop(reader);
        let out = command(&db, args).stdout(writer).output()?;
        Ok((
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    };
    for args in [
        &["up", "--to", M3][..],
        &["history"],
        &["current"],
        &["down", "--sql"],
    ] {
        let (code, stderr) = closed(args)?;
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    assert_eq!(versions(&db).await?, names(&[M1, M2, M3]));
    Ok(())
}
