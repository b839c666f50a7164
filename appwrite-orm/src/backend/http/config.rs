//! Settings of the HTTP backend, their defaults, and the checks made before anything is sent.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;

use super::version::ServerVersion;
use crate::{Error, Result};

/// Environment variable with the endpoint, e.g. `https://cloud.appwrite.io/v1`.
pub const ENV_ENDPOINT: &str = "APPWRITE_ENDPOINT";
/// Environment variable with the project id.
pub const ENV_PROJECT_ID: &str = "APPWRITE_PROJECT_ID";
/// Environment variable with the server API key.
pub const ENV_API_KEY: &str = "APPWRITE_API_KEY";
/// Environment variable with the default database id (optional).
pub const ENV_DATABASE_ID: &str = "APPWRITE_DATABASE_ID";

/// An Appwrite API key. It prints as `***` in `Debug` and `Display`, so that it cannot leak into
/// logs, error messages or panics by accident; only the HTTP transport reads it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for the `X-Appwrite-Key` header.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// When and how failed requests are repeated.
///
/// Only requests that are safe to repeat are retried (reads, PUT, DELETE, PATCH of a row or
/// column, creates that carry a client-made id), on 429, 500, 502, 503, 504, timeouts and
/// connection errors. The delay before retry `n` (0-based) is a random duration between zero and
/// `min(max_delay, base_delay * 2^n)` ("full jitter"), or exactly that cap without jitter; a
/// `Retry-After` header replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Delay cap of the first retry; it doubles with each further retry.
    pub base_delay: Duration,
    /// Largest delay between two attempts (apart from `Retry-After`).
    pub max_delay: Duration,
    /// Spread delays randomly between zero and the cap, so that many clients that failed
    /// together do not retry together.
    pub jitter: bool,
    /// Longest `Retry-After` that is waited for; a server asking for more ends the retries
    /// (waiting less than it asks would only fail again).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            jitter: true,
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }
}

/// Everything [`HttpBackend`](super::HttpBackend) needs to talk to one Appwrite project.
///
/// ```
/// use appwrite_orm::backend::http::{ApiKey, HttpConfig};
/// use std::time::Duration;
///
/// let mut config = HttpConfig::new("https://cloud.appwrite.io/v1", "my-project", ApiKey::new("secret"));
/// config.timeout = Duration::from_secs(10);
/// assert!(config.validate().is_ok());
/// assert!(!format!("{config:?}").contains("secret"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Base URL of the API, ending in `/v1` (e.g. `https://cloud.appwrite.io/v1`).
    pub endpoint: String,
    /// Project id (`X-Appwrite-Project`).
    pub project_id: String,
    /// Server API key (`X-Appwrite-Key`).
    pub api_key: ApiKey,
    /// The database the ORM uses when none is named.
    pub database_id: Option<String>,
    /// Time limit of one attempt of one request, connection included.
    pub timeout: Duration,
    /// Requests in flight at once; further ones wait for a free slot.
    pub max_in_flight: usize,
    /// Retries of failed requests.
    pub retry: RetryPolicy,
    /// The server's version (e.g. `1.9.6`), instead of asking `GET /v1/health/version`.
    /// Decides between TablesDB and legacy routes and which column types exist.
    pub server_version: Option<String>,
    /// Allow plain `http://` to hosts other than loopback. The API key then travels in clear
    /// text; meant for private networks only.
    pub allow_insecure_http: bool,
    /// How long `create_table` waits for columns and indexes it had to create one by one
    /// (servers before 1.9, or kinds Appwrite does not accept inline) to become `available`.
    pub schema_wait: Duration,
}

impl HttpConfig {
    /// A configuration with the defaults: 30 s timeout, 16 requests in flight, 4 retries,
    /// version asked from the server, https required except on loopback.
    pub fn new(
        endpoint: impl Into<String>,
        project_id: impl Into<String>,
        api_key: ApiKey,
    ) -> Self {
        Self {
            endpoint: endpoint.into(),
            project_id: project_id.into(),
            api_key,
            database_id: None,
            timeout: Duration::from_secs(30),
            max_in_flight: 16,
            retry: RetryPolicy::default(),
            server_version: None,
            allow_insecure_http: false,
            schema_wait: Duration::from_secs(120),
        }
    }

