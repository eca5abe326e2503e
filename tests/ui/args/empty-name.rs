use observe::observe;

#[observe(name = "")]
fn f() {}

#[observe(target = " ")]
fn g() {}

fn main() {}
