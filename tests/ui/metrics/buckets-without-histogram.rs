use observe::observe;

#[observe(counter = "c", buckets = [1.0])]
fn f() {}

fn main() {}
