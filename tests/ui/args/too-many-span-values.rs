use observe::observe;

#[observe(args(_a0, _a1, _a2, _a3, _a4, _a5, _a6, _a7, _a8, _a9, _a10, _a11, _a12, _a13, _a14, _a15, _a16, _a17, _a18, _a19), fields(f0 = 1, f1 = 1, f2 = 1, f3 = 1, f4 = 1))]
fn f(_a0: u8, _a1: u8, _a2: u8, _a3: u8, _a4: u8, _a5: u8, _a6: u8, _a7: u8, _a8: u8, _a9: u8, _a10: u8, _a11: u8, _a12: u8, _a13: u8, _a14: u8, _a15: u8, _a16: u8, _a17: u8, _a18: u8, _a19: u8) {}

fn main() {}
