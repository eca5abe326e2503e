use observe::Redact;

#[derive(Redact)]
#[redact(partial)]
struct User {
    #[redact]
    token: String,
}

fn main() {}
