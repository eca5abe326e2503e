use observe::Redact;

#[derive(Redact)]
struct Blob {
    #[redact(partial)]
    bytes: Vec<u8>,
}

fn main() {}
