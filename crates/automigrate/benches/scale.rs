//! `cargo bench -p automigrate --bench scale -- 100 1000 10000`: makemigration's pipeline on a
//! synthetic schema of N tables, on SQLite, PostgreSQL and MySQL/MariaDB, phase by phase (time,
//! catalog queries, peak memory).
//!
//! Each table has 10 columns, a primary key, a unique column, a two-column index and a foreign key
//! (to table i/2; table 0 references itself). The live side is created by executing the DDL that
//! sea-query writes for those tables in a scratch database (a temporary file for SQLite; a
//! database named `am_bench_<pid>_<n>` on the servers, dropped afterwards). The declared side is
//! built in code as SeaORM would build it from entities (sea-query statements, read back through
//! the same `dialect` rules as `entities.rs`), because 10,000 entities cannot be compiled here.
//! It differs from the live side in 3% of the tables (a column added, a column widened, an index
//! added), so that diff and codegen have real work to do.
//!
//! Each (backend, N) runs in a child process of its own, so that the peak memory it reports is
//! its own: the peak resident set size of each phase (`VmHWM`, reset between phases through
//! `/proc/self/clear_refs`), which includes the process's baseline (about 10 MiB). It is measured
//! `--runs` times (default 3), each time in a fresh process, and the run with the median total is
//! reported.
//!
//! Options: `--backends sqlite,postgres,mysql`; `--runs <count>`; `--keep` keeps the scratch
//! databases (and prints their URLs) for a closer look; `--print-ddl <backend> <N>` prints the DDL
//! of the live side; `--create <backend> <N>` only creates a scratch database (kept) and prints
//! its URL; `--run <backend> <N> <URL>` makes one `check`-like run against it, for timing the
//! whole process from outside (`scripts/alembic-bench`); `--catalog-sql <URL>` prints the catalog
//! queries introspection sends there, each ending in `;` (what `scripts/alembic-bench` times with
//! psql); `AUTOMIGRATE_BENCH_SHOW_QUERIES=1`
//! prints each catalog query with its time.
//! The servers are `AUTOMIGRATE_TEST_POSTGRES` and `AUTOMIGRATE_TEST_MYSQL`, as for the
//! end-to-end tests.
use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use automigrate::commands::{self, HISTORY_TABLE};
use automigrate::introspect::introspect;
use automigrate_core::codegen::{FileSpec, render_file};
use automigrate_core::model::{
    Backend, Column, ColumnType, FkAction, ForeignKey, Index, Schema, Table,
};
use automigrate_core::{dialect, diff, hazards, renames};
use sea_orm::sea_query::{
    self, Alias, ColumnDef, Expr, ForeignKeyAction, IndexCreateStatement, MysqlQueryBuilder,
    PostgresQueryBuilder, SqliteQueryBuilder, StringLen, TableCreateStatement,
};
use sea_orm::{ConnectionTrait, Database, TransactionTrait};

