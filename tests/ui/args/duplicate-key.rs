use observe::observe;

#[observe(name = "a", level = "info", name = "b")]
fn f() {}

fn main() {}
