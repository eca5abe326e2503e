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

    #[telemetry::observe(crate = "::observe", flow)]
    pub async fn in_async() -> u8 {
        telemetry::step!(crate = telemetry, "inside", n = 1);
        1
    }

    #[derive(telemetry::Redact)]
    #[redact(crate = telemetry)]
    pub struct Secret {
        pub id: u8,
        #[redact]
        pub token: String,
    }
}

pub fn main() {
    assert_eq!(service::handler(2), Ok(2));
    assert_eq!(futures::executor::block_on(service::in_async()), 1);
    assert!(observe::metrics::render().contains("crate_path_calls_total"));
    let secret = service::Secret {
        id: 1,
        token: "t0ken".into(),
    };
    assert_eq!(format!("{secret:?}"), "Secret { id: 1, token: [REDACTED] }");
    assert_eq!((secret.id, secret.token.len()), (1, 5));
}
