use observe::observe;

#[observe(skip(nope))]
fn f(a: u8) {
    let _ = a;
}

fn main() {}
