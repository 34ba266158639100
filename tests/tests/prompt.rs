//! The rename question on a real terminal (a pty made by `script`), answered both ways.
use std::io::Write as _;
use std::process::{Command, Stdio};

use automigrate_core::Backend;
use automigrate_e2e::{MigrationCrate, TestDb, entities, written};

/// Runs the v4 xtask's `makemigration --dry-run` on a pseudo-terminal, typing `answers`.
fn on_a_terminal(db: &TestDb, krate: &MigrationCrate, answers: &str) -> anyhow::Result<String> {
    let command = format!(
        "{} --database-url '{}' --migration-dir '{}' makemigration --dry-run renames",
        env!("CARGO_BIN_EXE_xtask_v4"),
        db.url,
        krate.root.display()
    );
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child.stdin.take().unwrap().write_all(answers.as_bytes())?;
    let out = child.wait_with_output()?;
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    anyhow::ensure!(out.status.success(), "failed:\n{text}");
    Ok(text)
}

#[tokio::test]
async fn the_rename_question_on_a_terminal() -> anyhow::Result<()> {
    let db = TestDb::new(Backend::Sqlite, "prompt").await?;
    let krate = MigrationCrate::new("prompt")?;
    written(krate.makemigration(&db, &entities::v2(), "v2").await?);
    krate.run(&db, &["up"])?;

    // Yes to the table, no to the column.
    let text = on_a_terminal(&db, &krate, "y\nn\n")?;
    assert!(
        text.contains("Was table posts renamed to articles (4 columns, the same)? [y/N]"),
        "{text}"
    );
    assert!(
        text.contains("Was users.name renamed to users.full_name"),
        "{text}"
    );
    assert!(
        text.contains(r#".rename_table(Table::rename().table("posts", "articles")"#),
        "{text}"
    );
    assert!(
        text.contains("REVIEW(rename-candidate): `users.name` may have been renamed"),
        "{text}"
    );

    // No (the default, an empty answer) to the table; an answer that is neither, asked again,
    // then yes to the column.
    let text = on_a_terminal(&db, &krate, "\nmaybe\ny\n")?;
    assert!(
        text.contains("Please answer y or n (Enter is n):"),
        "{text}"
    );
    let code: String = text.split_whitespace().collect();
    assert!(
        code.contains(r#".rename_column("name","full_name")"#),
        "{text}"
    );
    assert!(
        text.contains("REVIEW(rename-candidate): table `posts` may have been renamed"),
        "{text}"
    );
    Ok(())
}
