//! A file store with QuickFIX's FileStore layout, in a folder, per session prefix
//! `BeginString-SenderCompID-TargetCompID[-Qualifier]`:
//!
//! - `.body`: the sent messages, appended back to back;
//! - `.header`: the index, one `seq,offset,size ` entry per message;
//! - `.seqnums`: `SSSSSSSSSS : TTTTTTTTTT`, next sender and target sequence numbers,
//!   overwritten in place (fixed width, one write);
//! - `.session`: the creation time, `YYYYMMDD-HH:MM:SS`.
//!
//! Every change is written to the files (the OS has it) before the call returns, so a
//! process crash loses nothing; [`SyncPolicy`] says when to fsync as well, against power
//! loss. Writes are small appends done on the calling thread, as QuickFIX does.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use fix_core::value::{Precision, UtcTimestamp};
use fix_core::FixValue;

use super::{MessageStore, StoreError, StoreFuture};
use crate::settings::{SessionId, SyncPolicy};

/// The QuickFIX-layout file store.
#[derive(Debug)]
pub struct FileStore {
    base: PathBuf,
    body: File,
    header: File,
    seqnums: File,
    index: BTreeMap<u64, (u64, u64)>,
    body_len: u64,
    next_sender: u64,
    next_target: u64,
    created: SystemTime,
    sync: SyncPolicy,
    unsynced: u32,
}

pub(crate) fn io(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

pub(crate) fn with_ext(base: &Path, ext: &str) -> PathBuf {
    let mut s = base.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

fn open_rw(path: &Path) -> Result<File, StoreError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| io(path, e))
}

/// The files' common path for `id` in `dir`, without extension.
pub(crate) fn base_path(dir: &Path, id: &SessionId) -> PathBuf {
    let mut prefix = format!(
        "{}-{}-{}",
        id.begin_string, id.sender_comp_id, id.target_comp_id
    );
    if let Some(q) = &id.qualifier {
        prefix.push('-');
        prefix.push_str(q);
    }
    dir.join(prefix)
}

/// The `.seqnums` text: next sender and target sequence numbers.
pub(crate) fn parse_seqnums(text: &str) -> Option<(u64, u64)> {
    let (s, t) = text.split_once(':')?;
    Some((s.trim().parse().ok()?, t.trim().parse().ok()?))
}

/// The `.header` text: `seq -> (offset, size)`, and how many bytes of it are whole entries
/// (a torn last entry after a crash is left out).
pub(crate) fn parse_index(text: &str) -> (BTreeMap<u64, (u64, u64)>, usize) {
    let mut index = BTreeMap::new();
    let mut valid = 0;
    for entry in text.split_inclusive(' ') {
        let Some(fields) = entry.strip_suffix(' ') else {
            break;
        };
        let mut parts = fields.trim().split(',').map(str::parse::<u64>);
        match (parts.next(), parts.next(), parts.next()) {
            (Some(Ok(seq)), Some(Ok(off)), Some(Ok(len))) => {
                index.insert(seq, (off, len));
                valid += entry.len();
            }
            _ => break,
        }
    }
    (index, valid)
}

/// The `.session` text: the creation time.
pub(crate) fn parse_session(text: &str) -> Option<SystemTime> {
    let ts = UtcTimestamp::parse(text.trim().as_bytes()).ok()?;
    let nanos = u64::try_from(ts.to_unix_nanos()).unwrap_or(0);
    Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_nanos(nanos))
}

/// Reads the messages `index` places in the `.body` file `body`, for `begin..=end`.
pub(crate) fn read_messages(
    body: &mut File,
    path: &Path,
    index: &BTreeMap<u64, (u64, u64)>,
    begin: u64,
    end: u64,
) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
    let mut out = Vec::new();
    if begin > end {
        return Ok(out);
    }
    for (&seq, &(off, len)) in index.range(begin..=end) {
        let mut buf = vec![0u8; usize::try_from(len).unwrap_or(0)];
        body.seek(SeekFrom::Start(off)).map_err(|e| io(path, e))?;
        body.read_exact(&mut buf).map_err(|e| io(path, e))?;
        out.push((seq, buf));
    }
    Ok(out)
}

