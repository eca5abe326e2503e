use observe::observe;

#[observe(skip(a, a))]
fn f(a: u8) {
    let _ = a;
}

fn main() {}
