use observe::observe;

#[observe(histogram = "d_seconds", buckets = [])]
fn f() {}

fn main() {}
