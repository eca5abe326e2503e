//! `observe::logs::pretty_layer()`: lines for a person, leading with the message; and values
//! that misbehave (a `Debug` that panics or never ends, control characters) in both formats.

mod support;

use std::fmt;

use observe::observe;
use support::Buffer;
use tracing_subscriber::layer::SubscriberExt;

fn pretty(colors: bool, f: impl FnOnce()) -> String {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let layer = observe::logs::pretty_layer_with(observe::logs::LineOptions::new(), colors)
        .with_writer(move || writer.clone());
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f);
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    text
}

fn json(f: impl FnOnce()) -> Vec<serde_json::Value> {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let layer = observe::logs::json_layer().with_writer(move || writer.clone());
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), f);
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[observe(fields(job.id = 7))]
fn fetch(attempt: u32) -> Result<(), String> {
    tracing::info!(items = 3, note = "two words", "fetched");
    if attempt > 1 {
        return Err("upstream returned 503".into());
    }
    Ok(())
}

#[observe]
fn process() -> Result<(), String> {
    fetch(2)?;
    Ok(())
}

#[test]
fn the_message_comes_first_and_the_context_after() {
    let text = pretty(false, || drop(fetch(1)));
    let line = text.lines().next().unwrap();
    // 2026-12-02T14:31:07.482913Z  INFO fetched items=3 note="two words"  in fetch job.id=7 …
    let (time, rest) = line.split_once(' ').unwrap();
    assert!(time.ends_with('Z') && time.contains('T'), "{line}");
    let rest = rest.trim_start();
    assert!(
        rest.starts_with(r#"INFO fetched items=3 note="two words"  in fetch "#),
        "{line}"
    );
    let context = rest.split_once("  in fetch ").unwrap().1;
    assert!(context.contains("job.id=7"), "{line}");
    assert!(context.contains("target=pretty_logs"), "{line}");
    assert!(
        !context.contains("code."),
        "code attributes stay on spans: {line}"
    );
    let trace_id = context.split("trace_id=").nth(1).unwrap();
    assert_eq!(trace_id.split(' ').next().unwrap().len(), 32, "{line}");
    assert!(!line.contains('\x1b'), "no colors unless asked: {line:?}");

    let colored = pretty(true, || drop(fetch(1)));
    assert!(
        colored.contains("\x1b[2min fetch"),
        "the context is dimmed: {colored:?}"
    );
    assert!(colored.contains("\x1b[32m INFO\x1b[0m"), "{colored:?}");
}

#[test]
fn one_failure_is_one_error_line_in_pretty_lines_too() {
    let text = pretty(false, || drop(process()));
    let errors: Vec<&str> = text.lines().filter(|l| l.contains(" ERROR ")).collect();
    assert_eq!(errors.len(), 1, "{text}");
    assert!(
        errors[0].contains(r#"exception.message="upstream returned 503""#),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.contains(" DEBUG exception ")
            && l.contains("exception.first_recorded_in=fetch")
            && l.contains("in process")),
        "{text}"
    );
}

#[test]
fn one_event_stays_one_line_and_secrets_stay_out() {
    let text = pretty(false, || {
        tracing::info!(
            password = "hunter2",
            header = "a\nb\x1b[31m",
            "two\nlines \x1b[2J"
        );
    });
    assert_eq!(text.lines().count(), 1, "{text:?}");
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(text.contains(r"two\nlines \u{1b}[2J"), "{text:?}");
    assert!(text.contains(r#"header="a\nb\u001b[31m""#), "{text:?}");
    assert!(text.contains("password=[REDACTED]"), "{text:?}");
    assert!(!text.contains("hunter2"));
}

struct Panics;

impl fmt::Debug for Panics {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("a Debug that panics")
    }
}

/// Writes until the writer refuses.
struct Endless;

impl fmt::Debug for Endless {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        loop {
            f.write_str("ab")?;
        }
    }
}

#[test]
fn a_value_that_panics_or_never_ends_is_cut_off() {
    let lines = json(|| {
        tracing::info!(bad = ?Panics, endless = ?Endless, "survived");
        tracing::info!("and the next line too");
    });
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["message"], "survived");
    assert_eq!(lines[0]["bad"], "[Debug panicked]");
    let endless = lines[0]["endless"].as_str().unwrap();
    assert!(endless.starts_with("abab"), "{endless}");
    assert!(
        endless.ends_with("…[truncated, over 65536 bytes]"),
        "{}",
        &endless[endless.len() - 60..]
    );
    assert_eq!(endless.len(), 2048 + "…[truncated, over 65536 bytes]".len());
    let text = pretty(false, || tracing::info!(bad = ?Panics, "survived"));
    assert!(text.contains("bad=\"[Debug panicked]\""), "{text}");
}
