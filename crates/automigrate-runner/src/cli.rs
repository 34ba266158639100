//! The command line: sea-orm-migration's (same subcommands, flags and environment variables),
//! plus `--sql`, `--to`, `stamp`, `current`, `history`, `heads` and the lock.
use std::io::Write as _;
use std::time::Duration;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use sea_orm::{ConnectOptions, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;

#[cfg(test)]
use crate::DEFAULT_LOCK_TIMEOUT;
use crate::connection::{self, redact};
use crate::failure::FailedStatement;
use crate::lineage::{self, Lineage};
use crate::ops::{self, History};
use crate::output;
use crate::plan::{self, DownTo, Target, UpTo};
use crate::preview::{Direction, preview_sql};
use crate::{sources, sums};

/// sea-orm-migration's directory for `init` and `generate`: the working directory.
const MIGRATION_DIR: &str = "./";

#[derive(Parser)]
#[command(
    version,
    about = "Apply and inspect the migrations of this crate (sea-orm-migration, run by automigrate-runner)"
)]
struct Cli {
    #[arg(short = 'v', long, global = true, help = "Show debug messages")]
    verbose: bool,

    #[arg(
        global = true,
        short = 's',
        long,
        env = "DATABASE_SCHEMA",
        long_help = "Database schema\n \
                    - For MySQL and SQLite, this argument is ignored.\n \
                    - For PostgreSQL, this argument is optional with default value 'public'.\n"
    )]
    database_schema: Option<String>,

    #[arg(
        global = true,
        short = 'u',
        long,
        env = "DATABASE_URL",
        help = "Database URL"
    )]
    database_url: Option<String>,

    #[arg(
        global = true,
        long,
        env = "MIGRATION_LOCK_TIMEOUT",
        value_parser = parse_duration,
        default_value = "10s",
        help = "How long up, down, stamp, fresh, refresh and reset wait for another process's \
                migration lock (10, 10s, 500ms, 2m; 0 = do not wait)"
    )]
    lock_timeout: Duration,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    #[command(about = "Initialize migration directory", display_order = 10)]
    Init,
    #[command(about = "Generate a new, empty migration", display_order = 20)]
    Generate {
        #[arg(required = true, help = "Name of the new migration")]
        migration_name: String,

        #[arg(
            long,
            default_value = "true",
            help = "Generate migration file based on Utc time",
            conflicts_with = "local_time",
            display_order = 1001
        )]
        universal_time: bool,

        #[arg(
            long,
            help = "Generate migration file based on Local time",
            conflicts_with = "universal_time",
            display_order = 1002
        )]
        local_time: bool,
    },
    #[command(
        about = "Drop all tables from the database, then reapply all migrations",
        display_order = 30
    )]
    Fresh,
    #[command(
        about = "Rollback all applied migrations, then reapply all migrations",
        display_order = 40
    )]
    Refresh,
    #[command(about = "Rollback all applied migrations", display_order = 50)]
    Reset,
    #[command(about = "Check the status of all migrations", display_order = 60)]
    Status,
    #[command(about = "Apply pending migrations", display_order = 70)]
    Up {
        #[arg(short, long, help = "Number of pending migrations to apply")]
        num: Option<u32>,
        #[arg(
            long,
            conflicts_with = "num",
            value_name = "MIGRATION",
            help = "Apply the pending migrations up to and including this one (or `head`)"
        )]
        to: Option<String>,
        #[arg(
            long,
            help = "Print the SQL that would run, in order, and run nothing (reads the history, \
                    changes nothing)"
        )]
        sql: bool,
        #[arg(
            long,
            requires = "sql",
            value_name = "MIGRATION",
            help = "With --sql: assume the database is at this migration (or `base`) instead of \
                    reading its history; does not connect (the backend comes from the URL)"
        )]
        from: Option<String>,
    },
    #[command(about = "Rollback applied migrations", display_order = 80)]
    Down {
        #[arg(
            short,
            long,
            default_value = "1",
            help = "Number of applied migrations to be rolled back",
            display_order = 90
        )]
        num: u32,
        #[arg(
            long,
            conflicts_with = "num",
            value_name = "MIGRATION",
            help = "Roll back every migration after this one, which stays applied (`base`: all)"
        )]
        to: Option<String>,
        #[arg(
            long,
            help = "Print the SQL that would run, in order, and run nothing (reads the history, \
                    changes nothing)"
        )]
        sql: bool,
        #[arg(
            long,
            requires = "sql",
            value_name = "MIGRATION",
            help = "With --sql: assume the database is at this migration (or `head`) instead of \
                    reading its history; does not connect (the backend comes from the URL)"
        )]
        from: Option<String>,
    },
    #[command(
        about = "Record the history as being at a migration (or head, or base) without running \
                 anything",
        display_order = 100
    )]
    Stamp {
        #[arg(value_name = "MIGRATION|head|base")]
        target: String,
    },
    #[command(
        about = "Print the last applied migration (`base` when none)",
        display_order = 110
    )]
    Current,
    #[command(
        about = "List the migrations, applied (with when) or pending",
        display_order = 120
    )]
    History,
    #[command(
        about = "List the heads of the history: the migrations no other follows (two or more \
                 after merging branches that each added migrations; reads the sources, no \
                 database)",
        display_order = 130
    )]
    Heads,
}

