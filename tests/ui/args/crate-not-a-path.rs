use observe::observe;

#[observe(crate = 5)]
fn f() {}

fn main() {}
