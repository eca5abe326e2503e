use observe::observe;

#[observe(counter = "jobs_count", histogram = "latency_bucket")]
fn f() {}

fn main() {}
