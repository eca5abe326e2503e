use observe::observe;

#[observe(args(a, a))]
fn f(a: u32) -> u32 {
    a
}

fn main() {}
