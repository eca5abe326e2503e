use observe::observe;

#[observe(counter = "__internal")]
fn f() {}

fn main() {}
