use observe::Redact;

#[derive(Redact)]
struct Card {
    #[redact(last = 0)]
    number: String,
}

fn main() {}
