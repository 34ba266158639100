//! `cargo xtask makemigration --merge`: after git merged two branches that each added
//! migrations (the history has two heads, [`automigrate_runner::lineage`]), checks that the
//! merged history goes together and writes a migration that follows every head and changes
//! nothing, as Alembic's `merge` and Django's `makemigrations --merge` do.
//!
//! What it checks, on a scratch database (`check --replay`'s: a temporary SQLite one unless a
//! server URL is given):
//! - the merged history applies, in `lib.rs`'s order;
//! - what each migration after the fork point changes (the schema before and after it, read back
//!   and diffed): two migrations of different branches that change the same thing (one column,
//!   one index, a table one of them creates or drops) *clash*. Applied one after the other, the
//!   later one's change wins, which neither author saw; a clash is reported and nothing is
//!   written unless `--accept-clashes` says that the order is what is wanted;
//! - the merged history against the entities, as `check --replay` compares it: what differs is
//!   reported (a migration to write after the merge), not put in the merge.
//!
//! The snapshot (`automigrate.snapshot`) is written back as both sides left it: a git conflict
//! in it keeps both sides' lines, which is what it should hold after a merge
//! ([`automigrate_core::snapshot::Snapshot::parse`] reads past the markers). `automigrate.sum`
//! is written for the merged history, conflict or not.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::bail;
use automigrate_core::codegen::{FileSpec, render_file};
use automigrate_core::diff::{Change, Plan, Subject};
use automigrate_core::model::Schema;
use automigrate_runner::lineage::Lineage;
use automigrate_runner::sums::Problem;

use crate::commands::{self, Analysis, Project};
use crate::config::Config;
use crate::entities::Entities;
use crate::migdir::MigrationDir;
use crate::replay::{Scratch, build_runner, manifest_of, run_runner};

/// What `--merge` is given.
pub struct Merge<'a> {
    pub migration_dir: &'a Path,
    pub entities: &'a Entities,
    pub config: Config,
    /// A PostgreSQL or MySQL/MariaDB server to replay on (`--replay-url`,
    /// `SHADOW_DATABASE_URL`); `None`: a temporary SQLite database.
    pub server_url: Option<&'a str>,
    /// The merge migration's message (names its file).
    pub message: &'a str,
    /// Write the merge even when two branches change the same thing.
    pub accept_clashes: bool,
    /// Return the file instead of writing it.
    pub dry_run: bool,
}

/// Two migrations of different branches that change the same thing.
#[derive(Debug, Clone)]
pub struct Clash {
    pub subject: Subject,
    /// Each migration, with what it does to the subject.
    pub sides: [(String, Vec<String>); 2],
}

impl std::fmt::Display for Clash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let side =
            |(name, changes): &(String, Vec<String>)| format!("{name} ({})", changes.join("; "));
        write!(
            f,
            "{}: changed by {}, then by {} (each as it applies after the other, in lib.rs's \
             order)",
            self.subject,
            side(&self.sides[0]),
            side(&self.sides[1])
        )
    }
}

/// What `--merge` found and did.
#[derive(Debug)]
pub enum Merged {
    /// One head (or none): nothing to merge.
    NothingToMerge {
        head: Option<String>,
    },
    Done(Box<MergeReport>),
}

#[derive(Debug)]
pub struct MergeReport {
    /// "m_a and m_b both follow m_base".
    pub heads: String,
    /// The migrations after the fork point, each with its changes' summaries.
    pub branch_changes: Vec<(String, Vec<String>)>,
    pub clashes: Vec<Clash>,
    /// The entities compared with the merged history.
    pub analysis: Analysis,
    pub name: String,
    pub source: String,
    /// Where it was written (`None`: `--dry-run`).
    pub path: Option<PathBuf>,
}

