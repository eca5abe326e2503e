use observe::observe;

#[observe(args(user))]
fn f(#[redact(skip)] user: &str) {
    let _ = user;
}

fn main() {}
