use observe::observe;

struct S;

#[observe(skip)]
impl S {
    fn f(&self) {}
}

fn main() {}
