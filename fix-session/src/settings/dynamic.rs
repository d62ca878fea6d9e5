//! Dynamic sessions: acceptor templates whose session ids may hold wildcards, for
//! counterparties not listed one by one (QuickFIX/J's `AcceptorTemplate=Y` with `*` CompIDs,
//! QuickFIX/Go's `DynamicSessions=Y`). A session is made from a template when a Logon
//! matching it arrives; the driver does that.

use super::{SessionId, SessionSettings};

/// One part of a template's session id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdPattern {
    /// `*`, or a Sub/Location ID or qualifier the template leaves unset: any value.
    Any,
    /// This value only.
    Exact(String),
}

impl IdPattern {
    fn of(value: &str) -> IdPattern {
        match value {
            "*" => IdPattern::Any,
            v => IdPattern::Exact(v.to_string()),
        }
    }

    fn of_optional(value: &Option<String>) -> IdPattern {
        value.as_deref().map_or(IdPattern::Any, IdPattern::of)
    }

    /// Whether `value` fits.
    pub fn matches(&self, value: Option<&str>) -> bool {
        match self {
            IdPattern::Any => true,
            IdPattern::Exact(v) => value == Some(v.as_str()),
        }
    }
}

/// An acceptor template: the settings of every session created from it, and which session
/// ids it accepts.
#[derive(Debug, Clone)]
pub struct AcceptorTemplate {
    /// The patterns for BeginString, SenderCompID, SenderSubID, SenderLocationID,
    /// TargetCompID, TargetSubID, TargetLocationID and SessionQualifier, in that order.
    pub id: [IdPattern; 8],
    /// DynamicQualifier=Y (QuickFIX/Go): each connection gets a session of its own, told
    /// apart by a qualifier the driver makes up.
    pub unique_qualifier: bool,
    /// The settings of a session made from the template (its `id` holds `*` where the
    /// template has wildcards).
    pub settings: SessionSettings,
}

fn id_parts(id: &SessionId) -> [Option<&str>; 8] {
    [
        Some(id.begin_string.as_str()),
        Some(id.sender_comp_id.as_str()),
        id.sender_sub_id.as_deref(),
        id.sender_location_id.as_deref(),
        Some(id.target_comp_id.as_str()),
        id.target_sub_id.as_deref(),
        id.target_location_id.as_deref(),
        id.qualifier.as_deref(),
    ]
}

impl AcceptorTemplate {
    /// The template of `settings`, built from a section with AcceptorTemplate=Y or
    /// DynamicSessions=Y.
    pub(crate) fn new(settings: SessionSettings, unique_qualifier: bool) -> AcceptorTemplate {
        let i = &settings.id;
        let id = [
            IdPattern::of(&i.begin_string),
            IdPattern::of(&i.sender_comp_id),
            IdPattern::of_optional(&i.sender_sub_id),
            IdPattern::of_optional(&i.sender_location_id),
            IdPattern::of(&i.target_comp_id),
            IdPattern::of_optional(&i.target_sub_id),
            IdPattern::of_optional(&i.target_location_id),
            IdPattern::of_optional(&i.qualifier),
        ];
        AcceptorTemplate {
            id,
            unique_qualifier,
            settings,
        }
    }

    /// Whether a session `id` (ours: the Logon's TargetCompID is our SenderCompID) may be
    /// made from this template.
    pub fn matches(&self, id: &SessionId) -> bool {
        self.id
            .iter()
            .zip(id_parts(id))
            .all(|(pattern, value)| pattern.matches(value))
    }

    /// The settings of the session `id` made from this template.
    pub fn session(&self, id: SessionId) -> SessionSettings {
        let mut s = self.settings.clone();
        s.id = id;
        s
    }
}
