//! `--format json` (issue 16, item 4): `diff`, `check`, `check --replay` and `makemigration
//! --dry-run` print one JSON document on standard output that validates against
//! `docs/automigrate-output.schema.json`, lists each change with the line the text output shows
//! for it and its own hazards, the rename candidates with their flags and what is left alone, and
//! keeps the text mode's exit codes. On real databases.
use std::path::{Path, PathBuf};
use std::process::Command;

use automigrate::cli::run_args_to;
use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, entities, written, xtask_binary};
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// The output schema, compiled.
fn validator() -> jsonschema::Validator {
    let path = workspace().join("docs/automigrate-output.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    jsonschema::draft202012::new(&schema)
        .unwrap_or_else(|e| panic!("{} is not a valid schema: {e}", path.display()))
}

/// Parses `out` as one JSON document and validates it against the schema.
fn parse(out: &[u8], what: &str) -> Value {
    let text = String::from_utf8_lossy(out);
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("{what}: standard output is not one JSON document ({e}):\n{text}")
    });
    let errors: Vec<String> = validator()
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: the output does not match the schema:\n{}\n{text}",
        errors.join("\n")
    );
    doc
}

/// Runs the command line in this process on `db` and `krate`: (exit code, standard output).
fn cli(
    db: &TestDb,
    krate: &MigrationCrate,
    args: &[&str],
    entities: &automigrate::Entities,
) -> (u8, Vec<u8>) {
    let dir = krate.root.display().to_string();
    let mut argv = vec!["xtask", "--database-url", &db.url, "--migration-dir", &dir];
    argv.extend_from_slice(args);
    let mut out = Vec::new();
    let code = run_args_to(argv, entities, &mut out);
    (code, out)
}

