//! The [`MessageStore`] conformance suite: the cases every store implementation must pass.
//!
//! Each store's tests call [`check`] with its [`StoreFactory`], so the memory, file, SQLite and
//! PostgreSQL stores (and any future one: Redis, MySQL...) are held to the same contract:
//! sequence numbers start at 1, saved messages come back byte for byte in order with gaps left
//! out, the last save of a number wins, a batch moves the sender number past its last message,
//! reset empties the session and stamps its creation time, sessions sharing a backing storage
//! do not see each other, and, for durable stores, everything survives reopening and
//! [`MessageStore::refresh`] sees what another handle wrote.
//!
//! The suite is test support: a failed case panics with the case name and what differed.
//!
//! ```no_run
//! # async fn run() {
//! use fix_session::settings::{ConnectionType, SessionId, SessionSettings};
//! use fix_session::store::{conformance, MemoryStoreFactory};
//! let id = SessionId::new("FIX.4.4", "US", "THEM");
//! let template = SessionSettings::new(id, ConnectionType::Acceptor);
//! conformance::check(&MemoryStoreFactory, &template, false).await;
//! # }
//! ```

use std::time::{Duration, SystemTime};

use super::{MessageStore, StoreFactory};
use crate::settings::SessionSettings;

/// Runs every case against stores made by `factory`.
///
/// `template` carries the settings the factory needs (paths, connection strings); each case
/// opens sessions of its own, named after the case, so the backing storage must start without
/// those sessions (use a new folder, file or schema per run). `durable` says whether a store
/// opened again sees what an earlier one wrote (false only for in-memory stores).
///
/// # Panics
/// On the first case that fails, naming it.
pub async fn check(factory: &dyn StoreFactory, template: &SessionSettings, durable: bool) {
    let t = Cases {
        factory,
        template,
        durable,
    };
    t.fresh_store().await;
    t.save_and_get().await;
    t.gaps_are_left_out().await;
    t.batch().await;
    t.batch_and_target().await;
    t.last_save_wins().await;
    t.sequence_numbers().await;
    t.binary_and_large_messages().await;
    t.reset().await;
    t.sessions_are_apart().await;
    t.many_messages().await;
    if durable {
        t.survives_reopen().await;
        t.reset_survives_reopen().await;
        t.refresh_sees_other_handle().await;
    }
}

struct Cases<'a> {
    factory: &'a dyn StoreFactory,
    template: &'a SessionSettings,
    durable: bool,
}

