//! The `tests/ui/pass` programs again, as modules of one test crate: run as tests, and linted by
//! `cargo clippy --all-targets -- -D warnings` (with `clippy::pedantic` on), which trybuild does
//! not do. Lints firing in the generated code fail CI here.
#![deny(warnings)]
#![warn(clippy::pedantic)]

#[path = "ui/pass/async_shapes.rs"]
mod async_shapes;
#[path = "ui/pass/blocks.rs"]
mod blocks;
#[path = "ui/pass/crate_path.rs"]
mod crate_path;
#[path = "ui/pass/generics.rs"]
mod generics;
#[path = "ui/pass/misc_shapes.rs"]
mod misc_shapes;
#[path = "ui/pass/more_shapes.rs"]
mod more_shapes;
#[path = "ui/pass/receivers.rs"]
mod receivers;

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
