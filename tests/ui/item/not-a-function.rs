use observe::observe;

#[observe]
struct Job {
    id: u64,
}

fn main() {}