/// The migration crate's `main`: parses the command line (loading `.env` first), runs the
/// command, and exits with status 1 and the error on stderr when it fails.
///
/// ```no_run
/// # mod migration { pub use sea_orm_migration::prelude::*; pub struct Migrator;
/// # impl MigratorTrait for Migrator { fn migrations() -> Vec<Box<dyn MigrationTrait>> { vec![] } } }
/// #[tokio::main]
/// async fn main() {
///     automigrate_runner::run_cli(migration::Migrator).await;
/// }
/// ```
pub async fn run_cli<M: MigratorTrait>(_migrator: M) {
    if let Err(e) = connection::load_dotenv() {
        crate::output::eprint_line(&format!("error: {}", crate::error_text(&e)));
        std::process::exit(1);
    }
    let cli = Cli::parse();
    if let Err(e) = run::<M>(cli).await {
        crate::output::eprint_line(&format!("error: {}", crate::error_text(&e)));
        std::process::exit(1);
    }
}

async fn run<M: MigratorTrait>(mut cli: Cli) -> anyhow::Result<()> {
    // No subcommand is `up`, as with sea-orm-migration.
    let command = cli.command.take().unwrap_or(Command::Up {
        num: None,
        to: None,
        sql: false,
        from: None,
    });
    let sql = matches!(
        command,
        Command::Up { sql: true, .. } | Command::Down { sql: true, .. }
    );
    // With --sql, stdout is the script: the log goes to stderr.
    setup_tracing(cli.verbose, sql);
    let timeout = cli.lock_timeout;
    // The sources, read once for the heads and the sums, by the commands that check them.
    let own = if matches!(
        command,
        Command::Up { .. } | Command::Fresh | Command::Refresh | Command::Status | Command::Heads
    ) {
        own_sources::<M>()
    } else {
        None
    };
    let lineage = own.as_ref().map(|(_, sources)| Lineage::of(sources));
    // Branches merged without a merge migration: `up` would apply migrations that were never
    // generated knowing each other. Refused where the sources are known (as for the sums).
    if matches!(
        command,
        Command::Up { .. } | Command::Fresh | Command::Refresh | Command::Heads
    ) {
        match (&command, &lineage) {
            (Command::Heads, Some(l)) => return Ok(output::print(&heads_text(l))?),
            (Command::Heads, None) => anyhow::bail!(
                "`heads` reads the migration crate's sources: run it with `cargo run -p \
                 <migration crate> -- heads`"
            ),
            (Command::Up { sql: true, .. }, Some(l)) => {
                if let Some(refusal) = l.refusal("") {
                    output::eprint_line(&format!("warning: {}", refusal.trim_end()));
                }
            }
            (_, Some(l)) => {
                if let Some(refusal) = l.refusal("Nothing was applied.") {
                    anyhow::bail!("{refusal}");
                }
            }
            (_, None) => {}
        }
    }
    // automigrate.sum: what applies migrations refuses edited ones; `status` says what it finds.
    let sums = match &command {
        Command::Up { .. } | Command::Fresh | Command::Refresh | Command::Status => {
            Some(check_sums(own.as_ref())?)
        }
        _ => None,
    };
    if let Some(Sums::Checked(v)) = &sums
        && !v.is_ok()
    {
        match &command {
            Command::Status => {}
            Command::Up { sql: true, .. } => output::eprint_line(&format!(
                "warning: the migration files differ from what {} records:\n{}\n`up` refuses \
                 to apply them until they are recorded again on purpose: `{}`",
                v.sum_file.display(),
                v.lines().join("\n"),
                sums::REHASH
            )),
            _ => anyhow::bail!("{}", v.refusal("Nothing was applied.")),
        }
    }
    match command {
        Command::Init => {
            sea_orm_cli::run_migrate_init(MIGRATION_DIR).map_err(|e| anyhow::anyhow!("{e}"))
        }
        Command::Generate {
            migration_name,
            local_time,
            ..
        } => sea_orm_cli::run_migrate_generate(MIGRATION_DIR, &migration_name, !local_time)
            .map_err(|e| anyhow::anyhow!("{e}")),
        Command::Up {
            num,
            to,
            sql: true,
            from,
        } => {
            let to = match (num, to) {
                (Some(n), _) => UpTo::Steps(n),
                (None, Some(t)) => UpTo::Target(Target::parse(&t)),
                (None, None) => UpTo::All,
            };
            print_sql::<M>(&cli, Plan::Up(to), from).await
        }
        Command::Down {
            num,
            to,
            sql: true,
            from,
        } => {
            let to = match to {
                Some(t) => DownTo::Target(Target::parse(&t)),
                None => DownTo::Steps(num),
            };
            print_sql::<M>(&cli, Plan::Down(to), from).await
        }
        command => {
            let status = matches!(command, Command::Status);
            let mut db = connect(&cli).await?;
            let failed = FailedStatement::track(&mut db);
            let result = run_on::<M>(&db, command, timeout, &failed).await;
            let _ = db.close().await;
            result?;
            if let (true, Some(sums)) = (status, &sums) {
                output::print(&sums_text(sums))?;
            }
            // Several heads (or a parent it cannot place): said after the status.
            if let (true, Some(lineage)) = (status, &lineage)
                && (lineage.heads().len() > 1 || !lineage.problems().is_empty())
            {
                output::print(&heads_text(lineage))?;
            }
            Ok(())
        }
    }
}

