use observe::observe;

#[observe(in_flight = "running_total")]
fn f() {}

fn main() {}
