//! The server span: its fields for `tracing`, and the same fields typed for observe's
//! OpenTelemetry layer, which takes them without visiting them one by one (see
//! `setup::otlp::spans::with_typed_fields`): about half of what the span costs it.

use std::borrow::Cow;
use std::cell::Cell;

use http::{HeaderValue, Request};
use tracing::field::Empty;
use tracing::Span;

use super::{bounded, header, scrub_query, MAX_URL_PART, MAX_USER_AGENT, X_FORWARDED_FOR};
use crate::redact::scrub::scrub;

/// The span of one request. Its field values are computed only when the span is enabled
/// (`tracing` evaluates them then), except under observe's layer, which gets them typed.
pub(super) fn server<B>(
    parts: &Request<B>,
    method: &'static str,
    scheme: &'static str,
    route: Option<&str>,
    request_id: &HeaderValue,
) -> Span {
    // One list of fields for both ways of making the span.
    macro_rules! span {
        ($name:expr, $path:expr, $query:expr, $protocol:expr, $server:expr, $client:expr,
         $agent:expr, $request_id:expr) => {
            tracing::info_span!(
                target: "observe::http",
                "http_request",
                otel.name = $name,
                otel.kind = "server",
                otel.status_code = Empty,
                otel.status_description = Empty,
                http.request.method = method,
                url.path = $path,
                url.query = $query,
                url.scheme = scheme,
                http.route = route,
                http.response.status_code = Empty,
                network.protocol.version = $protocol,
                server.address = $server,
                client.address = $client,
                user_agent.original = $agent,
                request_id = $request_id,
                error.type = Empty,
                cancelled = Empty,
            )
        };
    }
    #[cfg(feature = "otlp")]
    if crate::setup::otlp::spans::exports_here() {
        let name = span_name(method, route);
        let path = scrub(bounded(parts.uri().path(), MAX_URL_PART));
        let query = parts.uri().query().map(scrub_query);
        let protocol = protocol(parts.version());
        let server = server_address(parts);
        let client = client_address(parts);
        let agent = header(parts.headers(), &http::header::USER_AGENT, MAX_USER_AGENT);
        let request_id = request_id.to_str().unwrap_or_default();
        let typed = typed::fields(&typed::Values {
            name: name.clone(),
            method,
            path: &path,
            query: query.as_deref(),
            scheme,
            route,
            protocol,
            server,
            client: client.as_deref(),
            agent,
            request_id,
        });
        return crate::setup::otlp::spans::with_typed_fields(typed, || {
            span!(
                &*name,
                path.as_ref(),
                query.as_deref(),
                protocol,
                server,
                client.as_deref(),
                agent,
                request_id
            )
        });
    }
    span!(
        &*span_name(method, route),
        scrub(bounded(parts.uri().path(), MAX_URL_PART)).as_ref(),
        parts.uri().query().map(scrub_query),
        protocol(parts.version()),
        server_address(parts),
        client_address(parts),
        header(parts.headers(), &http::header::USER_AGENT, MAX_USER_AGENT),
        request_id.to_str().unwrap_or_default()
    )
}

/// The fields of [`server`] as OpenTelemetry attributes, in the order of the span's fields
/// (absent values left out, as visiting leaves them).
#[cfg(feature = "otlp")]
mod typed {
    use std::borrow::Cow;

    use opentelemetry::trace::SpanKind;
    use opentelemetry::{KeyValue, Value};

    use crate::setup::otlp::spans::{text_value, TypedFields};

    pub(super) struct Values<'a> {
        pub(super) name: Cow<'static, str>,
        pub(super) method: &'static str,
        pub(super) path: &'a str,
        pub(super) query: Option<&'a str>,
        pub(super) scheme: &'static str,
        pub(super) route: Option<&'a str>,
        pub(super) protocol: &'static str,
        pub(super) server: Option<&'a str>,
        pub(super) client: Option<&'a str>,
        pub(super) agent: Option<&'a str>,
        pub(super) request_id: &'a str,
    }

    /// One key per text field, for sharing equal texts between requests: the addresses of
    /// this static's bytes.
    static TEXT_KEYS: [u8; 7] = [0; 7];

    pub(super) fn fields(values: &Values<'_>) -> TypedFields {
        TypedFields::new(
            "observe::http",
            "http_request",
            values.name.clone(),
            SpanKind::Server,
            |attributes| {
                let text = |i: usize, key: &'static str, text: Option<&str>| {
                    text.map(|text| {
                        KeyValue::new(key, Value::String(text_value(&TEXT_KEYS[i], text)))
                    })
                };
                attributes.push(KeyValue::new("http.request.method", values.method));
                attributes.extend(text(0, "url.path", Some(values.path)));
                attributes.extend(text(1, "url.query", values.query));
                attributes.push(KeyValue::new("url.scheme", values.scheme));
                attributes.extend(text(2, "http.route", values.route));
                attributes.push(KeyValue::new("network.protocol.version", values.protocol));
                attributes.extend(text(3, "server.address", values.server));
                attributes.extend(text(4, "client.address", values.client));
                attributes.extend(text(5, "user_agent.original", values.agent));
                attributes.extend(text(6, "request_id", Some(values.request_id)));
            },
        )
    }
}

