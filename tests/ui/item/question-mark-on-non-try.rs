use observe::observe;

#[observe]
fn f(x: u32) -> Result<u32, String> {
    let v = x?;
    Ok(v)
}

#[observe]
fn g(x: Option<u32>) -> Result<u32, String> {
    let v = x?;
    Ok(v)
}

fn main() {}
