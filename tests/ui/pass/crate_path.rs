#![deny(warnings)]
//! `crate = path`: the facade reached under another name, e.g. re-exported by a company crate.

mod telemetry {
    pub use ::observe::*;
}

mod service {
    use super::telemetry;

    #[telemetry::observe(crate = telemetry, counter = "crate_path_calls")]
    pub fn handler(x: u32) -> Result<u32, String> {
        Ok(x)
    }

    #[telemetry::observe(crate = "::observe")]
    pub async fn in_async() -> u8 {
        1
    }
}

pub fn main() {
    assert_eq!(service::handler(2), Ok(2));
    assert_eq!(futures::executor::block_on(service::in_async()), 1);
    assert!(observe::metrics::render().contains("crate_path_calls_total"));
}
