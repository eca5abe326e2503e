use observe::observe;

#[observe(level = 6)]
fn f() {}

fn main() {}
