//! A `cargo xtask` for the v4 entities, so that tests can run the command line as a user does,
//! on a terminal.
fn main() -> std::process::ExitCode {
    automigrate::cli::main(automigrate_e2e::entities::v4::entities())
}
