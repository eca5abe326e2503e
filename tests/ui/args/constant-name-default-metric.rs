use observe::observe;

const NAME: &str = "n";

#[observe(name = NAME, counter)]
fn f() {}

fn main() {}
