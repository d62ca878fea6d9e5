//! Zero-copy typed views (`fix50::MessageRef`) agree with the owned decode, field by field,
//! on every FIX.5.0SP2 message type, and encoding a view's `to_owned()` gives the bytes back.

#[test]
fn views_agree_with_the_owned_decode_on_every_message_type() {
    let corpus = fix_core::sample::corpus(&fix50::DICTIONARY);
    let checked = fix_core::sample::check_views::<fix50::Message>(&corpus);
    assert_eq!(checked, Ok(corpus.len()));
    assert!(corpus.len() > 100, "every FIX50SP2 message type");
}
