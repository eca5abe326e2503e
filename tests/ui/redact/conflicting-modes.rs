use observe::Redact;

#[derive(Redact)]
struct User {
    #[redact(partial, email)]
    email: String,
}

fn main() {}