/// The span's name, `{method} {route}` (or the method alone), interned when it can be
/// ([`crate::intern`]): found by the route's address and the method in a small table per
/// thread, so that only a thread's first request of a route formats it.
fn span_name(method: &'static str, route: Option<&str>) -> Cow<'static, str> {
    const SLOTS: usize = 16;
    thread_local! {
        static NAMES: [Cell<Option<&'static str>>; SLOTS] =
            const { [const { Cell::new(None) }; SLOTS] };
    }
    let Some(route) = route else {
        return Cow::Borrowed(method);
    };
    let is = |name: &str| {
        name.len() == method.len() + 1 + route.len()
            && name.starts_with(method)
            && name.ends_with(route)
            && name.as_bytes()[method.len()] == b' '
    };
    let slot = ((route.as_ptr() as usize >> 3) ^ method.len()) % SLOTS;
    NAMES
        .try_with(|names| {
            if let Some(name) = names[slot].get().filter(|name| is(name)) {
                return Cow::Borrowed(name);
            }
            let name = format!("{method} {route}");
            match crate::intern::intern(&name) {
                Some(interned) => {
                    names[slot].set(Some(interned));
                    Cow::Borrowed(interned)
                }
                None => Cow::Owned(name),
            }
        })
        .unwrap_or_else(|_| Cow::Owned(format!("{method} {route}")))
}

fn protocol(version: http::Version) -> &'static str {
    match version {
        http::Version::HTTP_09 => "0.9",
        http::Version::HTTP_10 => "1.0",
        http::Version::HTTP_2 => "2",
        http::Version::HTTP_3 => "3",
        _ => "1.1",
    }
}

/// `server.address`: the host the client asked for, without its port.
fn server_address<B>(parts: &Request<B>) -> Option<&str> {
    if let Some(authority) = parts.uri().authority() {
        return Some(host_of(authority.as_str()));
    }
    header(parts.headers(), &http::header::HOST, 255).map(without_port)
}

/// The host of an authority (`user@host:port`), as `http::uri::Authority::host` gives it (an
/// IPv6 literal with its brackets), found with byte scans instead of its string splitting.
fn host_of(authority: &str) -> &str {
    let start = authority
        .bytes()
        .rposition(|b| b == b'@')
        .map_or(0, |at| at + 1);
    let host_port = &authority[start..];
    let end = if host_port.starts_with('[') {
        host_port.bytes().position(|b| b == b']').map(|at| at + 1)
    } else {
        host_port.bytes().position(|b| b == b':')
    };
    end.map_or(host_port, |end| &host_port[..end])
}

/// A `Host` header's name without its port: `shop.example:8080`, `[::1]:8080`; an IPv6
/// literal without brackets (not valid there) is kept whole.
fn without_port(host: &str) -> &str {
    match host.bytes().rposition(|b| b == b':') {
        Some(colon) => {
            let (name, port) = (&host[..colon], &host[colon + 1..]);
            let digits = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
            if digits && (name.ends_with(']') || !name.contains(':')) {
                name
            } else {
                host
            }
        }
        None => host,
    }
}

/// `client.address`: the first `X-Forwarded-For` hop, else the peer (axum's `ConnectInfo`).
fn client_address<B>(parts: &Request<B>) -> Option<String> {
    if let Some(first) = header(parts.headers(), &X_FORWARDED_FOR, 255)
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        return Some(first.to_owned());
    }
    #[cfg(feature = "axum")]
    if let Some(axum::extract::ConnectInfo(peer)) = parts
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
    {
        return Some(peer.ip().to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_as_the_http_crate_finds_them() {
        for authority in [
            "shop.example",
            "shop.example:8080",
            "alice:pw@shop.example:8080",
            "[::1]:8080",
            "[::1]",
            "u@[fe80::1]",
            "10.0.0.1:80",
        ] {
            let parsed: http::uri::Authority = authority.parse().unwrap();
            assert_eq!(host_of(authority), parsed.host(), "{authority}");
        }
    }

    #[test]
    fn host_headers_lose_their_port() {
        assert_eq!(without_port("shop.example:8080"), "shop.example");
        assert_eq!(without_port("shop.example"), "shop.example");
        assert_eq!(without_port("[::1]:8080"), "[::1]");
        assert_eq!(without_port("[::1]"), "[::1]");
        assert_eq!(without_port("::1"), "::1");
        assert_eq!(without_port("shop.example:"), "shop.example:");
    }
}
