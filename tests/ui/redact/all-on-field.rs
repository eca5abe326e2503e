use observe::Redact;

#[derive(Redact)]
struct User {
    #[redact(all)]
    token: String,
}

fn main() {}