const PHASES: [&str; 6] = [
    "connect",
    "introspect",
    "declared schema",
    "diff",
    "codegen",
    "rustfmt",
];

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--print-ddl") {
        let n: usize = args[2].parse().expect("N");
        for batch in ddl(parse_backend(&args[1]), 0..n, n.max(1)) {
            print!("{batch}");
        }
        return;
    }
    if args.first().map(String::as_str) == Some("--create") {
        let backend = parse_backend(&args[1]);
        let n: usize = args[2].parse().expect("N");
        let rt = tokio::runtime::Runtime::new().unwrap();
        let scratch = rt
            .block_on(Scratch::create(backend, n))
            .unwrap_or_else(|e| panic!("cannot create the scratch database: {e:#}"));
        println!("{}", scratch.url);
        std::mem::forget(scratch);
        return;
    }
    if args.first().map(String::as_str) == Some("--catalog-sql") {
        catalog_sql(&args[1]);
        return;
    }
    if args.first().map(String::as_str) == Some("--run") {
        let backend = parse_backend(&args[1]);
        let n: usize = args[2].parse().expect("N");
        run(backend, n, &args[3]);
        return;
    }
    if args.first().map(String::as_str) == Some("--child") {
        let backend = parse_backend(&args[1]);
        let n: usize = args[2].parse().expect("N");
        let url = &args[3];
        child(backend, n, url);
        return;
    }
    let mut sizes = Vec::new();
    let mut backends = vec![Backend::Sqlite, Backend::Postgres, Backend::MySql];
    let mut keep = false;
    let mut repeat = 3;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--keep" {
            keep = true;
        } else if a == "--runs" {
            repeat = it
                .next()
                .and_then(|r| r.parse().ok())
                .expect("--runs <count>");
        } else if a == "--backends" {
            let list = it.next().expect("--backends sqlite,postgres,mysql");
            backends = list.split(',').map(parse_backend).collect();
        } else {
            let usage = "scale [--backends sqlite,postgres,mysql] [--runs 3] [--keep] N...";
            let n = a.replace(['_', ','], "").parse::<usize>();
            sizes.push(n.unwrap_or_else(|_| panic!("usage: {usage}; not a number: `{a}`")));
        }
    }
    if sizes.is_empty() {
        sizes = vec![100, 1000, 10000];
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut results: Vec<(Backend, usize, Vec<Phase>)> = Vec::new();
    for &backend in &backends {
        for &n in &sizes {
            eprintln!("{} N={n}: creating the schema…", backend.name());
            let setup = Instant::now();
            let scratch = rt
                .block_on(Scratch::create(backend, n))
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot create the {} scratch database: {e:#}",
                        backend.name()
                    )
                });
            eprintln!(
                "  created in {:.1} s; measuring",
                setup.elapsed().as_secs_f64()
            );
            // Each run in a fresh process; the run with the median total is reported.
            let mut runs: Vec<Vec<Phase>> = Vec::new();
            let mut failure = None;
            for _ in 0..repeat {
                let out = Command::new(std::env::current_exe().unwrap())
                    .args([
                        "--child",
                        backend_arg(backend),
                        &n.to_string(),
                        &scratch.url,
                    ])
                    .output()
                    .expect("running the measuring child");
                if !out.status.success() {
                    failure = Some(String::from_utf8_lossy(&out.stderr).into_owned());
                    break;
                }
                eprint!("{}", String::from_utf8_lossy(&out.stderr));
                runs.push(parse_phases(&String::from_utf8_lossy(&out.stdout)));
            }
            if keep {
                eprintln!("  kept: {}", scratch.url);
                std::mem::forget(scratch);
            } else {
                rt.block_on(scratch.drop_it());
            }
            if let Some(stderr) = failure {
                panic!("the measuring child failed:\n{stderr}");
            }
            let total = |run: &Vec<Phase>| {
                run.iter()
                    .find(|p| p.name == "total")
                    .map_or(Duration::ZERO, |p| p.time)
            };
            runs.sort_by_key(total);
            let phases = runs.swap_remove(runs.len() / 2);
            results.push((backend, n, phases));
        }
    }
    print_tables(&results, &sizes);
}

fn parse_backend(s: &str) -> Backend {
    match s {
        "sqlite" => Backend::Sqlite,
        "postgres" | "postgresql" => Backend::Postgres,
        "mysql" | "mariadb" => Backend::MySql,
        other => panic!("unknown backend `{other}` (sqlite, postgres, mysql)"),
    }
}

fn backend_arg(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
        Backend::MySql => "mysql",
    }
}

// ---------------------------------------------------------------------------------------------
// The synthetic schema.

/// Table i's name.
fn table_name(i: usize) -> String {
    format!("t{i:05}")
}

/// How the declared side differs from the live side for table i: 1 in 100 tables gets a new
/// column, 1 in 100 a wider column, 1 in 100 a new index.
#[derive(Clone, Copy, PartialEq)]
enum Edit {
    None,
    AddColumn,
    WidenColumn,
    AddIndex,
}

fn edit_of(i: usize) -> Edit {
    match i % 100 {
        10 => Edit::AddColumn,
        43 => Edit::WidenColumn,
        76 => Edit::AddIndex,
        _ => Edit::None,
    }
}

