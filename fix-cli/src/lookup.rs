//! `fix dict`: one field (by name or tag), component or message (by name or MsgType) of a
//! dictionary, or its header or trailer: a field's tag, type and enum values; the members of
//! the others as a tree, components and groups with their members indented under them.

use std::fmt::Write as _;

use anyhow::{anyhow, Context as _};
use fix_dict::model::{Field, Item, Model};

use crate::dicts::{builtin_model, Version};
use crate::{DictArgs, EXIT_INVALID, EXIT_OK, EXIT_USAGE};

fn model(args: &DictArgs) -> anyhow::Result<Model> {
    if let Some(path) = &args.dictionary {
        return fix_dict::load_model(path, args.transport.as_deref())
            .with_context(|| format!("cannot load dictionary {}", path.display()));
    }
    let version = Version::from_begin_string(&args.version)
        .ok_or(())
        .or_else(|()| Version::from_appl_ver_id(&args.version))
        .map_err(|e| anyhow!("--fix {}: {e}", args.version))?;
    builtin_model(version, version.needs_transport()).map_err(|e| anyhow!(e))
}

fn field_line(out: &mut String, f: &Field) {
    let _ = writeln!(
        out,
        "field {} {} ({})",
        f.tag,
        f.name,
        f.field_type.dictionary_name()
    );
    for v in &f.values {
        let _ = writeln!(out, "  {} = {}", v.value, v.description);
    }
}

fn tree(out: &mut String, model: &Model, items: &[Item], depth: usize) {
    let pad = "  ".repeat(depth);
    let req = |r: bool| if r { " required" } else { "" };
    for item in items {
        match item {
            Item::Field { tag, required } => {
                let (name, ty) = model.field(*tag).map_or(("?", "?"), |f| {
                    (f.name.as_str(), f.field_type.dictionary_name())
                });
                let _ = writeln!(out, "{pad}{tag} {name} {ty}{}", req(*required));
            }
            Item::Component { index, required } => {
                let Some(c) = model.components.get(*index) else {
                    continue;
                };
                let _ = writeln!(out, "{pad}component {}{}", c.name, req(*required));
                if depth < 32 {
                    tree(out, model, &c.items, depth + 1);
                }
            }
            Item::Group(g) => {
                let name = model.field(g.tag).map_or("?", |f| f.name.as_str());
                let _ = writeln!(
                    out,
                    "{pad}group {} {name}{} (entries start with {})",
                    g.tag,
                    req(g.required),
                    g.delimiter
                );
                if depth < 32 {
                    tree(out, model, &g.items, depth + 1);
                }
            }
        }
    }
}

/// What `fix dict QUERY` prints for `model`: the field with that tag or name, the message
/// with that MsgType or name, the component with that name, or the header or trailer.
/// Names are matched exactly first, then ignoring case.
pub fn lookup(model: &Model, query: &str) -> Result<String, String> {
    let q = query.trim();
    let mut out = String::new();
    if let Ok(tag) = q.parse::<u32>() {
        if let Some(f) = model.field(tag) {
            field_line(&mut out, f);
            return Ok(out);
        }
    }
    for exact in [true, false] {
        let same = |name: &str| {
            if exact {
                name == q
            } else {
                name.eq_ignore_ascii_case(q)
            }
        };
        if let Some(m) = model
            .messages
            .iter()
            .find(|m| (exact && m.msg_type == q) || same(&m.name))
        {
            let cat = if m.admin { "admin" } else { "app" };
            let _ = writeln!(out, "message {} (35={}, {cat})", m.name, m.msg_type);
            tree(&mut out, model, &m.items, 1);
            return Ok(out);
        }
        if let Some(f) = model.fields.iter().find(|f| same(&f.name)) {
            field_line(&mut out, f);
            return Ok(out);
        }
        if let Some(c) = model.components.iter().find(|c| same(&c.name)) {
            let _ = writeln!(out, "component {}", c.name);
            tree(&mut out, model, &c.items, 1);
            return Ok(out);
        }
        for (name, items) in [("Header", &model.header), ("Trailer", &model.trailer)] {
            if same(name) {
                let _ = writeln!(out, "{}", name.to_ascii_lowercase());
                tree(&mut out, model, items, 1);
                return Ok(out);
            }
        }
    }
    Err(format!(
        "no field, component or message {q:?} in the {} dictionary",
        model.begin_string()
    ))
}

/// Runs `fix dict`: 0 when found, 1 when not, 2 for a usage error.
pub fn run(args: &DictArgs) -> i32 {
    let model = match model(args) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("fix: {e:#}");
            return EXIT_USAGE;
        }
    };
    match lookup(&model, &args.query) {
        Ok(text) => {
            print!("{text}");
            EXIT_OK
        }
        Err(e) => {
            eprintln!("fix: {e}");
            EXIT_INVALID
        }
    }
}
