//! Choosing the dictionary for a message: built-in ones embedded in the binary and loaded on
//! first use, or one custom dictionary given on the command line.

use std::collections::HashMap;
use std::rc::Rc;

use fix_core::{Dictionary, FieldType};

/// An application version of FIX with a built-in dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// FIX.4.0
    Fix40,
    /// FIX.4.1
    Fix41,
    /// FIX.4.2
    Fix42,
    /// FIX.4.3
    Fix43,
    /// FIX.4.4
    Fix44,
    /// FIX.5.0 (on FIXT.1.1)
    Fix50,
    /// FIX.5.0SP1 (on FIXT.1.1)
    Fix50Sp1,
    /// FIX.5.0SP2 (on FIXT.1.1)
    Fix50Sp2,
}

const FIXT11_XML: &str = fix_dict::builtin::FIXT11;

impl Version {
    /// Every version, oldest first.
    pub const ALL: [Version; 8] = [
        Version::Fix40,
        Version::Fix41,
        Version::Fix42,
        Version::Fix43,
        Version::Fix44,
        Version::Fix50,
        Version::Fix50Sp1,
        Version::Fix50Sp2,
    ];

    /// The version's usual name (`FIX.4.4`, `FIX.5.0SP2`).
    pub fn name(self) -> &'static str {
        match self {
            Version::Fix40 => "FIX.4.0",
            Version::Fix41 => "FIX.4.1",
            Version::Fix42 => "FIX.4.2",
            Version::Fix43 => "FIX.4.3",
            Version::Fix44 => "FIX.4.4",
            Version::Fix50 => "FIX.5.0",
            Version::Fix50Sp1 => "FIX.5.0SP1",
            Version::Fix50Sp2 => "FIX.5.0SP2",
        }
    }

    /// The ApplVerID (1128) code of the version.
    pub fn appl_ver_id(self) -> &'static str {
        match self {
            Version::Fix40 => "2",
            Version::Fix41 => "3",
            Version::Fix42 => "4",
            Version::Fix43 => "5",
            Version::Fix44 => "6",
            Version::Fix50 => "7",
            Version::Fix50Sp1 => "8",
            Version::Fix50Sp2 => "9",
        }
    }

    /// Whether the version's own dictionary has no header and trailer (FIX 5.0 and later
    /// travel on FIXT.1.1, whose dictionary supplies them).
    pub fn needs_transport(self) -> bool {
        matches!(self, Version::Fix50 | Version::Fix50Sp1 | Version::Fix50Sp2)
    }

    /// The built-in dictionary's XML text.
    pub fn xml(self) -> &'static str {
        match self {
            Version::Fix40 => fix_dict::builtin::FIX40,
            Version::Fix41 => fix_dict::builtin::FIX41,
            Version::Fix42 => fix_dict::builtin::FIX42,
            Version::Fix43 => fix_dict::builtin::FIX43,
            Version::Fix44 => fix_dict::builtin::FIX44,
            Version::Fix50 => fix_dict::builtin::FIX50,
            Version::Fix50Sp1 => fix_dict::builtin::FIX50SP1,
            Version::Fix50Sp2 => fix_dict::builtin::FIX50SP2,
        }
    }

    /// The version a FIX 4 BeginString (or a pre-FIXT FIX 5 one) stands for.
    pub fn from_begin_string(begin_string: &str) -> Option<Version> {
        match begin_string {
            "FIX.4.0" => Some(Version::Fix40),
            "FIX.4.1" => Some(Version::Fix41),
            "FIX.4.2" => Some(Version::Fix42),
            "FIX.4.3" => Some(Version::Fix43),
            "FIX.4.4" => Some(Version::Fix44),
            "FIX.5.0" => Some(Version::Fix50),
            "FIX.5.0SP1" => Some(Version::Fix50Sp1),
            "FIX.5.0SP2" => Some(Version::Fix50Sp2),
            _ => None,
        }
    }

    /// Reads an ApplVerID: the code (`9`) as in tag 1128, or a name (`FIX50SP2`,
    /// `FIX.5.0SP2`, case-insensitive).
    pub fn from_appl_ver_id(id: &str) -> Result<Version, String> {
        let id = id.trim();
        if let Some(v) = Version::ALL.iter().find(|v| v.appl_ver_id() == id) {
            return Ok(*v);
        }
        let squashed: String = id
            .chars()
            .filter(|c| *c != '.')
            .collect::<String>()
            .to_ascii_uppercase();
        if let Some(v) = Version::ALL
            .iter()
            .find(|v| v.name().replace('.', "") == squashed)
        {
            return Ok(*v);
        }
        Err(match id {
            "0" => "ApplVerID 0 (FIX27) has no built-in dictionary".to_string(),
            "1" => "ApplVerID 1 (FIX30) has no built-in dictionary".to_string(),
            _ => format!("unknown ApplVerID {id:?} (expected 2 to 9, or a name such as FIX50SP2)"),
        })
    }
}

/// In FIX.4.0 and 4.1 dictionaries `CHAR` means a string (BeginString is a `CHAR` there);
/// QuickFIX checks the one-character format only from FIX.4.2 on, and so does the tool.
fn chars_as_strings(dict: &mut Dictionary) {
    for f in dict.fields.to_mut() {
        if f.field_type == FieldType::Char {
            f.field_type = FieldType::String;
        }
    }
}

