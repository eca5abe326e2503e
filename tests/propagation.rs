//! One trace continuing across two services that talk real HTTP on loopback: the client
//! injects `traceparent` into its request, the server extracts it and its `#[observe]` handler
//! becomes a child of the client's span. Own binary: it installs the global subscriber.
#![cfg(feature = "otlp")]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};

use observe::observe;
use opentelemetry_sdk::trace::InMemorySpanExporter;
use tracing_subscriber::layer::SubscriberExt;

/// Service B: answers one request; its handler runs in the caller's trace.
fn serve_one(listener: TcpListener) {
    let (mut stream, _) = listener.accept().unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut headers = http::HeaderMap::new();
    let mut line = String::new();
    reader.read_line(&mut line).unwrap(); // request line
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let Some((name, value)) = line.trim_end().split_once(": ") else {
            break;
        };
        headers.insert(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    let remote = observe::propagation::extract_headers(&headers);
    assert!(remote.is_valid(), "no traceparent received: {headers:?}");
    let body = {
        let _continued = remote.attach();
        handle_order()
    };
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
}

#[observe(name = "handle_order")]
fn handle_order() -> &'static str {
    "accepted"
}

/// Service A: calls B with the current trace context in its headers.
#[observe(name = "checkout")]
fn checkout(server: SocketAddr) -> String {
    let mut headers = http::HeaderMap::new();
    observe::propagation::inject_headers(&mut headers);
    let mut stream = TcpStream::connect(server).unwrap();
    let mut request = String::from(
        "POST /orders HTTP/1.1\r\nHost: b\r\nContent-Length: 0\r\nConnection: close\r\n",
    );
    for (name, value) in &headers {
        request.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn a_trace_continues_across_two_services_over_http() {
    let exporter = InMemorySpanExporter::default();
    let (provider, layer) = observe::trace_layer(exporter.clone(), "two-services");
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer)).unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || serve_one(listener));
    let response = checkout(addr);
    server.join().unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200") && response.ends_with("accepted"),
        "{response}"
    );

    provider.force_flush().unwrap();
    let spans = exporter.get_finished_spans().unwrap();
    let find = |name: &str| {
        spans
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no {name} in {spans:#?}"))
    };
    let client = find("checkout");
    let server = find("handle_order");
    assert_eq!(
        server.span_context.trace_id(),
        client.span_context.trace_id(),
        "one trace"
    );
    assert_eq!(
        server.parent_span_id,
        client.span_context.span_id(),
        "the server span is a child of the client span"
    );
    assert_ne!(server.span_context.span_id(), client.span_context.span_id());

    // String maps carry the same context (for queues and other transports).
    let mut map = HashMap::new();
    let _entered = tracing::info_span!("producer").entered();
    observe::propagation::inject_map(&mut map);
    let traceparent = &map["traceparent"];
    assert!(
        traceparent.starts_with("00-") && traceparent.len() == 55,
        "{traceparent}"
    );
    assert!(observe::propagation::extract_map(&map).is_valid());
    assert!(!observe::propagation::extract_map(&HashMap::new()).is_valid());
}
