//! Compile-time behaviour: every shape in `tests/ui/pass` compiles (and runs), every misuse in
//! the other `tests/ui/*` folders is an error with the message in its `.stderr` file.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/args/*.rs");
    t.compile_fail("tests/ui/metrics/*.rs");
    t.compile_fail("tests/ui/item/*.rs");
    t.compile_fail("tests/ui/redact/*.rs");
    t.compile_fail("tests/ui/labels/*.rs");
    t.compile_fail("tests/ui/objective/*.rs");
}
