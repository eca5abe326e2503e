use observe::observe;

const LIMIT: f64 = 1.0;

#[observe(histogram = "d_seconds", buckets = [0.1, LIMIT])]
fn f() {}

fn main() {}
