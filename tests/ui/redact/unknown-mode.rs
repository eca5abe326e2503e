use observe::Redact;

#[derive(Redact)]
struct User {
    #[redact(emial)]
    email: String,
}

fn main() {}
