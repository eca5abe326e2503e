// The user's lints apply to an observed function as to any other: `#[expect(dead_code)]` is
// fulfilled (no "unfulfilled lint expectation") under `#![deny(warnings)]`.
#![deny(warnings)]

use observe::observe;

#[expect(dead_code)]
#[observe]
fn unused() {}

#[expect(dead_code)]
#[observe(counter, histogram, args(x))]
fn unused_with_metrics(x: u32) -> Result<u32, String> {
    Ok(x)
}

#[expect(dead_code)]
#[observe(flow)]
async fn unused_async() {
    std::future::ready(()).await;
}

struct S;

impl S {
    #[expect(dead_code)]
    #[observe(ret)]
    fn unused_method(&self) -> usize {
        std::mem::size_of_val(self)
    }
}

pub fn main() {
    let _ = S;
}
