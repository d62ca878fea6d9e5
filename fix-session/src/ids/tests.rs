use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;

/// 2026-12-07 23:59:59 UTC and the second after it.
fn before_midnight() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_687_999)
}
fn after_midnight() -> SystemTime {
    before_midnight() + Duration::from_secs(1)
}

#[test]
fn the_days_of_the_test_clock_are_the_ones_named() {
    assert_eq!(format::utc_day(before_midnight()), 20261207);
    assert_eq!(format::utc_day(after_midnight()), 20261208);
}

#[test]
fn numeric_ids_count_from_one_with_their_prefix() {
    let ids = IdGenerator::new("o", IdFormat::numeric("ORD"), MemoryReservations::default())
        .expect("generator");
    let got: Vec<String> = (0..3).map(|_| ids.next_id().expect("id")).collect();
    assert_eq!(got, ["ORD1", "ORD2", "ORD3"]);
}

#[test]
fn a_million_ids_from_eight_threads_are_all_different() {
    let ids = IdGenerator::with_block(
        "o",
        IdFormat::numeric(""),
        MemoryReservations::default(),
        97,
    )
    .expect("generator");
    let per_thread = 125_000;
    let all: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    (0..per_thread)
                        .map(|_| ids.next_id().expect("id"))
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let unique: HashSet<&String> = all.iter().flatten().collect();
    assert_eq!(unique.len(), 8 * per_thread);
    // Every value handed out lies below the saved reservation.
    let max = unique
        .iter()
        .map(|s| s.parse::<u64>().expect("number"))
        .max();
    let saved = ids.reserved.lock().expect("lock").end;
    assert!(max.expect("ids") < saved, "{max:?} >= {saved}");
}

