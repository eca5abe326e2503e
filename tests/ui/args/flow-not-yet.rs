use observe::observe;

#[observe(flow)]
fn f() {}

fn main() {}