/// What the runner knows of `automigrate.sum`.
enum Sums {
    /// Not run from the migration crate's sources (a deployed binary, or run from elsewhere than
    /// `cargo run`): nothing to check.
    NoSources,
    Checked(sums::Verification),
}

/// The migration crate's sources when the program runs from them: `cargo run -p migration`
/// sets `CARGO_MANIFEST_DIR` to the migration crate, whose `lib.rs` then registers the
/// migrations this program has. Anything else (a deployed binary, a directory whose `lib.rs`
/// lists other migrations) has no sources to check. The directory is relative to the working
/// directory where it can be, so that messages name `migration/src/…`.
fn own_sources<M: MigratorTrait>() -> Option<(std::path::PathBuf, Vec<sources::Source>)> {
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let dir = std::env::current_dir()
        .ok()
        .and_then(|cwd| dir.strip_prefix(cwd).ok().map(std::path::Path::to_path_buf))
        .unwrap_or(dir);
    let sources = sources::read(&dir).ok()?;
    let names: Vec<String> = M::migrations()
        .iter()
        .map(|m| m.name().to_string())
        .collect();
    if sources.iter().map(|s| &s.name).ne(names.iter()) {
        return None;
    }
    Some((dir, sources))
}

/// Checks the migration files against `automigrate.sum` when the program runs from its
/// sources ([`own_sources`], read once by the caller).
fn check_sums(own: Option<&(std::path::PathBuf, Vec<sources::Source>)>) -> anyhow::Result<Sums> {
    let Some((dir, sources)) = own else {
        return Ok(Sums::NoSources);
    };
    let v = sums::verify_read(dir, sources)
        .with_context(|| format!("reading {}", dir.join(sums::FILE).display()))?;
    Ok(Sums::Checked(v))
}

