//! The span an `#[observe]` function opens: name, level, target, code location, recorded
//! arguments and fields, return value, nesting.

mod support;

use observe::observe;
use support::{block_on, record};

#[derive(Debug)]
struct Password(#[allow(dead_code)] String);

#[observe]
fn plain(a: u32, secret: Password) -> u32 {
    let _ = secret;
    a + 1
}

#[observe(args(a, name, flag, opt, list))]
fn recorded(a: u32, name: &str, flag: bool, opt: Option<u8>, list: Vec<u8>, hidden: u64) -> usize {
    let _ = (flag, opt, hidden);
    name.len() + a as usize + list.len()
}

#[observe(name = "custom.name", level = "debug", target = "my::target")]
fn renamed() {}

#[observe(fields(user.id = 42, kind = %"display", dbg = ?vec![1, 2], "literal.name" = "x"))]
fn with_fields() {}

#[observe(ret)]
fn returns_value() -> (u8, &'static str) {
    (7, "seven")
}

#[observe(ret)]
fn returns_ok() -> Result<u32, std::fmt::Error> {
    Ok(5)
}

#[observe(ret)]
fn returns_err() -> Result<u32, std::fmt::Error> {
    Err(std::fmt::Error)
}

#[observe]
fn outer_sync() -> u32 {
    inner_sync() + 1
}

#[observe]
fn inner_sync() -> u32 {
    1
}

#[observe]
async fn outer_async() -> u32 {
    inner_async().await + inner_sync()
}

#[observe]
async fn inner_async() -> u32 {
    std::future::ready(2).await
}

struct Service {
    name: &'static str,
}

impl Service {
    #[observe(args(self))]
    fn describe(&self) -> &'static str {
        self.name
    }
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Service({})", self.name)
    }
}

#[test]
fn span_has_code_location_and_no_unlisted_argument() {
    let (out, rec) = record(|| plain(1, Password("hunter2".into())));
    assert_eq!(out, 2);
    let span = rec.span("plain");
    assert_eq!(span.fields["code.function.name"], "spans::plain");
    assert_eq!(span.fields["code.file.path"], "tests/spans.rs");
    assert_eq!(span.fields["code.line.number"], "12");
    assert_eq!(span.level, "INFO");
    assert_eq!(span.target, "spans");
    assert!(
        !span.fields.contains_key("a"),
        "arguments are recorded only when listed"
    );
    assert!(!format!("{span:?}").contains("hunter2"));
    assert!(span.closed);
}

#[test]
fn listed_arguments_are_recorded_as_values_or_debug() {
    let (_, rec) = record(|| recorded(3, "bob", true, Some(4), vec![1, 2], 99));
    let span = rec.span("recorded");
    assert_eq!(span.fields["a"], "3");
    assert_eq!(span.fields["name"], "bob");
    assert_eq!(span.fields["flag"], "true");
    assert_eq!(span.fields["opt"], "4");
    assert_eq!(span.fields["list"], "[1, 2]");
    assert!(!span.fields.contains_key("hidden"));
}

#[test]
fn self_can_be_recorded() {
    let (_, rec) = record(|| Service { name: "svc" }.describe());
    let span = rec.span("describe");
    assert_eq!(span.fields["self"], "Service(svc)");
    assert_eq!(
        span.fields["code.function.name"],
        "spans::Service::describe"
    );
}

#[test]
fn name_level_and_target_can_be_set() {
    let (_, rec) = record(renamed);
    let span = rec.span("custom.name");
    assert_eq!(span.level, "DEBUG");
    assert_eq!(span.target, "my::target");
}

#[test]
fn fields_use_tracing_syntax() {
    let (_, rec) = record(with_fields);
    let span = rec.span("with_fields");
    assert_eq!(span.fields["user.id"], "42");
    assert_eq!(span.fields["kind"], "display");
    assert_eq!(span.fields["dbg"], "[1, 2]");
    assert_eq!(span.fields["literal.name"], "x");
}

#[test]
fn ret_records_the_value_or_the_ok_value() {
    let (_, rec) = record(|| {
        returns_value();
        returns_ok().unwrap();
        returns_err().unwrap_err();
    });
    assert_eq!(rec.span("returns_value").fields["return"], "(7, \"seven\")");
    assert_eq!(rec.span("returns_ok").fields["return"], "5");
    assert!(!rec.span("returns_err").fields.contains_key("return"));
}

#[test]
fn success_leaves_status_unset() {
    let (_, rec) = record(|| returns_ok().unwrap());
    let span = rec.span("returns_ok");
    for field in [
        "otel.status_code",
        "otel.status_description",
        "error.type",
        "cancelled",
    ] {
        assert!(
            !span.fields.contains_key(field),
            "{field} set on success: {span:?}"
        );
    }
    assert!(rec.events().is_empty());
}

#[test]
fn sync_spans_nest() {
    let (_, rec) = record(outer_sync);
    assert_eq!(
        rec.span("inner_sync").parent,
        Some(rec.span("outer_sync").id)
    );
}

#[test]
fn async_spans_nest_under_the_caller() {
    let (out, rec) = record(|| {
        let caller = tracing::info_span!("caller");
        let _entered = caller.enter();
        block_on(outer_async())
    });
    assert_eq!(out, 3);
    let outer = rec.span("outer_async");
    assert_eq!(outer.parent, Some(rec.span("caller").id));
    assert_eq!(rec.span("inner_async").parent, Some(outer.id));
    assert_eq!(rec.span("inner_sync").parent, Some(outer.id));
    assert_eq!(outer.fields["code.function.name"], "spans::outer_async");
}

#[test]
fn async_span_is_entered_on_every_poll() {
    #[observe]
    async fn yields_then_logs() {
        support::yield_now().await;
        tracing::info!("after the yield");
    }
    let (_, rec) = record(|| block_on(yields_then_logs()));
    let event = &rec.events_named("after the yield")[0];
    assert_eq!(event.span, Some(rec.span("yields_then_logs").id));
}
