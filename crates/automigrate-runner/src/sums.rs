//! `automigrate.sum`: a hash of each registered migration file, kept in the migration crate
//! (beside `automigrate.snapshot`) and reviewed with the migrations, so that a migration edited
//! after it was written is found before it is applied, or not applied, differently in one
//! database than in another.
//!
//! The format is Atlas's `atlas.sum`, keyed by migration:
//!
//! ```text
//! h1:<sha-256 of the lines below, hex>
//! m20261121_233648_create_blog_tables h1:<sha-256, hex>
//! m20261122_101500_add_bio_to_users h1:<sha-256, hex>
//! ```
//!
//! One line per migration `lib.rs` registers, in its order, by the name it records in the
//! history table (its file's stem, usually; a file moved under `#[path]` is not an edit). Each
//! line's hash is chained: SHA-256 of the previous line's hash (32 zero bytes for the first), the
//! name, a newline and the file's bytes. The first line is the hash of all the others. So two
//! branches that each add a migration both change the first line and both add a line at the end:
//! a merge conflict in git, which says that the sum must be written again after merging
//! (`cargo xtask rehash`). Nothing of the files is normalised except line endings (CRLF is read
//! as LF), so that a checkout with `core.autocrlf` is not an edit.
//!
//! A line is checked against the line above it *as recorded*, so an edit is named where it is:
//! a migration added or taken out in `lib.rs` does not make the lines after it fail.
//!
//! [`verify`] is the one check that `cargo xtask check`, `makemigration` and the runner's `up`
//! and `status` all make; [`render`] is what `makemigration` and `cargo xtask rehash` write.
use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use crate::sources::{self, Source};

/// The file's name, in the migration crate's root.
pub const FILE: &str = "automigrate.sum";

/// The command that records the migration files as they are.
pub const REHASH: &str = "cargo xtask rehash";

const PREFIX: &str = "h1:";

/// What differs between the registered migrations and `automigrate.sum`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file is not what was recorded: edited since.
    Changed { name: String, file: PathBuf },
    /// Registered in `lib.rs`, with no line in the sum file (a migration added by hand).
    NotRecorded { name: String, file: PathBuf },
    /// A line of the sum file for a migration `lib.rs` no longer registers.
    NoLongerRegistered { name: String },
    /// Registered in another place than the sum file records.
    Moved { name: String, file: PathBuf },
    /// A registered migration whose file cannot be read.
    Unreadable { file: PathBuf, error: String },
    /// The sum file has merge conflict markers.
    Conflicted,
    /// The sum file cannot be read, or its first line does not match the others.
    Damaged(String),
}

impl Problem {
    /// The migration it is about, when it is about one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Problem::Changed { name, .. }
            | Problem::NotRecorded { name, .. }
            | Problem::NoLongerRegistered { name }
            | Problem::Moved { name, .. } => Some(name),
            _ => None,
        }
    }
}

/// `path`, and the migration's name when the file's stem is not its name.
fn file_and_name(file: &Path, name: &str) -> String {
    let stem = file.file_stem().map(|s| s.to_string_lossy());
    if stem.as_deref() == Some(name) {
        file.display().to_string()
    } else {
        format!("{} (migration {name})", file.display())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Changed { name, file } => write!(
                f,
                "{}: changed since it was recorded",
                file_and_name(file, name)
            ),
            Problem::NotRecorded { name, file } => write!(
                f,
                "{}: not recorded (added by hand, or by another branch?)",
                file_and_name(file, name)
            ),
            Problem::NoLongerRegistered { name } => {
                write!(f, "{name}: recorded, but lib.rs no longer registers it")
            }
            Problem::Moved { name, file } => write!(
                f,
                "{}: lib.rs registers it in another place than recorded",
                file_and_name(file, name)
            ),
            Problem::Unreadable { file, error } => {
                write!(f, "{}: cannot be read ({error})", file.display())
            }
            Problem::Conflicted => write!(
                f,
                "{FILE} has merge conflict markers (two branches added migrations): merge lib.rs \
                 (keep both sides' migrations), then `cargo xtask makemigration --merge` checks \
                 them and writes it again"
            ),
            Problem::Damaged(reason) => write!(f, "{FILE} {reason}"),
        }
    }
}

/// The registered migrations compared with `automigrate.sum`.
#[derive(Debug, Clone)]
pub struct Verification {
    /// The sum file's path.
    pub sum_file: PathBuf,
    /// Whether there is a sum file. Without one nothing is recorded and nothing is refused (a
    /// project from before automigrate.sum, until `makemigration` or `rehash` writes it).
    pub recorded: bool,
    /// How many migrations `lib.rs` registers.
    pub migrations: usize,
    pub problems: Vec<Problem>,
}

