//! The command line, for an application's `xtask`.
use std::path::PathBuf;
use std::process::ExitCode;

use automigrate_runner::output::eprint_line;
use clap::{Parser, Subcommand};

use automigrate_core::renames::Rename;

use crate::commands::{self, MakeOptions, NoQuestions, Outcome, Project, Questioner, Terminal};
use crate::entities::Entities;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Generate SeaORM migrations from the difference between your entities and your database.",
    after_help = "Exit codes: 0 done; 1 `check` found differences; 2 error (nothing was written; \
                  with `check --replay`, also: the history does not apply)."
)]
struct Cli {
    /// The database to compare with. Read from the environment, then from `.env`.
    #[arg(
        long,
        short = 'u',
        env = "DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// PostgreSQL: the schema the migrations run in (the migration crate's DATABASE_SCHEMA).
    #[arg(
        long,
        short = 's',
        env = "DATABASE_SCHEMA",
        global = true,
        hide_env_values = true
    )]
    database_schema: Option<String>,
    /// The sea-orm-migration crate to write into.
    #[arg(long, default_value = "migration", global = true)]
    migration_dir: PathBuf,
    /// List every object left alone, not only the first ten.
    #[arg(long, short = 'v', global = true)]
    verbose: bool,
    /// `json`: one JSON document on standard output instead of the text report (format 1,
    /// described by docs/automigrate-output.schema.json); nothing is asked. Exit codes unchanged.
    #[arg(long, value_enum, default_value = "text", global = true)]
    format: Format,
    #[command(subcommand)]
    command: Command,
}

/// How the report is printed (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// For people.
    Text,
    /// One JSON document on standard output (errors too: `{"format": 1, "error": …}`).
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Write a migration that brings the database to what the entities declare.
    Makemigration {
        /// What the migration does, e.g. "add bio to users". Names the file. With --merge,
        /// "merge" unless given.
        #[arg(required_unless_present = "merge")]
        message: Option<String>,
        /// Write a migration with empty `up` and `down`, to fill in by hand.
        #[arg(long)]
        empty: bool,
        /// Print the file that would be written, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// A column rename, `TABLE.OLD=NEW` (the table's new name); repeatable. Answers the
        /// rename question before it is asked.
        #[arg(long = "rename", value_name = "TABLE.OLD=NEW", value_parser = parse_column_rename)]
        renames: Vec<Rename>,
        /// A table rename, `OLD=NEW`; repeatable.
        #[arg(long = "rename-table", value_name = "OLD=NEW", value_parser = parse_table_rename)]
        table_renames: Vec<Rename>,
        /// Never ask; rename candidates are generated as drop + add with a REVIEW comment.
        /// The default when standard input is not a terminal.
        #[arg(long)]
        no_input: bool,
        /// Fail, writing nothing, when rename candidates would be generated as drop + add.
        #[arg(long)]
        strict: bool,
        /// Write the newest migration, not applied yet, again in its place (with the renames a
        /// REVIEW(rename-candidate) comment gives, say); if anything fails it is put back.
        #[arg(long, value_name = "MIGRATION")]
        replace: Option<String>,
        /// After git merged branches that each added migrations (the history has two or more
        /// heads): replay the merged history on a scratch database (as check --replay does),
        /// report what the branches both change, and write a migration that follows every head
        /// and changes nothing. Needs no DATABASE_URL.
        #[arg(long, conflicts_with_all = ["empty", "replace", "renames", "table_renames", "strict"])]
        merge: bool,
        /// With --merge: write the merge even when two branches change the same thing (applied
        /// in lib.rs's order, the later change wins).
        #[arg(long, requires = "merge")]
        accept_clashes: bool,
        /// With --merge: replay on a scratch database made on this PostgreSQL or MySQL/MariaDB
        /// server instead of a temporary SQLite one. Default: SHADOW_DATABASE_URL.
        #[arg(long, value_name = "URL", requires = "merge")]
        replay_url: Option<String>,
        /// Write the migration to run while the application writes (`automigrate_ops::online`:
        /// PostgreSQL indexes CONCURRENTLY, keys NOT VALID then validated, lock_timeout with
        /// retries; MySQL/MariaDB ALTERs pinned in place); also `online = true` in
        /// automigrate.toml.
        #[arg(long)]
        online: bool,
    },
    /// Exit 0 when the entities and the database agree, 1 when they differ (with a report).
    Check {
        /// Compare the entities with the whole migration history applied to a scratch database
        /// instead (a temporary SQLite one unless --replay-url or SHADOW_DATABASE_URL names a
        /// server); DATABASE_URL is not used. Exit 2 when the history does not apply.
        #[arg(long)]
        replay: bool,
        /// With --replay: a PostgreSQL or MySQL/MariaDB server URL; a scratch database is
        /// created beside the one it names (which is left alone) and dropped afterwards.
        /// Default: SHADOW_DATABASE_URL.
        #[arg(long, value_name = "URL", requires = "replay")]
        replay_url: Option<String>,
    },
    /// Print the changes, their hazards and the tables' definitions side by side (a unified
    /// diff), and write nothing. Exit 0 either way.
    Diff,
    /// Record the registered migration files as they are in the migration crate's
    /// automigrate.sum, saying what differed: after editing a migration on purpose, or after
    /// merging two branches' migrations. Writes no migration; needs no database.
    Rehash,
}

