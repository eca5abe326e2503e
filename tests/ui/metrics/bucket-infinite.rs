use observe::observe;

#[observe(histogram = "d_seconds", buckets = [1.0, 1e999])]
fn f() {}

fn main() {}