/// `heads`: the migrations nothing follows (one, for a history without branches), each with
/// what it follows.
fn heads_text(lineage: &Lineage) -> String {
    let mut out = String::new();
    for head in lineage.heads() {
        let node = lineage.nodes.iter().find(|n| n.name == head);
        let parents = node.map(|n| n.parents.clone()).unwrap_or_default();
        let follows = match parents.as_slice() {
            [] => "begins the history".to_string(),
            p => format!("follows {}", lineage::join_and(p)),
        };
        out.push_str(&format!("{head} ({follows})\n"));
    }
    if lineage.heads().is_empty() {
        out.push_str("no migrations\n");
    }
    for p in lineage.problems() {
        out.push_str(&format!("warning: {p}\n"));
    }
    if lineage.heads().len() > 1 {
        out.push_str(&format!(
            "{} heads: merge them with `{}`\n",
            lineage.heads().len(),
            lineage::MERGE
        ));
    }
    out
}

/// `status`'s lines on `automigrate.sum`.
fn sums_text(sums: &Sums) -> String {
    match sums {
        Sums::NoSources => format!(
            "{}: not checked (this program does not run from its sources; `cargo run -p \
             <migration crate>` does)\n",
            sums::FILE
        ),
        Sums::Checked(v) if v.is_ok() => format!("{}: {}\n", sums::FILE, v.summary()),
        Sums::Checked(v) => format!(
            "{}: the migration files differ from what {} records:\n{}\n`up` refuses to apply \
             them until they are recorded again on purpose: `{}`\n",
            sums::FILE,
            v.sum_file.display(),
            v.lines().join("\n"),
            sums::REHASH
        ),
    }
}

/// Runs a command on `db`, whose failed statements `failed` tracks.
async fn run_on<M: MigratorTrait>(
    db: &DatabaseConnection,
    command: Command,
    timeout: Duration,
    failed: &FailedStatement,
) -> anyhow::Result<()> {
    match command {
        // sea-orm-migration's own, under the lock for those that write. They fail with the
        // driver's message only: the statement that failed goes with it.
        Command::Fresh | Command::Refresh | Command::Reset => {
            failed.clear();
            let result = ops::locked::<M, ()>(db, timeout, async || {
                if !matches!(command, Command::Fresh) {
                    // They read the history: a row it cannot read is said once, with a fix.
                    ops::history::<M>(db).await?;
                }
                match command {
                    Command::Fresh => M::fresh(db).await?,
                    Command::Refresh => M::refresh(db).await?,
                    _ => M::reset(db).await?,
                }
                Ok(())
            })
            .await;
            if let Err(e) = result {
                return Err(match failed.take() {
                    Some(sql) => anyhow::anyhow!("{e}\nThe statement that failed:\n    {sql}"),
                    None => e.into(),
                });
            }
        }
        Command::Status => {
            // A history row sea-orm-migration cannot read: say which, and how to fix it.
            ops::history::<M>(db).await?;
            M::status(db).await?
        }
        Command::Up { num, to, .. } => {
            let to = match (num, to) {
                (Some(n), _) => UpTo::Steps(n),
                (None, Some(t)) => UpTo::Target(Target::parse(&t)),
                (None, None) => UpTo::All,
            };
            let report = ops::up_tracked::<M>(db, to, timeout, Some(failed)).await?;
            output::print(&format!("{report}\n"))?;
        }
        Command::Down { num, to, .. } => {
            let to = match to {
                Some(t) => DownTo::Target(Target::parse(&t)),
                None => DownTo::Steps(num),
            };
            let report = ops::down_tracked::<M>(db, to, timeout, Some(failed)).await?;
            output::print(&format!("{report}\n"))?;
        }
        Command::Stamp { target } => {
            let report = ops::stamp::<M>(db, Target::parse(&target), timeout).await?;
            output::print(&format!("{report}\n"))?;
        }
        Command::Current => output::print(&current_text(&ops::history::<M>(db).await?))?,
        Command::History => output::print(&history_text(&ops::history::<M>(db).await?))?,
        Command::Init | Command::Generate { .. } | Command::Heads => {
            unreachable!("handled without a database")
        }
    }
    Ok(())
}

async fn connect(cli: &Cli) -> anyhow::Result<DatabaseConnection> {
    let url = database_url(cli)?;
    let schema = cli
        .database_schema
        .clone()
        .unwrap_or_else(|| "public".to_owned());
    let options = ConnectOptions::new(url)
        .set_schema_search_path(schema)
        .to_owned();
    connection::connect(options).await
}

