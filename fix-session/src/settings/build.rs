//! From raw sections to typed settings: `[DEFAULT]` applied to each `[SESSION]`, each
//! topic's keys read by its own module, templates told apart from sessions.

use std::path::Path;

use super::dynamic::AcceptorTemplate;
use super::ini::Sections;
use super::values::{expand_env, Getter};
use super::{
    keys, protocol, schedule, socket, store, tls, validation, ConnectionType, SessionId,
    SessionSettings, Settings, SettingsError,
};

/// Every session and template of a file.
pub(crate) fn build_all(sections: Sections, base: &Path) -> Result<Settings, SettingsError> {
    let mut out = Settings {
        sessions: Vec::new(),
        templates: Vec::new(),
        http_accept_port: None,
    };
    for (i, own) in sections.sessions.into_iter().enumerate() {
        let section = format!("SESSION {}", i + 1);
        let own_getter = Getter {
            raw: &own,
            section: &section,
        };
        let template = own_getter.bool("AcceptorTemplate", false)?
            || own_getter.bool("DynamicSessions", false)?;
        let mut merged = sections.default.clone();
        merged.extend(own);
        expand_env(&mut merged)?;
        let g = Getter {
            raw: &merged,
            section: &section,
        };
        let s = build(&g, base, template)?;
        if template {
            out.templates.push(template_of(&g, s)?);
        } else if out.sessions.iter().any(|o| o.id == s.id) {
            return Err(SettingsError::Duplicate(s.id.to_string()));
        } else {
            out.sessions.push(s);
        }
    }
    // QuickFIX/Go: DynamicSessions=Y in [DEFAULT] accepts any session, with the defaults.
    let mut default = sections.default;
    expand_env(&mut default)?;
    let g = Getter {
        raw: &default,
        section: "DEFAULT",
    };
    out.http_accept_port = g.port("HttpAcceptPort")?;
    if g.bool("DynamicSessions", false)? {
        let s = build(&g, base, true)?;
        out.templates.push(template_of(&g, s)?);
    }
    Ok(out)
}

fn template_of(g: &Getter<'_>, s: SessionSettings) -> Result<AcceptorTemplate, SettingsError> {
    if s.connection_type != ConnectionType::Acceptor {
        return Err(g.bad(
            "ConnectionType",
            "a template (AcceptorTemplate, DynamicSessions) must be an acceptor",
        ));
    }
    let unique = g.bool("DynamicQualifier", false)?;
    Ok(AcceptorTemplate::new(s, unique))
}

/// One session's settings from its entries.
fn build(g: &Getter<'_>, base: &Path, template: bool) -> Result<SessionSettings, SettingsError> {
    let (id, connection_type) = identity(g, template)?;
    let mut s = SessionSettings::new(id, connection_type);
    s.base_dir = base.to_path_buf();
    s.raw = g
        .raw
        .iter()
        .map(|(k, e)| (k.clone(), e.value.clone()))
        .collect();
    s.default_appl_ver_id = g.str("DefaultApplVerID").map(str::to_string);
    if s.id.begin_string == "FIXT.1.1" && s.default_appl_ver_id.is_none() {
        return Err(g.missing("DefaultApplVerID"));
    }
    socket::build(g, &mut s)?;
    s.tls = tls::build(g, connection_type, g.section, base)?;
    protocol::build(g, &mut s)?;
    s.schedule = schedule::build(g)?;
    store::build(g, &mut s, base)?;
    validation::build(g, &mut s)?;
    warn_ignored(g);
    Ok(s)
}

/// The session id and connection type; a template may leave CompIDs and BeginString out
/// (any) or write `*`.
fn identity(g: &Getter<'_>, template: bool) -> Result<(SessionId, ConnectionType), SettingsError> {
    let required = |key: &str| match g.str(key).filter(|v| !v.is_empty()) {
        Some(v) => Ok(v.to_string()),
        None if template => Ok("*".to_string()),
        None => Err(g.missing(key)),
    };
    let begin_string = required("BeginString")?;
    let versions = [
        "FIX.4.0", "FIX.4.1", "FIX.4.2", "FIX.4.3", "FIX.4.4", "FIXT.1.1",
    ];
    let wildcard = template && begin_string == "*";
    if !(wildcard || versions.contains(&begin_string.as_str())) {
        return Err(g.bad("BeginString", "expected FIX.4.0 to FIX.4.4 or FIXT.1.1"));
    }
    let optional = |key: &str| g.str(key).filter(|v| !v.is_empty()).map(str::to_string);
    let id = SessionId {
        begin_string,
        sender_comp_id: required("SenderCompID")?,
        sender_sub_id: optional("SenderSubID"),
        sender_location_id: optional("SenderLocationID"),
        target_comp_id: required("TargetCompID")?,
        target_sub_id: optional("TargetSubID"),
        target_location_id: optional("TargetLocationID"),
        qualifier: optional("SessionQualifier"),
    };
    let connection_type = match g
        .str("ConnectionType")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("acceptor") => ConnectionType::Acceptor,
        Some("initiator") => ConnectionType::Initiator,
        None => return Err(g.missing("ConnectionType")),
        Some(_) => return Err(g.bad("ConnectionType", "expected acceptor or initiator")),
    };
    Ok((id, connection_type))
}

/// Logs the keys accepted for compatibility only, with why they have no effect.
fn warn_ignored(g: &Getter<'_>) {
    for key in g.raw.keys() {
        if let Some(reason) = keys::ignored_reason(key) {
            tracing::warn!(
                key = key.as_str(),
                section = g.section,
                reason,
                "QuickFIX setting accepted for compatibility; it has no effect here"
            );
        }
    }
}
