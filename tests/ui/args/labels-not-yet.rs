use observe::observe;

#[observe(counter = "jobs", labels(kind = "a"))]
fn f() {}

fn main() {}
