use observe::observe;

pub struct Response {
    pub status: u16,
}

#[observe(ret(fields(code = ret.statsu)))]
fn unknown_field() -> Result<Response, String> {
    Ok(Response { status: 200 })
}

#[observe(ret(fields(status)))]
fn no_value() -> u16 {
    200
}

#[observe(ret(fields(error.type = ret.status)))]
fn reserved() -> Response {
    Response { status: 200 }
}

fn main() {}
