//! Generated code must not depend on names the user can shadow, and must be lint-clean under
//! strict user settings.
#![deny(warnings, unused_qualifications, unused_results, unsafe_code)]
#![warn(clippy::pedantic, clippy::nursery)]
#![allow(clippy::missing_errors_doc, clippy::unused_async)]

mod support;

mod shadowed {
    #![allow(
        dead_code,
        non_upper_case_globals,
        non_camel_case_types,
        clippy::upper_case_acronyms
    )]

    mod core {}
    mod std {}
    mod tracing {}
    mod prometheus {}

    pub struct Result;
    pub struct Option;
    pub struct String;
    pub struct Vec;
    pub struct Box;
    pub const Ok: () = ();
    pub const Err: () = ();
    pub const Some: () = ();
    pub const None: () = ();
    pub const fn drop() {}

    use ::core::future::Future;
    use ::core::pin::Pin;
    use observe::observe;

    pub type Res<T> = ::core::result::Result<T, ::std::string::String>;

    #[observe(
        counter = "hygiene_calls",
        histogram = "hygiene_seconds",
        errors = "hygiene_errors",
        in_flight = "hygiene_in_flight",
        args(x),
        fields(kind = "sync"),
        ret
    )]
    pub fn sync(x: u32) -> Res<u32> {
        if x == 0 {
            return ::core::result::Result::Err("zero".into());
        }
        let y: u32 = x
            .to_string()
            .parse()
            .map_err(|_| ::std::string::String::from("parse"))?;
        ::core::result::Result::Ok(y)
    }

    #[observe(counter = "hygiene_async_calls", args(x), ret)]
    pub async fn asynchronous(x: u32) -> Res<u32> {
        ::core::result::Result::Ok(x)
    }

    #[observe]
    pub fn boxed(x: u32) -> Pin<::std::boxed::Box<dyn Future<Output = u32> + Send>> {
        ::std::boxed::Box::pin(async move { x })
    }

    #[observe(error_if = is_odd)]
    pub fn judged(x: u32) -> u32 {
        x
    }

    #[allow(clippy::trivially_copy_pass_by_ref)] // error_if takes `fn(&Ret) -> bool`
    const fn is_odd(x: &u32) -> bool {
        *x % 2 == 1
    }
}

#[test]
fn shadowed_names_do_not_break_the_expansion() {
    let (out, rec) = support::record(|| {
        assert!(shadowed::sync(0).is_err());
        assert_eq!(shadowed::judged(3), 3);
        (
            shadowed::sync(4),
            support::block_on(shadowed::asynchronous(5)),
            support::block_on(shadowed::boxed(6)),
        )
    });
    assert_eq!(out, (Ok(4), Ok(5), 6));
    assert_eq!(rec.spans().len(), 5);
    assert_eq!(rec.events_named("exception").len(), 2);
}
