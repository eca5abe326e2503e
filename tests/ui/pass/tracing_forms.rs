// Every attribute form of `#[tracing::instrument]` compiles under `#[observe]` with the same
// meaning (tests/tracing_compat.rs checks what each records).

use observe::observe;
use tracing::field::Empty;
use tracing::{Level, Span};

const NAME: &str = "constant_name";
const TARGET: &str = "constant_target";
const FIELD: &str = "constant_field";

#[observe("positional")]
fn positional() {}

#[observe(name = NAME, target = TARGET)]
fn constants() {}

#[observe(level = Level::DEBUG, target = "t")]
fn level_path() {}

#[observe(level = 4)]
fn level_number() {}

#[observe(fields(%s, ?t, s.len = s.len(), empty, e = Empty, {FIELD} = 1, "lit" = 2, r#type = 3))]
fn fields(s: &str, t: u8) {
    let _ = (s, t);
}

#[observe(skip(a))]
fn skip(a: u8) {
    let _ = a;
}

#[observe(skip_all)]
fn skip_all(a: u8) {
    let _ = a;
}

#[observe(err, ret)]
fn err_ret() -> Result<u8, String> {
    Ok(1)
}

#[observe(err(Debug), ret(Display))]
fn err_debug_ret_display() -> Result<u8, String> {
    Ok(1)
}

#[observe(err(level = "info"), ret(level = Level::WARN, Debug))]
async fn levels() -> Result<u8, String> {
    Ok(1)
}

#[observe(parent = parent, skip(parent))]
fn with_parent(parent: &Span) {
    let _ = parent;
}

#[observe(follows_from = causes)]
fn with_causes(causes: Vec<Span>) {
    let _ = causes;
}

pub fn main() {
    positional();
    constants();
    level_path();
    level_number();
    fields("x", 1);
    skip(1);
    skip_all(1);
    let _ = err_ret();
    let _ = err_debug_ret_display();
    let _ = futures::executor::block_on(levels());
    with_parent(&Span::none());
    with_causes(vec![Span::current()]);
}
