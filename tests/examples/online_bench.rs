//! The online mode's load test (issue 18): a steady writer (one insert and one update every
//! 10 ms) against `events`, a table of N rows, while a migration adds to it an index, a foreign
//! key (`events.user_id` → `users.id`), a NOT NULL (`events.kind`) and a unique
//! (`user_id`, `code`), one change after the other: first as today's plan runs them (the
//! offline operations, each in a transaction on PostgreSQL, as a sea-orm-migration migration
//! runs), then with `automigrate_ops::online`; and, before both, a control run with no
//! migration. For each change it reports the longest write stall (the longest time one write
//! took while the change ran) and the failed writes.
//!
//! Not part of `cargo test`: it makes tables of millions of rows and runs for minutes.
//!
//! ```text
//! cargo run --release -p automigrate-e2e --example online_bench -- postgres 10000000
//! cargo run -p automigrate-e2e --example online_bench -- mysql 1000000
//! ```
//!
//! Servers: `AUTOMIGRATE_TEST_POSTGRES` and `AUTOMIGRATE_TEST_MYSQL`, as for the tests; the
//! database `am_online_bench` is made there and dropped at the end.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use automigrate_ops as ops;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement, Value};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// One write: when it started (since the run began), how long it took, whether it failed.
#[derive(Clone, Copy, Debug)]
struct Write {
    start: Duration,
    took: Duration,
    ok: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    Today,
    Online,
}

const CHANGES: [&str; 4] = ["index", "foreign key", "NOT NULL", "unique"];

fn server(backend: DbBackend) -> String {
    match backend {
        DbBackend::Postgres => std::env::var("AUTOMIGRATE_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into()),
        _ => std::env::var("AUTOMIGRATE_TEST_MYSQL")
            .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into()),
    }
}

fn with_database(url: &str, name: &str) -> String {
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(url);
    format!("{base}/{name}")
}

async fn exec(db: &DatabaseConnection, sql: &str) -> anyhow::Result<()> {
    db.execute_unprepared(sql)
        .await
        .with_context(|| sql.to_string())?;
    Ok(())
}

/// Makes `users` (1,000 rows) and `events` (`rows` rows, `kind` nullable, no index but its key).
async fn load(db: &DatabaseConnection, rows: u64) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    exec(
        db,
        "CREATE TABLE users (id integer PRIMARY KEY, name varchar(50) NOT NULL)",
    )
    .await?;
    exec(
        db,
        "CREATE TABLE events (id bigint PRIMARY KEY, user_id integer NOT NULL, \
         code bigint NOT NULL, kind varchar(20) NULL)",
    )
    .await?;
    let series = |n: u64| match backend {
        DbBackend::Postgres => format!("generate_series(1, {n}) AS s(i)"),
        // MariaDB's sequence engine.
        _ => format!("(SELECT seq AS i FROM seq_1_to_{n}) AS s"),
    };
    exec(
        db,
        &format!(
            "INSERT INTO users SELECT i, concat('user', i) FROM {}",
            series(1000)
        ),
    )
    .await?;
    // In batches of a million, so that MariaDB's undo log stays small.
    let mut done = 0;
    while done < rows {
        let n = Ord::min(rows - done, 1_000_000);
        exec(
            db,
            &format!(
                "INSERT INTO events SELECT i + {done}, (i + {done}) % 1000 + 1, i + {done}, 'k' FROM {}",
                series(n)
            ),
        )
        .await?;
        done += n;
    }
    match backend {
        DbBackend::Postgres => exec(db, "VACUUM ANALYZE events").await?,
        _ => exec(db, "ANALYZE TABLE events").await?,
    }
    Ok(())
}

/// The writer: every 10 ms one insert and one update, each timed, until `stop`.
async fn writer(
    db: DatabaseConnection,
    start: Instant,
    stop: Arc<AtomicBool>,
    first_id: i64,
    rows: i64,
) -> Vec<Write> {
    let backend = db.get_database_backend();
    let (insert, update) = match backend {
        DbBackend::Postgres => (
            "INSERT INTO events (id, user_id, code, kind) VALUES ($1, $2, $3, 'w')",
            "UPDATE events SET kind = 'u' WHERE id = $1",
        ),
        _ => (
            "INSERT INTO events (id, user_id, code, kind) VALUES (?, ?, ?, 'w')",
            "UPDATE events SET kind = 'u' WHERE id = ?",
        ),
    };
    let mut out = Vec::new();
    let mut id = first_id;
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        id += 1;
        let statements = [
            Statement::from_sql_and_values(
                backend,
                insert,
                [
                    Value::from(id),
                    Value::from((id % 1000 + 1) as i32),
                    Value::from(id),
                ],
            ),
            Statement::from_sql_and_values(backend, update, [Value::from((id * 7919) % rows + 1)]),
        ];
        for s in statements {
            let began = Instant::now();
            let result = db.execute_raw(s).await;
            if let Err(e) = &result {
                eprintln!("  write failed: {e}");
            }
            out.push(Write {
                start: began - start,
                took: began.elapsed(),
                ok: result.is_ok(),
            });
        }
    }
    out
}

