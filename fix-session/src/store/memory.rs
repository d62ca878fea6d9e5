//! An in-memory store: fast, lost with the process.

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::{MessageStore, StoreFuture};

/// Keeps everything in memory.
#[derive(Debug, Clone)]
pub struct MemoryStore {
    next_sender: u64,
    next_target: u64,
    created: SystemTime,
    messages: BTreeMap<u64, Vec<u8>>,
}

impl MemoryStore {
    /// An empty store with both sequence numbers at 1, created at `now`.
    pub fn new(now: SystemTime) -> MemoryStore {
        MemoryStore {
            next_sender: 1,
            next_target: 1,
            created: now,
            messages: BTreeMap::new(),
        }
    }

    /// Number of saved messages.
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether no message is saved.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

impl MessageStore for MemoryStore {
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
        Box::pin(async { Ok(()) })
    }
    fn set_next_target_seq(&mut self, seq: u64) -> StoreFuture<'_, ()> {
        self.next_target = seq;
        Box::pin(async { Ok(()) })
    }
    fn save_and_increment(&mut self, seq: u64, message: &[u8]) -> StoreFuture<'_, ()> {
        self.messages.insert(seq, message.to_vec());
        self.next_sender = seq + 1;
        Box::pin(async { Ok(()) })
    }
    fn save_batch<'a>(&'a mut self, messages: &'a mut Vec<(u64, Vec<u8>)>) -> StoreFuture<'a, ()> {
        for (seq, message) in messages.drain(..) {
            self.messages.insert(seq, message);
            self.next_sender = seq + 1;
        }
        Box::pin(async { Ok(()) })
    }
    fn get(&mut self, begin: u64, end: u64) -> StoreFuture<'_, Vec<(u64, Vec<u8>)>> {
        let out = if begin > end {
            Vec::new()
        } else {
            self.messages
                .range(begin..=end)
                .map(|(k, v)| (*k, v.clone()))
                .collect()
        };
        Box::pin(async move { Ok(out) })
    }
    fn reset(&mut self, now: SystemTime) -> StoreFuture<'_, ()> {
        self.messages.clear();
        self.next_sender = 1;
        self.next_target = 1;
        self.created = now;
        Box::pin(async { Ok(()) })
    }
    fn refresh(&mut self) -> StoreFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_store_basics() {
        let mut s = MemoryStore::new(SystemTime::UNIX_EPOCH);
        assert_eq!((s.next_sender_seq(), s.next_target_seq()), (1, 1));
        s.save_and_increment(1, b"one").await.unwrap();
        s.save_and_increment(2, b"two").await.unwrap();
        s.incr_next_target_seq().await.unwrap();
        assert_eq!((s.next_sender_seq(), s.next_target_seq()), (3, 2));
        assert_eq!(s.get(2, 5).await.unwrap(), vec![(2, b"two".to_vec())]);
        assert!(s.get(3, 1).await.unwrap().is_empty());
        let mut batch = vec![(3, b"three".to_vec()), (4, b"four".to_vec())];
        s.save_batch(&mut batch).await.unwrap();
        assert!(batch.is_empty());
        assert_eq!(s.next_sender_seq(), 5);
        assert_eq!(s.get(4, 4).await.unwrap(), vec![(4, b"four".to_vec())]);
        s.reset(SystemTime::now()).await.unwrap();
        assert_eq!(
            (s.next_sender_seq(), s.next_target_seq(), s.len()),
            (1, 1, 0)
        );
    }
}
