//! Which migrations a command runs, from the list of migrations and which of them are applied.
//! Pure functions: the database is read before and written after, elsewhere.
use crate::Error;

/// Where `--to` and `stamp` go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Before the first migration: nothing applied.
    Base,
    /// The last migration of the crate.
    Head,
    /// A migration, by its full name or a prefix of it that only it has.
    Migration(String),
}

impl Target {
    pub fn parse(s: &str) -> Target {
        match s {
            "base" => Target::Base,
            "head" => Target::Head,
            _ => Target::Migration(s.to_string()),
        }
    }
}

impl std::str::FromStr for Target {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Target::parse(s))
    }
}

/// How far `up` goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpTo {
    /// Every pending migration.
    All,
    /// The first N pending migrations (`-n N`).
    Steps(u32),
    /// The pending migrations up to and including this one (`--to`).
    Target(Target),
}

/// How far `down` goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownTo {
    /// The last N applied migrations (`-n N`; sea-orm-migration's default is 1).
    Steps(u32),
    /// Every applied migration after this one, which stays applied (`--to`; `base` for all).
    Target(Target),
}

/// The index of the last migration `target` stands for; `None` is base (also `head` of a
/// crate without migrations).
pub(crate) fn resolve(target: &Target, names: &[String]) -> Result<Option<usize>, Error> {
    match target {
        Target::Base => Ok(None),
        Target::Head => Ok(names.len().checked_sub(1)),
        Target::Migration(name) => {
            if let Some(i) = names.iter().position(|n| n == name) {
                return Ok(Some(i));
            }
            let matches: Vec<usize> = (0..names.len())
                .filter(|&i| names[i].starts_with(name.as_str()))
                .collect();
            match matches.as_slice() {
                [i] => Ok(Some(*i)),
                [] => Err(Error::UnknownMigration {
                    name: name.clone(),
                    known: names.to_vec(),
                }),
                _ => Err(Error::InvalidTarget(format!(
                    "`{name}` is ambiguous; it starts the names of:{}",
                    matches
                        .iter()
                        .map(|&i| format!("\n  {}", names[i]))
                        .collect::<String>()
                ))),
            }
        }
    }
}

/// The migrations `up` applies, in the order it applies them.
pub(crate) fn plan_up(names: &[String], applied: &[bool], to: &UpTo) -> Result<Vec<usize>, Error> {
    let pending = (0..names.len()).filter(|&i| !applied[i]);
    Ok(match to {
        UpTo::All => pending.collect(),
        UpTo::Steps(n) => pending.take(*n as usize).collect(),
        UpTo::Target(Target::Base) => {
            return Err(Error::InvalidTarget(
                "`up --to base` applies nothing; to undo every migration, run `down --to base`"
                    .into(),
            ));
        }
        UpTo::Target(target) => match resolve(target, names)? {
            None => Vec::new(),
            Some(last) => pending.filter(|&i| i <= last).collect(),
        },
    })
}

/// The migrations `down` rolls back, in the order it rolls them back (the last first).
pub(crate) fn plan_down(
    names: &[String],
    applied: &[bool],
    to: &DownTo,
) -> Result<Vec<usize>, Error> {
    let applied_desc = (0..names.len()).rev().filter(|&i| applied[i]);
    Ok(match to {
        DownTo::Steps(n) => applied_desc.take(*n as usize).collect(),
        DownTo::Target(target) => match resolve(target, names)? {
            None => applied_desc.collect(),
            Some(keep) if !applied[keep] => {
                return Err(Error::InvalidTarget(format!(
                    "`{}` is not applied, so `down` cannot stop at it; `down --to` takes an \
                     applied migration, or `base` to roll back everything",
                    names[keep]
                )));
            }
            Some(keep) => applied_desc.filter(|&i| i > keep).collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        ["m1_a", "m2_b", "m3_c", "m4_d"].map(String::from).to_vec()
    }

    #[test]
    fn targets_resolve_by_name_prefix_head_and_base() {
        let n = names();
        assert_eq!(resolve(&Target::parse("m2_b"), &n).unwrap(), Some(1));
        assert_eq!(resolve(&Target::parse("m3"), &n).unwrap(), Some(2));
        assert_eq!(resolve(&Target::Head, &n).unwrap(), Some(3));
        assert_eq!(resolve(&Target::Base, &n).unwrap(), None);
        assert_eq!(resolve(&Target::Head, &[]).unwrap(), None);
        let err = resolve(&Target::parse("m9"), &n).unwrap_err().to_string();
        assert!(err.contains("unknown migration `m9`"), "{err}");
        assert!(err.contains("\n  m1_a\n  m2_b\n  m3_c\n  m4_d"), "{err}");
        let err = resolve(&Target::parse("m"), &n).unwrap_err().to_string();
        assert!(err.contains("ambiguous"), "{err}");
    }

    #[test]
    fn up_applies_pending_in_order_up_to_the_target() {
        let n = names();
        let applied = [true, false, false, false];
        assert_eq!(plan_up(&n, &applied, &UpTo::All).unwrap(), [1, 2, 3]);
        assert_eq!(plan_up(&n, &applied, &UpTo::Steps(1)).unwrap(), [1]);
        let to = |s: &str| UpTo::Target(Target::parse(s));
        assert_eq!(plan_up(&n, &applied, &to("m3_c")).unwrap(), [1, 2]);
        assert!(plan_up(&n, &applied, &to("m1_a")).unwrap().is_empty());
        assert_eq!(plan_up(&n, &applied, &to("head")).unwrap(), [1, 2, 3]);
        assert!(plan_up(&n, &applied, &to("base")).is_err());
        // A hole in the history is filled first, as sea-orm-migration does.
        let holes = [false, true, false, false];
        assert_eq!(plan_up(&n, &holes, &to("m3_c")).unwrap(), [0, 2]);
    }

    #[test]
    fn down_rolls_back_after_the_target_last_first() {
        let n = names();
        let applied = [true, true, true, false];
        let to = |s: &str| DownTo::Target(Target::parse(s));
        assert_eq!(plan_down(&n, &applied, &DownTo::Steps(1)).unwrap(), [2]);
        assert_eq!(plan_down(&n, &applied, &to("m1_a")).unwrap(), [2, 1]);
        assert_eq!(plan_down(&n, &applied, &to("base")).unwrap(), [2, 1, 0]);
        assert!(plan_down(&n, &applied, &to("m3_c")).unwrap().is_empty());
        let err = plan_down(&n, &applied, &to("m4_d"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not applied"), "{err}");
    }
}
