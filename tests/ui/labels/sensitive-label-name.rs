use observe::observe;

#[observe(counter = "calls", labels(token = 1))]
fn f() {}

fn main() {}
