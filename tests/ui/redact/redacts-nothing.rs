use observe::Redact;

#[derive(Redact)]
struct Plain {
    id: u64,
    name: String,
}

#[derive(Redact)]
struct Empty;

fn main() {}
