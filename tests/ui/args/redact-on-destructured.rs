use observe::observe;

#[observe]
fn f(#[redact] (user, pass): (&str, &str)) {
    let _ = (user, pass);
}

fn main() {}
