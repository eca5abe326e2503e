use observe::observe;

#[observe(args(a), skip(a))]
fn f(a: u8) {
    let _ = a;
}

fn main() {}
