//! The HTTP edge (feature `http`): [`ServerLayer`] for servers (axum, hyper, tonic: any
//! `tower` service of `http` requests) and [`ClientLayer`] for `tower` clients, with what
//! OpenTelemetry's HTTP semantic conventions describe and observe's redaction.
//!
//! ```
//! # #[cfg(feature = "axum")] {
//! use axum::{routing::get, Router};
//!
//! let app: Router = Router::new()
//!     .route("/orders/{id}", get(|| async { "order" }))
//!     .layer(observe_runtime::http::ServerLayer::new());
//! # }
//! ```
//!
//! Server, per request: one span, kind server, named `{method} {route}` (`http.route` from
//! axum's `MatchedPath` with the `axum` feature, or [`ServerLayer::route`]; the method alone
//! when unknown, so the span names stay few), with `http.request.method`, `url.path`,
//! `url.query` (values under sensitive keys `[REDACTED]`, secret-looking ones scrubbed),
//! `url.scheme`, `http.route`, `http.response.status_code`, `network.protocol.version`,
//! `server.address`, `client.address`, `user_agent.original` and `request_id`. The caller's
//! `traceparent` is continued (feature `otlp`); a malformed one starts a new trace. A 5xx
//! response or a handler error is an error, with `error.type` (the status code, or the
//! error's type); a 4xx is not. The request id comes from `x-request-id` (when it is at most
//! 128 visible characters) or is made, and is returned in the response's `x-request-id`.
//! A request the client abandons ends its span with `cancelled = true` and is counted with
//! `error_type="cancelled"`. Metrics: `http_server_request_duration_seconds` (OpenTelemetry's
//! buckets; labels `http_request_method`, `http_route`, `http_response_status_code`,
//! `url_scheme`, `error_type`, empty when the request did not fail) and
//! `http_server_active_requests` (`http_request_method`, `url_scheme`). `/metrics`,
//! `/health/live` and `/health/ready` are passed through unobserved by default
//! ([`ServerLayer::exclude`]). No header but `User-Agent` is ever recorded.
//!
//! Client ([`ClientLayer`], or `ReqwestMiddleware` with the `reqwest` feature), per request:
//! a span, kind client, named `{method}`, with `http.request.method`,
//! `server.address`, `server.port`, `url.full` (scrubbed as `url.query`),
//! `http.response.status_code`; `traceparent` injected; a 5xx or a transport failure is an
//! error with `error.type`; `http_client_request_duration_seconds` (labels
//! `http_request_method`, `server_address`, `http_response_status_code`, `error_type`).
//!
//! What is recorded is bounded: a path or query over 1 KiB, or a user agent over 256 bytes,
//! is cut; a value that is not visible ASCII is left out; a method outside the nine standard
//! ones is `_OTHER`; a request without a route is `http_route=""`, never its raw path.

mod client;
mod metrics;
#[cfg(feature = "reqwest")]
mod reqwest;
mod server;
mod span;

pub use client::{Client, ClientLayer};
#[cfg(feature = "reqwest")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
pub use reqwest::ReqwestMiddleware;
pub use server::{Server, ServerLayer};

use crate::redact::scrub::{is_sensitive_key, scrub};
use crate::redact::REDACTED;

/// The header carrying the request id, both ways.
pub const REQUEST_ID: &str = "x-request-id";

// Header names as constants: a lookup by `&str` parses the name on every call.
const REQUEST_ID_HEADER: http::HeaderName = http::HeaderName::from_static(REQUEST_ID);
#[cfg(feature = "otlp")]
const TRACEPARENT: http::HeaderName = http::HeaderName::from_static("traceparent");
const X_FORWARDED_FOR: http::HeaderName = http::HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: http::HeaderName = http::HeaderName::from_static("x-forwarded-proto");

/// The longest path or query recorded, in bytes.
const MAX_URL_PART: usize = 1024;
/// The longest user agent recorded, in bytes.
const MAX_USER_AGENT: usize = 256;
/// The longest incoming request id kept; a longer one is replaced.
const MAX_REQUEST_ID: usize = 128;

/// The method as OpenTelemetry names it: one of the nine, else `_OTHER` (bounded cardinality).
fn method(method: &http::Method) -> &'static str {
    match *method {
        http::Method::GET => "GET",
        http::Method::POST => "POST",
        http::Method::PUT => "PUT",
        http::Method::DELETE => "DELETE",
        http::Method::PATCH => "PATCH",
        http::Method::HEAD => "HEAD",
        http::Method::OPTIONS => "OPTIONS",
        http::Method::CONNECT => "CONNECT",
        http::Method::TRACE => "TRACE",
        _ => "_OTHER",
    }
}