/// Runs the command line with the application's entities. Exit codes: 0 done (or no changes),
/// 1 `check` found differences, 2 error (nothing was written).
pub fn main(entities: Entities) -> ExitCode {
    // Like cargo, work from the workspace root wherever it is called from: the migration crate,
    // `.env`'s relative SQLite path and `automigrate.toml` are all relative to it.
    if let Some(root) = std::env::current_dir()
        .ok()
        .as_deref()
        .and_then(workspace_root)
    {
        let _ = std::env::set_current_dir(root);
    }
    ExitCode::from(run_args(std::env::args_os(), &entities))
}

/// The nearest directory at or above `dir` whose `Cargo.toml` has a `[workspace]` table.
fn workspace_root(dir: &std::path::Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| {
            std::fs::read_to_string(d.join("Cargo.toml"))
                .is_ok_and(|t| t.lines().any(|l| l.trim() == "[workspace]"))
        })
        .map(std::path::Path::to_path_buf)
}

/// The command line on explicit arguments (the first is the program name); returns the exit
/// code. `.env` is read first, without overriding the environment. Writes its output to
/// standard output; when that is closed early (`cargo xtask check | head -1`), the rest of the
/// output goes nowhere and the exit code is the same as without the pipe.
pub fn run_args<I, T>(args: I, entities: &Entities) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    run_args_to(args, entities, &mut std::io::stdout())
}

/// [`run_args`], writing what it would print on standard output to `out` (errors and the
/// dry run's report still go to standard error). A closed `out` (a broken pipe) is not an
/// error: the command goes on, and exits as it would have.
pub fn run_args_to<I, T>(args: I, entities: &Entities, out: &mut dyn std::io::Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut out = automigrate_runner::output::UntilClosed::new(out);
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    // Known before the command line is read, so that an error reading it is JSON too.
    let json = asks_for_json(&args);
    if let Err(e) = automigrate_runner::connection::load_dotenv() {
        return fail(json, None, &automigrate_runner::error_text(&e), &mut out);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if json && e.use_stderr() => {
            let text = e.to_string();
            let text = text.trim().trim_start_matches("error: ");
            return fail(json, None, text, &mut out);
        }
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let json = cli.format == Format::Json;
    for name in entities.unlisted() {
        eprintln!(
            "warning: `{name}` is an entity of the crate that the xtask's list leaves out: its \
             table is not managed (where it exists, it is proposed for dropping). Add it to the \
             list, or have automigrate-discover write the list."
        );
    }
    let command = command_name(&cli.command);
    if json && !JSON_COMMANDS.contains(&command) {
        let text = format!(
            "`{command}` has no JSON output: --format json is for diff, check, check --replay and makemigration"
        );
        return fail(json, Some(command), &text, &mut out);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let text = format!("cannot start the async runtime: {e}");
            return fail(json, Some(command), &text, &mut out);
        }
    };
    match runtime.block_on(run(cli, entities, &mut out)) {
        Ok(code) => code,
        Err(e) => fail(
            json,
            Some(command),
            &automigrate_runner::error_text(&e),
            &mut out,
        ),
    }
}

