use observe::observe;

#[observe(counter = "logins", labels(user = user, key = api_key.len()))]
fn login(user: &str, #[redact] pin: &str, api_key: &str) {
    let _ = (pin, api_key);
}

#[observe(counter = "logins2", labels(p = format!("{pin}")))]
fn login2(#[redact] pin: &str) {
    let _ = pin;
}

fn main() {}
