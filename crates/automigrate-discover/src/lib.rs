//! Finds the SeaORM entities of a crate by reading its source, for a build script: the xtask's
//! list of entities is written from the crate, so a new entity is managed as soon as it exists,
//! and one that goes away is dropped because it went away, not because a list forgot it.
//!
//! ```no_run
//! // In xtask/build.rs's `main`:
//! automigrate_discover::write("../entity", "entity").unwrap();
//! // And xtask/src/main.rs's `main` is:
//! //     automigrate::cli::main(include!(concat!(env!("OUT_DIR"), "/entities.rs")))
//! ```
//!
//! From `src/lib.rs`, the modules are followed as rustc follows them (`mod x;` is `x.rs` or
//! `x/mod.rs` beside its parent's file, `#[path = "…"]` is honoured, inline `mod x { … }` is
//! read in place). A module whose struct derives `DeriveEntityModel`, or that declares
//! `struct Entity` deriving `DeriveEntity`, holds an entity: its `Entity`. Modules under
//! `#[cfg(test)]` are skipped; an entity in a module the crate does not make public cannot be
//! named from the xtask and is an error that says so.
use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, naming the file.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The entities of the crate at `crate_dir` (the directory of its `Cargo.toml`), as paths from
/// the crate's root (`user::Entity`, `blog::post::Entity`), sorted; and every file read.
pub fn entities(crate_dir: impl AsRef<Path>) -> Result<(Vec<String>, Vec<PathBuf>), Error> {
    let root = crate_dir.as_ref().join("src").join("lib.rs");
    let mut found = Found::default();
    let file = found.read(&root)?;
    let dir = root.parent().map(Path::to_path_buf).unwrap_or_default();
    found.module(&file.items, &[], true, &dir)?;
    found.entities.sort();
    found.entities.dedup();
    Ok((found.entities, found.files))
}

/// For a build script: writes `$OUT_DIR/entities.rs`, an expression listing every entity of the
/// crate `crate_name` at `crate_dir` (`automigrate::Entities::discovered(&[…]).entity(…)…`),
/// and `$OUT_DIR/entity_names.rs`, the array of their names alone (for a list kept by hand,
/// checked with `Entities::discovered`); tells cargo to run it again when a file it read, or the
/// crate's `src` directory, changes.
pub fn write(crate_dir: impl AsRef<Path>, crate_name: &str) -> Result<(), Error> {
    let crate_dir = crate_dir.as_ref();
    let out = std::env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| Error("OUT_DIR is not set: call this from a build script".into()))?;
    let (entities, files) = entities(crate_dir)?;
    let ident = crate_name.replace('-', "_");
    let names: Vec<String> = entities
        .iter()
        .map(|e| format!("{:?}", format!("{ident}::{e}")))
        .collect();
    let names = format!("[{}]", names.join(", "));
    let mut list = format!(
        "// Written by automigrate-discover from the crate `{crate_name}`: every entity it has.\n\
         ::automigrate::Entities::discovered(&{names})"
    );
    for e in &entities {
        list.push_str(&format!("\n    .entity({ident}::{e})"));
    }
    list.push('\n');
    let write = |name: &str, text: &str| {
        std::fs::write(out.join(name), text)
            .map_err(|e| Error(format!("cannot write {name} in OUT_DIR: {e}")))
    };
    write("entities.rs", &list)?;
    write("entity_names.rs", &format!("&{names}\n"))?;
    // A new file in a directory the crate reads is seen: directories too.
    println!("cargo:rerun-if-changed={}", crate_dir.join("src").display());
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        if let Some(dir) = f.parent() {
            println!("cargo:rerun-if-changed={}", dir.display());
        }
    }
    Ok(())
}

#[derive(Default)]
struct Found {
    entities: Vec<String>,
    files: Vec<PathBuf>,
}

impl Found {
    fn read(&mut self, path: &Path) -> Result<syn::File, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error(format!("cannot read {}: {e}", path.display())))?;
        self.files.push(path.to_path_buf());
        syn::parse_file(&text).map_err(|e| Error(format!("cannot parse {}: {e}", path.display())))
    }

    /// The items of the module at `path` (from the crate's root); `public`: it can be named from
    /// outside the crate; `dir`: where the files of its `mod x;` children are (`src/` for the
    /// crate's root, `src/blog/` for `blog.rs` or `blog/mod.rs`).
    fn module(
        &mut self,
        items: &[syn::Item],
        path: &[String],
        public: bool,
        dir: &Path,
    ) -> Result<(), Error> {
        if items.iter().any(is_entity) {
            let name = path.join("::");
            if !public {
                return Err(Error(format!(
                    "the entity in module `{name}` cannot be named from outside its crate: make `{name}` and the modules above it `pub`"
                )));
            }
            self.entities.push(if name.is_empty() {
                "Entity".to_string()
            } else {
                format!("{name}::Entity")
            });
        }
        for item in items {
            let syn::Item::Mod(m) = item else { continue };
            if is_test_only(&m.attrs) {
                continue;
            }
            let name = m.ident.to_string();
            let name = name.strip_prefix("r#").unwrap_or(&name).to_string();
            let mut child = path.to_vec();
            child.push(name.clone());
            let public = public && matches!(m.vis, syn::Visibility::Public(_));
            match (&m.content, path_attr(&m.attrs)) {
                (Some((_, inner)), _) => self.module(inner, &child, public, &dir.join(&name))?,
                // A file named by `#[path]` holds its children beside it, as a `mod.rs` does.
                (None, Some(file)) => {
                    let file = dir.join(file);
                    let parsed = self.read(&file)?;
                    let beside = file.parent().map(Path::to_path_buf).unwrap_or_default();
                    self.module(&parsed.items, &child, public, &beside)?;
                }
                (None, None) => {
                    let flat = dir.join(format!("{name}.rs"));
                    let nested = dir.join(&name).join("mod.rs");
                    let file = if flat.exists() {
                        flat
                    } else if nested.exists() {
                        nested
                    } else {
                        return Err(Error(format!(
                            "module `{}` has no file: neither {} nor {}",
                            child.join("::"),
                            flat.display(),
                            nested.display()
                        )));
                    };
                    let parsed = self.read(&file)?;
                    self.module(&parsed.items, &child, public, &dir.join(&name))?;
                }
            }
        }
        Ok(())
    }
}

/// `#[path = "file.rs"]`.
fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// `#[cfg(test)]`, or `#[cfg(all(test, …))]`: a module only tests build. Any other `cfg`
/// (`not(test)`, a feature) may be built, so its module is read.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    fn test_only(meta: &syn::Meta) -> bool {
        match meta {
            syn::Meta::Path(p) => p.is_ident("test"),
            syn::Meta::List(l) if l.path.is_ident("all") => l
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
                )
                .is_ok_and(|all| all.iter().any(test_only)),
            _ => false,
        }
    }
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .any(|a| a.parse_args::<syn::Meta>().is_ok_and(|m| test_only(&m)))
}

/// A struct deriving `DeriveEntityModel`, or `struct Entity` deriving `DeriveEntity`.
fn is_entity(item: &syn::Item) -> bool {
    let syn::Item::Struct(s) = item else {
        return false;
    };
    s.attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            let mut model = false;
            let _ = a.parse_nested_meta(|meta| {
                let last = meta.path.segments.last().map(|s| s.ident.to_string());
                match last.as_deref() {
                    Some("DeriveEntityModel") => model = true,
                    Some("DeriveEntity") if s.ident == "Entity" => model = true,
                    _ => {}
                }
                Ok(())
            });
            model
        })
}

#[cfg(test)]
mod tests;
