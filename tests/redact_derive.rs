//! `#[derive(Redact)]`: exact outputs for every mode and shape.

// Fields read only through the derived, redacting `Debug` are "never read" to rustc, as
// with `derive(Debug)` (both impls are `#[automatically_derived]`).
#![allow(dead_code)]

use observe::Redact;

#[derive(Redact)]
struct Job {
    id: u64,
    #[redact(email)]
    customer: String,
    #[redact]
    api_token: String,
}

#[derive(Redact)]
struct Modes {
    #[redact(partial)]
    partial: String,
    #[redact(partial)]
    short: &'static str,
    #[redact(last = 4)]
    card: String,
    #[redact(email)]
    not_email: String,
    #[redact(hash)]
    hashed: String,
    #[redact(with = initials)]
    name: String,
    plain: bool,
}

fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .collect()
}

#[derive(Redact)]
struct Tuple(u8, #[redact] String, #[redact(last = 2)] u64);

#[derive(Redact)]
enum Event {
    Login {
        user: String,
        #[redact]
        password: String,
    },
    Token(#[redact(partial)] String),
    Logout,
}

#[derive(Redact)]
#[redact(all)]
struct AllButId {
    #[redact(skip)]
    id: u32,
    email: String,
    phone: String,
}

#[derive(Redact)]
struct Optional {
    #[redact(email)]
    email: Option<String>,
    #[redact]
    secret: Option<Vec<u8>>,
    #[redact(last = 2)]
    absent: Option<String>,
}

#[derive(Redact)]
struct Generic<T, U> {
    shown: T,
    #[redact(partial)]
    masked: U,
    #[redact]
    hidden: NoDebug,
}

struct NoDebug;

/// An ordinary `derive(Debug)` type holding a `Redact` one is redacted too.
#[derive(Debug)]
#[allow(dead_code)] // read by Debug only
struct Envelope {
    job: Job,
    attempt: u8,
}

#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Redact)]
struct WithSerdeAttrs {
    #[cfg_attr(feature = "serde", serde(rename = "u"))]
    user: String,
    #[redact]
    #[cfg_attr(feature = "serde", serde(skip))]
    token: String,
}

#[derive(Redact)]
struct Unicode {
    #[redact(partial)]
    word: String,
    #[redact(last = 2)]
    kana: String,
}

fn job() -> Job {
    Job {
        id: 7,
        customer: "alice@example.com".into(),
        api_token: "tok_live_123".into(),
    }
}

#[test]
fn the_readme_job() {
    assert_eq!(
        format!("{:?}", job()),
        "Job { id: 7, customer: a***@example.com, api_token: [REDACTED] }"
    );
}

#[test]
fn pretty_debug_is_redacted_too() {
    assert_eq!(
        format!("{:#?}", job()),
        "Job {\n    id: 7,\n    customer: a***@example.com,\n    api_token: [REDACTED],\n}"
    );
}

#[test]
fn redacted_view_displays_the_same() {
    let job = job();
    assert_eq!(job.redacted().to_string(), format!("{job:?}"));
    assert_eq!(format!("{:#}", job.redacted()), format!("{job:#?}"));
}

#[test]
fn every_mode() {
    let m = Modes {
        partial: "abcdefgh".into(),
        short: "abcdef",
        card: "4111111111111111".into(),
        not_email: "nobody".into(),
        hashed: "alice@example.com".into(),
        name: "Ada Lovelace".into(),
        plain: true,
    };
    let out = format!("{m:?}");
    let hash =
        observe::__private::Masked(observe::__private::RedactMode::Hash, "alice@example.com")
            .to_string();
    assert_eq!(
        out,
        format!("Modes {{ partial: abc***, short: [REDACTED], card: ***1111, not_email: [REDACTED], hashed: {hash}, name: AL, plain: true }}")
    );
    assert!(hash.starts_with("hash:") && hash.len() == 17);
}

#[test]
fn tuples_enums_and_units() {
    assert_eq!(
        format!("{:?}", Tuple(1, "s".into(), 123_456)),
        "Tuple(1, [REDACTED], ***56)"
    );
    let login = Event::Login {
        user: "bob".into(),
        password: "hunter2".into(),
    };
    assert_eq!(
        format!("{login:?}"),
        "Login { user: \"bob\", password: [REDACTED] }"
    );
    assert_eq!(
        format!("{:?}", Event::Token("abcdefghij".into())),
        "Token(abc***)"
    );
    assert_eq!(format!("{:?}", Event::Logout), "Logout");
}

#[test]
fn all_with_skip() {
    let v = AllButId {
        id: 3,
        email: "a@b.c".into(),
        phone: "555".into(),
    };
    assert_eq!(
        format!("{v:?}"),
        "AllButId { id: 3, email: [REDACTED], phone: [REDACTED] }"
    );
}

#[test]
fn options_keep_some_and_none() {
    let v = Optional {
        email: Some("carol@example.org".into()),
        secret: Some(vec![1]),
        absent: None,
    };
    assert_eq!(
        format!("{v:?}"),
        "Optional { email: Some(c***@example.org), secret: Some([REDACTED]), absent: None }"
    );
}

#[test]
fn generics_get_bounds_per_field() {
    let v = Generic {
        shown: vec![1, 2],
        masked: 12_345_678_u32,
        hidden: NoDebug,
    };
    assert_eq!(
        format!("{v:?}"),
        "Generic { shown: [1, 2], masked: 123***, hidden: [REDACTED] }"
    );
}

#[test]
fn nested_in_derive_debug() {
    let e = Envelope {
        job: job(),
        attempt: 2,
    };
    let out = format!("{e:?}");
    assert!(
        !out.contains("tok_live_123") && !out.contains("alice@"),
        "{out}"
    );
    assert!(out.contains("api_token: [REDACTED]"), "{out}");
}

#[test]
fn next_to_serde_attributes() {
    let v = WithSerdeAttrs {
        user: "u1".into(),
        token: "t-secret".into(),
    };
    assert_eq!(
        format!("{v:?}"),
        "WithSerdeAttrs { user: \"u1\", token: [REDACTED] }"
    );
}

#[test]
fn lengths_are_characters() {
    let v = Unicode {
        word: "ñandúes".into(),
        kana: "ひらがなです".into(),
    };
    assert_eq!(format!("{v:?}"), "Unicode { word: ñan***, kana: ***です }");
}

#[derive(Redact)]
struct Borrowed<'a, T: Clone, const N: usize>
where
    T: std::fmt::Display,
{
    id: [u8; N],
    #[redact(partial)]
    name: &'a str,
    #[redact(last = 2)]
    code: T,
}

#[derive(Redact)]
#[redact(all)]
struct Pair(String, #[redact(skip)] u8);

#[derive(Redact)]
struct Outer {
    inner: Pair,
    #[redact(with = mask)]
    custom: Option<u32>,
}

fn mask(v: &Option<u32>) -> String {
    if v.is_some() { "set" } else { "unset" }.to_owned()
}

#[test]
fn lifetimes_const_generics_where_clauses_tuples_and_nesting() {
    let b = Borrowed::<u32, 2> {
        id: [1, 2],
        name: "Alexander",
        code: 123_456,
    };
    assert_eq!(
        format!("{b:?}"),
        "Borrowed { id: [1, 2], name: Ale***, code: ***56 }"
    );
    let o = Outer {
        inner: Pair("secret".into(), 7),
        custom: Some(3),
    };
    assert_eq!(
        format!("{o:?}"),
        "Outer { inner: Pair([REDACTED], 7), custom: set }"
    );
}