/// A whole-second time, so that stores keeping seconds only compare equal.
fn whole_seconds(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn msg(seq: u64) -> Vec<u8> {
    format!("8=FIX.4.4\x019=20\x0135=D\x0134={seq}\x0111=ORDER-{seq}\x0110=000\x01").into_bytes()
}

macro_rules! ok {
    ($case:expr, $what:expr, $e:expr) => {
        match $e.await {
            Ok(v) => v,
            Err(e) => panic!("store conformance `{}`: {} failed: {e}", $case, $what),
        }
    };
}

macro_rules! same {
    ($case:expr, $left:expr, $right:expr) => {{
        let (l, r) = (&$left, &$right);
        assert!(
            l == r,
            "store conformance `{}`: {} = {:?}, expected {:?}",
            $case,
            stringify!($left),
            l,
            r
        );
    }};
}

impl Cases<'_> {
    async fn open(&self, case: &str, session: &str) -> Box<dyn MessageStore> {
        let mut s = self.template.clone();
        s.id.target_comp_id = format!("{}-{case}-{session}", s.id.target_comp_id);
        ok!(case, "opening the store", self.factory.create(&s))
    }

    async fn fresh_store(&self) {
        let case = "fresh_store";
        let before = SystemTime::now() - Duration::from_secs(2);
        let mut s = self.open(case, "a").await;
        let after = SystemTime::now() + Duration::from_secs(2);
        same!(case, (s.next_sender_seq(), s.next_target_seq()), (1, 1));
        let created = s.creation_time();
        assert!(
            created >= before && created <= after,
            "store conformance `{case}`: creation time {created:?} is not now"
        );
        same!(case, ok!(case, "get", s.get(1, 100)).len(), 0);
    }

    async fn save_and_get(&self) {
        let case = "save_and_get";
        let mut s = self.open(case, "a").await;
        for seq in 1..=3 {
            ok!(
                case,
                "save_and_increment",
                s.save_and_increment(seq, &msg(seq))
            );
            same!(case, s.next_sender_seq(), seq + 1);
        }
        let all = ok!(case, "get", s.get(1, 3));
        same!(case, all, vec![(1, msg(1)), (2, msg(2)), (3, msg(3))]);
        same!(case, ok!(case, "get", s.get(2, 2)), vec![(2, msg(2))]);
        same!(case, ok!(case, "get", s.get(3, 1)).len(), 0);
        same!(case, ok!(case, "get", s.get(5, 9)).len(), 0);
        same!(case, ok!(case, "get", s.get(0, u64::MAX)).len(), 3);
        same!(case, s.next_target_seq(), 1);
    }

    async fn gaps_are_left_out(&self) {
        let case = "gaps_are_left_out";
        let mut s = self.open(case, "a").await;
        for seq in [1, 2, 5] {
            ok!(
                case,
                "save_and_increment",
                s.save_and_increment(seq, &msg(seq))
            );
        }
        same!(case, s.next_sender_seq(), 6);
        let seqs: Vec<u64> = ok!(case, "get", s.get(1, 10))
            .into_iter()
            .map(|(seq, _)| seq)
            .collect();
        same!(case, seqs, vec![1, 2, 5]);
    }

    async fn batch(&self) {
        let case = "batch";
        let mut s = self.open(case, "a").await;
        let mut batch: Vec<(u64, Vec<u8>)> = (10..110).map(|seq| (seq, msg(seq))).collect();
        let expected = batch.clone();
        ok!(case, "save_batch", s.save_batch(&mut batch));
        assert!(
            batch.is_empty(),
            "store conformance `{case}`: save_batch left {} messages in the vector",
            batch.len()
        );
        same!(case, s.next_sender_seq(), 110);
        same!(case, ok!(case, "get", s.get(10, 109)), expected);
        let mut empty = Vec::new();
        ok!(case, "save_batch (empty)", s.save_batch(&mut empty));
        same!(case, s.next_sender_seq(), 110);
    }

    async fn batch_and_target(&self) {
        let case = "batch_and_target";
        let mut s = self.open(case, "a").await;
        ok!(case, "set_next_target_seq", s.set_next_target_seq(4));
        let mut batch = vec![(1, msg(1)), (2, msg(2))];
        ok!(
            case,
            "save_batch_and_target",
            s.save_batch_and_target(&mut batch, 9)
        );
        assert!(
            batch.is_empty(),
            "store conformance `{case}`: batch not taken"
        );
        same!(case, (s.next_sender_seq(), s.next_target_seq()), (3, 9));
        same!(
            case,
            ok!(case, "get", s.get(1, 2)),
            vec![(1, msg(1)), (2, msg(2))]
        );
        if self.durable {
            drop(s);
            let s = self.open(case, "a").await;
            same!(case, (s.next_sender_seq(), s.next_target_seq()), (3, 9));
        }
    }

    async fn last_save_wins(&self) {
        let case = "last_save_wins";
        let mut s = self.open(case, "a").await;
        ok!(case, "save", s.save_and_increment(7, b"first"));
        ok!(case, "save again", s.save_and_increment(7, b"second"));
        same!(
            case,
            ok!(case, "get", s.get(7, 7)),
            vec![(7, b"second".to_vec())]
        );
        same!(case, s.next_sender_seq(), 8);
    }

    async fn sequence_numbers(&self) {
        let case = "sequence_numbers";
        let mut s = self.open(case, "a").await;
        ok!(case, "set_next_sender_seq", s.set_next_sender_seq(42));
        ok!(case, "set_next_target_seq", s.set_next_target_seq(17));
        ok!(case, "incr_next_target_seq", s.incr_next_target_seq());
        same!(case, (s.next_sender_seq(), s.next_target_seq()), (42, 18));
        // Lowering works too (SequenceReset-Reset, manual repair).
        ok!(case, "set_next_target_seq", s.set_next_target_seq(3));
        same!(case, s.next_target_seq(), 3);
    }

    async fn binary_and_large_messages(&self) {
        let case = "binary_and_large_messages";
        let mut s = self.open(case, "a").await;
        let binary: Vec<u8> = (0..=255u8).chain([1, 0, 1, 0xff]).collect();
        let large: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        ok!(case, "save binary", s.save_and_increment(1, &binary));
        ok!(case, "save large", s.save_and_increment(2, &large));
        same!(
            case,
            ok!(case, "get", s.get(1, 2)),
            vec![(1, binary), (2, large)]
        );
    }

    async fn reset(&self) {
        let case = "reset";
        let mut s = self.open(case, "a").await;
        ok!(case, "save", s.save_and_increment(1, &msg(1)));
        ok!(case, "set_next_target_seq", s.set_next_target_seq(5));
        let t = whole_seconds(1_700_000_000);
        ok!(case, "reset", s.reset(t));
        same!(case, (s.next_sender_seq(), s.next_target_seq()), (1, 1));
        same!(case, secs(s.creation_time()), secs(t));
        same!(case, ok!(case, "get", s.get(1, 100)).len(), 0);
        // Usable after the reset.
        ok!(case, "save after reset", s.save_and_increment(1, b"again"));
        same!(
            case,
            ok!(case, "get", s.get(1, 1)),
            vec![(1, b"again".to_vec())]
        );
    }

    async fn sessions_are_apart(&self) {
        let case = "sessions_are_apart";
        let mut a = self.open(case, "a").await;
        let mut b = self.open(case, "b").await;
        ok!(case, "save a", a.save_and_increment(1, b"for a"));
        ok!(case, "target a", a.set_next_target_seq(9));
        ok!(case, "save b", b.save_and_increment(1, b"for b"));
        ok!(case, "reset b", b.reset(whole_seconds(1_600_000_000)));
        same!(
            case,
            ok!(case, "get a", a.get(1, 1)),
            vec![(1, b"for a".to_vec())]
        );
        same!(case, (a.next_sender_seq(), a.next_target_seq()), (2, 9));
        same!(case, ok!(case, "get b", b.get(1, 1)).len(), 0);
    }

    async fn many_messages(&self) {
        let case = "many_messages";
        let mut s = self.open(case, "a").await;
        for chunk in (1..=5000u64).collect::<Vec<_>>().chunks(500) {
            let mut batch: Vec<(u64, Vec<u8>)> = chunk.iter().map(|&q| (q, msg(q))).collect();
            ok!(case, "save_batch", s.save_batch(&mut batch));
        }
        same!(case, s.next_sender_seq(), 5001);
        let got = ok!(case, "get", s.get(1, 5000));
        same!(case, got.len(), 5000);
        let in_order = got
            .iter()
            .enumerate()
            .all(|(i, (q, m))| *q == i as u64 + 1 && *m == msg(*q));
        assert!(
            in_order,
            "store conformance `{case}`: messages out of order or altered"
        );
        same!(case, ok!(case, "get", s.get(2500, 2502)).len(), 3);
    }

    async fn survives_reopen(&self) {
        let case = "survives_reopen";
        let created;
        {
            let mut s = self.open(case, "a").await;
            ok!(case, "save", s.save_and_increment(1, &msg(1)));
            let mut batch = vec![(2, msg(2)), (3, msg(3))];
            ok!(case, "save_batch", s.save_batch(&mut batch));
            ok!(case, "set_next_target_seq", s.set_next_target_seq(12));
            created = s.creation_time();
        }
        let mut s = self.open(case, "a").await;
        same!(case, (s.next_sender_seq(), s.next_target_seq()), (4, 12));
        same!(case, secs(s.creation_time()), secs(created));
        same!(
            case,
            ok!(case, "get", s.get(1, 10)),
            vec![(1, msg(1)), (2, msg(2)), (3, msg(3))]
        );
    }

    async fn reset_survives_reopen(&self) {
        let case = "reset_survives_reopen";
        let t = whole_seconds(1_650_000_000);
        {
            let mut s = self.open(case, "a").await;
            ok!(case, "save", s.save_and_increment(1, &msg(1)));
            ok!(case, "reset", s.reset(t));
        }
        let mut s = self.open(case, "a").await;
        same!(case, (s.next_sender_seq(), s.next_target_seq()), (1, 1));
        same!(case, secs(s.creation_time()), secs(t));
        same!(case, ok!(case, "get", s.get(1, 10)).len(), 0);
    }

    async fn refresh_sees_other_handle(&self) {
        let case = "refresh_sees_other_handle";
        let mut a = self.open(case, "a").await;
        ok!(case, "save", a.save_and_increment(1, &msg(1)));
        let mut b = self.open(case, "a").await;
        same!(case, b.next_sender_seq(), 2);
        ok!(case, "other handle saves", b.save_and_increment(2, &msg(2)));
        ok!(case, "other handle sets target", b.set_next_target_seq(30));
        drop(b);
        ok!(case, "refresh", a.refresh());
        same!(case, (a.next_sender_seq(), a.next_target_seq()), (3, 30));
        same!(case, ok!(case, "get", a.get(2, 2)), vec![(2, msg(2))]);
    }
}