/// Runs `--merge`. Progress goes through `say`.
pub async fn merge(merge: Merge<'_>, say: &mut dyn FnMut(&str)) -> anyhow::Result<Merged> {
    let dir = MigrationDir::new(merge.migration_dir);
    dir.check_lib()?;
    let _lock = if merge.dry_run {
        None
    } else {
        Some(dir.lock(commands::MIGRATION_DIR_WAIT).await?)
    };
    // A lib.rs git left conflicted still lists both sides' entries, but does not build.
    let lib = std::fs::read_to_string(dir.lib_rs())?;
    if lib
        .lines()
        .any(|l| l.starts_with("<<<<<<<") || l.starts_with(">>>>>>>"))
    {
        bail!(
            "{} has merge conflict markers: keep both sides' migrations (each `mod` line and \
             each `Box::new(…::Migration)` entry, in order), then run --merge again. Nothing \
             was written.",
            dir.lib_rs().display()
        );
    }
    let migrations = dir.read()?;
    let lineage = migrations.lineage();
    let problems = lineage.problems();
    if !problems.is_empty() {
        bail!(
            "the migrations' order is broken, so they cannot be merged:\n{}\nNothing was \
             written.",
            problems
                .iter()
                .map(|p| format!("    {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let heads: Vec<String> = lineage.heads().into_iter().map(str::to_string).collect();
    if heads.len() < 2 {
        return Ok(Merged::NothingToMerge {
            head: heads.into_iter().next(),
        });
    }
    // The sum file is expected to conflict after such a merge (both sides added lines), or to
    // lack one side's migrations; an edited migration is still refused.
    let mut sums = migrations.verify_sums()?;
    sums.problems.retain(|p| {
        !matches!(
            p,
            Problem::Conflicted | Problem::NotRecorded { .. } | Problem::Moved { .. }
        )
    });
    if !sums.is_ok() {
        bail!("{}", sums.refusal("Nothing was written."));
    }
    let described = lineage.describe_heads();
    say(&format!("Merging: {described}."));

    let manifest = manifest_of(merge.migration_dir)?;
    if let Some(url) = merge.server_url {
        crate::replay::server_backend(url)?;
    }
    let runner = build_runner(&manifest)?;
    let schema = merge.config.database_schema.clone();
    let scratch = Scratch::create(merge.server_url, schema.as_deref()).await?;
    say(&format!(
        "Replaying the merged history on {}.",
        scratch.describe()
    ));
    let stepped = step_through(&merge, &lineage, &runner, &scratch).await;
    let analysis = match &stepped {
        Ok(_) => Some(
            commands::analyze(&Project {
                database_url: &scratch.url,
                migration_dir: merge.migration_dir,
                entities: merge.entities,
                config: merge.config.clone(),
            })
            .await,
        ),
        Err(_) => None,
    };
    if let Err(e) = scratch.remove().await {
        say(&format!("warning: {}", automigrate_runner::error_text(&e)));
    }
    let steps = stepped?;
    let analysis = analysis.expect("analysed after stepping")?;

    let clashes = clashes(&lineage, &steps);
    let branch_changes: Vec<(String, Vec<String>)> = steps
        .iter()
        .map(|(name, plan)| {
            (
                name.clone(),
                plan.changes.iter().map(Change::summary).collect(),
            )
        })
        .collect();
    if !clashes.is_empty() && !merge.accept_clashes {
        bail!(
            "{described}, and the branches change the same thing:\n{}\nApplied in lib.rs's \
             order, the later migration's change wins, which neither branch was written \
             knowing. Nothing was written. If that order is what you want, run again with \
             --accept-clashes; otherwise change one of the migrations (on a branch not yet \
             deployed: take it out, merge, and generate it again).",
            clashes
                .iter()
                .map(|c| format!("    {c}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    let registered = migrations.names();
    let message = commands::message_title(merge.message);
    let name = commands::migration_name(&message, chrono::Utc::now(), &registered)?;
    let source = commands::rustfmt(&render_file(&FileSpec {
        online: false,
        message: &message,
        backend: analysis.backend,
        plan: &Plan::default(),
        rows: &BTreeMap::new(),
        declined: &[],
        name: &name,
        follows: &heads,
    })?);
    let path = if merge.dry_run {
        None
    } else {
        Some(dir.add_with_snapshot(&name, &source, &dir.snapshot()?)?)
    };
    Ok(Merged::Done(Box::new(MergeReport {
        heads: described,
        branch_changes,
        clashes,
        analysis,
        name,
        source,
        path,
    })))
}

/// Applies the history up to the fork point, then each later migration alone, reading the
/// schema back after each: what each of them changes.
async fn step_through(
    merge: &Merge<'_>,
    lineage: &Lineage,
    runner: &Path,
    scratch: &Scratch,
) -> anyhow::Result<Vec<(String, Plan)>> {
    let schema = merge.config.database_schema.as_deref();
    let what = scratch.what();
    let names: Vec<&str> = lineage.nodes.iter().map(|n| n.name.as_str()).collect();
    let start = match lineage.fork_point() {
        Some(fork) => {
            run_runner(runner, &scratch.url, schema, &["up", "--to", fork], &what)?;
            names.iter().position(|n| *n == fork).map_or(0, |i| i + 1)
        }
        None => 0,
    };
    let history_table = merge.config.history_table();
    let mut before = read_schema(&scratch.url, schema, history_table).await?;
    let mut steps = Vec::new();
    for name in &names[start..] {
        run_runner(runner, &scratch.url, schema, &["up", "--to", name], &what)?;
        let after = read_schema(&scratch.url, schema, history_table).await?;
        steps.push((name.to_string(), automigrate_core::diff(&before, &after)));
        before = after;
    }
    Ok(steps)
}

async fn read_schema(
    url: &str,
    schema: Option<&str>,
    history_table: &str,
) -> anyhow::Result<Schema> {
    let db = commands::connect_in(url, schema).await?;
    let live = crate::introspect::introspect(&db, history_table).await;
    db.close().await.ok();
    Ok(live?.schema)
}

/// Pairs of migrations on different branches (neither follows the other) whose changes touch
/// the same thing.
fn clashes(lineage: &Lineage, steps: &[(String, Plan)]) -> Vec<Clash> {
    let ancestors: BTreeMap<&str, _> = steps
        .iter()
        .map(|(n, _)| (n.as_str(), lineage.ancestors(n)))
        .collect();
    let mut out: Vec<Clash> = Vec::new();
    for (i, (a, plan_a)) in steps.iter().enumerate() {
        for (b, plan_b) in &steps[i + 1..] {
            if ancestors[b.as_str()].contains(a) || ancestors[a.as_str()].contains(b) {
                continue;
            }
            for ca in &plan_a.changes {
                for subject in ca.subjects() {
                    let touching: Vec<&Change> = plan_b
                        .changes
                        .iter()
                        .filter(|cb| cb.subjects().iter().any(|s| s.overlaps(&subject)))
                        .collect();
                    if touching.is_empty()
                        || out.iter().any(|c| {
                            c.subject == subject && c.sides[0].0 == *a && c.sides[1].0 == *b
                        })
                    {
                        continue;
                    }
                    out.push(Clash {
                        subject,
                        sides: [
                            (a.clone(), vec![ca.summary()]),
                            (b.clone(), touching.iter().map(|c| c.summary()).collect()),
                        ],
                    });
                }
            }
        }
    }
    out
}

/// The report's lines after a merge.
pub fn report_lines(report: &MergeReport) -> Vec<String> {
    let mut lines = Vec::new();
    for (name, changes) in &report.branch_changes {
        if changes.is_empty() {
            lines.push(format!("  {name}: no change to the schema"));
        }
        for c in changes {
            lines.push(format!("  {name}: {c}"));
        }
    }
    if report.clashes.is_empty() {
        lines.push("No clashes: the branches change different things.".into());
    } else {
        lines.push(format!(
            "{} clash(es), accepted (--accept-clashes): applied in lib.rs's order, the later \
             change wins:",
            report.clashes.len()
        ));
        lines.extend(report.clashes.iter().map(|c| format!("    {c}")));
    }
    if report.analysis.plan.is_empty() {
        lines.push("The merged history agrees with the entities.".into());
    } else {
        lines.push(format!(
            "The entities differ from the merged history ({} change(s)): after the merge, \
             `cargo xtask makemigration` writes them.",
            report.analysis.plan.changes.len()
        ));
        lines.extend(
            report
                .analysis
                .plan
                .changes
                .iter()
                .map(|c| format!("    {}", c.summary())),
        );
    }
    lines
}