fn database_url(cli: &Cli) -> anyhow::Result<&str> {
    cli.database_url.as_deref().context(
        "no database URL: set DATABASE_URL (in the environment or in .env) or pass -u/--database-url",
    )
}

fn backend_of(url: &str) -> Option<DbBackend> {
    match url.split(':').next()? {
        "postgres" | "postgresql" => Some(DbBackend::Postgres),
        "mysql" | "mariadb" => Some(DbBackend::MySql),
        "sqlite" => Some(DbBackend::Sqlite),
        _ => None,
    }
}

fn backend_name(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "PostgreSQL",
        DbBackend::MySql => "MySQL/MariaDB",
        _ => "SQLite",
    }
}

enum Plan {
    Up(UpTo),
    Down(DownTo),
}

/// `up --sql` / `down --sql`.
async fn print_sql<M: MigratorTrait>(
    cli: &Cli,
    plan: Plan,
    from: Option<String>,
) -> anyhow::Result<()> {
    let url = database_url(cli)?;
    let (backend, history, source) = match &from {
        Some(from) => {
            let backend = backend_of(url).with_context(|| {
                format!(
                    "cannot tell the backend from the URL {} (postgres://, mysql://, sqlite:)",
                    redact(url)
                )
            })?;
            let names: Vec<String> = M::migrations()
                .iter()
                .map(|m| m.name().to_string())
                .collect();
            let last = plan::resolve(&Target::parse(from), &names)?;
            let history = History {
                migrations: names
                    .into_iter()
                    .enumerate()
                    .map(|(i, name)| ops::MigrationState {
                        name,
                        applied_at: last.is_some_and(|last| i <= last).then_some(0),
                    })
                    .collect(),
                unknown: Vec::new(),
            };
            let at = history.current().unwrap_or("base").to_string();
            (
                backend,
                history,
                format!("assumed to be at {at} (--from); the database was not read"),
            )
        }
        None => {
            let db = connect(cli).await?;
            // Read only: a missing history table is not created.
            let history = ops::history::<M>(&db).await;
            let backend = db.get_database_backend();
            let _ = db.close().await;
            let history = history?;
            history.check_known()?;
            let at = history.current().unwrap_or("base").to_string();
            (
                backend,
                history,
                format!("read from the database (at {at}), which was not changed"),
            )
        }
    };
    let names = history.names();
    let applied: Vec<bool> = history
        .migrations
        .iter()
        .map(|m| m.applied_at.is_some())
        .collect();
    let (direction, order) = match &plan {
        Plan::Up(to) => (Direction::Up, plan::plan_up(&names, &applied, to)?),
        Plan::Down(to) => (Direction::Down, plan::plan_down(&names, &applied, to)?),
    };
    let selected: Vec<String> = order.iter().map(|&i| names[i].clone()).collect();
    let mut out = output::UntilClosed::new(std::io::stdout().lock());
    let command = match direction {
        Direction::Up => "up",
        Direction::Down => "down",
    };
    writeln!(
        out,
        "-- SQL of `{command}` for {}, {} migration(s); nothing was run.\n-- History {source}.",
        backend_name(backend),
        selected.len(),
    )?;
    if selected.is_empty() {
        writeln!(out, "-- Nothing to run.")?;
        return Ok(());
    }
    preview_sql::<M>(backend, direction, &selected, &mut out).await?;
    Ok(())
}

fn current_text(history: &History) -> String {
    let pending = history.pending();
    let head = history.migrations.last().map(|m| m.name.as_str());
    let mut text = match (history.current(), pending.len()) {
        (Some(c), 0) => format!("{c} (head)\n"),
        (Some(c), n) => format!("{c} ({n} pending; head is {})\n", head.unwrap_or("?")),
        (None, 0) => "base (the crate has no migrations)\n".to_string(),
        (None, n) => format!("base ({n} pending)\n"),
    };
    for (version, _) in &history.unknown {
        text.push_str(&format!(
            "warning: {version} is applied but this migration crate does not have it\n"
        ));
    }
    text
}

fn when(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| format!("@{unix}"))
}