impl Verification {
    /// True when nothing differs (or nothing is recorded).
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// One line on what was found when nothing differs: "every migration is as recorded in …",
    /// or that nothing is recorded.
    pub fn summary(&self) -> String {
        if !self.recorded {
            format!(
                "no {} (migrations edited after they were written are not detected; `{REHASH}` \
                 records them)",
                self.sum_file.display()
            )
        } else if self.problems.is_empty() {
            format!(
                "{} migration(s) as recorded in {}",
                self.migrations,
                self.sum_file.display()
            )
        } else {
            format!(
                "{} differ(s) from what {} records",
                self.problems.len(),
                self.sum_file.display()
            )
        }
    }

    /// The problems, one indented line each.
    pub fn lines(&self) -> Vec<String> {
        self.problems.iter().map(|p| format!("    {p}")).collect()
    }

    /// The error of a command that refuses because of the problems; `outcome` says what it
    /// did not do ("Nothing was applied.").
    pub fn refusal(&self, outcome: &str) -> String {
        format!(
            "the migration files differ from what {} records:\n{}\n{outcome} A migration that \
             ran must stay as it ran: a database that applied it will not apply it again. If the \
             change is on purpose (or two branches' migrations were merged), record the files as \
             they are with `{REHASH}` and commit {FILE} with them.",
            self.sum_file.display(),
            self.lines().join("\n")
        )
    }
}

/// Checks the migrations the crate at `root` registers against its `automigrate.sum`. Fails only
/// when `lib.rs` or the sum file cannot be read; everything else is a [`Problem`].
pub fn verify(root: &Path) -> std::io::Result<Verification> {
    verify_read(root, &sources::read(root)?)
}

/// [`verify`] of `sources`, already read from the crate at `root`, against its sum file.
pub fn verify_read(root: &Path, sources: &[Source]) -> std::io::Result<Verification> {
    let sum_file = root.join(FILE);
    let text = match std::fs::read_to_string(&sum_file) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    Ok(verify_sources(sum_file, sources, text.as_deref()))
}

/// [`verify`] of `sources` against the text of a sum file (`None`: there is none).
pub fn verify_sources(sum_file: PathBuf, sources: &[Source], text: Option<&str>) -> Verification {
    let mut verification = Verification {
        sum_file,
        recorded: text.is_some(),
        migrations: sources.len(),
        problems: Vec::new(),
    };
    let Some(text) = text else {
        return verification;
    };
    let problems = &mut verification.problems;
    let (versions, conflicted) = match parse(text) {
        Ok(parsed) => parsed,
        Err(reason) => {
            problems.push(Problem::Damaged(reason));
            return verification;
        }
    };
    if conflicted {
        problems.push(Problem::Conflicted);
    }
    if versions
        .iter()
        .any(|v| v.total != total_of(&v.records) && !conflicted)
    {
        problems.push(Problem::Damaged(
            "was edited: its first line is not the hash of the lines below it".into(),
        ));
    }
    for source in sources {
        let mut found = false;
        let mut matches = false;
        for v in &versions {
            for (j, record) in v.records.iter().enumerate() {
                if record.name != source.name {
                    continue;
                }
                found = true;
                if let Ok(content) = &source.content {
                    let previous = j.checked_sub(1).map(|p| v.records[p].hash.as_str());
                    matches |= decode(previous).is_some_and(|prev| {
                        hex(&chain(&prev, &source.name, content)) == record.hash
                    });
                }
            }
        }
        match &source.content {
            Err(error) => problems.push(Problem::Unreadable {
                file: source.path.clone(),
                error: error.clone(),
            }),
            Ok(_) if !found => problems.push(Problem::NotRecorded {
                name: source.name.clone(),
                file: source.path.clone(),
            }),
            Ok(_) if !matches => problems.push(Problem::Changed {
                name: source.name.clone(),
                file: source.path.clone(),
            }),
            Ok(_) => {}
        }
    }
    let registered: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
    let mut gone: Vec<&str> = Vec::new();
    for v in &versions {
        for r in &v.records {
            if !registered.contains(&r.name.as_str()) && !gone.contains(&r.name.as_str()) {
                gone.push(&r.name);
            }
        }
    }
    problems.extend(gone.into_iter().map(|name| Problem::NoLongerRegistered {
        name: name.to_string(),
    }));
    // The order of the migrations both list: the first one out of place.
    if let [v] = versions.as_slice() {
        let recorded: Vec<&str> = v
            .records
            .iter()
            .map(|r| r.name.as_str())
            .filter(|n| registered.contains(n))
            .collect();
        let common: Vec<&Source> = sources
            .iter()
            .filter(|s| recorded.contains(&s.name.as_str()))
            .collect();
        if let Some(s) = common
            .iter()
            .zip(&recorded)
            .find(|(s, r)| s.name != **r)
            .map(|(s, _)| s)
        {
            problems.push(Problem::Moved {
                name: s.name.clone(),
                file: s.path.clone(),
            });
        }
    }
    verification
}