fn files(krate: &MigrationCrate) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(krate.root.join("src"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The change lines of a text report (before its first empty line), without their indent.
fn text_changes(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| !l.starts_with("  "))
        .take_while(|l| !l.is_empty())
        .map(|l| l.strip_prefix("  ").unwrap().to_string())
        .collect()
}

/// The hazard lines of a text report (`  code: message …`, under `N hazard(s):`).
fn text_hazards(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| !l.ends_with(" hazard(s):"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("      safer: "))
        .map(|l| l.strip_prefix("  ").unwrap().to_string())
        .collect()
}

/// A database at v2 with rows, then changed by hand: `users.bio` renamed to `about` (a rename
/// candidate: the entities say `bio`, same definition) and a column `legacy` added with values
/// (a drop of a column with rows: `drop-column`).
async fn scenario(backend: Backend, name: &str) -> anyhow::Result<(TestDb, MigrationCrate)> {
    let db = TestDb::new(backend, name).await?;
    let krate = MigrationCrate::new(name)?;
    written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    krate.run(&db, &["up"])?;
    for sql in [
        "INSERT INTO users (email, name, role) VALUES ('ada@example.com', 'Ada', 'admin')",
        "INSERT INTO users (email, name, role) VALUES ('bob@example.com', 'Bob', 'member')",
    ] {
        db.execute(sql).await?;
    }
    Ok((db, krate))
}

async fn change_by_hand(db: &TestDb) -> anyhow::Result<()> {
    db.execute("ALTER TABLE users RENAME COLUMN bio TO about")
        .await?;
    db.execute("ALTER TABLE users ADD COLUMN legacy INTEGER")
        .await?;
    db.execute("UPDATE users SET legacy = 1").await?;
    Ok(())
}

fn diff_check_and_dry_run(backend: Backend, name: &str) -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let (db, krate) = rt.block_on(scenario(backend, name))?;
    let v2 = entities::v2();
    let (d, k) = (&db, &krate);

    // At v2, the entities and the database agree: `check` exits 0 in both modes.
    let (code, out) = cli(d, k, &["check", "--format", "json"], &v2);
    let doc = parse(&out, "check (agree)");
    assert_eq!((code, cli(d, k, &["check"], &v2).0), (0, 0));
    assert_eq!(doc["command"], "check");
    assert_eq!(doc["exit_code"], 0);
    assert_eq!(doc["changes"], serde_json::json!([]));
    assert_eq!(doc["file"], Value::Null);

    rt.block_on(change_by_hand(&db))?;

    // `diff`: the changes, each with the text output's line and its own hazards.
    let (code, out) = cli(d, k, &["diff", "--format", "json"], &v2);
    assert_eq!(code, 0);
    let doc = parse(&out, "diff");
    let (text_code, text) = cli(d, k, &["diff"], &v2);
    assert_eq!(text_code, 0);
    let text = String::from_utf8(text)?;
    assert_eq!(doc["format"], 1);
    assert_eq!(doc["command"], "diff");
    let expected_backend = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
        Backend::MySql => "mysql",
    };
    assert_eq!(doc["backend"], expected_backend);
    let changes = doc["changes"].as_array().unwrap();
    let summaries: Vec<String> = changes
        .iter()
        .map(|c| c["summary"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(summaries, text_changes(&text), "{text}");
    // The hazards, change by change, are the text output's list in its order.
    let hazards: Vec<String> = changes
        .iter()
        .flat_map(|c| c["hazards"].as_array().unwrap())
        .map(|h| {
            format!(
                "{}: {}",
                h["code"].as_str().unwrap(),
                h["message"].as_str().unwrap()
            )
        })
        .collect();
    let listed = text_hazards(&text);
    assert_eq!(hazards.len(), listed.len(), "{text}");
    for (json, line) in hazards.iter().zip(&listed) {
        assert!(line.starts_with(json.as_str()), "{json} / {line}");
    }

    let find = |kind: &str, object: &str| -> &Value {
        changes
            .iter()
            .find(|c| c["kind"] == kind && c["object"] == object)
            .unwrap_or_else(|| panic!("no {kind} of {object} in {changes:#?}"))
    };
    let codes = |c: &Value| -> Vec<String> {
        c["hazards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["code"].as_str().unwrap().to_string())
            .collect()
    };
    // The dropped column with values: its drop-column hazard is under it, with the rows.
    let legacy = find("drop_column", "legacy");
    assert_eq!(legacy["table"], "users");
    assert_eq!(legacy["after"], Value::Null);
    assert_eq!(legacy["before"]["name"], "legacy");
    assert_eq!(legacy["before"]["nullable"], true);
    assert!(
        codes(legacy).contains(&"drop-column".to_string()),
        "{legacy:#}"
    );
    let drop = legacy["hazards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["code"] == "drop-column")
        .unwrap();
    assert_eq!(drop["rows"], 2);
    assert_eq!(drop["loses_data"], true);
    assert_eq!(drop["table"], "users");
    assert!(drop["safer"].as_str().unwrap().contains("--rename"));
    // The rename candidate, generated as drop + add: the add has no drop-column hazard, the
    // drop of `about` has, and the candidate says the flag that makes it a rename.
    let about = find("drop_column", "about");
    assert!(codes(about).contains(&"drop-column".to_string()));
    let bio = find("add_column", "bio");
    assert_eq!(bio["before"], Value::Null);
    assert_eq!(bio["after"]["nullable"], true);
    assert_eq!(bio["after"]["default"], Value::Null);
    assert!(!codes(bio).iter().any(|c| c.starts_with("drop")), "{bio:#}");
    assert_eq!(
        bio["after"]["definition"],
        bio["summary"]
            .as_str()
            .unwrap()
            .split_once(" (")
            .unwrap()
            .1
            .trim_end_matches(')')
    );
    assert_eq!(
        doc["rename_candidates"],
        serde_json::json!([{
            "kind": "column",
            "table": "users",
            "from": "about",
            "to": "bio",
            "rename": "users.about -> users.bio",
            "question": doc["rename_candidates"][0]["question"],
            "flag": "--rename users.about=bio",
        }])
    );
    assert!(
        text.contains("(to rename: --rename users.about=bio)"),
        "{text}"
    );
    assert_eq!(doc["file"], Value::Null);
    assert_eq!(doc["exit_code"], 0);

    // `check`: the same changes, and exit 1 in both modes.
    let (code, out) = cli(d, k, &["check", "--format", "json"], &v2);
    let check = parse(&out, "check (differ)");
    assert_eq!((code, cli(d, k, &["check"], &v2).0), (1, 1));
    assert_eq!(check["command"], "check");
    assert_eq!(check["exit_code"], 1);
    assert_eq!(check["changes"], doc["changes"]);

    // `makemigration --dry-run`: the file's source, nothing written, nothing asked.
    let before = files(&krate);
    let lib = std::fs::read_to_string(krate.root.join("src/lib.rs"))?;
    let (code, out) = cli(
        d,
        k,
        &[
            "makemigration",
            "--dry-run",
            "--format",
            "json",
            "tidy users",
        ],
        &v2,
    );
    assert_eq!(code, 0);
    let made = parse(&out, "makemigration --dry-run");
    assert_eq!(made["command"], "makemigration");
    assert_eq!(made["changes"], doc["changes"]);
    assert_eq!(made["rename_candidates"], doc["rename_candidates"]);
    let file = &made["file"];
    assert_eq!(file["written"], false);
    let name = file["name"].as_str().unwrap();
    assert!(name.ends_with("_tidy_users"), "{name}");
    assert_eq!(
        Path::new(file["path"].as_str().unwrap()),
        krate.root.join("src").join(format!("{name}.rs"))
    );
    let source = file["source"].as_str().unwrap();
    assert!(
        source.contains("impl MigrationTrait for Migration"),
        "{source}"
    );
    assert!(
        source.contains("REVIEW(rename-candidate)") && source.contains("REVIEW(drop-column)"),
        "{source}"
    );
    assert_eq!(files(&krate), before);
    assert_eq!(std::fs::read_to_string(krate.root.join("src/lib.rs"))?, lib);

    // With the rename confirmed: no candidate left, the rename a change of its own.
    let (code, out) = cli(
        d,
        k,
        &[
            "makemigration",
            "--dry-run",
            "--format",
            "json",
            "--rename",
            "users.about=bio",
            "tidy users",
        ],
        &v2,
    );
    assert_eq!(code, 0);
    let renamed = parse(&out, "makemigration --dry-run --rename");
    assert_eq!(renamed["rename_candidates"], serde_json::json!([]));
    let rename = renamed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "rename_column")
        .expect("a rename_column change");
    assert_eq!(rename["object"], "bio");
    assert_eq!(rename["before"], serde_json::json!({"name": "about"}));
    assert_eq!(rename["after"], serde_json::json!({"name": "bio"}));
    assert_eq!(files(&krate), before);

    // An error: exit 2 and a JSON error object (also said on standard error).
    let (code, out) = cli(
        d,
        k,
        &[
            "makemigration",
            "--format",
            "json",
            "--strict",
            "tidy users",
        ],
        &v2,
    );
    assert_eq!(code, 2);
    let error = parse(&out, "makemigration --strict");
    assert_eq!(error["command"], "makemigration");
    assert_eq!(error["exit_code"], 2);
    assert!(
        error["error"].as_str().unwrap().contains("--strict"),
        "{error}"
    );
    assert_eq!(files(&krate), before);
    Ok(())
}

#[test]
fn sqlite() -> anyhow::Result<()> {
    diff_check_and_dry_run(Backend::Sqlite, "json_sqlite")
}

#[test]
fn postgres() -> anyhow::Result<()> {
    diff_check_and_dry_run(Backend::Postgres, "json_postgres")
}

#[test]
fn mysql() -> anyhow::Result<()> {
    diff_check_and_dry_run(Backend::MySql, "json_mysql")
}

/// Errors before a command runs are JSON too: a command line that cannot be read, a URL that
/// cannot be.
#[test]
fn errors_are_json_objects() {
    let none = automigrate::Entities::new();
    for (args, command) in [
        (
            &["xtask", "--format", "json", "check", "--frobnicate"][..],
            Value::Null,
        ),
        (
            &[
                "xtask",
                "--format=json",
                "--database-url",
                "nonsense",
                "diff",
            ],
            Value::from("diff"),
        ),
        (
            &[
                "xtask",
                "diff",
                "--database-url",
                "nonsense",
                "--format",
                "json",
            ],
            Value::from("diff"),
        ),
    ] {
        let mut out = Vec::new();
        assert_eq!(run_args_to(args.to_vec(), &none, &mut out), 2, "{args:?}");
        let doc = parse(&out, &format!("{args:?}"));
        assert_eq!(doc["command"], command, "{args:?}");
        assert!(doc["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
}

/// The example's `cargo xtask` as a process: standard output is the JSON document alone
/// (`diff` and `check` on an empty database), and `check --replay --format json` of the example's
/// own history exits 0 with an empty plan.
#[test]
fn the_example_xtask_prints_json_alone() -> anyhow::Result<()> {
    let rt = tokio::runtime::Runtime::new()?;
    let db = rt.block_on(TestDb::new(Backend::Sqlite, "json_xtask"))?;
    // A migration crate with no migrations, as the empty database has none.
    let krate = MigrationCrate::new("json_xtask")?;
    let dir = krate.root.display().to_string();
    let xtask = xtask_binary()?;
    let run = |args: &[&str]| -> anyhow::Result<(Option<i32>, Vec<u8>, String)> {
        let out = automigrate_e2e::clean_env(&mut Command::new(&xtask))
            .args(args)
            .current_dir(workspace())
            .output()?;
        Ok((
            out.status.code(),
            out.stdout,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    };
    // The database is empty: every table of the example is a change.
    let (code, out, stderr) = run(&[
        "--database-url",
        &db.url,
        "--migration-dir",
        &dir,
        "diff",
        "--format",
        "json",
    ])?;
    assert_eq!(code, Some(0), "{stderr}");
    let doc = parse(&out, "xtask diff");
    let changes = doc["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    assert!(
        changes
            .iter()
            .all(|c| c["kind"] == "create_table" || c["kind"] == "create_enum"),
        "{doc:#}"
    );
    assert!(changes.iter().any(|c| c["kind"] == "create_table"));
    let (code, out, stderr) = run(&[
        "--database-url",
        &db.url,
        "--migration-dir",
        &dir,
        "check",
        "--format",
        "json",
    ])?;
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(parse(&out, "xtask check")["changes"], doc["changes"]);

    // The example's history on a scratch SQLite database agrees with its entities.
    let (code, out, stderr) = run(&["check", "--replay", "--format", "json"])?;
    assert_eq!(code, Some(0), "{stderr}");
    let replay = parse(&out, "xtask check --replay");
    assert_eq!(replay["command"], "check --replay");
    assert_eq!(replay["backend"], "sqlite");
    assert_eq!(replay["changes"], serde_json::json!([]));
    assert!(
        stderr.contains("Replaying"),
        "progress goes to standard error: {stderr}"
    );
    Ok(())
}
