use observe::Redact;

#[derive(Redact)]
struct User {
    #[redact]
    #[redact(email)]
    email: String,
}

fn main() {}
