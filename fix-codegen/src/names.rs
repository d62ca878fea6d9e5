//! Rust names for dictionary names: heck for case, keywords escaped, collisions resolved in a
//! deterministic way (dictionary order decides who keeps the plain name).

use std::collections::HashSet;

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keeps only characters valid in an identifier and makes sure it does not start with a digit.
fn sanitize(s: &str, digit_prefix: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, digit_prefix);
    }
    out
}

/// Dictionary names write `IDs` for "identifiers"; heck would read `I` `Ds`.
fn words(name: &str) -> String {
    name.replace("IDs", "Ids")
}

/// A type name (struct or enum) for a dictionary name, which is already CamelCase.
pub fn type_name(name: &str) -> String {
    let s = sanitize(name, "T");
    if KEYWORDS.contains(&s.as_str()) || s == "Message" || s == "Header" || s == "Trailer" {
        format!("{s}_")
    } else {
        s
    }
}

/// A struct field or function name: `ClOrdID` -> `cl_ord_id`.
pub fn member_name(name: &str) -> String {
    let s = sanitize(&words(name).to_snake_case(), "f_");
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// A constant name: `ClOrdID` -> `CL_ORD_ID`.
pub fn const_name(name: &str) -> String {
    sanitize(&words(name).to_shouty_snake_case(), "T_")
}

/// An enum variant name for a value's description: `SELL_SHORT` -> `SellShort`.
pub fn variant_name(description: &str, value: &str) -> String {
    let base = if description.trim().is_empty() {
        value
    } else {
        description
    };
    let camel = base.to_lowercase().to_upper_camel_case();
    if camel.is_empty() {
        return format!("V{}", sanitize(value, "").to_upper_camel_case());
    }
    sanitize(&camel, "V")
}

/// Hands out unique names in the order asked: the first asker keeps the name, later ones get
/// a suffix (`_2`, `_3`, ... or the given disambiguator).
#[derive(Default)]
pub struct Unique {
    taken: HashSet<String>,
}

impl Unique {
    /// A set with `reserved` names already taken.
    pub fn with_reserved(reserved: &[&str]) -> Unique {
        Unique {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// `name` if free, else `name` + `_` + `alt` if given and free, else a numbered variant.
    pub fn claim(&mut self, name: String, alt: Option<&str>) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        if let Some(alt) = alt {
            let candidate = format!("{name}{}", sanitize(alt, "V").to_upper_camel_case());
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
        let mut n = 2;
        loop {
            let candidate = format!("{name}{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(member_name("ClOrdID"), "cl_ord_id");
        assert_eq!(member_name("NoPartyIDs"), "no_party_ids");
        assert_eq!(member_name("PartyIDSource"), "party_id_source");
        assert_eq!(member_name("Type"), "type_");
        assert_eq!(const_name("ClOrdID"), "CL_ORD_ID");
        assert_eq!(variant_name("SELL_SHORT", "5"), "SellShort");
        assert_eq!(variant_name("3_MONTH", "3M"), "V3Month");
        assert_eq!(variant_name("", "A"), "A");
        assert_eq!(variant_name("+/-", "x"), "VX");
        assert_eq!(type_name("Message"), "Message_");
        let mut u = Unique::with_reserved(&["Unlisted"]);
        assert_eq!(u.claim("Euribor".into(), Some("EUR")), "Euribor");
        assert_eq!(u.claim("Euribor".into(), Some("EUR2")), "EuriborEur2");
        assert_eq!(u.claim("Unlisted".into(), None), "Unlisted2");
    }
}
