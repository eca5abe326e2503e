use observe::observe;

#[observe(labels(kind = "a"))]
fn f() {}

fn main() {}
