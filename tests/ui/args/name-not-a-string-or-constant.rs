use observe::observe;

#[observe(name = 5)]
fn f() {}

fn main() {}