/// Runs change `i` of `plan`.
async fn change(db: &DatabaseConnection, plan: Plan, i: usize) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    let base = SchemaManager::new(db);
    // Today's plan: a migration in a transaction on PostgreSQL (sea-orm-migration's default),
    // without one on MySQL/MariaDB.
    let tx = match (plan, backend) {
        (Plan::Today, DbBackend::Postgres) => Some(base.begin().await?),
        _ => None,
    };
    let manager = tx.as_ref().unwrap_or(&base);
    let index = Index::create()
        .name("idx-events-user_id")
        .table("events")
        .col("user_id")
        .to_owned();
    let fk = ForeignKey::create()
        .name("fk-events-user_id")
        .from("events", "user_id")
        .to("users", "id")
        .to_owned();
    let (from, to) = (string_len_null("kind", 20), string_len("kind", 20));
    let unique = ["user_id", "code"];
    match (plan, i) {
        (Plan::Today, 0) => manager.create_index(index).await?,
        (Plan::Today, 1) => ops::add_foreign_key(manager, fk).await?,
        (Plan::Today, 2) => ops::alter_column(manager, "events", from, to).await?,
        (Plan::Today, _) => ops::add_unique(manager, "events", "events_user_code", unique).await?,
        (Plan::Online, 0) => ops::online::create_index(manager, index).await?,
        (Plan::Online, 1) => ops::online::add_foreign_key(manager, fk).await?,
        (Plan::Online, 2) => ops::online::alter_column(manager, "events", from, to).await?,
        (Plan::Online, _) => {
            ops::online::add_unique(manager, "events", "events_user_code", unique).await?
        }
    }
    if let Some(tx) = tx {
        tx.commit().await?;
    }
    Ok(())
}

/// Takes the four changes out again (between the runs; not measured).
async fn revert(db: &DatabaseConnection) -> anyhow::Result<()> {
    let m = SchemaManager::new(db);
    ops::drop_foreign_key(&m, "events", ["user_id"]).await?;
    ops::drop_unique(&m, "events", ["user_id", "code"]).await?;
    m.drop_index(
        Index::drop()
            .name("idx-events-user_id")
            .table("events")
            .to_owned(),
    )
    .await?;
    ops::alter_column(
        &m,
        "events",
        string_len("kind", 20),
        string_len_null("kind", 20),
    )
    .await?;
    Ok(())
}

/// The longest write that overlapped `[from, to]`, and the failed writes among them.
fn stall(writes: &[Write], from: Duration, to: Duration) -> (Duration, usize, usize) {
    let during: Vec<&Write> = writes
        .iter()
        .filter(|w| w.start <= to && w.start + w.took >= from)
        .collect();
    let longest = during.iter().map(|w| w.took).max().unwrap_or_default();
    let failed = during.iter().filter(|w| !w.ok).count();
    (longest, failed, during.len())
}

fn ms(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let backend = match args.next().as_deref() {
        Some("postgres") => DbBackend::Postgres,
        Some("mysql") => DbBackend::MySql,
        _ => anyhow::bail!("usage: online_bench postgres|mysql [ROWS] [CONTROL_SECONDS]"),
    };
    let rows: u64 = args.next().map_or(Ok(1_000_000), |n| n.parse())?;
    let control: u64 = args.next().map_or(Ok(20), |n| n.parse())?;
    let admin = Database::connect(server(backend)).await?;
    let name = "am_online_bench";
    exec(&admin, &format!("DROP DATABASE IF EXISTS {name}")).await?;
    exec(&admin, &format!("CREATE DATABASE {name}")).await?;
    let url = with_database(&server(backend), name);
    let result = run(backend, &url, rows, control).await;
    exec(&admin, &format!("DROP DATABASE IF EXISTS {name}")).await?;
    result
}

async fn run(backend: DbBackend, url: &str, rows: u64, control: u64) -> anyhow::Result<()> {
    let db = Database::connect(url).await?;
    let loading = Instant::now();
    load(&db, rows).await?;
    eprintln!("{rows} rows loaded in {}", ms(loading.elapsed()));
    let start = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let writer_db = Database::connect(url).await?;
    let writes = tokio::spawn(writer(
        writer_db,
        start,
        stop.clone(),
        rows as i64 + 10,
        rows as i64,
    ));
    // Control: the writer alone.
    let mut windows = Vec::new();
    let t = start.elapsed();
    tokio::time::sleep(Duration::from_secs(control)).await;
    windows.push((
        "control (no migration)".to_string(),
        None,
        t,
        start.elapsed(),
    ));
    for plan in [Plan::Today, Plan::Online] {
        if plan == Plan::Online {
            revert(&db).await?;
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
        for (i, what) in CHANGES.iter().enumerate() {
            let t = start.elapsed();
            let result = change(&db, plan, i).await;
            let done = start.elapsed();
            if let Err(e) = &result {
                eprintln!("{plan:?} {what}: {e}");
            }
            eprintln!("{plan:?} {what}: {}", ms(done - t));
            windows.push((String::from(*what), Some((plan, result.is_ok())), t, done));
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let writes = writes.await?;
    println!(
        "\n{} ({rows} rows in events), writer: 1 insert + 1 update every 10 ms\n",
        match backend {
            DbBackend::Postgres => "PostgreSQL",
            _ => "MySQL/MariaDB",
        }
    );
    println!("| change | plan | took | longest write stall | failed writes / writes |");
    println!("|---|---|---|---|---|");
    for (what, plan, from, to) in windows {
        let (longest, failed, n) = stall(&writes, from, to);
        let plan = match plan {
            None => "-".to_string(),
            Some((Plan::Today, ok)) => format!("today{}", if ok { "" } else { " (failed)" }),
            Some((Plan::Online, ok)) => format!("online{}", if ok { "" } else { " (failed)" }),
        };
        println!(
            "| {what} | {plan} | {} | {} | {failed} / {n} |",
            ms(to - from),
            ms(longest)
        );
    }
    Ok(())
}