impl FileStore {
    /// Opens the store for `id` in `dir` (created if needed), reading back what is there.
    pub fn open(dir: &Path, id: &SessionId, sync: SyncPolicy) -> Result<FileStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let base = base_path(dir, id);
        let body_path = with_ext(&base, "body");
        let header_path = with_ext(&base, "header");
        let seq_path = with_ext(&base, "seqnums");
        let body = open_rw(&body_path)?;
        let header = open_rw(&header_path)?;
        let seqnums = open_rw(&seq_path)?;
        let mut store = FileStore {
            base,
            body,
            header,
            seqnums,
            index: BTreeMap::new(),
            body_len: 0,
            next_sender: 1,
            next_target: 1,
            created: SystemTime::now(),
            sync,
            unsynced: 0,
        };
        store.load()?;
        Ok(store)
    }

    fn path(&self, ext: &str) -> PathBuf {
        with_ext(&self.base, ext)
    }

    fn load(&mut self) -> Result<(), StoreError> {
        // Sequence numbers.
        let p = self.path("seqnums");
        let mut text = String::new();
        self.seqnums
            .seek(SeekFrom::Start(0))
            .map_err(|e| io(&p, e))?;
        self.seqnums
            .read_to_string(&mut text)
            .map_err(|e| io(&p, e))?;
        if text.trim().is_empty() {
            self.next_sender = 1;
            self.next_target = 1;
            self.write_seqnums()?;
        } else {
            let (s, t) = parse_seqnums(&text).ok_or_else(|| StoreError::Corrupt {
                path: p.display().to_string(),
                message: text.clone(),
            })?;
            self.next_sender = s;
            self.next_target = t;
        }
        // Index.
        let p = self.path("header");
        let mut text = String::new();
        self.header
            .seek(SeekFrom::Start(0))
            .map_err(|e| io(&p, e))?;
        self.header
            .read_to_string(&mut text)
            .map_err(|e| io(&p, e))?;
        let (index, valid) = parse_index(&text);
        self.index = index;
        if valid < text.len() {
            // A torn last entry after a crash: the message was never acknowledged (it is
            // written before the socket sees it). Cut it off so that the next entry starts
            // on a clean boundary.
            self.header.set_len(valid as u64).map_err(|e| io(&p, e))?;
        }
        // The message is saved before the sequence number file is updated: a crash between
        // the two leaves a saved message whose number the counter does not cover yet.
        if let Some((&last, _)) = self.index.last_key_value() {
            if last >= self.next_sender {
                self.next_sender = last + 1;
                self.write_seqnums()?;
            }
        }
        let p = self.path("body");
        self.body_len = self.body.seek(SeekFrom::End(0)).map_err(|e| io(&p, e))?;
        // Creation time.
        let p = self.path("session");
        match std::fs::read_to_string(&p) {
            Ok(t) => {
                self.created = parse_session(&t).ok_or_else(|| StoreError::Corrupt {
                    path: p.display().to_string(),
                    message: t.clone(),
                })?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.created = SystemTime::now();
                self.write_session()?;
            }
            Err(e) => return Err(io(&p, e)),
        }
        Ok(())
    }

    fn write_session(&self) -> Result<(), StoreError> {
        let p = self.path("session");
        let mut out = Vec::new();
        if let Some(ts) = UtcTimestamp::from_system_time(self.created, Precision::Seconds) {
            ts.write(&mut out);
        }
        let tmp = self.path("session.tmp");
        std::fs::write(&tmp, &out).map_err(|e| io(&tmp, e))?;
        std::fs::rename(&tmp, &p).map_err(|e| io(&p, e))
    }

    fn write_seqnums(&mut self) -> Result<(), StoreError> {
        let p = self.path("seqnums");
        let text = format!("{:010} : {:010}", self.next_sender, self.next_target);
        self.seqnums
            .seek(SeekFrom::Start(0))
            .map_err(|e| io(&p, e))?;
        self.seqnums
            .write_all(text.as_bytes())
            .map_err(|e| io(&p, e))?;
        Ok(())
    }

    fn synced(&mut self) -> Result<(), StoreError> {
        let now = match self.sync {
            SyncPolicy::Never => false,
            SyncPolicy::Always => true,
            SyncPolicy::EveryN(n) => {
                self.unsynced += 1;
                self.unsynced >= n
            }
        };
        if now {
            self.unsynced = 0;
            for (f, ext) in [
                (&self.body, "body"),
                (&self.header, "header"),
                (&self.seqnums, "seqnums"),
            ] {
                f.sync_data()
                    .map_err(|e| io(&with_ext(&self.base, ext), e))?;
            }
        }
        Ok(())
    }

    fn do_save(&mut self, seq: u64, message: &[u8]) -> Result<(), StoreError> {
        let p = self.path("body");
        self.body
            .seek(SeekFrom::Start(self.body_len))
            .map_err(|e| io(&p, e))?;
        self.body.write_all(message).map_err(|e| io(&p, e))?;
        let entry = format!("{},{},{} ", seq, self.body_len, message.len());
        let hp = self.path("header");
        self.header.seek(SeekFrom::End(0)).map_err(|e| io(&hp, e))?;
        self.header
            .write_all(entry.as_bytes())
            .map_err(|e| io(&hp, e))?;
        self.index
            .insert(seq, (self.body_len, message.len() as u64));
        self.body_len += message.len() as u64;
        self.next_sender = seq + 1;
        self.write_seqnums()?;
        self.synced()
    }

    /// Appends a batch: all bodies in one write, all index entries in one write, the
    /// sequence numbers once (and one sync, by the policy).
    fn do_save_batch(&mut self, messages: &[(u64, Vec<u8>)]) -> Result<(), StoreError> {
        let Some((last, _)) = messages.last() else {
            return Ok(());
        };
        let mut bodies = Vec::with_capacity(messages.iter().map(|(_, m)| m.len()).sum());
        let mut entries = String::with_capacity(messages.len() * 24);
        let mut offset = self.body_len;
        for (seq, m) in messages {
            bodies.extend_from_slice(m);
            entries.push_str(&format!("{},{},{} ", seq, offset, m.len()));
            offset += m.len() as u64;
        }
        let p = self.path("body");
        self.body
            .seek(SeekFrom::Start(self.body_len))
            .map_err(|e| io(&p, e))?;
        self.body.write_all(&bodies).map_err(|e| io(&p, e))?;
        let hp = self.path("header");
        self.header.seek(SeekFrom::End(0)).map_err(|e| io(&hp, e))?;
        self.header
            .write_all(entries.as_bytes())
            .map_err(|e| io(&hp, e))?;
        let mut offset = self.body_len;
        for (seq, m) in messages {
            self.index.insert(*seq, (offset, m.len() as u64));
            offset += m.len() as u64;
        }
        self.body_len = offset;
        self.next_sender = last + 1;
        self.write_seqnums()?;
        self.synced()
    }

    fn do_get(&mut self, begin: u64, end: u64) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let p = self.path("body");
        read_messages(&mut self.body, &p, &self.index, begin, end)
    }

    fn do_reset(&mut self, now: SystemTime) -> Result<(), StoreError> {
        for (f, ext) in [(&self.body, "body"), (&self.header, "header")] {
            f.set_len(0)
                .map_err(|e| io(&with_ext(&self.base, ext), e))?;
        }
        self.index.clear();
        self.body_len = 0;
        self.next_sender = 1;
        self.next_target = 1;
        self.created = now;
        self.write_seqnums()?;
        self.write_session()?;
        self.unsynced = u32::MAX - 1;
        self.synced()
    }
}

