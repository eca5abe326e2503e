use observe::observe;

#[observe(level = Debg)]
fn f() {}

fn main() {}
