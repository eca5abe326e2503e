use observe::observe;

#[observe(err(Pretty))]
fn f() -> Result<(), String> {
    Ok(())
}

fn main() {}
