use observe::observe;

#[observe(counter = 5)]
fn f() {}

fn main() {}
