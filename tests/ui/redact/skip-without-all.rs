use observe::Redact;

#[derive(Redact)]
struct User {
    #[redact(skip)]
    id: u64,
    #[redact]
    token: String,
}

fn main() {}
