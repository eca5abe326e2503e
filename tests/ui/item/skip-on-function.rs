use observe::observe;

#[observe(skip)]
fn f() {}

fn main() {}