/// `text` cut to at most `max` bytes, at a character boundary.
fn bounded(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

/// A query string with the values of sensitive keys `[REDACTED]` and the others scrubbed:
/// `user=bob&token=tok_1` → `user=bob&token=[REDACTED]`.
fn scrub_query(query: &str) -> String {
    let query = bounded(query, MAX_URL_PART);
    let mut out = String::with_capacity(query.len());
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((key, _)) if is_sensitive_key(key) => {
                out.push_str(key);
                out.push('=');
                out.push_str(REDACTED);
            }
            Some((key, value)) => {
                out.push_str(key);
                out.push('=');
                out.push_str(&scrub(value));
            }
            None => out.push_str(&scrub(pair)),
        }
    }
    out
}

/// A URL for `url.full`: its query scrubbed, its user info dropped.
fn scrub_url(uri: &http::Uri) -> String {
    let mut out = String::new();
    if let Some(scheme) = uri.scheme_str() {
        out.push_str(scheme);
        out.push_str("://");
    }
    if let Some(authority) = uri.authority() {
        // `user:password@host`: only the host and port.
        let host = authority.as_str().rsplit('@').next().unwrap_or_default();
        out.push_str(host);
    }
    out.push_str(&scrub(bounded(uri.path(), MAX_URL_PART)));
    if let Some(query) = uri.query() {
        out.push('?');
        out.push_str(&scrub_query(query));
    }
    out
}

/// A header's value if it is visible ASCII, cut to `max` bytes.
fn header<'a>(
    headers: &'a http::HeaderMap,
    name: &http::HeaderName,
    max: usize,
) -> Option<&'a str> {
    let value = headers.get(name)?.to_str().ok()?;
    Some(bounded(value, max))
}

/// A fresh request id: 32 hex digits, unpredictable across processes.
fn new_request_id() -> http::HeaderValue {
    use std::hash::BuildHasher;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static KEY: OnceLock<(u64, u64)> = OnceLock::new();
    let (a, b) = *KEY.get_or_init(|| {
        let state = std::collections::hash_map::RandomState::new();
        (state.hash_one(1u8), state.hash_one(2u8))
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut digits = [0u8; 32];
    for (half, word) in [
        crate::flow::splitmix64(n ^ a),
        crate::flow::splitmix64(n ^ b),
    ]
    .into_iter()
    .enumerate()
    {
        for i in 0..16 {
            digits[half * 16 + i] = HEX[((word >> (60 - 4 * i)) & 0xf) as usize];
        }
    }
    http::HeaderValue::from_bytes(&digits).unwrap_or_else(|_| http::HeaderValue::from_static("0"))
}

/// The request id of an incoming request: its `x-request-id` if usable, else a fresh one.
fn request_id(headers: &http::HeaderMap) -> http::HeaderValue {
    headers
        .get(&REQUEST_ID_HEADER)
        .filter(|v| !v.is_empty() && v.len() <= MAX_REQUEST_ID)
        .filter(|v| v.as_bytes().iter().all(u8::is_ascii_graphic))
        .cloned()
        .unwrap_or_else(new_request_id)
}

/// The short name of an error type: `hyper_util::client::legacy::Error` → `Error` is too
/// little, so the full path is kept, without generic parameters.
fn error_type<E>() -> &'static str {
    let name = std::any::type_name::<E>();
    name.split('<').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_urls_are_scrubbed() {
        assert_eq!(
            scrub_query("user=bob&token=tok_live_1&api_key=k&page=2&flag"),
            "user=bob&token=[REDACTED]&api_key=[REDACTED]&page=2&flag"
        );
        let uri: http::Uri = "http://alice:pw@shop.example:8080/a/b?password=x&q=1"
            .parse()
            .unwrap();
        assert_eq!(
            scrub_url(&uri),
            "http://shop.example:8080/a/b?password=[REDACTED]&q=1"
        );
    }

    #[test]
    fn request_ids_are_kept_when_usable() {
        let mut headers = http::HeaderMap::new();
        headers.insert(REQUEST_ID, "req-42".parse().unwrap());
        assert_eq!(request_id(&headers), "req-42");
        assert!(request_id(&http::HeaderMap::new())
            .to_str()
            .unwrap()
            .bytes()
            .all(|b| b.is_ascii_hexdigit()));
        headers.insert(REQUEST_ID, "x".repeat(200).parse().unwrap());
        let made = request_id(&headers);
        assert_eq!(made.len(), 32);
        assert_ne!(made, request_id(&headers), "fresh each time");
        headers.insert(
            REQUEST_ID,
            http::HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap(),
        );
        assert_eq!(
            request_id(&headers).len(),
            32,
            "not visible ASCII: replaced"
        );
    }

    #[test]
    fn methods_and_bounds() {
        assert_eq!(method(&http::Method::GET), "GET");
        assert_eq!(
            method(&http::Method::from_bytes(b"BREW").unwrap()),
            "_OTHER"
        );
        assert_eq!(bounded("héllo", 2), "h");
        assert_eq!(error_type::<std::io::Error>(), "std::io::error::Error");
    }
}
