use observe::observe;

#[observe(flow = checkout)]
fn f() {}

fn main() {}
