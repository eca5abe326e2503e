use observe::Redact;

#[derive(Redact)]
#[redact(all)]
struct User {
    #[redact(skip, email)]
    email: String,
}

fn main() {}
