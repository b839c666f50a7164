//! The transport: one pooled reqwest client, the headers every request carries, a bound on
//! requests in flight, retries, and the mapping of answers to [`Reply`] or an error.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, Url};
use serde_json::Value;
use tokio::sync::Semaphore;

use super::config::{HttpConfig, RetryPolicy};
use super::response::{Reply, error_from, success_body};
use super::retry::{backoff, parse_retry_after, retryable_status};
use super::routes::{Api, Params};
use crate::{Error, Result};

/// The response format the client reads (the one the official SDKs 26.x/27.x ask for).
pub(crate) const RESPONSE_FORMAT: &str = "1.9.5";

/// One request, before it is sent.
#[derive(Debug)]
pub(crate) struct Request {
    method: Method,
    path: String,
    params: Params,
    body: Option<Value>,
    retry: bool,
    api: Api,
}

impl Request {
    fn new(method: Method, api: Api, path: String, body: Option<Value>, retry: bool) -> Self {
        Self {
            method,
            path,
            params: Params::new(),
            body,
            retry,
            api,
        }
    }

    /// A GET (retried: reads are safe to repeat).
    pub fn get(api: Api, path: String) -> Self {
        Self::new(Method::GET, api, path, None, true)
    }

    /// A POST. Not retried unless [`retry`](Self::retry) says so (a create with a client-made
    /// id can be repeated; a repeat meets 409, which the caller checks).
    pub fn post(api: Api, path: String, body: Value) -> Self {
        Self::new(Method::POST, api, path, Some(body), false)
    }

    /// A PUT (retried: upserts and full updates are idempotent).
    pub fn put(api: Api, path: String, body: Value) -> Self {
        Self::new(Method::PUT, api, path, Some(body), true)
    }

    /// A PATCH. Not retried unless [`retry`](Self::retry) says so: setting values is
    /// idempotent, incrementing or committing is not.
    pub fn patch(api: Api, path: String, body: Value) -> Self {
        Self::new(Method::PATCH, api, path, Some(body), false)
    }

    /// A DELETE (retried). It carries a JSON body, `{}` when there are no parameters, as the
    /// official SDKs send.
    pub fn delete(api: Api, path: String, body: Value) -> Self {
        Self::new(Method::DELETE, api, path, Some(body), true)
    }

    /// Sets whether failures may be retried.
    pub fn retry(mut self, retry: bool) -> Self {
        self.retry = retry;
        self
    }

    /// Sets the query string.
    pub fn params(mut self, params: Params) -> Self {
        self.params = params;
        self
    }
}

/// The result of a request, and whether it may have been carried out more than once.
pub(crate) struct Sent {
    /// The answer, or the last failure.
    pub result: Result<Reply>,
    /// True when an earlier attempt failed in a way that may have reached the server (any
    /// answer, a timeout, a dropped connection; not a failed connection) and the request was
    /// sent again: a 409 on a create or a 404 on a delete may then be the effect of that
    /// earlier attempt.
    pub repeated: bool,
}

