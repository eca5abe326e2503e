use observe::Redact;

// One mistake, one error: the type still implements `Debug` and `Redact`, so the uses below
// add no errors of their own.
#[derive(Redact)]
struct Job {
    #[redact(nope)]
    token: String,
}

fn main() {
    let job = Job { token: String::new() };
    println!("{job:?} {}", job.redacted());
}
