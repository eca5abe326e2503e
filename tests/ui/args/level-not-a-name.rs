use observe::observe;

#[observe(level = 5)]
fn f() {}

fn main() {}