/// The sum file for `sources` as they are. Fails, naming it, on a file that cannot be read.
pub fn render(sources: &[Source]) -> Result<String, Problem> {
    let mut records = Vec::new();
    let mut previous = [0u8; 32];
    for s in sources {
        let content = s.content.as_ref().map_err(|error| Problem::Unreadable {
            file: s.path.clone(),
            error: error.clone(),
        })?;
        previous = chain(&previous, &s.name, content);
        records.push(Record {
            name: s.name.clone(),
            hash: hex(&previous),
        });
    }
    let mut text = format!("{PREFIX}{}\n", total_of(&records));
    text.push_str(&lines(&records));
    Ok(text)
}

#[derive(Debug)]
struct Record {
    name: String,
    /// Hex.
    hash: String,
}

#[derive(Debug)]
struct SumFile {
    total: String,
    records: Vec<Record>,
}

fn lines(records: &[Record]) -> String {
    records
        .iter()
        .map(|r| format!("{} {PREFIX}{}\n", r.name, r.hash))
        .collect()
}

fn total_of(records: &[Record]) -> String {
    hex(&Sha256::digest(lines(records).as_bytes()).into())
}

/// The hash of a line: the previous line's, the migration's name, a newline, and the file with
/// CRLF read as LF.
fn chain(previous: &[u8; 32], name: &str, content: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(previous);
    h.update(name.as_bytes());
    h.update(b"\n");
    let mut rest = content;
    while let Some(i) = rest.windows(2).position(|w| w == b"\r\n") {
        h.update(&rest[..i]);
        h.update(b"\n");
        rest = &rest[i + 2..];
    }
    h.update(rest);
    h.finalize().into()
}

