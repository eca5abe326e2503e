use observe::observe;

#[observe(counter = "jobs-done")]
fn f() {}

#[observe(counter = "9lives")]
fn g() {}

#[observe(counter = "")]
fn h() {}

fn main() {}
