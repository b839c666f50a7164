//! The real Appwrite server the HTTP test cases run against instead of the emulator, when
//! `APPWRITE_TEST_ENDPOINT`, `APPWRITE_TEST_PROJECT` and `APPWRITE_TEST_KEY` name one.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use appwrite_orm::backend::Backend;
use appwrite_orm::backend::http::{ApiKey, HttpBackend, HttpConfig};

/// Where a real server is, from the environment.
#[derive(Debug, Clone)]
pub struct RealServer {
    pub endpoint: String,
    pub project: String,
    pub key: String,
}

/// The server the `APPWRITE_TEST_*` variables name, if all three are set.
pub fn from_env() -> Option<RealServer> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    Some(RealServer {
        endpoint: var("APPWRITE_TEST_ENDPOINT")?,
        project: var("APPWRITE_TEST_PROJECT")?,
        key: var("APPWRITE_TEST_KEY")?,
    })
}

impl RealServer {
    /// A new HTTP client of the server.
    pub fn client(&self) -> Arc<dyn Backend> {
        client(&self.endpoint, &self.project, &self.key)
    }
}

/// An HTTP client of any Appwrite API (a real server or the emulator), with a 30 s timeout.
pub fn client(endpoint: &str, project: &str, key: &str) -> Arc<dyn Backend> {
    let mut config = HttpConfig::new(endpoint, project, ApiKey::new(key));
    config.timeout = Duration::from_secs(30);
    Arc::new(HttpBackend::new(config).expect("HTTP backend"))
}
