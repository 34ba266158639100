//! `cargo run -p migration -- <command>`: sea-orm-migration's commands (up, down, status,
//! fresh, refresh, reset, init, generate) plus `up/down --sql`, `--to`, `stamp`, `current`,
//! `history` and the migration lock, from automigrate-runner.
#[tokio::main]
async fn main() {
    automigrate_runner::run_cli(migration::Migrator).await;
}