/// Says `error` on standard error and, in JSON mode, as `{"format": 1, "error": …}` on `out`;
/// exit code 2.
fn fail(
    json: bool,
    command: Option<&'static str>,
    error: &str,
    out: &mut dyn std::io::Write,
) -> u8 {
    eprint_line(&format!("error: {error}"));
    if json {
        let doc = crate::json::ErrorOut {
            format: crate::json::FORMAT,
            command,
            error,
            exit_code: 2,
        };
        let _ = crate::json::write(out, &doc).and_then(|()| Ok(out.flush()?));
    }
    2
}

/// True when the arguments say `--format json` (or `--format=json`), read before clap reads
/// them.
fn asks_for_json(args: &[std::ffi::OsString]) -> bool {
    args.iter()
        .zip(args.iter().skip(1).map(Some).chain([None]))
        .take_while(|(a, _)| a.as_os_str() != "--")
        .any(|(a, next)| {
            a.as_os_str() == "--format=json"
                || (a.as_os_str() == "--format" && next.is_some_and(|n| n.as_os_str() == "json"))
        })
}

/// The commands that print a JSON report with `--format json`.
const JSON_COMMANDS: [&str; 4] = ["diff", "check", "check --replay", "makemigration"];

/// The command's name in the JSON output.
fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Makemigration { .. } => "makemigration",
        Command::Check { replay: true, .. } => "check --replay",
        Command::Check { .. } => "check",
        Command::Diff => "diff",
        Command::Rehash => "rehash",
    }
}

const NO_CHANGES: &str = "No changes detected: the database matches the entities.";

async fn run(cli: Cli, entities: &Entities, out: &mut dyn std::io::Write) -> anyhow::Result<u8> {
    let code = run_to(cli, entities, out).await?;
    out.flush()
        .map_err(|e| anyhow::anyhow!("writing to standard output: {e}"))?;
    Ok(code)
}