impl MessageStore for FileStore {
    fn next_sender_seq(&self) -> u64 {
        self.next_sender
    }
    fn next_target_seq(&self) -> u64 {
        self.next_target
    }
    fn creation_time(&self) -> SystemTime {
        self.created
    }
    fn set_next_sender_seq(&mut self, seq: u64) -> StoreFuture<'_, ()> {
        self.next_sender = seq;
        let r = self.write_seqnums().and_then(|()| self.synced());
        Box::pin(async move { r })
    }
    fn set_next_target_seq(&mut self, seq: u64) -> StoreFuture<'_, ()> {
        self.next_target = seq;
        let r = self.write_seqnums().and_then(|()| self.synced());
        Box::pin(async move { r })
    }
    fn save_and_increment(&mut self, seq: u64, message: &[u8]) -> StoreFuture<'_, ()> {
        let r = self.do_save(seq, message);
        Box::pin(async move { r })
    }
    fn save_batch<'a>(&'a mut self, messages: &'a mut Vec<(u64, Vec<u8>)>) -> StoreFuture<'a, ()> {
        let r = self.do_save_batch(messages).map(|()| messages.clear());
        Box::pin(async move { r })
    }
    fn get(&mut self, begin: u64, end: u64) -> StoreFuture<'_, Vec<(u64, Vec<u8>)>> {
        let r = self.do_get(begin, end);
        Box::pin(async move { r })
    }
    fn reset(&mut self, now: SystemTime) -> StoreFuture<'_, ()> {
        let r = self.do_reset(now);
        Box::pin(async move { r })
    }
    fn refresh(&mut self) -> StoreFuture<'_, ()> {
        let r = self.load();
        Box::pin(async move { r })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn survives_reopen_and_reset() {
        let dir = tempfile::tempdir().unwrap();
        let id = SessionId::new("FIX.4.4", "A", "B");
        {
            let mut s = FileStore::open(dir.path(), &id, SyncPolicy::Always).unwrap();
            assert_eq!((s.next_sender_seq(), s.next_target_seq()), (1, 1));
            s.save_and_increment(1, b"8=FIX.4.4\x01one").await.unwrap();
            s.save_and_increment(2, b"two").await.unwrap();
            s.set_next_target_seq(7).await.unwrap();
        }
        assert!(dir.path().join("FIX.4.4-A-B.body").exists());
        assert!(dir.path().join("FIX.4.4-A-B.session").exists());
        let created;
        {
            let mut s = FileStore::open(dir.path(), &id, SyncPolicy::EveryN(2)).unwrap();
            assert_eq!((s.next_sender_seq(), s.next_target_seq()), (3, 7));
            assert_eq!(
                s.get(1, 10).await.unwrap(),
                vec![(1, b"8=FIX.4.4\x01one".to_vec()), (2, b"two".to_vec())]
            );
            assert_eq!(s.get(2, 2).await.unwrap().len(), 1);
            created = s.creation_time();
            s.save_and_increment(3, b"three").await.unwrap();
        }
        let mut s = FileStore::open(dir.path(), &id, SyncPolicy::Never).unwrap();
        assert_eq!(s.next_sender_seq(), 4);
        assert_eq!(s.get(3, 3).await.unwrap(), vec![(3, b"three".to_vec())]);
        let secs = |t: SystemTime| t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(secs(s.creation_time()), secs(created));
        s.reset(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(86400))
            .await
            .unwrap();
        assert!(s.get(1, 10).await.unwrap().is_empty());
        drop(s);
        let s = FileStore::open(dir.path(), &id, SyncPolicy::Never).unwrap();
        assert_eq!((s.next_sender_seq(), s.next_target_seq()), (1, 1));
        assert_eq!(secs(s.creation_time()), 86400);
    }

    #[tokio::test]
    async fn torn_index_entry_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let id = SessionId::new("FIX.4.2", "A", "B");
        let mut s = FileStore::open(dir.path(), &id, SyncPolicy::Never).unwrap();
        s.save_and_increment(1, b"one").await.unwrap();
        drop(s);
        let mut h = OpenOptions::new()
            .append(true)
            .open(dir.path().join("FIX.4.2-A-B.header"))
            .unwrap();
        h.write_all(b"2,3").unwrap();
        let mut s = FileStore::open(dir.path(), &id, SyncPolicy::Never).unwrap();
        assert_eq!(s.get(1, 5).await.unwrap(), vec![(1, b"one".to_vec())]);
        // The torn entry is cut off, so the next save starts a clean entry.
        s.save_and_increment(2, b"two").await.unwrap();
        drop(s);
        let mut s = FileStore::open(dir.path(), &id, SyncPolicy::Never).unwrap();
        assert_eq!(
            s.get(1, 5).await.unwrap(),
            vec![(1, b"one".to_vec()), (2, b"two".to_vec())]
        );
        assert_eq!(s.next_sender_seq(), 3);
    }

    #[tokio::test]
    async fn saved_message_beyond_the_counter_advances_it() {
        // A crash after the index entry and before the seqnums write.
        let dir = tempfile::tempdir().unwrap();
        let id = SessionId::new("FIX.4.2", "A", "B");
        let mut s = FileStore::open(dir.path(), &id, SyncPolicy::Never).unwrap();
        s.save_and_increment(1, b"one").await.unwrap();
        s.save_and_increment(2, b"two").await.unwrap();
        drop(s);
        std::fs::write(
            dir.path().join("FIX.4.2-A-B.seqnums"),
            "0000000002 : 0000000001",
        )
        .unwrap();
        let s = FileStore::open(dir.path(), &id, SyncPolicy::Never).unwrap();
        assert_eq!(s.next_sender_seq(), 3);
    }
}
