//! Migrating from `#[tracing::instrument]` is a rename: the attribute forms of
//! tracing-attributes' own test suite (names, targets, levels, every `fields(...)` form,
//! `skip`, `err`/`ret` with format and level, `parent`, `follows_from`) compile under
//! `#[observe]` and mean what they mean there. Arguments are the one deliberate difference:
//! observe records only those named in `args(...)`.

mod support;

use observe::observe;
use support::record;
use tracing::field::Empty;
use tracing::{Level, Span};

const MY_NAME: &str = "constant_name";
const MY_TARGET: &str = "constant_target";
const CONST_FIELD_NAME: &str = "const_field";
const fn const_fn_field_name() -> &'static str {
    "const_fn_field"
}
struct FieldNames;
impl FieldNames {
    const FOO_BAR: &'static str = "foo.bar";
}

#[observe("positional_name")]
fn positional() {}

#[observe(name = MY_NAME, target = MY_TARGET)]
fn constant_name_and_target() {}

#[observe(target = "my_target", level = "debug")]
fn target_and_level() {}

#[observe(level = Level::WARN)]
fn level_path() {}

#[observe(level = tracing::Level::ERROR)]
fn level_full_path() {}

#[observe(level = 2)]
fn level_number() {}

#[observe(level = "eRrOr")]
fn level_any_case() {}

#[test]
fn names_targets_and_levels() {
    let ((), rec) = record(|| {
        positional();
        constant_name_and_target();
        target_and_level();
        level_path();
        level_full_path();
        level_number();
        level_any_case();
    });
    let _ = rec.span("positional_name");
    let constant = rec.span(MY_NAME);
    assert_eq!(constant.target, MY_TARGET);
    let debug = rec.span("target_and_level");
    assert_eq!(
        (debug.target.as_str(), debug.level.as_str()),
        ("my_target", "DEBUG")
    );
    assert_eq!(rec.span("level_path").level, "WARN");
    assert_eq!(rec.span("level_full_path").level, "ERROR");
    assert_eq!(rec.span("level_number").level, "DEBUG");
    assert_eq!(rec.span("level_any_case").level, "ERROR");
}

#[observe(fields(%s, s.len = s.len()))]
fn sigil_shorthand(s: &str) {
    let _ = s;
}

#[observe(fields(foo = "bar", empty))]
fn empty_field() {
    Span::current().record("empty", "filled later");
}

#[observe(fields(f = Empty))]
fn explicit_empty() {}

#[observe(fields({CONST_FIELD_NAME} = "a", {const_fn_field_name()} = "b", {FieldNames::FOO_BAR} = 3))]
fn braced_names() {}

#[observe(fields(?v, "quoted.name" = true, keywords.impl.type.fn = 1))]
fn debug_shorthand_and_odd_names(v: Vec<u8>) {
    let _ = v;
}

#[test]
fn every_fields_form() {
    let ((), rec) = record(|| {
        sigil_shorthand("abc");
        empty_field();
        explicit_empty();
        braced_names();
        debug_shorthand_and_odd_names(vec![1, 2]);
    });
    let s = rec.span("sigil_shorthand");
    assert_eq!(s.fields["s"], "abc");
    assert_eq!(s.fields["s.len"], "3");
    let e = rec.span("empty_field");
    assert_eq!(e.fields["foo"], "bar");
    assert_eq!(
        e.fields["empty"], "filled later",
        "an empty field can be recorded later"
    );
    assert!(!rec.span("explicit_empty").fields.contains_key("f"));
    let b = rec.span("braced_names");
    assert_eq!(b.fields["const_field"], "a");
    assert_eq!(b.fields["const_fn_field"], "b");
    assert_eq!(b.fields["foo.bar"], "3");
    let d = rec.span("debug_shorthand_and_odd_names");
    assert_eq!(d.fields["v"], "[1, 2]");
    assert_eq!(d.fields["quoted.name"], "true");
    assert_eq!(d.fields["keywords.impl.type.fn"], "1");
}

#[observe(skip(_secret), fields(app_id))]
fn skipped(_secret: &str, id: u32) -> u32 {
    Span::current().record("app_id", id);
    id
}

#[observe(skip_all)]
fn skip_everything(_a: u8, _b: u8) {}

#[test]
fn skip_is_accepted_and_records_nothing() {
    let (_, rec) = record(|| {
        skipped("hunter2", 7);
        skip_everything(1, 2);
    });
    let s = rec.span("skipped");
    assert_eq!(s.fields["app_id"], "7");
    assert!(!s.fields.contains_key("_secret") && !s.fields.contains_key("id"));
    assert!(!rec.span("skip_everything").fields.contains_key("_a"));
}

#[derive(Debug)]
struct Oops;
impl std::fmt::Display for Oops {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("oops (display)")
    }
}

#[observe(err)]
fn err_flag() -> Result<(), Oops> {
    Err(Oops)
}

#[observe(err(Debug))]
fn err_debug() -> Result<(), Oops> {
    Err(Oops)
}