/// What came back from one attempt.
struct RawReply {
    status: u16,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

/// Sends requests to one Appwrite endpoint.
pub(crate) struct Transport {
    client: reqwest::Client,
    /// The endpoint without a trailing slash, e.g. `https://cloud.appwrite.io/v1`.
    base: String,
    /// Its path, e.g. `/v1`, for request descriptions in errors and logs.
    base_path: String,
    permits: Semaphore,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Transport {
    // Written by hand: the reqwest client's own Debug lists its default headers, and one of
    // them is the API key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base)
            .field("max_in_flight", &self.permits.available_permits())
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Builds the client from a checked configuration and its parsed endpoint.
    pub fn new(config: &HttpConfig, endpoint: &Url) -> Result<Self> {
        let mut headers = HeaderMap::new();
        let header = |name: &str, value: &str| {
            HeaderValue::from_str(value).map_err(|_| Error::Config {
                what: name.to_owned(),
                reason: "cannot be sent as an HTTP header value".to_owned(),
            })
        };
        headers.insert(
            "x-appwrite-project",
            header("project_id", &config.project_id)?,
        );
        let mut key = header("api_key", config.api_key.expose())?;
        // Marked sensitive so that hyper and reqwest never print it.
        key.set_sensitive(true);
        headers.insert("x-appwrite-key", key);
        headers.insert(
            "x-appwrite-response-format",
            HeaderValue::from_static(RESPONSE_FORMAT),
        );
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("appwrite-orm/", env!("CARGO_PKG_VERSION"))),
        );
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .gzip(true)
            // A redirect could carry the key to another host, or turn a POST into a GET;
            // Appwrite does not redirect API calls, so one is reported instead of followed.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config {
                what: "http client".to_owned(),
                reason: e.to_string(),
            })?;
        let base = endpoint.as_str().trim_end_matches('/').to_owned();
        let base_path = endpoint.path().trim_end_matches('/').to_owned();
        Ok(Self {
            client,
            base,
            base_path,
            permits: Semaphore::new(config.max_in_flight),
            retry: config.retry.clone(),
        })
    }

    /// Sends a request (with retries when it allows them) and returns its 2xx answer.
    pub async fn send(&self, request: Request) -> Result<Reply> {
        self.send_tracked(request).await.result
    }

    /// Like [`send`](Self::send), also saying whether the request may have been carried out
    /// by an earlier attempt.
    pub async fn send_tracked(&self, request: Request) -> Sent {
        let description = format!("{} {}{}", request.method, self.base_path, request.path);
        let mut url = format!("{}{}", self.base, request.path);
        if !request.params.is_empty() {
            url.push('?');
            url.push_str(&request.params.encode());
        }
        let body = match request.body.as_ref().map(serde_json::to_vec).transpose() {
            Ok(body) => body,
            Err(e) => {
                return Sent {
                    result: Err(Error::Json(e)),
                    repeated: false,
                };
            }
        };
        let mut retries = 0u32;
        let mut repeated = false;
        loop {
            let started = std::time::Instant::now();
            crate::backend::wire::note_attempt(retries > 0);
            let attempt = self.attempt(&request.method, &url, body.as_deref()).await;
            // `reached`: whether the failed attempt may have reached the server. Only a failed
            // connection is certain not to have; even a 429 may come from a proxy after the
            // upstream acted, and the checks after a repeat (409 compared with what was sent,
            // 404 on delete) are harmless when nothing happened.
            let (error, reached, retry_after) = match attempt {
                Ok(raw) => {
                    tracing::debug!(
                        request = %description,
                        status = raw.status,
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "appwrite request"
                    );
                    if (200..300).contains(&raw.status) {
                        let result =
                            success_body(raw.status, &raw.body, &description).map(|body| Reply {
                                status: raw.status,
                                body,
                                request: description.clone(),
                                api: request.api,
                            });
                        return Sent { result, repeated };
                    }
                    let error = error_from(raw.status, &raw.body, &description, request.api);
                    if !retryable_status(raw.status) {
                        return Sent {
                            result: Err(error),
                            repeated,
                        };
                    }
                    (error, true, raw.retry_after)
                }
                Err(e) => {
                    let error = Error::Transport {
                        request: description.clone(),
                        reason: describe(&e),
                        timeout: e.is_timeout(),
                    };
                    (error, !e.is_connect(), None)
                }
            };
            // A request that is not safe to repeat is still repeated when it never left:
            // the connection itself failed.
            let may_retry = request.retry || !reached;
            if !may_retry || retries >= self.retry.max_retries {
                return Sent {
                    result: Err(error),
                    repeated,
                };
            }
            let delay = match retry_after {
                Some(asked) if asked > self.retry.max_retry_after => {
                    tracing::warn!(
                        request = %description,
                        retry_after_s = asked.as_secs(),
                        "server asks to wait longer than retry.max_retry_after; giving up"
                    );
                    return Sent {
                        result: Err(error),
                        repeated,
                    };
                }
                Some(asked) => asked,
                None => backoff(&self.retry, retries),
            };
            retries += 1;
            repeated |= reached;
            tracing::warn!(
                request = %description,
                retry = retries,
                of = self.retry.max_retries,
                delay_ms = delay.as_millis() as u64,
                error = %error,
                "retrying appwrite request"
            );
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &str,
        body: Option<&[u8]>,
    ) -> std::result::Result<RawReply, reqwest::Error> {
        // The semaphore is never closed, so acquiring cannot fail; if it ever did, sending
        // without a permit is better than failing the request.
        let _permit = self.permits.acquire().await.ok();
        let mut builder = self.client.request(method.clone(), url);
        if let Some(body) = body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let response = builder.send().await?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body = response.bytes().await?.to_vec();
        Ok(RawReply {
            status,
            retry_after,
            body,
        })
    }
}

/// A reqwest error and its causes, without the URL (the request is named separately, and the
/// query string may hold user data).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else if error.is_body() || error.is_decode() {
        "could not read the response body".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