fn hex(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The 32 bytes of a hex hash; `None` (no line before) is 32 zero bytes.
fn decode(hash: Option<&str>) -> Option<[u8; 32]> {
    let Some(hash) = hash else {
        return Some([0; 32]);
    };
    if hash.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(hash.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The sum file's versions: one, or, with git's conflict markers, each side of the conflict
/// (ours and theirs; diff3's base is left out); and whether there were markers.
fn parse(text: &str) -> Result<(Vec<SumFile>, bool), String> {
    #[derive(PartialEq)]
    enum Side {
        Both,
        Ours,
        Base,
        Theirs,
    }
    let mut side = Side::Both;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let mut conflicted = false;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        let marker = |m: &str| line.starts_with(m);
        if marker("<<<<<<<") {
            conflicted = true;
            side = Side::Ours;
        } else if marker("|||||||") && side == Side::Ours {
            side = Side::Base;
        } else if marker("=======") && side != Side::Both {
            side = Side::Theirs;
        } else if marker(">>>>>>>") && side == Side::Theirs {
            side = Side::Both;
        } else {
            match side {
                Side::Both => {
                    ours.push(line);
                    theirs.push(line);
                }
                Side::Ours => ours.push(line),
                Side::Theirs => theirs.push(line),
                Side::Base => {}
            }
        }
    }
    if side != Side::Both {
        return Err("has a merge conflict that does not end".into());
    }
    let mut versions = vec![parse_one(&ours)?];
    if conflicted {
        versions.push(parse_one(&theirs)?);
    }
    Ok((versions, conflicted))
}

fn parse_one(lines: &[&str]) -> Result<SumFile, String> {
    let mut lines = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let total = match lines.next() {
        None => return Err("is empty".into()),
        Some((_, first)) => first
            .trim()
            .strip_prefix(PREFIX)
            .filter(|h| decode(Some(h)).is_some())
            .ok_or_else(|| format!("does not start with its hash (`{PREFIX}…`)"))?
            .to_string(),
    };
    let records = lines
        .map(|(i, line)| {
            line.trim()
                .rsplit_once(&format!(" {PREFIX}"))
                .filter(|(name, hash)| !name.trim().is_empty() && decode(Some(hash)).is_some())
                .map(|(name, hash)| Record {
                    name: name.trim().to_string(),
                    hash: hash.to_string(),
                })
                .ok_or_else(|| format!("has a line that cannot be read (line {})", i + 1))
        })
        .collect::<Result<_, _>>()?;
    Ok(SumFile { total, records })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, content: &str) -> Source {
        Source {
            name: name.into(),
            module: name.into(),
            path: PathBuf::from(format!("src/{name}.rs")),
            content: Ok(content.as_bytes().to_vec()),
        }
    }

    fn check(sources: &[Source], text: &str) -> Vec<Problem> {
        verify_sources(PathBuf::from(FILE), sources, Some(text)).problems
    }

    fn three() -> Vec<Source> {
        vec![
            source("m1_a", "fn a() {}\n"),
            source("m2_b", "fn b() {}\n"),
            source("m3_c", "fn c() {}\n"),
        ]
    }

    #[test]
    fn the_files_as_they_were_recorded_pass() {
        let sources = three();
        let text = render(&sources).unwrap();
        assert_eq!(text.lines().count(), 4);
        assert!(text.starts_with("h1:"), "{text}");
        assert!(
            text.lines().nth(2).unwrap().starts_with("m2_b h1:"),
            "{text}"
        );
        assert_eq!(check(&sources, &text), vec![]);
        // CRLF is LF.
        let mut crlf = three();
        crlf[1].content = Ok(b"fn b() {}\r\n".to_vec());
        assert_eq!(check(&crlf, &text), vec![]);
        // No sum file: nothing recorded, nothing refused.
        let v = verify_sources(PathBuf::from(FILE), &sources, None);
        assert!(v.is_ok() && !v.recorded, "{v:?}");
    }

    #[test]
    fn one_character_changed_is_named() {
        let text = render(&three()).unwrap();
        let mut edited = three();
        edited[1].content = Ok(b"fn b() { }\n".to_vec());
        assert_eq!(
            check(&edited, &text),
            vec![Problem::Changed {
                name: "m2_b".into(),
                file: "src/m2_b.rs".into()
            }]
        );
        let v = verify_sources(PathBuf::from(FILE), &edited, Some(&text));
        let refusal = v.refusal("Nothing was applied.");
        assert!(
            refusal.contains("src/m2_b.rs: changed since it was recorded")
                && refusal.contains("Nothing was applied.")
                && refusal.contains(REHASH),
            "{refusal}"
        );
        // Recorded again, it passes.
        assert_eq!(check(&edited, &render(&edited).unwrap()), vec![]);
    }

    #[test]
    fn added_and_removed_migrations_do_not_blame_the_others() {
        let text = render(&three()).unwrap();
        let mut more = three();
        more.insert(1, source("m1_z", "fn z() {}\n"));
        assert_eq!(
            check(&more, &text),
            vec![Problem::NotRecorded {
                name: "m1_z".into(),
                file: "src/m1_z.rs".into()
            }]
        );
        let mut fewer = three();
        fewer.remove(1);
        assert_eq!(
            check(&fewer, &text),
            vec![Problem::NoLongerRegistered {
                name: "m2_b".into()
            }]
        );
        let mut swapped = three();
        swapped.swap(1, 2);
        assert_eq!(
            check(&swapped, &text),
            vec![Problem::Moved {
                name: "m3_c".into(),
                file: "src/m3_c.rs".into()
            }]
        );
    }

    #[test]
    fn an_edited_sum_file_is_damaged() {
        let sources = three();
        let text = render(&sources).unwrap();
        // A line's hash edited by hand: the first line no longer matches, and the line fails.
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let last = lines[2].pop().unwrap();
        lines[2].push(if last == '0' { '1' } else { '0' });
        let problems = check(&sources, &(lines.join("\n") + "\n"));
        assert!(matches!(problems[0], Problem::Damaged(_)), "{problems:?}");
        assert!(
            problems.contains(&Problem::Changed {
                name: "m2_b".into(),
                file: "src/m2_b.rs".into()
            }),
            "{problems:?}"
        );
        for bad in ["", "m1_a h1:00\n", "h1:zz\n"] {
            assert!(
                matches!(check(&sources, bad).as_slice(), [Problem::Damaged(_)]),
                "{bad:?}"
            );
        }
    }

    /// Two branches from one base each add a migration: the merge conflict's two sides are
    /// each read, a file recorded on either side passes, and the conflict is a problem until
    /// the sum is written again.
    #[test]
    fn a_merge_conflict_is_read_side_by_side() {
        let base = three();
        let mut ours = base.clone();
        ours.push(source("m4_ours", "fn ours() {}\n"));
        let mut theirs = base.clone();
        theirs.push(source("m4_theirs", "fn theirs() {}\n"));
        let (o, t) = (render(&ours).unwrap(), render(&theirs).unwrap());
        let (o, t): (Vec<&str>, Vec<&str>) = (o.lines().collect(), t.lines().collect());
        let conflict = format!(
            "<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> theirs\n{}\n<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> theirs\n",
            o[0],
            t[0],
            o[1..4].join("\n"),
            o[4],
            t[4]
        );
        let mut merged = base.clone();
        merged.push(ours[3].clone());
        merged.push(theirs[3].clone());
        assert_eq!(check(&merged, &conflict), vec![Problem::Conflicted]);
        merged[0].content = Ok(b"edited".to_vec());
        assert_eq!(
            check(&merged, &conflict),
            vec![
                Problem::Conflicted,
                Problem::Changed {
                    name: "m1_a".into(),
                    file: "src/m1_a.rs".into()
                }
            ]
        );
    }
}
