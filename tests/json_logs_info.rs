//! At `info`, an error re-raised through `?` by outer frames is one log line: the DEBUG lines
//! of the outer frames are not written. Own binary: the level is the process's (a global
//! subscriber filtered at `info`).

mod support;

use observe::observe;
use support::Buffer;
use tracing_subscriber::layer::SubscriberExt;

#[observe]
fn leaf() -> Result<(), String> {
    Err("disk full".into())
}

#[observe]
fn outer() -> Result<(), String> {
    leaf()?;
    Ok(())
}

#[test]
fn at_info_one_failure_is_one_line() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::registry()
        .with(observe::logs::json_layer().with_writer(move || writer.clone()))
        .with(tracing_subscriber::filter::LevelFilter::INFO);
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let _ = outer();
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let exceptions: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("\"message\":\"exception\""))
        .collect();
    assert_eq!(exceptions.len(), 1, "{text}");
    assert!(exceptions[0].contains("\"span\":\"leaf\""), "{text}");
}
