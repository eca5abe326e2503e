use observe::observe;

struct Kind;

#[observe(counter = "calls", labels(kind = Kind))]
fn f() {}

fn main() {}
