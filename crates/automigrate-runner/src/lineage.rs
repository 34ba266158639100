//! The order the migrations were written in: each generated migration says which one it was
//! generated on top of, in its header:
//!
//! ```text
//! //! add bio to users
//! //!
//! //! Follows: m20261121_233648_create_blog_tables
//! ```
//!
//! (`Follows: nothing` for the first migration; `Follows: m_a, m_b` for a merge). A migration
//! without the line (written by hand, or before automigrate wrote it) follows the one before it
//! in `lib.rs`. When two branches each generate a migration from the same one and git merges
//! both, the history has two *heads* (migrations nothing follows): neither was generated knowing
//! the other. `makemigration`, `check`, `diff` and the runner's `up` refuse such a history until
//! a merge migration (`cargo xtask makemigration --merge`) follows both, as Alembic's `merge`
//! and Django's `makemigrations --merge` do.
use std::collections::{BTreeSet, HashMap};
use std::fmt;

use crate::sources::Source;

/// What a migration's header says it follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Follows {
    /// No `Follows:` line: the migration before it in `lib.rs`.
    Unstated,
    /// `Follows: nothing`: the first migration of its history.
    Nothing,
    /// `Follows: m_a` (or several, for a merge).
    Migrations(Vec<String>),
}

/// The header line's key.
pub const KEY: &str = "Follows:";

/// The `Follows:` line of a migration file's leading `//!` comment, if it has one.
pub fn follows_in(file: &str) -> Follows {
    for line in file.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(doc) = line.strip_prefix("//!") else {
            break;
        };
        let Some(rest) = doc.trim().strip_prefix(KEY) else {
            continue;
        };
        let rest = rest.trim();
        if rest.is_empty() || rest.starts_with("nothing") {
            return Follows::Nothing;
        }
        return Follows::Migrations(
            rest.split(',')
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .collect(),
        );
    }
    Follows::Unstated
}

/// The header line for a migration that follows `parents` (none: the first migration).
pub fn header_line(parents: &[String]) -> String {
    if parents.is_empty() {
        format!("{KEY} nothing (the first migration)")
    } else {
        format!("{KEY} {}", parents.join(", "))
    }
}

/// A registered migration and what it follows.
#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    pub parents: Vec<String>,
    /// Whether its file says so (else it follows the migration before it in `lib.rs`).
    pub stated: bool,
}

/// The registered migrations, in `lib.rs` order, with what each follows.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    pub nodes: Vec<Node>,
}

/// What is wrong with a history, beyond having several heads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A migration follows one `lib.rs` does not register.
    UnknownParent { name: String, parent: String },
    /// A migration follows one `lib.rs` registers after it: the runner would apply them in the
    /// other order.
    ParentAfter { name: String, parent: String },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnknownParent { name, parent } => write!(
                f,
                "{name} follows {parent}, which lib.rs does not register (not merged from its \
                 branch? if it was taken out on purpose, make the `{KEY}` line of {name} name \
                 the migration it follows now, and record the edit with `cargo xtask rehash`)"
            ),
            Problem::ParentAfter { name, parent } => write!(
                f,
                "{name} follows {parent}, which lib.rs registers after it: the runner applies \
                 them in lib.rs's order, so put {parent} first"
            ),
        }
    }
}

impl Lineage {
    /// The lineage of `sources` (a file that cannot be read follows the one before it).
    pub fn of(sources: &[Source]) -> Lineage {
        let mut nodes: Vec<Node> = Vec::with_capacity(sources.len());
        for s in sources {
            let follows = match &s.content {
                Ok(bytes) => follows_in(&String::from_utf8_lossy(bytes)),
                Err(_) => Follows::Unstated,
            };
            let (parents, stated) = match follows {
                Follows::Unstated => (
                    nodes.last().map(|n| n.name.clone()).into_iter().collect(),
                    false,
                ),
                Follows::Nothing => (Vec::new(), true),
                Follows::Migrations(p) => (p, true),
            };
            nodes.push(Node {
                name: s.name.clone(),
                parents,
                stated,
            });
        }
        Lineage { nodes }
    }

