use observe::observe;

#[observe(fields(error.type = "mine", cancelled = false))]
fn f() {}

fn main() {}
