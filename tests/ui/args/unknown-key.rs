use observe::observe;

#[observe(cunter = "jobs")]
fn f() {}

fn main() {}
