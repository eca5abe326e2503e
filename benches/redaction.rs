//! What redaction costs, next to what it replaces, in one run (compare within a group):
//! - `format`: `{:?}` of the same struct with `derive(Debug)` and with `derive(Redact)`
//!   (partial, email, last = 4 and full redaction), into a reused buffer.
//! - `scrub`: the value scrubber on a 200-byte error message without a secret (the common
//!   case; the target is well under 1 µs) and with one.

// Fields read only through the derived, redacting `Debug` are "never read" to rustc, as
// with `derive(Debug)` (both impls are `#[automatically_derived]`).
#![allow(dead_code)]

use std::fmt::Write;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use observe::Redact;

#[derive(Debug)]
#[allow(dead_code)] // read by Debug only
struct PlainJob {
    id: u64,
    customer: String,
    api_token: String,
    card: String,
    name: String,
}

#[derive(Redact)]
struct RedactedJob {
    id: u64,
    #[redact(email)]
    customer: String,
    #[redact]
    api_token: String,
    #[redact(last = 4)]
    card: String,
    #[redact(partial)]
    name: String,
}

const MESSAGE: &str = "request to upstream service inventory-api failed after 3 attempts: connection reset by peer (host=10.2.3.4:8443, path=/v2/items/12345/reserve, elapsed=1532ms, retry_policy=exponential, pool=primary)";

fn format(c: &mut Criterion) {
    let plain = PlainJob {
        id: 42,
        customer: "alice@example.com".into(),
        api_token: "tok_live_9f8e7d6c5b4a".into(),
        card: "4111111111111111".into(),
        name: "Alice Liddell".into(),
    };
    let redacted = RedactedJob {
        id: 42,
        customer: "alice@example.com".into(),
        api_token: "tok_live_9f8e7d6c5b4a".into(),
        card: "4111111111111111".into(),
        name: "Alice Liddell".into(),
    };
    let mut buffer = String::with_capacity(256);
    let mut group = c.benchmark_group("format");
    group.bench_function("derive_debug", |b| {
        b.iter(|| {
            buffer.clear();
            write!(buffer, "{:?}", black_box(&plain)).unwrap();
        })
    });
    group.bench_function("derive_redact", |b| {
        b.iter(|| {
            buffer.clear();
            write!(buffer, "{:?}", black_box(&redacted)).unwrap();
        })
    });
    group.finish();
}

fn scrub(c: &mut Criterion) {
    assert!(
        MESSAGE.len() >= 190 && MESSAGE.len() <= 210,
        "{}",
        MESSAGE.len()
    );
    let with_secret = MESSAGE.replace("retry_policy=exponential", "api_key=sk_live_abcdef123456");
    assert_ne!(observe::redact::scrub(&with_secret), with_secret);
    let mut group = c.benchmark_group("scrub");
    group.bench_function("200_bytes_no_secret", |b| {
        b.iter(|| observe::redact::scrub(black_box(MESSAGE)).len())
    });
    group.bench_function("200_bytes_one_secret", |b| {
        b.iter(|| observe::redact::scrub(black_box(&with_secret)).len())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = format, scrub
}
criterion_main!(benches);
