use observe::observe;

#[observe(histogram = "job_duration")]
fn f() {}

fn main() {}
