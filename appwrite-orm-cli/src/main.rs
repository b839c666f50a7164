//! `appwrite-orm`: see the crate documentation of `appwrite_orm_cli`.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let mut stdout = std::io::stdout();
    ExitCode::from(appwrite_orm_cli::execute(std::env::args_os(), &mut stdout).await)
}
