use observe::observe;

#[observe(counter = "jobs", errors = "jobs_total")]
fn f() {}

fn main() {}
