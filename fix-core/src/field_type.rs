//! The value types a FIX data dictionary can give a field.

use serde::{Deserialize, Serialize};

/// The type of a field as a QuickFIX data dictionary names it (`type='PRICE'`).
///
/// Several names share one wire format (all decimal kinds are [`FieldType::Float`]-like);
/// they are kept apart so generated code and documentation can say what the dictionary says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FieldType {
    /// `INT`: a signed integer.
    Int,
    /// `LENGTH`: a byte count, as used for the length field before a DATA field.
    Length,
    /// `SEQNUM`: a message sequence number (positive).
    SeqNum,
    /// `NUMINGROUP`: the number of entries in a repeating group.
    NumInGroup,
    /// `TAGNUM`: a field tag number.
    TagNum,
    /// `DAYOFMONTH`: 1 to 31.
    DayOfMonth,
    /// `FLOAT`: a decimal number.
    Float,
    /// `PRICE`: a decimal price.
    Price,
    /// `QTY`: a decimal quantity.
    Qty,
    /// `AMT`: a decimal amount of money.
    Amt,
    /// `PRICEOFFSET`: a decimal price offset.
    PriceOffset,
    /// `PERCENTAGE`: a decimal percentage.
    Percentage,
    /// `CHAR`: one character.
    Char,
    /// `BOOLEAN`: `Y` or `N`.
    Boolean,
    /// `STRING`: free text without SOH.
    String,
    /// `MULTIPLEVALUESTRING` (FIX.4.2 to 4.4): space-separated values.
    MultipleValueString,
    /// `MULTIPLECHARVALUE`: space-separated single characters.
    MultipleCharValue,
    /// `MULTIPLESTRINGVALUE`: space-separated strings.
    MultipleStringValue,
    /// `COUNTRY`: ISO 3166 country code.
    Country,
    /// `CURRENCY`: ISO 4217 currency code.
    Currency,
    /// `EXCHANGE`: ISO 10383 market identifier code.
    Exchange,
    /// `LANGUAGE`: ISO 639-1 language code.
    Language,
    /// `XID`: an identifier unique within the message.
    Xid,
    /// `XIDREF`: a reference to an `XID`.
    XidRef,
    /// `DATA`: raw bytes that may contain SOH, preceded by a LENGTH field.
    Data,
    /// `XMLDATA`: an XML document, preceded by a LENGTH field.
    XmlData,
    /// `UTCTIMESTAMP` (and FIX.4.0's `TIME`): `YYYYMMDD-HH:MM:SS[.sss[sss[sss]]]`.
    UtcTimestamp,
    /// `UTCTIMEONLY`: `HH:MM:SS[.sss[sss[sss]]]`.
    UtcTimeOnly,
    /// `UTCDATEONLY` (and `UTCDATE`): `YYYYMMDD`.
    UtcDateOnly,
    /// `LOCALMKTDATE` (and FIX.4.0's `DATE`): `YYYYMMDD` in the market's local time.
    LocalMktDate,
    /// `LOCALMKTTIME`: `HH:MM:SS[.sss]` in the market's local time.
    LocalMktTime,
    /// `MONTHYEAR`: `YYYYMM`, `YYYYMMDD` or `YYYYMMwN`.
    MonthYear,
    /// `TZTIMEONLY`: `HH:MM[:SS][.sss][Z | [+|-hh[:mm]]]`.
    TzTimeOnly,
    /// `TZTIMESTAMP`: `YYYYMMDD-HH:MM:SS[.sss][Z | [+|-hh[:mm]]]`.
    TzTimestamp,
}

