//! Where the command connects: `--embedded PATH`, or a server from the `APPWRITE_*`
//! environment variables.

use std::path::Path;

use crate::{Database, HttpConfig, Result};

/// The embedded engine in the file `path`, or the server of [`HttpConfig::from_env`].
pub async fn connect(embedded: Option<&Path>) -> Result<Database> {
    match embedded {
        Some(path) => {
            tracing::info!(path = %path.display(), "using the embedded engine");
            Database::embedded(path).await
        }
        None => {
            let config = HttpConfig::from_env()?;
            tracing::info!(endpoint = %config.endpoint, "connecting to Appwrite");
            Database::connect(config).await
        }
    }
}