    /// Reads `APPWRITE_ENDPOINT`, `APPWRITE_PROJECT_ID`, `APPWRITE_API_KEY` and the optional
    /// `APPWRITE_DATABASE_ID` from the environment; the error names the variable that is missing
    /// or invalid. The other settings keep their defaults.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| match std::env::var(name) {
            Ok(v) => Ok(Some(v)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err("is not valid UTF-8".to_owned()),
        })
    }

    /// Like [`from_env`](Self::from_env), reading the variables through `lookup` (a `.env` file,
    /// a secrets store, a map in tests). `lookup` answers `Ok(None)` for an unset variable and
    /// `Err(reason)` for one that cannot be read.
    pub fn from_lookup(
        mut lookup: impl FnMut(&str) -> std::result::Result<Option<String>, String>,
    ) -> Result<Self> {
        let mut read = |name: &str| -> Result<Option<String>> {
            match lookup(name) {
                Ok(Some(v)) if v.trim().is_empty() => Ok(None),
                Ok(v) => Ok(v.map(|v| v.trim().to_owned())),
                Err(reason) => Err(config_error(name, reason)),
            }
        };
        let mut required = |name: &str| -> Result<String> {
            read(name)?.ok_or_else(|| config_error(name, "is not set"))
        };
        let endpoint = required(ENV_ENDPOINT)?;
        let project_id = required(ENV_PROJECT_ID)?;
        let api_key = ApiKey::new(required(ENV_API_KEY)?);
        let database_id = read(ENV_DATABASE_ID)?;
        let mut config = Self::new(endpoint, project_id, api_key);
        config.database_id = database_id;
        config.check(&Names::ENV)?;
        Ok(config)
    }

    /// Checks every setting: the endpoint is an `http(s)` URL ending in `/v1` without
    /// credentials, query or fragment; https unless the host is loopback (127.0.0.0/8, ::1,
    /// `localhost`) or [`allow_insecure_http`](Self::allow_insecure_http) is set; the project
    /// and database ids follow Appwrite's id rule; the key is a non-empty header value.
    pub fn validate(&self) -> Result<()> {
        self.check(&Names::FIELDS).map(|_| ())
    }

    /// [`validate`](Self::validate), returning the parsed endpoint.
    pub(crate) fn endpoint_url(&self) -> Result<Url> {
        self.check(&Names::FIELDS)
    }

    /// [`validate`](Self::validate), returning the parsed endpoint; errors name the settings as
    /// `names` says.
    fn check(&self, names: &Names) -> Result<Url> {
        let url = check_endpoint(&self.endpoint, self.allow_insecure_http)
            .map_err(|reason| config_error(names.endpoint, reason))?;
        crate::schema::check_id(&self.project_id)
            .map_err(|reason| config_error(names.project_id, reason))?;
        check_key_value(self.api_key.expose())
            .map_err(|reason| config_error(names.api_key, reason))?;
        if let Some(db) = &self.database_id {
            crate::schema::check_id(db)
                .map_err(|reason| config_error(names.database_id, reason))?;
        }
        if self.timeout.is_zero() {
            return Err(config_error("timeout", "must be longer than zero"));
        }
        if self.max_in_flight == 0 {
            return Err(config_error("max_in_flight", "must be at least 1"));
        }
        if self.retry.max_delay < self.retry.base_delay {
            return Err(config_error(
                "retry.max_delay",
                "must not be shorter than retry.base_delay",
            ));
        }
        if let Some(v) = &self.server_version {
            ServerVersion::parse(v).ok_or_else(|| {
                config_error(
                    "server_version",
                    format!("{v:?} is not a version like 1.9.6"),
                )
            })?;
        }
        Ok(url)
    }
}

/// How errors name the settings: struct fields, or the environment variables they came from.
struct Names {
    endpoint: &'static str,
    project_id: &'static str,
    api_key: &'static str,
    database_id: &'static str,
}

impl Names {
    const FIELDS: Names = Names {
        endpoint: "endpoint",
        project_id: "project_id",
        api_key: "api_key",
        database_id: "database_id",
    };
    const ENV: Names = Names {
        endpoint: ENV_ENDPOINT,
        project_id: ENV_PROJECT_ID,
        api_key: ENV_API_KEY,
        database_id: ENV_DATABASE_ID,
    };
}

fn config_error(what: &str, reason: impl Into<String>) -> Error {
    Error::Config {
        what: what.to_owned(),
        reason: reason.into(),
    }
}

fn check_endpoint(endpoint: &str, allow_insecure_http: bool) -> std::result::Result<Url, String> {
    let url = Url::parse(endpoint).map_err(|e| format!("{endpoint:?} is not a URL ({e})"))?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| format!("{endpoint:?} has no host"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(host) => {}
        "http" => {
            return Err(format!(
                "{endpoint:?} uses plain http to a host that is not loopback; the API key would \
                 travel unencrypted (use https, or set allow_insecure_http for a private network)"
            ));
        }
        other => return Err(format!("scheme {other:?} is not http or https")),
    }
    // Credentials in the URL would end up in logs and error messages with it.
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not contain a query string or fragment".to_owned());
    }
    if !url.path().trim_end_matches('/').ends_with("/v1") {
        return Err(format!(
            "{endpoint:?} must end in /v1 (e.g. https://cloud.appwrite.io/v1)"
        ));
    }
    Ok(url)
}

/// 127.0.0.0/8, ::1 and `localhost`: traffic that never leaves the machine.
pub(crate) fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The key goes into a header: visible ASCII only. The reason never quotes the key.
fn check_key_value(key: &str) -> std::result::Result<(), String> {
    if key.is_empty() {
        return Err("is empty".to_owned());
    }
    if let Some(pos) = key.chars().position(|c| !c.is_ascii_graphic()) {
        return Err(format!(
            "contains a character that cannot go into an HTTP header (at position {pos})"
        ));
    }
    Ok(())
}
