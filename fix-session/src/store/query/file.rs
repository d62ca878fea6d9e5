//! The file store's files, opened for reading only.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::{blocking, StoreReader, StoredSession};
use crate::settings::SessionId;
use crate::store::file::{
    base_path, io, parse_index, parse_seqnums, parse_session, read_messages, with_ext,
};
use crate::store::{StoreError, StoreFuture};

pub(super) struct Reader {
    base: PathBuf,
}

impl Reader {
    pub(super) fn new(dir: &Path, id: &SessionId) -> Reader {
        Reader {
            base: base_path(dir, id),
        }
    }
}

/// A file's text; `None` when it does not exist.
fn text(path: &Path) -> Result<Option<String>, StoreError> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path, e)),
    }
}

fn corrupt(path: &Path, text: &str) -> StoreError {
    StoreError::Corrupt {
        path: path.display().to_string(),
        message: text.to_string(),
    }
}

impl StoreReader for Reader {
    fn session(&mut self) -> StoreFuture<'_, Option<StoredSession>> {
        let base = self.base.clone();
        Box::pin(blocking(move || {
            let seq_path = with_ext(&base, "seqnums");
            let Some(seqnums) = text(&seq_path)? else {
                return Ok(None);
            };
            let (mut next_sender, next_target) = if seqnums.trim().is_empty() {
                (1, 1)
            } else {
                parse_seqnums(&seqnums).ok_or_else(|| corrupt(&seq_path, &seqnums))?
            };
            let index = text(&with_ext(&base, "header"))?
                .map(|t| parse_index(&t).0)
                .unwrap_or_default();
            // As the store reads itself: a message saved before its counter was updated.
            if let Some((&last, _)) = index.last_key_value() {
                next_sender = next_sender.max(last + 1);
            }
            let session_path = with_ext(&base, "session");
            let creation_time = match text(&session_path)? {
                Some(t) => parse_session(&t).ok_or_else(|| corrupt(&session_path, &t))?,
                None => std::time::SystemTime::UNIX_EPOCH,
            };
            Ok(Some(StoredSession {
                next_sender_seq: next_sender,
                next_target_seq: next_target,
                creation_time,
                message_count: index.len() as u64,
            }))
        }))
    }

    fn messages(&mut self, begin: u64, end: u64) -> StoreFuture<'_, Vec<(u64, Vec<u8>)>> {
        let base = self.base.clone();
        Box::pin(blocking(move || {
            let Some(header) = text(&with_ext(&base, "header"))? else {
                return Ok(Vec::new());
            };
            let (index, _) = parse_index(&header);
            let body_path = with_ext(&base, "body");
            let mut body = File::open(&body_path).map_err(|e| io(&body_path, e))?;
            read_messages(&mut body, &body_path, &index, begin, end)
        }))
    }
}
