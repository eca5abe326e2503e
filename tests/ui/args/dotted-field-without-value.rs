use observe::observe;

#[observe(fields(user.id))]
fn f() {}

fn main() {}
