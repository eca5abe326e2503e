use observe::observe;

#[observe(err = "pretty")]
fn f() -> Result<(), String> {
    Ok(())
}

fn main() {}
