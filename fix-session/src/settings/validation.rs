//! Validation settings: what is checked in received messages, and the dictionaries they are
//! checked against.

use std::path::PathBuf;

use super::values::Getter;
use super::{SessionSettings, SettingsError};

/// Reads the validation and dictionary keys into `s`.
pub(crate) fn build(g: &Getter<'_>, s: &mut SessionSettings) -> Result<(), SettingsError> {
    s.check_comp_id = g.bool("CheckCompID", true)?;
    s.check_latency = g.bool("CheckLatency", true)?;
    s.max_latency = g.secs("MaxLatency", 120)?;
    s.validate_user_defined_fields = g.bool("ValidateUserDefinedFields", true)?;
    s.validate_fields_out_of_order = g.bool("ValidateFieldsOutOfOrder", true)?;
    s.validate_fields_have_values = g.bool("ValidateFieldsHaveValues", true)?;
    s.validate_unordered_group_fields = g.bool("ValidateUnorderedGroupFields", true)?;
    s.validate_incoming_message = g.bool("ValidateIncomingMessage", true)?;
    s.validate_sequence_numbers = g.bool("ValidateSequenceNumbers", true)?;
    s.validate_checksum = g.bool("ValidateChecksum", true)?;
    if !g.bool("ValidateLengthAndChecksum", true)? {
        return Err(g.bad(
            "ValidateLengthAndChecksum",
            "only Y: BodyLength frames every message (ValidateChecksum=N skips the CheckSum check)",
        ));
    }
    s.allow_unknown_msg_fields = g.bool("AllowUnknownMsgFields", false)?;
    s.allow_unknown_enum_values = g.bool("AllowUnknownEnumValues", false)?;
    s.reject_invalid_message = g.bool("RejectInvalidMessage", true)?;
    s.reject_garbled_message = g.bool("RejectGarbledMessage", false)?;
    s.requires_orig_sending_time = g.bool("RequiresOrigSendingTime", true)?;
    s.first_field_in_group_is_delimiter = g.bool("FirstFieldInGroupIsDelimiter", false)?;
    dictionaries(g, s)
}

fn dictionaries(g: &Getter<'_>, s: &mut SessionSettings) -> Result<(), SettingsError> {
    s.use_data_dictionary = g.bool("UseDataDictionary", true)?;
    s.data_dictionary = g.path("DataDictionary");
    s.transport_data_dictionary = g.path("TransportDataDictionary");
    s.app_data_dictionary = g.path("AppDataDictionary");
    for (suffix, key, value) in g.suffixed("AppDataDictionary.") {
        let version = super::dictionary::appl_ver_id_begin_string(suffix).ok_or_else(|| {
            g.bad(
                key,
                "expected AppDataDictionary.<BeginString> such as AppDataDictionary.FIX.4.4",
            )
        })?;
        s.app_data_dictionaries
            .insert(version.to_string(), PathBuf::from(value));
    }
    Ok(())
}
