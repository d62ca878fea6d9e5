//! What generated typed views are built on: a value read by slot as its Rust type
//! ([`ViewValue`], [`Level::read`], [`Level::read_req`]), the required fields a view lacks
//! ([`MessageView::missing_required`]) and the trait of a version's view enum ([`AnyMessageRef`]).
//!
//! # Required fields on a view that did not check them
//!
//! A view decoded with the default options holds every required field, well formed: its
//! typed accessors for required fields return the value itself. A view decoded with
//! [`ValidationOptions::relaxed`](super::ValidationOptions::relaxed) (market-data and
//! drop-copy feeds that omit SenderCompID, TargetCompID or MsgSeqNum) may lack them or hold
//! malformed values. The typed view still reads it: such a required field reads as its type's
//! [`ViewValue::missing`] value (empty text, zero, the Unix epoch, `Unlisted("")` for an
//! enumeration) and [`MessageView::missing_required`] (and a generated message view's method of that
//! name) reports the first one absent, so
//! nothing is fatal and nothing panics. Optional fields read as `None` when absent or
//! malformed.

use rust_decimal::Decimal;

use super::{Level, MessageView};
use crate::dict::Member;
use crate::message::AnyMessage;
use crate::tag::{Tag, CHECK_SUM};
use crate::value::{
    Date, FixValue, LocalMktDate, LocalMktTime, MonthYear, MultipleValues, Precision, TzOffset,
    TzTimeOnly, TzTimestamp, UtcDateOnly, UtcTimeOnly, UtcTimestamp,
};

/// A field's Rust type as a typed view returns it, read from the wire bytes on access:
/// `&'a str` for text and `&'a [u8]` for DATA (borrowed, no copy), the value types of
/// [`crate::value`] and the generated enumerations otherwise.
pub trait ViewValue<'a>: Sized {
    /// Reads the value from its wire form; `None` when malformed (which validation with
    /// value checks rules out).
    fn read(bytes: &'a [u8]) -> Option<Self>;
    /// What a required field reads as on a view that lacks it (see the module's docs).
    fn missing() -> Self;
}

impl<'a> ViewValue<'a> for &'a str {
    #[inline]
    fn read(bytes: &'a [u8]) -> Option<Self> {
        match crate::scan::ascii_text(bytes) {
            Some(text) => Some(text),
            None => std::str::from_utf8(bytes).ok(),
        }
    }
    fn missing() -> Self {
        ""
    }
}

impl<'a> ViewValue<'a> for &'a [u8] {
    #[inline]
    fn read(bytes: &'a [u8]) -> Option<Self> {
        Some(bytes)
    }
    fn missing() -> Self {
        &[]
    }
}

/// `ViewValue` through [`FixValue::parse`], with `missing` given.
macro_rules! parsed {
    ($($ty:ty => $missing:expr),* $(,)?) => {$(
        impl<'a> ViewValue<'a> for $ty {
            #[inline]
            fn read(bytes: &'a [u8]) -> Option<Self> {
                <$ty as FixValue>::parse(bytes).ok()
            }
            fn missing() -> Self {
                $missing
            }
        }
    )*};
}

/// The value of a `const` constructor known to succeed. Evaluated at compile time: a `None`
/// fails the build, never a run.
macro_rules! known {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            #[allow(clippy::panic)]
            None => panic!("an invalid constant"),
        }
    };
}

/// 1970-01-01, the date the date and time types read as when missing.
const EPOCH: Date = known!(Date::new(1970, 1, 1));
/// Midnight, the time of day the time types read as when missing.
const MIDNIGHT: UtcTimeOnly = known!(UtcTimeOnly::new(0, 0, 0, 0, Precision::Seconds));
const MKT_MIDNIGHT: LocalMktTime = known!(LocalMktTime::new(0, 0, 0, 0, Precision::Seconds));
const EPOCH_MONTH: MonthYear = known!(MonthYear::new(1970, 1));
const TZ_MIDNIGHT: TzTimeOnly = known!(TzTimeOnly::new(
    0,
    0,
    Some(0),
    0,
    Precision::Seconds,
    TzOffset::Utc
));
const TZ_EPOCH: TzTimestamp = known!(TzTimestamp::new(
    EPOCH,
    0,
    0,
    0,
    0,
    Precision::Seconds,
    TzOffset::Utc
));

