use observe::observe;

#[observe(args = x)]
fn f(x: u8) {
    let _ = x;
}

fn main() {}
