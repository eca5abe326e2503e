//! The `tests/ui/pass` programs again, as modules of one test crate: run as tests, and linted by
//! `cargo clippy --all-targets -- -D warnings` (with `clippy::pedantic` on), which trybuild does
//! not do. Lints firing in the generated code fail CI here.
#![deny(warnings)]
#![warn(clippy::pedantic)]
// Some shapes are `async fn`s that never await, on purpose: clippy reports them as it would
// without `#[observe]` (the user's lints apply to the function, body braces included).
#![allow(clippy::unused_async)]

#[path = "ui/pass/async_shapes.rs"]
mod async_shapes;
#[path = "ui/pass/blocks.rs"]
mod blocks;
#[path = "ui/pass/crate_path.rs"]
mod crate_path;
#[path = "ui/pass/generics.rs"]
mod generics;
#[path = "ui/pass/lints.rs"]
mod lints;
#[path = "ui/pass/misc_shapes.rs"]
mod misc_shapes;
#[path = "ui/pass/more_shapes.rs"]
mod more_shapes;
#[path = "ui/pass/receivers.rs"]
mod receivers;
#[path = "ui/pass/tracing_forms.rs"]
mod tracing_forms;

#[test]
fn async_shapes_run() {
    async_shapes::main();
}

#[test]
fn blocks_run() {
    blocks::main();
}

#[test]
fn crate_path_runs() {
    crate_path::main();
}

#[test]
fn generics_run() {
    generics::main();
}

#[test]
fn misc_shapes_run() {
    misc_shapes::main();
}

#[test]
fn more_shapes_run() {
    more_shapes::main();
}

#[test]
fn receivers_run() {
    receivers::main();
}

#[test]
fn lints_run() {
    lints::main();
}

#[test]
fn tracing_forms_run() {
    tracing_forms::main();
}
