//! The generated docs carry what the dictionary says about each field: its FIX name, tag and
//! type on the tag constant, the enum and the struct member, and each enumerated value's
//! description on its variant (`<value enum='1' description='BUY'/>`).

use std::path::Path;

use syn::{Attribute, Expr, File, Item, ItemMod, Lit, Meta};

/// The code generated from `tests/fixtures/snapshot.xml`, parsed.
fn generated() -> File {
    let xml = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshot.xml");
    let code = fix_codegen::Config::new()
        .dictionary(xml)
        .generate()
        .expect("the snapshot dictionary generates");
    syn::parse_file(&code).expect("the generated code parses")
}

/// The text of the `///` lines among `attrs`, joined by newlines.
fn doc(attrs: &[Attribute]) -> String {
    attrs
        .iter()
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                Expr::Lit(e) => match &e.lit {
                    Lit::Str(s) => Some(s.value()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The items of the top-level module `name`.
fn module<'f>(file: &'f File, name: &str) -> &'f [Item] {
    file.items
        .iter()
        .find_map(|i| match i {
            Item::Mod(ItemMod {
                ident,
                content: Some((_, items)),
                ..
            }) if ident == name => Some(items.as_slice()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no module {name}"))
}

#[test]
fn enum_variants_carry_the_value_and_its_description() {
    let file = generated();
    let side = module(&file, "fields")
        .iter()
        .find_map(|i| match i {
            Item::Enum(e) if e.ident == "Side" => Some(e),
            _ => None,
        })
        .expect("enum fields::Side");
    assert!(
        doc(&side.attrs).contains("`Side` (54), type CHAR"),
        "{}",
        doc(&side.attrs)
    );
    let variant_doc = |name: &str| {
        side.variants
            .iter()
            .find(|v| v.ident == name)
            .map(|v| doc(&v.attrs))
            .unwrap_or_else(|| panic!("no variant Side::{name}"))
    };
    // snapshot.xml: <value enum='1' description='BUY'/>, <value enum='2' description='SELL'/>.
    assert_eq!(variant_doc("Buy").trim(), "`1`: BUY");
    assert_eq!(variant_doc("Sell").trim(), "`2`: SELL");
}

#[test]
fn tag_constants_and_members_carry_name_tag_and_type() {
    let file = generated();
    let constant = module(&file, "tags")
        .iter()
        .find_map(|i| match i {
            Item::Const(c) if c.ident == "SIDE" => Some(doc(&c.attrs)),
            _ => None,
        })
        .expect("const tags::SIDE");
    assert_eq!(constant.trim(), "`Side` (54), type CHAR.");
    let member = file
        .items
        .iter()
        .find_map(|i| match i {
            Item::Struct(s) if s.ident == "NewOrderSingle" => s
                .fields
                .iter()
                .find(|f| f.ident.as_ref().is_some_and(|n| n == "side"))
                .map(|f| doc(&f.attrs)),
            _ => None,
        })
        .expect("NewOrderSingle::side");
    assert_eq!(member.trim(), "`Side` (54), CHAR, required.");
}
