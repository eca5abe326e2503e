use observe::observe;

#[observe(level = "inf")]
fn f() {}

fn main() {}