/// Table i as SeaORM's `create_table_from_entity` and `create_index_from_entity` would give it.
fn statements(i: usize, edit: Edit) -> (TableCreateStatement, Vec<IndexCreateStatement>) {
    let name = table_name(i);
    let parent = table_name(i / 2);
    let name_len = if edit == Edit::WidenColumn { 200 } else { 100 };
    let mut t = sea_query::Table::create();
    t.table(Alias::new(&name))
        .col(
            ColumnDef::new_with_type("id", ColumnType::Integer)
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new_with_type("parent_id", ColumnType::Integer).not_null())
        .col(
            ColumnDef::new_with_type("name", ColumnType::String(StringLen::N(name_len))).not_null(),
        )
        .col(ColumnDef::new_with_type("email", ColumnType::String(StringLen::N(255))).unique_key())
        .col(
            ColumnDef::new_with_type("score", ColumnType::Integer)
                .not_null()
                .default(0),
        )
        .col(ColumnDef::new_with_type("ratio", ColumnType::Double))
        .col(
            ColumnDef::new_with_type("active", ColumnType::Boolean)
                .not_null()
                .default(true),
        )
        .col(
            ColumnDef::new_with_type("created_at", ColumnType::DateTime)
                .not_null()
                .default(Expr::current_timestamp()),
        )
        .col(ColumnDef::new_with_type("note", ColumnType::Text))
        .col(ColumnDef::new_with_type(
            "amount",
            ColumnType::Decimal(Some((10, 2))),
        ));
    if edit == Edit::AddColumn {
        t.col(ColumnDef::new_with_type("bio", ColumnType::Text));
    }
    t.foreign_key(
        sea_query::ForeignKey::create()
            .name(format!("fk-{name}-parent_id"))
            .from(Alias::new(&name), "parent_id")
            .to(Alias::new(&parent), "id")
            .on_delete(if i % 2 == 1 {
                ForeignKeyAction::NoAction
            } else {
                ForeignKeyAction::Cascade
            }),
    );
    let mut indexes = vec![
        sea_query::Index::create()
            .name(format!("idx-{name}-parent"))
            .table(Alias::new(&name))
            .col("parent_id")
            .col("created_at")
            .to_owned(),
    ];
    if edit == Edit::AddIndex {
        indexes.push(
            sea_query::Index::create()
                .name(format!("idx-{name}-score"))
                .table(Alias::new(&name))
                .col("score")
                .to_owned(),
        );
    }
    (t.to_owned(), indexes)
}

/// The DDL of table i of the live side: its `CREATE TABLE` and `CREATE INDEX` statements.
fn table_ddl(backend: Backend, i: usize) -> String {
    let (t, indexes) = statements(i, Edit::None);
    let mut sql = match backend {
        Backend::Sqlite => t.to_string(SqliteQueryBuilder),
        Backend::Postgres => t.to_string(PostgresQueryBuilder),
        Backend::MySql => t.to_string(MysqlQueryBuilder),
    };
    sql.push_str(";\n");
    for x in indexes {
        sql.push_str(&match backend {
            Backend::Sqlite => x.to_string(SqliteQueryBuilder),
            Backend::Postgres => x.to_string(PostgresQueryBuilder),
            Backend::MySql => x.to_string(MysqlQueryBuilder),
        });
        sql.push_str(";\n");
    }
    sql
}

/// The DDL of tables `range`, in batches of `per_batch` tables.
fn ddl(backend: Backend, range: std::ops::Range<usize>, per_batch: usize) -> Vec<String> {
    let tables: Vec<usize> = range.collect();
    tables
        .chunks(per_batch.max(1))
        .map(|chunk| chunk.iter().map(|&i| table_ddl(backend, i)).collect())
        .collect()
}

/// The tables by level: table i references table i/2, so every table of level k
/// (i in 2^(k-1)..2^k) references one of level k-1, and the tables of a level can be created in
/// any order, concurrently.
fn levels(n: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < n {
        let end = (if start == 0 { 1 } else { start * 2 }).min(n);
        out.push(start..end);
        start = end;
    }
    out
}