async fn run_to(cli: Cli, entities: &Entities, out: &mut dyn std::io::Write) -> anyhow::Result<u8> {
    match &cli.command {
        Command::Rehash => return rehash(&cli.migration_dir, out).await,
        // A migration edited since automigrate.sum recorded it is refused (exit 2), as `up` and
        // `makemigration` refuse it: the history cannot be vouched for.
        Command::Check { .. } | Command::Diff => {
            let dir = crate::migdir::MigrationDir::new(&cli.migration_dir);
            // Two branches' migrations, not merged: which schema is "the history's" is not
            // settled until they are.
            let migrations = dir.read()?;
            if let Some(refusal) = migrations.lineage().refusal("Nothing was compared.") {
                anyhow::bail!("{refusal}");
            }
            // `diff` only shows: it reads no sums.
            if matches!(cli.command, Command::Check { .. }) {
                let sums = migrations.verify_sums()?;
                if !sums.is_ok() {
                    anyhow::bail!("{}", sums.refusal("Nothing was compared."));
                }
                if !sums.recorded && sums.migrations > 0 {
                    eprint_line(&format!("note: {}", sums.summary()));
                }
            }
        }
        _ => {}
    }
    if let Command::Check {
        replay: true,
        replay_url,
    } = &cli.command
    {
        // No DATABASE_URL: the history is applied to a scratch database.
        let server = replay_server(replay_url.as_deref());
        let analysis = crate::replay::check_replay(
            crate::replay::Replay {
                migration_dir: &cli.migration_dir,
                entities,
                config: load_config(&cli)?,
                server_url: server.as_deref(),
            },
            &mut |line| eprint_line(line),
        )
        .await?;
        if cli.format == Format::Json {
            let code = u8::from(!analysis.plan.is_empty());
            return report_json("check --replay", &analysis, None, code, out);
        }
        return report_check(
            &analysis,
            cli.verbose,
            "the migration history matches the entities",
            "The schema the migration history builds differs from the entities:",
            out,
        );
    }
    if let Command::Makemigration {
        merge: true,
        message,
        accept_clashes,
        replay_url,
        dry_run,
        ..
    } = &cli.command
    {
        return merge(
            &cli,
            entities,
            message.as_deref(),
            *accept_clashes,
            replay_url.as_deref(),
            *dry_run,
            out,
        )
        .await;
    }
    let Some(url) = cli.database_url.as_deref() else {
        anyhow::bail!(
            "DATABASE_URL is not set: set it in the environment or in .env, or pass --database-url"
        );
    };
    let project = Project {
        database_url: url,
        migration_dir: &cli.migration_dir,
        entities,
        config: load_config(&cli)?,
    };
    match cli.command {
        Command::Makemigration {
            message,
            empty,
            dry_run,
            mut renames,
            table_renames,
            no_input,
            strict,
            replace,
            online,
            ..
        } => {
            let message = message.unwrap_or_default();
            renames.extend(table_renames);
            let options = MakeOptions {
                empty,
                dry_run,
                renames,
                strict,
                replace,
                online,
            };
            use std::io::IsTerminal as _;
            // JSON mode never asks: rename candidates are answered No, as in CI.
            let mut questioner: Box<dyn Questioner> =
                if no_input || cli.format == Format::Json || !std::io::stdin().is_terminal() {
                    Box::new(NoQuestions)
                } else {
                    Box::new(Terminal)
                };
            let made =
                commands::makemigration_reporting(&project, &message, options, questioner.as_mut())
                    .await?;
            if cli.format == Format::Json {
                let file = match &made.outcome {
                    Outcome::NoChanges => None,
                    Outcome::DryRun { name, source, .. } => Some(crate::json::FileOut::new(
                        name,
                        &cli.migration_dir.join("src").join(format!("{name}.rs")),
                        source.clone(),
                        false,
                    )),
                    Outcome::Written { path, name, .. } => {
                        let source = std::fs::read_to_string(path).map_err(|e| {
                            anyhow::anyhow!("reading back `{}`: {e}", path.display())
                        })?;
                        Some(crate::json::FileOut::new(name, path, source, true))
                    }
                };
                return report_json("makemigration", &made.analysis, file, 0, out);
            }
            match made.outcome {
                Outcome::NoChanges => {
                    writeln!(out, "{NO_CHANGES}")?;
                    let unmanaged = commands::unmanaged_report(&made.unmanaged, cli.verbose);
                    if !unmanaged.is_empty() {
                        // As `diff` and `check` show it.
                        writeln!(out, "\n{}", unmanaged.join("\n"))?;
                    }
                }
                Outcome::DryRun {
                    name,
                    source,
                    report,
                } => {
                    if !report.is_empty() {
                        eprint_line(&report.join("\n"));
                    }
                    eprint_line(&format!(
                        "Would write {} (dry run: nothing written):\n",
                        cli.migration_dir
                            .join("src")
                            .join(format!("{name}.rs"))
                            .display()
                    ));
                    write!(out, "{source}")?;
                }
                Outcome::Written {
                    path,
                    report,
                    hazards,
                    ..
                } => {
                    if !report.is_empty() {
                        writeln!(out, "{}", report.join("\n"))?;
                    }
                    writeln!(out, "Wrote {}", path.display())?;
                    if !hazards.is_empty() {
                        writeln!(
                            out,
                            "Read the {} REVIEW comment(s) in the file before you apply it.",
                            hazards.len()
                        )?;
                    }
                }
            }
        }
        Command::Diff => {
            let analysis = commands::analyze(&project).await?;
            if cli.format == Format::Json {
                return report_json("diff", &analysis, None, 0, out);
            }
            if analysis.plan.is_empty() {
                writeln!(out, "{NO_CHANGES}")?;
            }
            let report = analysis.report_with(cli.verbose);
            if !report.is_empty() {
                writeln!(out, "{}", report.join("\n"))?;
            }
            if !analysis.plan.is_empty() {
                writeln!(out)?;
                write!(out, "{}", analysis.definitions_diff())?;
            }
        }
        Command::Check { .. } => {
            let analysis = commands::analyze(&project).await?;
            if cli.format == Format::Json {
                let code = u8::from(!analysis.plan.is_empty());
                return report_json("check", &analysis, None, code, out);
            }
            return report_check(
                &analysis,
                cli.verbose,
                "the database matches the entities",
                "The database differs from the entities:",
                out,
            );
        }
        Command::Rehash => unreachable!("rehash needs no database: handled above"),
    }
    Ok(0)
}