fn history_text(history: &History) -> String {
    let width = history
        .migrations
        .iter()
        .map(|m| m.name.len())
        .chain(history.unknown.iter().map(|(v, _)| v.len()))
        .max()
        .unwrap_or(0);
    let current = history.current();
    let mut text = String::new();
    for m in &history.migrations {
        let line = match m.applied_at {
            Some(at) => format!("{:width$}  applied  {}", m.name, when(at)),
            None => format!("{:width$}  pending", m.name),
        };
        let mark = if Some(m.name.as_str()) == current {
            "  (current)"
        } else {
            ""
        };
        text.push_str(&format!("{line}{mark}\n"));
    }
    for (version, at) in &history.unknown {
        text.push_str(&format!(
            "{version:width$}  applied  {}  (not in this migration crate)\n",
            when(*at)
        ));
    }
    if history.migrations.is_empty() && history.unknown.is_empty() {
        text.push_str("(no migrations)\n");
    }
    text
}

/// `10`, `10s`, `1.5s`, `500ms`, `2m`.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (number, unit) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    match number.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(Duration::from_secs_f64(v * unit)),
        _ => Err(format!(
            "`{s}` is not a duration (examples: 10, 10s, 500ms, 2m)"
        )),
    }
}

/// sea-orm-migration's log format (its `Applying migration '…'` lines), with the runner's own
/// lines; `-v` shows everything at debug level, SQL included.
fn setup_tracing(verbose: bool, to_stderr: bool) {
    use tracing_subscriber::fmt::writer::BoxMakeWriter;
    use tracing_subscriber::{EnvFilter, fmt, prelude::*};
    let filter = if verbose {
        "debug"
    } else {
        "sea_orm_migration=info,automigrate_runner=info"
    };
    let Ok(filter) = EnvFilter::try_new(filter) else {
        return;
    };
    let writer = if to_stderr {
        BoxMakeWriter::new(std::io::stderr)
    } else {
        BoxMakeWriter::new(std::io::stdout)
    };
    // `try_init`: an application may have set up its own subscriber.
    let _ = if verbose {
        tracing_subscriber::registry()
            .with(filter)
            .with(fmt::layer().with_writer(writer))
            .try_init()
    } else {
        tracing_subscriber::registry()
            .with(filter)
            .with(OneStepAtATime)
            .with(
                fmt::layer()
                    .with_writer(writer)
                    .with_target(false)
                    .with_level(false)
                    .without_time(),
            )
            .try_init()
    };
}

/// The runner applies and rolls back one migration at a time (so that a failure names its
/// migration), and sea-orm-migration announces each step as "Applying 1 pending migrations":
/// those announcements go; the lines that name each migration stay.
struct OneStepAtATime;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for OneStepAtATime {
    fn event_enabled(
        &self,
        event: &tracing::Event<'_>,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) -> bool {
        struct Message(bool);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    let text = format!("{value:?}");
                    self.0 = text == "Applying 1 pending migrations"
                        || text == "Rolling back 1 applied migrations";
                }
            }
        }
        if !event.metadata().target().starts_with("sea_orm_migration") {
            return true;
        }
        let mut step = Message(false);
        event.record(&mut step);
        !step.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1").is_err());
    }

    #[test]
    fn the_default_timeout_is_ten_seconds() {
        let cli = Cli::try_parse_from(["migration", "up"]).unwrap();
        assert_eq!(cli.lock_timeout, DEFAULT_LOCK_TIMEOUT);
        assert_eq!(DEFAULT_LOCK_TIMEOUT, Duration::from_secs(10));
    }

    #[test]
    fn history_lists_applied_pending_and_unknown() {
        let history = History {
            migrations: vec![
                ops::MigrationState {
                    name: "m1_a".into(),
                    applied_at: Some(0),
                },
                ops::MigrationState {
                    name: "m2_bb".into(),
                    applied_at: None,
                },
            ],
            unknown: vec![("m9_zzz".into(), 60)],
        };
        assert_eq!(
            history_text(&history),
            "m1_a    applied  1970-01-01 00:00:00 UTC  (current)\n\
             m2_bb   pending\n\
             m9_zzz  applied  1970-01-01 00:01:00 UTC  (not in this migration crate)\n"
        );
        assert!(current_text(&history).starts_with("m1_a (1 pending; head is m2_bb)\n"));
    }
}
