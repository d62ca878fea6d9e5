//! The QuickFIX data dictionaries built into the crate (QuickFIX 1.16.0's `spec/` files,
//! unchanged; see `dictionaries/README.md` and `dictionaries/LICENSE` in the package).
//!
//! They are text constants: a program that never names one does not carry it.
//!
//! ```
//! let dict = fix_dict::layout::dictionary(&fix_dict::model_from_str(fix_dict::builtin::FIX44)?);
//! assert_eq!(dict.begin_string, "FIX.4.4");
//! assert!(fix_dict::builtin::by_file_name("FIX50SP2.xml").is_some());
//! # Ok::<(), fix_dict::Error>(())
//! ```

macro_rules! builtin {
    ($($(#[$doc:meta])* $name:ident = $file:literal;)*) => {
        $(
            $(#[$doc])*
            pub const $name: &str =
                include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/dictionaries/", $file));
        )*

        /// Every built-in dictionary as (file name, XML text), oldest version first.
        pub const ALL: &[(&str, &str)] = &[$(($file, $name)),*];
    };
}

builtin! {
    /// FIX.4.0 (`FIX40.xml`).
    FIX40 = "FIX40.xml";
    /// FIX.4.1 (`FIX41.xml`).
    FIX41 = "FIX41.xml";
    /// FIX.4.2 (`FIX42.xml`).
    FIX42 = "FIX42.xml";
    /// FIX.4.3 (`FIX43.xml`).
    FIX43 = "FIX43.xml";
    /// FIX.4.4 (`FIX44.xml`).
    FIX44 = "FIX44.xml";
    /// FIX.5.0 application messages (`FIX50.xml`), carried by FIXT.1.1.
    FIX50 = "FIX50.xml";
    /// FIX.5.0SP1 application messages (`FIX50SP1.xml`), carried by FIXT.1.1.
    FIX50SP1 = "FIX50SP1.xml";
    /// FIX.5.0SP2 application messages (`FIX50SP2.xml`), carried by FIXT.1.1.
    FIX50SP2 = "FIX50SP2.xml";
    /// The FIXT.1.1 transport: header, trailer and session messages (`FIXT11.xml`).
    FIXT11 = "FIXT11.xml";
}

/// The built-in dictionary with this file name (`FIX44.xml`), as QuickFIX names them.
pub fn by_file_name(name: &str) -> Option<&'static str> {
    ALL.iter()
        .find(|(file, _)| *file == name)
        .map(|(_, xml)| *xml)
}