parsed! {
    i64 => 0,
    u64 => 0,
    u32 => 0,
    Decimal => Decimal::ZERO,
    char => '\0',
    bool => false,
    UtcTimestamp => UtcTimestamp::from_date_time(EPOCH, MIDNIGHT),
    UtcTimeOnly => MIDNIGHT,
    UtcDateOnly => UtcDateOnly::from_date(EPOCH),
    LocalMktDate => LocalMktDate::from_date(EPOCH),
    LocalMktTime => MKT_MIDNIGHT,
    MonthYear => EPOCH_MONTH,
    TzTimeOnly => TZ_MIDNIGHT,
    TzTimestamp => TZ_EPOCH,
}

impl<'a, T: FixValue> ViewValue<'a> for MultipleValues<T> {
    fn read(bytes: &'a [u8]) -> Option<Self> {
        <Self as FixValue>::parse(bytes).ok()
    }
    fn missing() -> Self {
        MultipleValues(Vec::new())
    }
}

impl<'v, 'a> Level<'v, 'a> {
    /// The value in `slot` as a typed view's accessor returns an optional field: `None` when
    /// absent or malformed.
    #[inline]
    pub fn read<V: ViewValue<'a>>(&self, slot: usize) -> Option<V> {
        self.raw(slot).and_then(V::read)
    }

    /// The value in `slot` as a typed view's accessor returns a required field: on a view
    /// that lacks it, [`ViewValue::missing`] (see the module's docs).
    #[inline]
    pub fn read_req<V: ViewValue<'a>>(&self, slot: usize) -> V {
        self.read(slot).unwrap_or_else(V::missing)
    }
}

impl<'a> MessageView<'a> {
    /// The tag of the first required field of the header, body or trailer (the dictionary's
    /// [`Layout::required`](crate::dict::Layout::required)) this message lacks: what a view
    /// decoded without required-field checks (relaxed options) can read as missing. `None`
    /// when all are present or the MsgType is unknown. CheckSum is never missing.
    pub fn missing_required(&self) -> Option<Tag> {
        let dict = self.dictionary();
        let body = self.message_def().map(|m| &m.body);
        let layouts = [Some(&dict.header), body, Some(&dict.trailer)];
        layouts.into_iter().enumerate().find_map(|(at, layout)| {
            let layout = layout?;
            let level = self.level(at);
            layout.required.iter().find_map(|&slot| {
                let slot = usize::from(slot);
                let tag = layout.member(slot).map_or(0, Member::tag);
                (level.raw(slot).is_none() && tag != CHECK_SUM).then_some(tag)
            })
        })
    }
}

/// The view enum of one generated version (`fix44::MessageRef`, `fix50::MessageRef`, ...):
/// a typed zero-copy view per MsgType the dictionary defines, the raw [`MessageView`] for
/// any other. What code written once for any version (a session's typed application
/// adapter) needs to hand typed views to an application.
pub trait AnyMessageRef<'a>: Sized {
    /// The version's owned message enum.
    type Message: AnyMessage;
    /// The typed view of `view` by its MsgType; the raw view for a MsgType the version does
    /// not define or a view decoded with a dictionary of another layout.
    fn from_view(view: MessageView<'a>) -> Self;
    /// The decoded message underneath.
    fn view(&self) -> &MessageView<'a>;
    /// The decoded message underneath, by value.
    fn into_view(self) -> MessageView<'a>;
    /// Whether the view is typed (its MsgType known), not the raw view.
    fn is_known(&self) -> bool;
    /// The owned header and message, read through the typed accessors.
    fn to_owned(&self) -> (<Self::Message as AnyMessage>::Header, Self::Message);
}