/// The built-in dictionary of `version` as a model, combined with FIXT.1.1 when `transport`
/// is true.
pub fn builtin_model(version: Version, transport: bool) -> Result<fix_dict::Model, String> {
    let model = fix_dict::model_from_str(version.xml())
        .map_err(|e| format!("built-in {} dictionary: {e}", version.name()))?;
    if !transport {
        return Ok(model);
    }
    let fixt = fix_dict::model_from_str(FIXT11_XML)
        .map_err(|e| format!("built-in FIXT11 dictionary: {e}"))?;
    model
        .with_transport(&fixt)
        .map_err(|e| format!("{} with FIXT.1.1: {e}", version.name()))
}

/// A dictionary chosen for a message.
#[derive(Debug, Clone)]
pub struct Chosen {
    /// The tables.
    pub dict: Rc<Dictionary>,
    /// What to call it in the output (`FIX.4.4`, `FIX.5.0SP2+FIXT.1.1`, `custom venue.xml`).
    pub label: String,
    /// A problem found while choosing (an ApplVerID without a dictionary, say).
    pub problem: Option<String>,
}

/// The dictionaries the tool may use, each loaded on first use.
#[derive(Debug)]
pub struct Dictionaries {
    custom: Option<(Rc<Dictionary>, String)>,
    default_appl: Version,
    cache: HashMap<(Version, bool), Result<Rc<Dictionary>, String>>,
}

impl Dictionaries {
    /// The built-in dictionaries; FIXT.1.1 messages without ApplVerID use `default_appl`.
    pub fn builtin(default_appl: Version) -> Dictionaries {
        Dictionaries {
            custom: None,
            default_appl,
            cache: HashMap::new(),
        }
    }

    /// One custom dictionary, used for every message; `label` names it in the output.
    pub fn custom(dict: Dictionary, label: String) -> Dictionaries {
        Dictionaries {
            custom: Some((Rc::new(dict), label)),
            default_appl: Version::Fix50Sp2,
            cache: HashMap::new(),
        }
    }

    /// The built-in dictionary of `version`, combined with FIXT.1.1 when `transport` is true.
    pub fn load(&mut self, version: Version, transport: bool) -> Result<Rc<Dictionary>, String> {
        if let Some(found) = self.cache.get(&(version, transport)) {
            return found.clone();
        }
        let loaded = builtin_model(version, transport).map(|model| {
            let mut dict = fix_dict::layout::dictionary(&model);
            if matches!(version, Version::Fix40 | Version::Fix41) {
                chars_as_strings(&mut dict);
            }
            Rc::new(dict)
        });
        self.cache.insert((version, transport), loaded.clone());
        loaded
    }

    /// The dictionary for a message with `begin_string`, `appl_ver_id` (1128) and
    /// `default_appl_ver_id` (1137, on a Logon).
    pub fn for_message(
        &mut self,
        begin_string: &str,
        appl_ver_id: Option<&str>,
        default_appl_ver_id: Option<&str>,
    ) -> Result<Chosen, String> {
        if let Some((dict, label)) = &self.custom {
            return Ok(Chosen {
                dict: dict.clone(),
                label: label.clone(),
                problem: None,
            });
        }
        if begin_string == "FIXT.1.1" {
            let mut problem = None;
            let version = match appl_ver_id.or(default_appl_ver_id) {
                None => self.default_appl,
                Some(id) => Version::from_appl_ver_id(id).unwrap_or_else(|e| {
                    problem = Some(format!("{e}; decoded as {}", self.default_appl.name()));
                    self.default_appl
                }),
            };
            let dict = self.load(version, true)?;
            return Ok(Chosen {
                dict,
                label: format!("{}+FIXT.1.1", version.name()),
                problem,
            });
        }
        match Version::from_begin_string(begin_string) {
            Some(v) => {
                let dict = self.load(v, v.needs_transport())?;
                Ok(Chosen {
                    dict,
                    label: v.name().to_string(),
                    problem: None,
                })
            }
            None => Err(format!(
                "no built-in dictionary for BeginString {begin_string:?} (use --dictionary)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appl_ver_ids() {
        assert_eq!(Version::from_appl_ver_id("9"), Ok(Version::Fix50Sp2));
        assert_eq!(Version::from_appl_ver_id("6"), Ok(Version::Fix44));
        assert_eq!(Version::from_appl_ver_id("fix50sp1"), Ok(Version::Fix50Sp1));
        assert_eq!(Version::from_appl_ver_id("FIX.4.2"), Ok(Version::Fix42));
        assert!(Version::from_appl_ver_id("0").is_err());
        assert!(Version::from_appl_ver_id("42").is_err());
    }

    #[test]
    fn every_builtin_dictionary_loads() {
        let mut d = Dictionaries::builtin(Version::Fix50Sp2);
        for v in Version::ALL {
            let dict = d.load(v, v.needs_transport()).unwrap();
            assert!(dict.message(b"0").is_some(), "{}", v.name());
        }
        // FIX43.xml loads despite its duplicate OwnershipType (QuickFIX keeps the first).
        let fix43 = d.load(Version::Fix43, false).unwrap();
        assert_eq!(
            fix43.message(b"o").unwrap().name,
            "RegistrationInstructions"
        );
        // A FIX 4 application version on FIXT.1.1.
        let c = d.for_message("FIXT.1.1", Some("6"), None).unwrap();
        assert_eq!(c.label, "FIX.4.4+FIXT.1.1");
        assert!(c.dict.message(b"D").is_some());
    }
}