#[observe(level = "warn", err(level = "info"))]
fn err_level() -> Result<(), Oops> {
    Err(Oops)
}

#[observe(err(Debug, level = Level::WARN))]
fn err_debug_and_level() -> Result<(), Oops> {
    Err(Oops)
}

#[test]
fn err_with_format_and_level() {
    let (_, rec) = record(|| {
        let _ = err_flag();
        let _ = err_debug();
        let _ = err_level();
        let _ = err_debug_and_level();
    });
    let exception = |span: &str| {
        let span = rec.span(span);
        let events = rec.events_in(&span);
        let event = events
            .iter()
            .find(|e| e.message() == "exception")
            .expect("an exception event");
        (
            event.level.clone(),
            event.fields["exception.message"].clone(),
        )
    };
    assert_eq!(
        exception("err_flag"),
        ("ERROR".into(), "oops (display)".into())
    );
    assert_eq!(exception("err_debug"), ("ERROR".into(), "Oops".into()));
    assert_eq!(
        exception("err_level"),
        ("INFO".into(), "oops (display)".into())
    );
    assert_eq!(
        exception("err_debug_and_level"),
        ("WARN".into(), "Oops".into())
    );
    assert!(rec.span("err_level").fields.contains_key("error.type"));
}

#[observe(ret)]
fn ret_plain() -> String {
    "a\"b".to_owned()
}

#[observe(ret(Display))]
fn ret_display() -> String {
    "a\"b".to_owned()
}

#[observe(level = "warn", ret(level = "info"))]
fn ret_level() -> Result<u32, Oops> {
    Ok(42)
}

#[observe(ret(level = "debug", Debug))]
async fn ret_async_level() -> u8 {
    std::future::ready(()).await;
    9
}

#[test]
fn ret_with_format_and_level() {
    let (_, rec) = record(|| {
        ret_plain();
        ret_display();
        let _ = ret_level();
        support::block_on(ret_async_level());
    });
    assert_eq!(rec.span("ret_plain").fields["return"], "\"a\\\"b\"");
    assert_eq!(rec.span("ret_display").fields["return"], "a\"b");
    let span = rec.span("ret_level");
    assert_eq!(span.fields["return"], "42");
    assert!(
        rec.events_in(&rec.span("ret_plain")).is_empty(),
        "no level: no event"
    );
    let event = |name: &str| {
        let events = rec.events_in(&rec.span(name));
        let event = events
            .iter()
            .find(|e| e.fields.contains_key("return"))
            .unwrap_or_else(|| panic!("a return event in {name}"))
            .clone();
        (event.level, event.fields["return"].clone())
    };
    assert_eq!(event("ret_level"), ("INFO".into(), "42".into()));
    assert_eq!(event("ret_async_level"), ("DEBUG".into(), "9".into()));
}

#[observe(parent = parent_span, skip(parent_span))]
fn with_parent(parent_span: &Span) {
    let _ = parent_span;
}

#[observe(parent = None)]
fn root() {}

#[observe(follows_from = causes, skip(causes))]
fn with_causes(causes: &[Span]) {
    let _ = causes;
}

#[observe(follows_from = [&Span::current()])]
async fn follows_current() {
    std::future::ready(()).await;
}

#[test]
fn parent_and_follows_from() {
    let ((), rec) = record(|| {
        let outer = tracing::info_span!("outer");
        let other = tracing::info_span!("other");
        let _entered = outer.enter();
        with_parent(&other);
        root();
        let causes = [
            tracing::info_span!("cause_a"),
            tracing::info_span!("cause_b"),
        ];
        with_causes(&causes);
        support::block_on(follows_current());
    });
    let outer = rec.span("outer");
    let other = rec.span("other");
    assert_eq!(rec.span("with_parent").parent, Some(other.id));
    assert_eq!(rec.span("root").parent, None);
    let causes = rec.span("with_causes");
    assert_eq!(causes.parent, Some(outer.id));
    assert_eq!(
        causes.follows,
        vec![rec.span("cause_a").id, rec.span("cause_b").id]
    );
    assert_eq!(rec.span("follows_current").follows, vec![outer.id]);
}

#[observe(err)]
async fn impl_trait_ok_error_without_display(n: i32) -> Result<impl Iterator<Item = i32>, ()> {
    if n < 0 {
        return Err(());
    }
    Ok((0..10).filter(move |x| *x < n))
}

#[test]
fn impl_trait_return_falls_back_to_debug() {
    let (out, rec) = record(|| support::block_on(impl_trait_ok_error_without_display(-1)));
    assert!(out.is_err());
    let span = rec.span("impl_trait_ok_error_without_display");
    let events = rec.events_in(&span);
    assert_eq!(events[0].fields["exception.message"], "()");
    let (count, _) =
        record(|| support::block_on(impl_trait_ok_error_without_display(3)).map(Iterator::count));
    assert_eq!(count, Ok(3));
}
