use observe::observe;

#[observe("name" level = "info")]
fn f() {}

fn main() {}