fn fk_action(a: Option<ForeignKeyAction>) -> FkAction {
    match a {
        Some(ForeignKeyAction::Restrict) => FkAction::Restrict,
        Some(ForeignKeyAction::Cascade) => FkAction::Cascade,
        Some(ForeignKeyAction::SetNull) => FkAction::SetNull,
        Some(ForeignKeyAction::SetDefault) => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// The model of a table from its statements, by the rules `entities.rs` applies to an entity's.
fn declare(
    backend: Backend,
    stmt: &TableCreateStatement,
    indexes: &[IndexCreateStatement],
) -> Table {
    let name = match stmt.get_table_name() {
        Some(t) => t.sea_orm_table().to_string(),
        None => unreachable!("every statement names its table"),
    };
    let mut table = Table::new(name);
    for def in stmt.get_columns() {
        let col_name = def.get_column_name();
        let spec = def.get_column_spec();
        let kind = def.get_column_type().cloned().expect("a type");
        let rendered = dialect::render_type(backend, &kind).expect("a type the backend has");
        let sql_type = dialect::canonical_type(backend, &rendered);
        let default = spec.default.as_ref().and_then(|e| {
            dialect::parse_default(backend, &dialect::render_expr(backend, e), &sql_type)
        });
        if spec.primary_key {
            table.primary_key.push(col_name.clone());
        }
        if spec.unique {
            table.indexes.push(Index {
                name: None,
                columns: vec![col_name.clone()],
                unique: true,
                constraint: true,
            });
        }
        table.columns.push(Column {
            name: col_name,
            sql_type,
            kind,
            nullable: spec.nullable != Some(false),
            default,
            auto_increment: spec.auto_increment,
            comment: None,
        });
    }
    for idx in indexes {
        table.indexes.push(Index {
            name: idx.get_index_spec().get_name().map(str::to_string),
            columns: idx.get_index_spec().get_column_names(),
            unique: idx.is_unique_key(),
            constraint: false,
        });
    }
    for fk in stmt.get_foreign_key_create_stmts() {
        let fk = fk.get_foreign_key();
        table.foreign_keys.push(ForeignKey {
            name: fk.get_name().map(str::to_string),
            columns: fk.get_columns(),
            ref_table: fk
                .get_ref_table()
                .map(|t| t.sea_orm_table().to_string())
                .expect("a referenced table"),
            ref_columns: fk.get_ref_columns(),
            on_delete: dialect::canonical_fk_action(backend, fk_action(fk.get_on_delete())),
            on_update: dialect::canonical_fk_action(backend, fk_action(fk.get_on_update())),
        });
    }
    dialect::normalize_table(backend, &mut table);
    table
}

/// The declared schema: the live one with the edits.
fn declared_schema(backend: Backend, n: usize, edits: bool) -> Schema {
    let mut schema = Schema::new(backend);
    for i in 0..n {
        let (t, ix) = statements(i, if edits { edit_of(i) } else { Edit::None });
        schema.add_table(declare(backend, &t, &ix));
    }
    schema
}

// ---------------------------------------------------------------------------------------------
// Scratch databases.

fn server_url(backend: Backend) -> String {
    match backend {
        Backend::Postgres => std::env::var("AUTOMIGRATE_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into()),
        Backend::MySql => std::env::var("AUTOMIGRATE_TEST_MYSQL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into()),
        Backend::Sqlite => String::new(),
    }
}

fn with_database(url: &str, name: &str) -> String {
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url);
    format!("{base}/{name}")
}

struct Scratch {
    backend: Backend,
    url: String,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl Scratch {
    async fn create(backend: Backend, n: usize) -> anyhow::Result<Scratch> {
        let name = format!("am_bench_{}_{n}", std::process::id());
        let (url, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir()?;
                let url = format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("bench.db").display()
                );
                (url, Some(dir))
            }
            _ => {
                let admin = server_url(backend);
                let db = Database::connect(&admin).await?;
                db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}"))
                    .await?;
                db.execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await?;
                db.close().await?;
                (with_database(&admin, &name), None)
            }
        };
        let scratch = Scratch {
            backend,
            url,
            name,
            _dir: dir,
        };
        let db = Database::connect(&scratch.url).await?;
        match backend {
            // One transaction, on one connection, a few statements at a time (SQLite prepares
            // a multi-statement text one statement at a time, copying the rest).
            Backend::Sqlite => {
                let txn = db.begin().await?;
                for batch in ddl(backend, 0..n, 50) {
                    txn.execute_unprepared(&batch).await?;
                }
                txn.commit().await?;
            }
            // Level by level, each level on two connections at once (the two cores), in
            // transactions small enough for the lock table (max_locks_per_transaction).
            Backend::Postgres | Backend::MySql => {
                // MySQL: the statements are checked as they come, not their order.
                let prefix = if backend == Backend::MySql {
                    "SET SESSION foreign_key_checks = 0;\n"
                } else {
                    ""
                };
                for level in levels(n) {
                    let middle = level.start + level.len() / 2;
                    let halves = [level.start..middle, middle..level.end];
                    let loads = halves.map(|half| {
                        let db = &db;
                        async move {
                            for batch in ddl(backend, half, 100) {
                                db.execute_unprepared(&format!("{prefix}{batch}")).await?;
                            }
                            anyhow::Ok(())
                        }
                    });
                    let [a, b] = loads;
                    let (a, b) = tokio::join!(a, b);
                    a?;
                    b?;
                }
            }
        }
        db.close().await?;
        Ok(scratch)
    }

    async fn drop_it(self) {
        if self.backend == Backend::Sqlite {
            return;
        }
        let admin = server_url(self.backend);
        if let Ok(db) = Database::connect(&admin).await {
            let force = if self.backend == Backend::Postgres {
                " WITH (FORCE)"
            } else {
                ""
            };
            let _ = db
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {}{force}", self.name))
                .await;
            let _ = db.close().await;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The measuring child.

struct Phase {
    name: String,
    time: Duration,
    queries: usize,
    /// Time spent in the catalog queries (sent to received, as sea-orm measures it).
    in_queries: Duration,
    /// Peak resident set size during the phase, KiB.
    peak_kib: u64,
}

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Resets the peak resident set size to the current one (Linux 4.0+).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

struct Meter {
    queries: Arc<AtomicUsize>,
    query_nanos: Arc<AtomicU64>,
    start: Instant,
    count_at_start: usize,
    nanos_at_start: u64,
    phases: Vec<Phase>,
}

impl Meter {
    fn begin(&mut self) {
        reset_peak();
        self.count_at_start = self.queries.load(Ordering::SeqCst);
        self.nanos_at_start = self.query_nanos.load(Ordering::SeqCst);
        self.start = Instant::now();
    }

    fn end(&mut self, name: &str) {
        let time = self.start.elapsed();
        self.phases.push(Phase {
            name: name.to_string(),
            time,
            queries: self.queries.load(Ordering::SeqCst) - self.count_at_start,
            in_queries: Duration::from_nanos(
                self.query_nanos.load(Ordering::SeqCst) - self.nanos_at_start,
            ),
            peak_kib: status_kib("VmHWM"),
        });
    }
}

fn child(backend: Backend, n: usize, url: &str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let queries = Arc::new(AtomicUsize::new(0));
    let query_nanos = Arc::new(AtomicU64::new(0));
    let mut m = Meter {
        queries: queries.clone(),
        query_nanos: query_nanos.clone(),
        start: Instant::now(),
        count_at_start: 0,
        nanos_at_start: 0,
        phases: Vec::new(),
    };
    let total = Instant::now();

    m.begin();
    let mut db = rt.block_on(commands::connect(url)).expect("connect");
    let (counter, nanos) = (queries.clone(), query_nanos.clone());
    let show_queries = std::env::var_os("AUTOMIGRATE_BENCH_SHOW_QUERIES").is_some();
    db.set_metric_callback(move |info| {
        counter.fetch_add(1, Ordering::SeqCst);
        nanos.fetch_add(info.elapsed.as_nanos() as u64, Ordering::SeqCst);
        if show_queries {
            let sql: String = info.statement.sql.chars().take(100).collect();
            eprintln!("  {:>7.1} ms  {sql}", info.elapsed.as_secs_f64() * 1e3);
        }
    });
    m.end("connect");

    m.begin();
    let live = rt
        .block_on(introspect(&db, HISTORY_TABLE))
        .expect("introspect");
    m.end("introspect");
    assert_eq!(live.schema.tables.len(), n, "tables introspected");

    m.begin();
    let declared = declared_schema(backend, n, true);
    m.end("declared schema");

    // As `commands::analyze_with` does (no renames given; every candidate answered No).
    m.begin();
    let (plan, declined, found) = analyze(backend, &live.schema, &declared);
    let near_misses = renames::near_misses(&plan);
    m.end("diff");
    std::hint::black_box((&near_misses, &found));

    m.begin();
    let source = migration_file(backend, &plan, &declined);
    m.end("codegen");

    m.begin();
    let formatted = commands::rustfmt(&source);
    m.end("rustfmt");
    let total = total.elapsed();
    rt.block_on(db.close()).ok();

    // Checks, not timed: the unedited declared schema equals the live one, and the plan holds
    // exactly the edits.
    let phantom = diff(&live.schema, &declared_schema(backend, n, false));
    assert!(
        phantom.is_empty(),
        "phantom diff on {}:\n{:#?}",
        backend.name(),
        &phantom.changes[..phantom.changes.len().min(5)]
    );
    let edited: std::collections::BTreeSet<&str> =
        plan.changes.iter().filter_map(|c| c.table()).collect();
    let expected = (0..n).filter(|&i| edit_of(i) != Edit::None).count();
    assert_eq!(edited.len(), expected, "tables the plan changes");

    // The whole schema as a first migration, from an empty database: diff and codegen of N
    // tables.
    let empty = Schema::new(backend);
    let t = Instant::now();
    let whole = diff(&empty, &declared);
    let whole_source = migration_file(backend, &whole, &[]);
    let whole_time = t.elapsed();

    for p in &m.phases {
        println!(
            "PHASE\t{}\t{}\t{}\t{}\t{}",
            p.name,
            p.time.as_nanos(),
            p.queries,
            p.peak_kib,
            p.in_queries.as_nanos()
        );
    }
    let peak = m.phases.iter().map(|p| p.peak_kib).max().unwrap_or(0);
    println!(
        "PHASE\ttotal\t{}\t{}\t{}\t{}",
        total.as_nanos(),
        queries.load(Ordering::SeqCst),
        peak,
        query_nanos.load(Ordering::SeqCst)
    );
    println!(
        "PHASE\twhole schema: diff + codegen from empty\t{}\t0\t{}\t0",
        whole_time.as_nanos(),
        status_kib("VmHWM")
    );
    eprintln!(
        "  {} changes in {} tables, {} lines of migration ({} bytes formatted); whole-schema \
         migration: {} changes, {} bytes",
        plan.changes.len(),
        edited.len(),
        source.lines().count(),
        formatted.len(),
        whole.changes.len(),
        whole_source.len()
    );
}

/// The plan, the rename candidates (every one answered No) and the hazards, as
/// `commands::analyze_with` finds them with no renames given: the first diff is the plan.
fn analyze(
    backend: Backend,
    live: &Schema,
    declared: &Schema,
) -> (diff::Plan, Vec<renames::Candidate>, Vec<hazards::Hazard>) {
    renames::check(live, declared, &[]).expect("renames");
    let plan = renames::diff_with_renames(live, declared, &[]);
    let declined = renames::candidates(&plan);
    let found = plan
        .changes
        .iter()
        .flat_map(|c| hazards::of(c, backend))
        .collect();
    (plan, declined, found)
}

/// The migration file of `plan`, as makemigration writes it (before rustfmt).
fn migration_file(backend: Backend, plan: &diff::Plan, declined: &[renames::Candidate]) -> String {
    render_file(&FileSpec {
        online: false,
        name: "m20261130_000000_bench",
        follows: &[],
        message: "bench",
        backend,
        plan,
        rows: &BTreeMap::new(),
        declined,
    })
    .expect("codegen")
}

/// `--catalog-sql <URL>`: the catalog queries introspection sends to that database, as sent.
fn catalog_sql(url: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut db = rt.block_on(commands::connect(url)).expect("connect");
    let sent = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = sent.clone();
    db.set_metric_callback(move |info| log.lock().unwrap().push(info.statement.sql.clone()));
    rt.block_on(introspect(&db, HISTORY_TABLE))
        .expect("introspect");
    rt.block_on(db.close()).ok();
    for sql in sent.lock().unwrap().iter() {
        println!("{};", sql.trim_end().trim_end_matches(';'));
    }
}

/// `--run <backend> <N> <URL>`: one run as `cargo xtask check` makes it, for timing the whole
/// process from outside (`scripts/alembic-bench`): connect, read the live schema, build the
/// declared one (equal to it: no edits), diff, hazards; and only when the plan is not empty,
/// the migration file and rustfmt, as `makemigration` would. Prints what it found.
fn run(backend: Backend, n: usize, url: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(commands::connect(url)).expect("connect");
    let live = rt
        .block_on(introspect(&db, HISTORY_TABLE))
        .expect("introspect");
    let declared = declared_schema(backend, n, false);
    let (plan, declined, found) = analyze(backend, &live.schema, &declared);
    rt.block_on(db.close()).ok();
    if plan.is_empty() {
        println!("{} tables: no changes", live.schema.tables.len());
        return;
    }
    let source = migration_file(backend, &plan, &declined);
    let formatted = commands::rustfmt(&source);
    println!(
        "{} tables: {} changes, {} hazards, {} bytes of migration",
        live.schema.tables.len(),
        plan.changes.len(),
        found.len(),
        formatted.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Report.

fn parse_phases(out: &str) -> Vec<Phase> {
    out.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() == 6 && f[0] == "PHASE").then(|| Phase {
                name: f[1].to_string(),
                time: Duration::from_nanos(f[2].parse().unwrap_or(0)),
                queries: f[3].parse().unwrap_or(0),
                peak_kib: f[4].parse().unwrap_or(0),
                in_queries: Duration::from_nanos(f[5].parse().unwrap_or(0)),
            })
        })
        .collect()
}

fn fmt_time(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn with_commas(n: usize) -> String {
    let digits = n.to_string();
    let mut groups: Vec<&str> = Vec::new();
    let mut end = digits.len();
    while end > 3 {
        groups.push(&digits[end - 3..end]);
        end -= 3;
    }
    groups.push(&digits[..end]);
    groups.reverse();
    groups.join(",")
}

fn print_tables(results: &[(Backend, usize, Vec<Phase>)], sizes: &[usize]) {
    println!();
    println!(
        "Cells: time (of which waiting for the catalog queries) / catalog queries / peak RSS of \
         the process during the phase."
    );
    let mut backends: Vec<Backend> = Vec::new();
    for (b, _, _) in results {
        if !backends.contains(b) {
            backends.push(*b);
        }
    }
    for b in backends {
        println!();
        println!("{}", b.name());
        println!();
        let mut header = "| phase |".to_string();
        let mut rule = "| --- |".to_string();
        for n in sizes {
            header.push_str(&format!(" {} tables |", with_commas(*n)));
            rule.push_str(" --- |");
        }
        println!("{header}");
        println!("{rule}");
        let mut names: Vec<String> = PHASES.iter().map(|s| s.to_string()).collect();
        names.push("total".into());
        names.push("whole schema: diff + codegen from empty".into());
        for name in names {
            let mut row = format!("| {name} |");
            for n in sizes {
                let cell = results
                    .iter()
                    .find(|(rb, rn, _)| *rb == b && rn == n)
                    .and_then(|(_, _, ps)| ps.iter().find(|p| p.name == name))
                    .map(|p| {
                        let db = if p.queries > 0 {
                            format!(" ({} in queries)", fmt_time(p.in_queries))
                        } else {
                            String::new()
                        };
                        format!(
                            "{}{db} / {} / {} MiB",
                            fmt_time(p.time),
                            p.queries,
                            (p.peak_kib + 512) / 1024
                        )
                    })
                    .unwrap_or_else(|| "–".into());
                row.push_str(&format!(" {cell} |"));
            }
            let row = if name == "total" {
                row.replace("| total |", "| **total** |")
            } else {
                row
            };
            println!("{row}");
        }
    }
}
