use observe::observe;

#[observe(name = "")]
fn f() {}

#[observe(target = " ")]
fn g() {}

#[observe(name = span_name)]
fn h() {}

fn main() {}