    fn position(&self) -> HashMap<&str, usize> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.as_str(), i))
            .collect()
    }

    /// The migrations nothing follows, in `lib.rs` order: one for a linear history (none for an
    /// empty one).
    pub fn heads(&self) -> Vec<&str> {
        let followed: BTreeSet<&str> = self
            .nodes
            .iter()
            .flat_map(|n| n.parents.iter().map(String::as_str))
            .collect();
        self.nodes
            .iter()
            .map(|n| n.name.as_str())
            .filter(|n| !followed.contains(n))
            .collect()
    }

    /// Parents it does not register, or registers after their child.
    pub fn problems(&self) -> Vec<Problem> {
        let at = self.position();
        let mut out = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            for p in &n.parents {
                match at.get(p.as_str()) {
                    None => out.push(Problem::UnknownParent {
                        name: n.name.clone(),
                        parent: p.clone(),
                    }),
                    Some(&j) if j >= i => out.push(Problem::ParentAfter {
                        name: n.name.clone(),
                        parent: p.clone(),
                    }),
                    Some(_) => {}
                }
            }
        }
        out
    }

    /// `name` and every migration it follows, directly or not.
    pub fn ancestors(&self, name: &str) -> BTreeSet<String> {
        let at = self.position();
        let mut seen = BTreeSet::new();
        let mut stack = vec![name.to_string()];
        while let Some(n) = stack.pop() {
            if !seen.insert(n.clone()) {
                continue;
            }
            if let Some(&i) = at.get(n.as_str()) {
                stack.extend(self.nodes[i].parents.iter().cloned());
            }
        }
        seen
    }

    /// The newest migration (in `lib.rs` order) that every head follows: where the branches
    /// part. `None` when they share nothing (each branch began the history).
    pub fn fork_point(&self) -> Option<&str> {
        let heads = self.heads();
        let mut common: Option<BTreeSet<String>> = None;
        for h in &heads {
            let a = self.ancestors(h);
            common = Some(match common {
                None => a,
                Some(c) => c.intersection(&a).cloned().collect(),
            });
        }
        let common = common.unwrap_or_default();
        self.nodes
            .iter()
            .rev()
            .map(|n| n.name.as_str())
            .find(|n| common.contains(*n))
    }

    /// What each head follows directly, for messages: "m_a and m_b both follow m_base".
    pub fn describe_heads(&self) -> String {
        let heads = self.heads();
        let at = self.position();
        let parents_of = |h: &str| -> Vec<String> {
            at.get(h)
                .map(|&i| self.nodes[i].parents.clone())
                .unwrap_or_default()
        };
        let first = parents_of(heads[0]);
        let names = join_and(&heads.iter().map(|h| h.to_string()).collect::<Vec<_>>());
        if heads.iter().all(|h| parents_of(h) == first) {
            let both = if heads.len() == 2 { "both" } else { "all" };
            match first.as_slice() {
                [] => format!("{names} {both} begin the history"),
                parents => format!("{names} {both} follow {}", join_and(parents)),
            }
        } else {
            let each: Vec<String> = heads
                .iter()
                .map(|h| match parents_of(h).as_slice() {
                    [] => format!("{h} (begins the history)"),
                    p => format!("{h} (follows {})", join_and(p)),
                })
                .collect();
            format!("the history has {} heads: {}", heads.len(), each.join(", "))
        }
    }

    /// Why a command refuses this history (several heads, or a parent it cannot place), or
    /// `None`. `outcome` says what was not done ("Nothing was written.").
    pub fn refusal(&self, outcome: &str) -> Option<String> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Some(format!(
                "the migrations' order is broken:\n{}\n{outcome}",
                problems
                    .iter()
                    .map(|p| format!("    {p}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
        if self.heads().len() < 2 {
            return None;
        }
        Some(format!(
            "{}: two branches each added migrations, and neither was generated knowing the \
             other. Merge them with `{MERGE}`, which checks that the merged history applies and \
             what both branches change, and writes a migration that follows them all. {outcome}",
            self.describe_heads()
        ))
    }
}

/// The command that merges the heads.
pub const MERGE: &str = "cargo xtask makemigration --merge";

/// "a", "a and b", "a, b and c".
pub fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn source(name: &str, header: &str) -> Source {
        Source {
            name: name.into(),
            module: name.into(),
            path: PathBuf::from(format!("{name}.rs")),
            content: Ok(format!("{header}use sea_orm_migration::prelude::*;\n").into_bytes()),
        }
    }

    fn follows(parents: &str) -> String {
        format!("//! a message\n//!\n//! Follows: {parents}\n//! Generated by automigrate.\n")
    }

    #[test]
    fn the_line_is_read_from_the_leading_doc_comment_only() {
        assert_eq!(
            follows_in(&follows("m1_a")),
            Follows::Migrations(vec!["m1_a".into()])
        );
        assert_eq!(
            follows_in(&follows("m1_a, m2_b")),
            Follows::Migrations(vec!["m1_a".into(), "m2_b".into()])
        );
        assert_eq!(
            follows_in(&follows("nothing (the first migration)")),
            Follows::Nothing
        );
        assert_eq!(follows_in("//! hand-written\nuse x;\n"), Follows::Unstated);
        // Past the header, the words are anybody's.
        assert_eq!(
            follows_in("//! title\nuse x;\n//! Follows: m1_a\n"),
            Follows::Unstated
        );
        assert_eq!(
            follows_in(&header_line(&[]).replace(KEY, &format!("//! {KEY}"))),
            Follows::Nothing
        );
        assert_eq!(header_line(&["m1".into(), "m2".into()]), "Follows: m1, m2");
    }

    #[test]
    fn a_linear_history_has_one_head_whatever_states_its_order() {
        let lineage = Lineage::of(&[
            source("m1", ""),
            source("m2", &follows("m1")),
            source("m3", ""),
            source("m4", &follows("m3")),
        ]);
        assert_eq!(lineage.heads(), ["m4"]);
        assert!(lineage.problems().is_empty());
        assert!(lineage.refusal("Nothing was written.").is_none());
        assert!(Lineage::of(&[]).heads().is_empty());
        assert!(Lineage::of(&[]).refusal("x").is_none());
    }

    #[test]
    fn two_branches_from_one_migration_are_two_heads_until_merged() {
        let mut sources = vec![
            source("m1_base", &follows("nothing")),
            source("m2_a", &follows("m1_base")),
            source("m3_b", &follows("m1_base")),
        ];
        let lineage = Lineage::of(&sources);
        assert_eq!(lineage.heads(), ["m2_a", "m3_b"]);
        assert_eq!(lineage.fork_point(), Some("m1_base"));
        let refusal = lineage.refusal("Nothing was written.").unwrap();
        assert!(
            refusal.starts_with("m2_a and m3_b both follow m1_base: "),
            "{refusal}"
        );
        assert!(refusal.contains(MERGE) && refusal.ends_with("Nothing was written."));
        // A migration written by hand after them follows only the last one: still two heads.
        sources.push(source("m4_hand", ""));
        assert_eq!(Lineage::of(&sources).heads(), ["m2_a", "m4_hand"]);
        sources.pop();
        sources.push(source("m4_merge", &follows("m2_a, m3_b")));
        let merged = Lineage::of(&sources);
        assert_eq!(merged.heads(), ["m4_merge"]);
        assert!(merged.refusal("x").is_none());
        assert_eq!(
            merged.ancestors("m4_merge").into_iter().collect::<Vec<_>>(),
            ["m1_base", "m2_a", "m3_b", "m4_merge"]
        );
    }

    #[test]
    fn deeper_branches_part_where_they_last_share_a_migration() {
        let lineage = Lineage::of(&[
            source("m1", &follows("nothing")),
            source("m2", &follows("m1")),
            source("m3_a", &follows("m2")),
            source("m4_b", &follows("m2")),
            source("m5_a", &follows("m3_a")),
            source("m6_c", &follows("m1")),
        ]);
        assert_eq!(lineage.heads(), ["m4_b", "m5_a", "m6_c"]);
        assert_eq!(lineage.fork_point(), Some("m1"));
        assert_eq!(
            lineage.describe_heads(),
            "the history has 3 heads: m4_b (follows m2), m5_a (follows m3_a), m6_c (follows m1)"
        );
        let two_roots = Lineage::of(&[
            source("m1_a", &follows("nothing")),
            source("m2_b", &follows("nothing")),
        ]);
        assert_eq!(two_roots.fork_point(), None);
        assert_eq!(
            two_roots.describe_heads(),
            "m1_a and m2_b both begin the history"
        );
    }

    #[test]
    fn parents_missing_or_registered_later_are_named() {
        let lineage = Lineage::of(&[
            source("m1", &follows("m0_gone")),
            source("m2", &follows("m3")),
            source("m3", &follows("m1")),
        ]);
        assert_eq!(
            lineage.problems(),
            [
                Problem::UnknownParent {
                    name: "m1".into(),
                    parent: "m0_gone".into()
                },
                Problem::ParentAfter {
                    name: "m2".into(),
                    parent: "m3".into()
                }
            ]
        );
        let refusal = lineage.refusal("Nothing was applied.").unwrap();
        assert!(refusal.contains("m1 follows m0_gone, which lib.rs does not register"));
        assert!(refusal.contains("m2 follows m3, which lib.rs registers after it"));
    }
}