impl FieldType {
    /// Every type, in declaration order.
    pub const ALL: &'static [FieldType] = &[
        FieldType::Int,
        FieldType::Length,
        FieldType::SeqNum,
        FieldType::NumInGroup,
        FieldType::TagNum,
        FieldType::DayOfMonth,
        FieldType::Float,
        FieldType::Price,
        FieldType::Qty,
        FieldType::Amt,
        FieldType::PriceOffset,
        FieldType::Percentage,
        FieldType::Char,
        FieldType::Boolean,
        FieldType::String,
        FieldType::MultipleValueString,
        FieldType::MultipleCharValue,
        FieldType::MultipleStringValue,
        FieldType::Country,
        FieldType::Currency,
        FieldType::Exchange,
        FieldType::Language,
        FieldType::Xid,
        FieldType::XidRef,
        FieldType::Data,
        FieldType::XmlData,
        FieldType::UtcTimestamp,
        FieldType::UtcTimeOnly,
        FieldType::UtcDateOnly,
        FieldType::LocalMktDate,
        FieldType::LocalMktTime,
        FieldType::MonthYear,
        FieldType::TzTimeOnly,
        FieldType::TzTimestamp,
    ];

    /// Reads a dictionary type name (`"PRICE"`, `"UTCTIMESTAMP"`, FIX.4.0's `"TIME"` ...).
    ///
    /// Names are matched without regard to case. Returns `None` for a name QuickFIX does not know.
    pub fn from_dictionary_name(name: &str) -> Option<FieldType> {
        let upper = name.trim().to_ascii_uppercase();
        Some(match upper.as_str() {
            "INT" => FieldType::Int,
            "LENGTH" => FieldType::Length,
            "SEQNUM" => FieldType::SeqNum,
            "NUMINGROUP" => FieldType::NumInGroup,
            "TAGNUM" => FieldType::TagNum,
            "DAYOFMONTH" => FieldType::DayOfMonth,
            "FLOAT" => FieldType::Float,
            "PRICE" => FieldType::Price,
            "QTY" | "QUANTITY" => FieldType::Qty,
            "AMT" => FieldType::Amt,
            "PRICEOFFSET" => FieldType::PriceOffset,
            "PERCENTAGE" => FieldType::Percentage,
            "CHAR" => FieldType::Char,
            "BOOLEAN" => FieldType::Boolean,
            "STRING" => FieldType::String,
            "MULTIPLEVALUESTRING" => FieldType::MultipleValueString,
            "MULTIPLECHARVALUE" => FieldType::MultipleCharValue,
            "MULTIPLESTRINGVALUE" => FieldType::MultipleStringValue,
            "COUNTRY" => FieldType::Country,
            "CURRENCY" => FieldType::Currency,
            "EXCHANGE" => FieldType::Exchange,
            "LANGUAGE" => FieldType::Language,
            "XID" => FieldType::Xid,
            "XIDREF" => FieldType::XidRef,
            "DATA" => FieldType::Data,
            "XMLDATA" => FieldType::XmlData,
            "UTCTIMESTAMP" | "TIME" => FieldType::UtcTimestamp,
            "UTCTIMEONLY" => FieldType::UtcTimeOnly,
            "UTCDATEONLY" | "UTCDATE" => FieldType::UtcDateOnly,
            "LOCALMKTDATE" | "DATE" => FieldType::LocalMktDate,
            "LOCALMKTTIME" => FieldType::LocalMktTime,
            "MONTHYEAR" => FieldType::MonthYear,
            "TZTIMEONLY" => FieldType::TzTimeOnly,
            "TZTIMESTAMP" => FieldType::TzTimestamp,
            _ => return None,
        })
    }

    /// The canonical dictionary name of this type.
    pub fn dictionary_name(self) -> &'static str {
        match self {
            FieldType::Int => "INT",
            FieldType::Length => "LENGTH",
            FieldType::SeqNum => "SEQNUM",
            FieldType::NumInGroup => "NUMINGROUP",
            FieldType::TagNum => "TAGNUM",
            FieldType::DayOfMonth => "DAYOFMONTH",
            FieldType::Float => "FLOAT",
            FieldType::Price => "PRICE",
            FieldType::Qty => "QTY",
            FieldType::Amt => "AMT",
            FieldType::PriceOffset => "PRICEOFFSET",
            FieldType::Percentage => "PERCENTAGE",
            FieldType::Char => "CHAR",
            FieldType::Boolean => "BOOLEAN",
            FieldType::String => "STRING",
            FieldType::MultipleValueString => "MULTIPLEVALUESTRING",
            FieldType::MultipleCharValue => "MULTIPLECHARVALUE",
            FieldType::MultipleStringValue => "MULTIPLESTRINGVALUE",
            FieldType::Country => "COUNTRY",
            FieldType::Currency => "CURRENCY",
            FieldType::Exchange => "EXCHANGE",
            FieldType::Language => "LANGUAGE",
            FieldType::Xid => "XID",
            FieldType::XidRef => "XIDREF",
            FieldType::Data => "DATA",
            FieldType::XmlData => "XMLDATA",
            FieldType::UtcTimestamp => "UTCTIMESTAMP",
            FieldType::UtcTimeOnly => "UTCTIMEONLY",
            FieldType::UtcDateOnly => "UTCDATEONLY",
            FieldType::LocalMktDate => "LOCALMKTDATE",
            FieldType::LocalMktTime => "LOCALMKTTIME",
            FieldType::MonthYear => "MONTHYEAR",
            FieldType::TzTimeOnly => "TZTIMEONLY",
            FieldType::TzTimestamp => "TZTIMESTAMP",
        }
    }

    /// True for the types whose value is raw bytes announced by a preceding LENGTH field.
    pub fn is_data(self) -> bool {
        matches!(self, FieldType::Data | FieldType::XmlData)
    }

    /// True for the free-text types (STRING and its kinds: COUNTRY, CURRENCY, EXCHANGE,
    /// LANGUAGE, XID, XIDREF), whose only format rule is "no SOH" and whose Rust type is
    /// `String`.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            FieldType::String
                | FieldType::Country
                | FieldType::Currency
                | FieldType::Exchange
                | FieldType::Language
                | FieldType::Xid
                | FieldType::XidRef
        )
    }

    /// True for the space-separated multi-value types.
    pub fn is_multiple(self) -> bool {
        matches!(
            self,
            FieldType::MultipleValueString
                | FieldType::MultipleCharValue
                | FieldType::MultipleStringValue
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for ty in FieldType::ALL {
            assert_eq!(
                FieldType::from_dictionary_name(ty.dictionary_name()),
                Some(*ty)
            );
        }
        assert_eq!(
            FieldType::from_dictionary_name("time"),
            Some(FieldType::UtcTimestamp)
        );
        assert_eq!(FieldType::from_dictionary_name("BOGUS"), None);
    }
}
