use observe::observe;

#[observe(histogram = "d_seconds", buckets = [0.5, 1.0, 1.0, 0.2, 0])]
fn f() {}

fn main() {}
