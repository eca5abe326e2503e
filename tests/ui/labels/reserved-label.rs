use observe::observe;

#[observe(counter = "calls", labels(result = "x", __private = 1, kind = 1, kind = 2))]
fn f() {}

fn main() {}
