//! Helpers shared by the fix44 integration tests.
#![allow(dead_code)] // each test crate uses what it needs

/// `8=FIX.4.4|9=<len>|<body>10=<sum>|` with a correct BodyLength and CheckSum, from a body
/// written with `|` for SOH.
pub fn frame(body: &str) -> Vec<u8> {
    frame_bytes(body.replace('|', "\u{1}").as_bytes())
}

/// [`frame`] of a body whose separators are SOH already.
pub fn frame_bytes(body: &[u8]) -> Vec<u8> {
    let mut msg = format!("8=FIX.4.4\u{1}9={}\u{1}", body.len()).into_bytes();
    msg.extend_from_slice(body);
    let sum: u32 = msg.iter().map(|&b| u32::from(b)).sum();
    msg.extend_from_slice(format!("10={:03}\u{1}", sum % 256).as_bytes());
    msg
}
