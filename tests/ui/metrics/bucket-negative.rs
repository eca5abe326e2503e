use observe::observe;

#[observe(histogram = "d_seconds", buckets = [0.1, -1.0])]
fn f() {}

fn main() {}
