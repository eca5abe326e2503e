use observe::observe;

#[observe(name = "GET /users", counter)]
fn f() {}

fn main() {}
