//! Loading the dictionary a session validates with: the files its settings name, else the
//! built-in dictionary of its version; cached by path.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use fix_core::Dictionary;

use super::{SessionSettings, SettingsError};

impl SessionSettings {
    /// Loads the dictionary this session validates with: DataDictionary (FIX.4.x) or
    /// AppDataDictionary (else `AppDataDictionary.<DefaultApplVerID>`) with
    /// TransportDataDictionary (FIXT.1.1); when UseDataDictionary=Y and no file is named, the
    /// built-in dictionary for the BeginString (and DefaultApplVerID).
    /// `None` when UseDataDictionary=N. Dictionaries are cached by path.
    pub fn load_dictionary(&self) -> Result<Option<Arc<Dictionary>>, SettingsError> {
        if !self.use_data_dictionary {
            return Ok(None);
        }
        let fixt = self.id.begin_string == "FIXT.1.1";
        let (app, transport) = if fixt {
            let by_version = self
                .default_appl_ver_id
                .as_deref()
                .and_then(appl_ver_id_begin_string)
                .and_then(|bs| self.app_data_dictionaries.get(bs));
            let app = match (&self.app_data_dictionary, by_version, &self.data_dictionary) {
                (Some(p), _, _) | (None, Some(p), _) | (None, None, Some(p)) => p.clone(),
                (None, None, None) => {
                    PathBuf::from(builtin_app_name(self.default_appl_ver_id.as_deref()))
                }
            };
            let transport = self
                .transport_data_dictionary
                .clone()
                .unwrap_or_else(|| PathBuf::from("FIXT11.xml"));
            (app, Some(transport))
        } else {
            let app = match &self.data_dictionary {
                Some(p) => p.clone(),
                None => PathBuf::from(format!("{}.xml", self.id.begin_string.replace('.', ""))),
            };
            (app, None)
        };
        let key = (app.clone(), transport.clone(), self.base_dir.clone());
        static CACHE: OnceLock<Mutex<HashMap<DictKey, Arc<Dictionary>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(d) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(Some(d));
        }
        let app_xml = read_dictionary(&self.base_dir, &app)?;
        let mut model = fix_dict::model_from_str(&app_xml).map_err(|e| dict_error(&app, e))?;
        if let Some(t) = &transport {
            let t_xml = read_dictionary(&self.base_dir, t)?;
            let t_model = fix_dict::model_from_str(&t_xml).map_err(|e| dict_error(t, e))?;
            model = model
                .with_transport(&t_model)
                .map_err(|e| dict_error(t, e))?;
        }
        let dict = Arc::new(fix_dict::layout::dictionary(&model));
        if let Ok(mut c) = cache.lock() {
            c.insert(key, dict.clone());
        }
        Ok(Some(dict))
    }
}

fn dict_error(path: &Path, source: fix_dict::Error) -> SettingsError {
    SettingsError::Dictionary {
        path: path.display().to_string(),
        source,
    }
}

/// The BeginString form of a DefaultApplVerID written either way (`FIX.4.4` or `6`).
pub(crate) fn appl_ver_id_begin_string(appl_ver_id: &str) -> Option<&'static str> {
    Some(match appl_ver_id {
        "FIX.4.0" | "2" => "FIX.4.0",
        "FIX.4.1" | "3" => "FIX.4.1",
        "FIX.4.2" | "4" => "FIX.4.2",
        "FIX.4.3" | "5" => "FIX.4.3",
        "FIX.4.4" | "6" => "FIX.4.4",
        "FIX.5.0" | "7" => "FIX.5.0",
        "FIX.5.0SP1" | "8" => "FIX.5.0SP1",
        "FIX.5.0SP2" | "9" => "FIX.5.0SP2",
        _ => return None,
    })
}

/// Cache key of a loaded dictionary: (app file, transport file, base folder).
type DictKey = (PathBuf, Option<PathBuf>, PathBuf);

/// The file name of the built-in application dictionary of a DefaultApplVerID
/// (`FIX.4.4` or `6` -> `FIX44.xml`); FIX.5.0SP2's when absent or unknown.
fn builtin_app_name(appl_ver_id: Option<&str>) -> String {
    let bs = appl_ver_id
        .and_then(appl_ver_id_begin_string)
        .unwrap_or("FIX.5.0SP2");
    format!("{}.xml", bs.replace('.', ""))
}

/// The built-in dictionaries, by file name.
fn builtin_dictionary(name: &str) -> Option<&'static str> {
    fix_dict::builtin::by_file_name(name)
}

/// Reads a dictionary named in settings: relative to the settings file's folder, then to the
/// current folder, then the workspace's `dictionaries/` folder by file name, then the
/// built-in copy by file name (QuickFIX settings name paths like `spec/FIX44.xml`).
fn read_dictionary(base: &Path, path: &Path) -> Result<String, SettingsError> {
    let mut candidates = vec![base.join(path), path.to_path_buf()];
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    candidates.push(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../dictionaries")
            .join(&name),
    );
    for c in &candidates {
        if c.is_file() {
            return std::fs::read_to_string(c).map_err(|source| {
                let path = c.display().to_string();
                dict_error(c, fix_dict::Error::Io { path, source })
            });
        }
    }
    builtin_dictionary(&name)
        .map(str::to_string)
        .ok_or_else(|| {
            let source = std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not found next to the settings file, in the current folder or built in",
            );
            let p = path.display().to_string();
            dict_error(path, fix_dict::Error::Io { path: p, source })
        })
}