/// The scratch server named by `--replay-url`, else by SHADOW_DATABASE_URL.
fn replay_server(flag: Option<&str>) -> Option<String> {
    flag.map(str::to_string).or_else(|| {
        std::env::var("SHADOW_DATABASE_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
    })
}

/// `makemigration --merge` ([`crate::merge`]): exit 0 when merged (or nothing to merge).
async fn merge(
    cli: &Cli,
    entities: &Entities,
    message: Option<&str>,
    accept_clashes: bool,
    replay_url: Option<&str>,
    dry_run: bool,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<u8> {
    if cli.format == Format::Json {
        anyhow::bail!("--merge has no JSON report yet: run it without --format json");
    }
    let server = replay_server(replay_url);
    let merged = crate::merge::merge(
        crate::merge::Merge {
            migration_dir: &cli.migration_dir,
            entities,
            config: load_config(cli)?,
            server_url: server.as_deref(),
            message: message.unwrap_or("merge"),
            accept_clashes,
            dry_run,
        },
        &mut |line| eprint_line(line),
    )
    .await?;
    let report = match merged {
        crate::merge::Merged::NothingToMerge { head } => {
            writeln!(
                out,
                "Nothing to merge: the history has {}.",
                match head {
                    Some(h) => format!("one head, {h}"),
                    None => "no migrations".to_string(),
                }
            )?;
            return Ok(0);
        }
        crate::merge::Merged::Done(report) => report,
    };
    writeln!(out, "{}", crate::merge::report_lines(&report).join("\n"))?;
    match &report.path {
        Some(path) => writeln!(out, "Wrote {}", path.display())?,
        None => {
            eprint_line(&format!(
                "Would write {} (dry run: nothing written):\n",
                cli.migration_dir
                    .join("src")
                    .join(format!("{}.rs", report.name))
                    .display()
            ));
            write!(out, "{}", report.source)?;
        }
    }
    Ok(0)
}

/// `cargo xtask rehash`: writes `automigrate.sum` for the migration files as they are, and says
/// what differed from the record.
async fn rehash(dir: &std::path::Path, out: &mut dyn std::io::Write) -> anyhow::Result<u8> {
    let dir = crate::migdir::MigrationDir::new(dir);
    let before = dir.rehash().await?;
    let path = dir.sum_path();
    if before.recorded && before.is_ok() {
        writeln!(
            out,
            "{} is up to date: {} migration(s) as recorded.",
            path.display(),
            before.migrations
        )?;
        return Ok(0);
    }
    if !before.is_ok() {
        writeln!(out, "Recorded again:\n{}", before.lines().join("\n"))?;
    }
    writeln!(
        out,
        "Wrote {} ({} migration(s)). Commit it with the migrations.",
        path.display(),
        before.migrations
    )?;
    Ok(0)
}

/// `automigrate.toml`, with `DATABASE_SCHEMA` (or `-s`) over its `database_schema`.
fn load_config(cli: &Cli) -> anyhow::Result<crate::config::Config> {
    let mut config =
        crate::config::Config::load(std::path::Path::new(crate::config::Config::FILE))?;
    // An empty DATABASE_SCHEMA is no setting.
    if let Some(schema) = cli
        .database_schema
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        config.database_schema = Some(schema.to_string());
    }
    Ok(config)
}

/// The `--format json` report of `analysis` on `out`; returns `exit_code`.
fn report_json(
    command: &'static str,
    analysis: &commands::Analysis,
    file: Option<crate::json::FileOut>,
    exit_code: u8,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<u8> {
    crate::json::write(
        out,
        &crate::json::report(command, analysis, file, exit_code),
    )?;
    Ok(exit_code)
}

/// `check`'s report and exit code: 0 when `analysis` found no changes ("No changes detected:
/// {agree}."), 1 with the changes under `differ`.
fn report_check(
    analysis: &commands::Analysis,
    verbose: bool,
    agree: &str,
    differ: &str,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<u8> {
    if analysis.plan.is_empty() {
        writeln!(out, "No changes detected: {agree}.")?;
        let report = analysis.report_with(verbose);
        if !report.is_empty() {
            writeln!(out, "{}", report.join("\n"))?;
        }
        return Ok(0);
    }
    writeln!(out, "{differ}")?;
    writeln!(out, "{}", analysis.report_with(verbose).join("\n"))?;
    writeln!(out)?;
    write!(out, "{}", analysis.definitions_diff())?;
    writeln!(
        out,
        "\nRun `cargo xtask makemigration \"<message>\"` to write the migration, then apply it."
    )?;
    Ok(1)
}

fn parse_column_rename(s: &str) -> Result<Rename, String> {
    let err = || format!("`{s}` is not TABLE.OLD=NEW (e.g. users.name=full_name)");
    let (lhs, to) = s.split_once('=').ok_or_else(err)?;
    let (table, from) = lhs.split_once('.').ok_or_else(err)?;
    if [table, from, to].iter().any(|p| p.trim().is_empty()) {
        return Err(err());
    }
    Ok(Rename::Column {
        table: table.trim().into(),
        from: from.trim().into(),
        to: to.trim().into(),
    })
}

fn parse_table_rename(s: &str) -> Result<Rename, String> {
    let err = || format!("`{s}` is not OLD=NEW (e.g. people=users)");
    let (from, to) = s.split_once('=').ok_or_else(err)?;
    if from.trim().is_empty() || to.trim().is_empty() {
        return Err(err());
    }
    Ok(Rename::Table {
        from: from.trim().into(),
        to: to.trim().into(),
    })
}

#[cfg(test)]
mod tests {
    use super::workspace_root;

    #[test]
    fn the_workspace_root_is_found_from_below() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("Cargo.toml"), "[workspace]\nmembers = [\"a\"]\n").unwrap();
        std::fs::create_dir_all(root.join("a/src")).unwrap();
        std::fs::write(root.join("a/Cargo.toml"), "[package]\nname = \"a\"\n").unwrap();
        assert_eq!(workspace_root(&root.join("a/src")).as_deref(), Some(root));
        assert_eq!(workspace_root(root).as_deref(), Some(root));
        let alone = tempfile::tempdir().unwrap();
        assert!(
            workspace_root(alone.path()).is_none_or(|r| !r.starts_with(alone.path())),
            "no workspace there"
        );
    }
}