#[test]
fn ids_around_midnight_from_many_threads_are_all_different() {
    // Threads whose clocks read both sides of midnight at once: the counter restarts for the
    // new day while old-day threads are still taking values.
    let ids = IdGenerator::create(
        "d".into(),
        IdFormat::dated(""),
        Box::new(MemoryReservations::default()),
        7,
        before_midnight(),
    )
    .expect("generator");
    let all: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let ids = &ids;
                s.spawn(move || {
                    (0..20_000)
                        .map(|i| {
                            let now = if i > 2_000 * t {
                                after_midnight()
                            } else {
                                before_midnight()
                            };
                            ids.next_id_at(now).expect("id")
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let unique: HashSet<&String> = all.iter().flatten().collect();
    assert_eq!(unique.len(), 8 * 20_000);
    assert!(unique.contains(&"20261208-1".to_string()));
}

#[test]
fn a_restarted_generator_never_repeats_an_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("store.sqlite3");
    let stores: Vec<Box<dyn Fn() -> Box<dyn Reservations>>> = vec![
        Box::new(|| Box::new(SqliteReservations::open(&db).expect("sqlite"))),
        Box::new(|| Box::new(FileReservations::new(dir.path().join("ids")).expect("files"))),
    ];
    for open in &stores {
        let mut seen = HashSet::new();
        for _run in 0..3 {
            let ids = IdGenerator::create(
                "orders".into(),
                IdFormat::numeric("X"),
                open(),
                10,
                SystemTime::now(),
            )
            .expect("generator");
            for _ in 0..25 {
                assert!(
                    seen.insert(ids.next_id().expect("id")),
                    "repeated after restart"
                );
            }
        }
        assert_eq!(seen.len(), 75);
    }
}

#[test]
fn a_day_change_restarts_the_dated_counter_and_a_clock_stepped_back_does_not() {
    let store = MemoryReservations::default();
    let dated = |store: MemoryReservations| {
        IdGenerator::create(
            "d".into(),
            IdFormat::dated("C-"),
            Box::new(store),
            DEFAULT_BLOCK,
            before_midnight(),
        )
        .expect("generator")
    };
    let ids = dated(store.clone());
    assert_eq!(
        ids.next_id_at(before_midnight()).expect("id"),
        "C-20261207-1"
    );
    assert_eq!(
        ids.next_id_at(before_midnight()).expect("id"),
        "C-20261207-2"
    );
    assert_eq!(
        ids.next_id_at(after_midnight()).expect("id"),
        "C-20261208-1"
    );
    // Back before midnight: the new day's numbering goes on, nothing of the 7th repeats.
    assert_eq!(
        ids.next_id_at(before_midnight()).expect("id"),
        "C-20261208-2"
    );
    drop(ids);
    // A restart on the same day goes on after the reserved block.
    let again = dated(store);
    let next = again.next_id_at(after_midnight()).expect("id");
    assert_eq!(next, format!("C-20261208-{}", 1 + DEFAULT_BLOCK));
}

#[test]
fn branch_sequences_move_to_the_next_branch_and_end_when_all_are_used() {
    let format = IdFormat::BranchSequence {
        branches: vec!["AB".into(), "CD".into()],
        width: 1,
        date_suffix: true,
    };
    let ids = IdGenerator::create(
        "b".into(),
        format,
        Box::new(MemoryReservations::default()),
        4,
        before_midnight(),
    )
    .expect("generator");
    let got: Vec<String> = (0..18)
        .map(|_| ids.next_id_at(before_midnight()).expect("id"))
        .collect();
    assert_eq!(got[0], "AB 1/12072026");
    assert_eq!(got[8], "AB 9/12072026");
    assert_eq!(got[9], "CD 1/12072026");
    assert_eq!(got[17], "CD 9/12072026");
    let err = ids.next_id_at(before_midnight()).expect_err("exhausted");
    assert!(
        matches!(err, IdError::Exhausted { capacity: 18, .. }),
        "{err}"
    );
    // The next day starts again with the first branch.
    assert_eq!(
        ids.next_id_at(after_midnight()).expect("id"),
        "AB 1/12082026"
    );
}

#[test]
fn the_nyse_style_is_four_digits_and_the_date() {
    let ids = IdGenerator::create(
        "n".into(),
        IdFormat::branch_sequence(["ABC"]),
        Box::new(MemoryReservations::default()),
        DEFAULT_BLOCK,
        before_midnight(),
    )
    .expect("generator");
    assert_eq!(
        ids.next_id_at(before_midnight()).expect("id"),
        "ABC 0001/12072026"
    );
}

#[test]
fn formats_that_cannot_work_are_refused() {
    for (format, why) in [
        (
            IdFormat::branch_sequence(Vec::<String>::new()),
            "no branch codes",
        ),
        (IdFormat::branch_sequence(["A", "A"]), "listed twice"),
        (IdFormat::numeric("A\u{1}"), "control character"),
        (
            IdFormat::BranchSequence {
                branches: vec!["A".into()],
                width: 0,
                date_suffix: false,
            },
            "width",
        ),
    ] {
        let err =
            IdGenerator::new("f", format, MemoryReservations::default()).expect_err("refused");
        assert!(err.to_string().contains(why), "{err}");
    }
}

#[test]
fn a_reservation_that_cannot_be_saved_fails_at_creation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").expect("file");
    // A folder that cannot be created.
    assert!(FileReservations::new(file.join("ids")).is_err());
    // A corrupt reservation file is reported, not read as zero.
    let ids = dir.path().join("ids");
    let store = FileReservations::new(&ids).expect("files");
    std::fs::write(ids.join("o.ids"), b"garbage").expect("write");
    let err = IdGenerator::new("o", IdFormat::numeric(""), store).expect_err("corrupt");
    assert!(matches!(err, IdError::Store { .. }), "{err}");
}

/// PostgreSQL reservations: a restarted generator goes on after its last block, and
/// generators shared by many tokio tasks hand out every ID once.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_reservations_are_unique_across_restarts_and_tasks() {
    // `FIX_TEST_POSTGRES_URL`, else a throwaway local server, else a visible skip line.
    let Some(url) = fix_test_postgres::url() else {
        return;
    };
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    let schema = format!("fix_test_ids_{}_{nanos:x}", std::process::id());
    let open = || PostgresReservations::connect(&url, &schema).expect("postgres");
    let mut seen = HashSet::new();
    for _run in 0..3 {
        let ids = IdGenerator::create(
            "orders".into(),
            IdFormat::numeric("X"),
            Box::new(open()),
            10,
            SystemTime::now(),
        )
        .expect("generator");
        for _ in 0..25 {
            assert!(
                seen.insert(ids.next_id().expect("id")),
                "repeated after restart"
            );
        }
    }
    assert_eq!(seen.len(), 75);
    // The third run started after the second's last block: 2 * 30 reserved before it.
    assert!(seen.contains("X61") && !seen.contains("X60"), "{seen:?}");

    let ids = std::sync::Arc::new(
        IdGenerator::with_block("tasks", IdFormat::numeric(""), open(), 97).expect("generator"),
    );
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let ids = ids.clone();
            tokio::spawn(async move {
                let mut got = Vec::with_capacity(20_000);
                for i in 0..20_000 {
                    got.push(ids.next_id().expect("id"));
                    if i % 1_000 == 0 {
                        tokio::task::yield_now().await;
                    }
                }
                got
            })
        })
        .collect();
    let mut all = HashSet::new();
    for t in tasks {
        for id in t.await.expect("task") {
            assert!(all.insert(id), "an ID handed out twice");
        }
    }
    assert_eq!(all.len(), 8 * 20_000);
    // A restart goes on after everything reserved.
    let max = all.iter().map(|s| s.parse::<u64>().expect("number")).max();
    let again =
        IdGenerator::with_block("tasks", IdFormat::numeric(""), open(), 97).expect("generator");
    let next: u64 = again.next_id().expect("id").parse().expect("number");
    assert!(Some(next) > max, "{next} after {max:?}");
}
