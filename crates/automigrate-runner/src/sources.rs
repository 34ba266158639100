//! The migration crate's sources: which files `src/lib.rs` registers, in order, and the names
//! they record in the history table. Read by the runner (to check `automigrate.sum` when it runs
//! from its sources) and by automigrate's `makemigration` and `check`, which share this reading.
//!
//! A migration crate in the sea-orm-migration layout: `src/lib.rs` declares `mod mYYYYMMDD_…;`
//! and lists `Box::new(mYYYYMMDD_…::Migration)` in `MigratorTrait::migrations`. That list is the
//! truth; a module may be declared with `#[path = "…"]`.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A registered migration.
#[derive(Debug, Clone)]
pub struct Source {
    /// The name it records in the history table: its file's stem (sea-orm-migration's
    /// `DeriveMigrationName`), or the string its `MigrationName::name` returns.
    pub name: String,
    /// The module `lib.rs` registers.
    pub module: String,
    /// Its file (under the crate's `src/`, as `lib.rs` finds it).
    pub path: PathBuf,
    /// The file's bytes, or why they cannot be read.
    pub content: Result<Vec<u8>, String>,
}

/// The directory of `lib.rs`: `src/`, or the crate root for a crate without one.
pub fn src_dir(root: &Path) -> PathBuf {
    let src = root.join("src");
    if src.is_dir() {
        src
    } else {
        root.to_path_buf()
    }
}

/// The crate's `lib.rs`.
pub fn lib_rs(root: &Path) -> PathBuf {
    src_dir(root).join("lib.rs")
}

/// The migrations the crate at `root` registers, in order (reading `lib.rs` and each file).
pub fn read(root: &Path) -> std::io::Result<Vec<Source>> {
    let lib = std::fs::read_to_string(lib_rs(root))?;
    Ok(registered(&src_dir(root), &lib))
}

/// The migrations `lib` (the text of `src/lib.rs`, in `src`) registers, in order, each with its
/// file read. A module whose file cannot be read keeps its module name.
pub fn registered(src: &Path, lib: &str) -> Vec<Source> {
    let paths = module_paths(lib);
    registered_in(lib)
        .into_iter()
        .map(|module| {
            let path = match paths.get(&module) {
                Some(path) => src.join(path),
                None if src.join(format!("{module}.rs")).is_file() => {
                    src.join(format!("{module}.rs"))
                }
                None => src.join(&module).join("mod.rs"),
            };
            let content = std::fs::read(&path).map_err(|e| e.to_string());
            let name = match &content {
                Ok(bytes) => declared_name(&String::from_utf8_lossy(bytes))
                    .or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
                    .unwrap_or_else(|| module.clone()),
                Err(_) => module.clone(),
            };
            Source {
                name,
                module,
                path,
                content,
            }
        })
        .collect()
}

/// The `#[path = "…"]` of each module declared with one: module name → path (relative to the
/// directory of `lib.rs`).
pub fn module_paths(lib: &str) -> BTreeMap<String, String> {
    let code = strip_comments(lib);
    let mut out = BTreeMap::new();
    let mut rest = code.as_str();
    while let Some(pos) = rest.find("#[path") {
        rest = &rest[pos + "#[path".len()..];
        let Some((attr, after)) = rest.split_once(']') else {
            break;
        };
        rest = after;
        let Some(path) = attr
            .trim_start()
            .strip_prefix('=')
            .map(str::trim)
            .and_then(|p| p.strip_prefix('"'))
            .and_then(|p| p.strip_suffix('"'))
        else {
            continue;
        };
        // Other attributes and a visibility may stand between it and `mod`.
        let mut item = after.trim_start();
        loop {
            if item.starts_with("#[") {
                match item.split_once(']') {
                    Some((_, more)) => item = more.trim_start(),
                    None => break,
                }
            } else if let Some(more) = item.strip_prefix("pub") {
                let more = more.trim_start();
                item = match more.strip_prefix('(') {
                    Some(inner) => inner.split_once(')').map_or("", |(_, m)| m).trim_start(),
                    None => more,
                };
            } else {
                break;
            }
        }
        if let Some(decl) = item.strip_prefix("mod ") {
            let name: String = decl
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name, path.to_string());
            }
        }
    }
    out
}

/// The name a migration file gives itself as a string literal
/// (`fn name(&self) -> &str { "m…" }`), if it does.
pub fn declared_name(file: &str) -> Option<String> {
    // The first `fn name(` before any `//` of its line. Only the code from that line on is read
    // without its comments: a generated migration has none, and one of thousands of lines is not
    // copied to find that out (every command reads every registered file).
    let line_of = |at: usize| file[..at].rfind('\n').map_or(0, |n| n + 1);
    let at = file
        .match_indices("fn name(")
        .map(|(at, _)| at)
        .find(|&at| !file[line_of(at)..at].contains("//"))?;
    let line = line_of(at);
    let code = strip_comments(&file[line..]);
    let body = &code[at - line..];
    let body = body[body.find('{')? + 1..].trim_start();
    let literal = body.strip_prefix('"')?;
    let end = literal.find('"')?;
    let rest = literal[end + 1..].trim_start();
    rest.starts_with('}').then(|| literal[..end].to_string())
}

/// The modules in `Box::new(<module>::Migration)` entries, in order, skipping comments.
pub fn registered_in(lib: &str) -> Vec<String> {
    let code = strip_comments(lib);
    let mut out = Vec::new();
    let mut rest = code.as_str();
    while let Some(pos) = rest.find("Box::new(") {
        rest = &rest[pos + "Box::new(".len()..];
        let entry: String = rest.chars().take_while(|c| *c != ')').collect();
        let entry: String = entry.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(name) = entry.strip_suffix("::Migration") {
            out.push(name.to_string());
        }
    }
    out
}

fn strip_comments(src: &str) -> String {
    src.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::declared_name;

    #[test]
    fn a_declared_name_is_the_literal_fn_name_returns() {
        let file = "use x;\n\nimpl MigrationName for Migration {\n    fn name(&self) -> &str {\n        \"m1_custom\"\n    }\n}\n";
        assert_eq!(declared_name(file).as_deref(), Some("m1_custom"));
        // Comments between the signature and the literal are skipped.
        let file =
            "fn name(&self) -> &str { // the name\n    // recorded in the history\n    \"m2\" }\n";
        assert_eq!(declared_name(file).as_deref(), Some("m2"));
    }

    #[test]
    fn a_commented_out_fn_name_is_not_a_declared_name() {
        assert_eq!(
            declared_name("// fn name(&self) -> &str { \"old\" }\n"),
            None
        );
        assert_eq!(
            declared_name("let x = 1; // fn name(&self) -> &str { \"old\" }\n"),
            None
        );
        // The first one outside a comment counts.
        let file = "// fn name(&self) -> &str { \"old\" }\nfn name(&self) -> &str { \"new\" }\n";
        assert_eq!(declared_name(file).as_deref(), Some("new"));
    }

    #[test]
    fn a_fn_name_that_is_not_a_literal_declares_nothing() {
        assert_eq!(declared_name("fn name(&self) -> &str { NAME }\n"), None);
        assert_eq!(declared_name("fn name(&self) -> &str { \"a\" ; }\n"), None);
        assert_eq!(declared_name("fn up() {}\n"), None);
        assert_eq!(declared_name(""), None);
    }
}
