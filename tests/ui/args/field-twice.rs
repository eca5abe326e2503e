use observe::observe;

#[observe(args(id), fields(id = 3))]
fn f(id: u32) -> u32 {
    id
}

fn main() {}
