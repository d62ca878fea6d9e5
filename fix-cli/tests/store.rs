//! `fix store` on stores written by a real engine run: an acceptor and an initiator on
//! loopback exchange orders (with ClOrdIDs), then the tool lists the sessions, finds messages
//! by range and ClOrdID without writing, and resets sequence numbers, after which the
//! engines log on again with the new numbers. SQLite, file and PostgreSQL stores.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use fix_core::MessageView;
use fix_session::app::{AppReject, Application, RawBody, Responder};
use fix_session::core::Event;
use fix_session::driver::{Acceptor, Initiator, SessionEvent};
use fix_session::settings::{SessionId, Settings};
use fix_session::store::SettingsStoreFactory;
use tokio::sync::mpsc::UnboundedReceiver;

mod common;
use common::{run, stdout};

const INI: &str = "FIX.4.4:BANK->EXCH";
const ACC: &str = "FIX.4.4:EXCH->BANK";

struct Exchange;

impl Application for Exchange {
    fn from_app(
        &self,
        msg: &MessageView<'_>,
        _id: &SessionId,
        out: &mut Responder,
    ) -> Result<(), AppReject> {
        let cl = msg.field(11).unwrap_or_default().to_vec();
        out.reply(
            RawBody::new("8")
                .with(6, "0")
                .with(11, &cl)
                .with(14, "0")
                .with(17, [b"E-".as_slice(), &cl].concat())
                .with(37, [b"O-".as_slice(), &cl].concat())
                .with(39, "0")
                .with(54, "1")
                .with(55, "IBM")
                .with(150, "0")
                .with(151, "100"),
        );
        Ok(())
    }
}

struct Client;
impl Application for Client {}

fn order(cl: &str) -> RawBody {
    RawBody::new("D")
        .with(11, cl)
        .with(21, "1")
        .with(38, "100")
        .with(40, "1")
        .with(54, "1")
        .with(55, "IBM")
        .with(60, "20240101-00:00:00")
}

/// The two settings files of a run, in `dir`, with `store` lines (StoreType and its keys).
struct Configs {
    acceptor: PathBuf,
    initiator: PathBuf,
}

fn configs(dir: &Path, store: &str) -> Configs {
    let acceptor = dir.join("acceptor.cfg");
    std::fs::write(
        &acceptor,
        format!(
            "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=0\nSocketAcceptHost=127.0.0.1\n\
             SenderCompID=EXCH\nFileStorePath=acc\n{store}\n[SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\n"
        ),
    )
    .unwrap();
    // The initiator's port is set when the engines run (the acceptor's port 0 is picked then).
    let initiator = dir.join("initiator.cfg");
    std::fs::write(
        &initiator,
        format!(
            "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nReconnectInterval=1\nSenderCompID=BANK\n\
             FileStorePath=ini\n{store}\n[SESSION]\nBeginString=FIX.4.4\nTargetCompID=EXCH\n\
             SocketConnectHost=127.0.0.1\nSocketConnectPort=1\n"
        ),
    )
    .unwrap();
    Configs {
        acceptor,
        initiator,
    }
}

async fn wait_for(events: &mut UnboundedReceiver<SessionEvent>, what: &Event) {
    tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(ev) = events.recv().await {
            if &ev.event == what {
                return;
            }
        }
        panic!("events ended before {what:?}");
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what:?}"));
}

/// Runs both engines from `cfg`, logs on, sends an order per ClOrdID (waiting for each
/// execution report), logs out and stops. Returns the initiator's next sender MsgSeqNum
/// after the orders.
async fn trade(cfg: &Configs, clordids: &[&str]) -> u64 {
    let acc = Settings::from_file(&cfg.acceptor).unwrap();
    let (acceptor, _acc_events) = Acceptor::start(
        acc,
        Arc::new(SettingsStoreFactory::new()),
        Arc::new(Exchange),
    )
    .await
    .unwrap();
    let port = acceptor.local_addr().unwrap().port();
    let mut ini = Settings::from_file(&cfg.initiator).unwrap();
    for s in &mut ini.sessions {
        s.socket_connect = vec![("127.0.0.1".into(), port)];
    }
    let (initiator, mut events) =
        Initiator::start(ini, Arc::new(SettingsStoreFactory::new()), Arc::new(Client))
            .await
            .unwrap();
    wait_for(&mut events, &Event::LoggedOn).await;
    let session = initiator.sessions().next().unwrap().clone();
    for cl in clordids {
        session.send(order(cl)).await.unwrap();
        tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                if let Some(SessionEvent {
                    event: Event::App { msg_type, .. },
                    ..
                }) = events.recv().await
                {
                    if msg_type == "8" {
                        return;
                    }
                }
            }
        })
        .await
        .expect("execution report");
    }
    let next = session.flush().await.unwrap();
    session.logout(None).unwrap();
    wait_for(&mut events, &Event::LoggedOut).await;
    initiator.stop().await;
    acceptor.stop().await;
    next
}

fn json_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Every file under `dir` with its bytes: what must not change while the tool reads.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_none_or(|x| x != "cfg") {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// [`snapshot`] once the engines' SQLite connections have closed (their last close folds
/// the WAL into the database and removes it; it runs on the database's own thread, a moment
/// after the engines stopped).
async fn settled(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    for _ in 0..200 {
        let s = snapshot(dir);
        let open = s.keys().any(|p| {
            let p = p.to_string_lossy();
            p.ends_with("-wal") || p.ends_with("-shm")
        });
        if !open {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the engines' SQLite files stayed open");
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The whole scenario on one kind of store.
async fn scenario(dir: &Path, store: &str, files_checked: bool) {
    let cfg = configs(dir, store);
    let ini = arg(&cfg.initiator);
    let acc = arg(&cfg.acceptor);

    // Before any run: nothing stored, and nothing created by looking.
    let before = run(&["store", "sessions", "--config", ini], "");
    assert!(before.status.success(), "{before:?}");
    assert!(
        stdout(&before).contains("(nothing stored)"),
        "{}",
        stdout(&before)
    );
    if files_checked {
        assert!(snapshot(dir).is_empty(), "reading created files");
    }

    let next = trade(&cfg, &["ORD-1", "ORD-2", "ORD-3", "ORD-4", "ORD-5"]).await;
    // Logon 1, orders 2..=6.
    assert_eq!(next, 7);
    let written = settled(dir).await;

    let listed = run(&["store", "sessions", "--config", ini, "--json"], "");
    assert!(listed.status.success(), "{listed:?}");
    let sessions = json_lines(&stdout(&listed));
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!(s["session"], INI);
    assert_eq!(s["stored"], true);
    // Logon, five orders, Logout: 1..=7 sent and stored.
    assert_eq!(s["next_sender_seq"], 8);
    // Logon, five execution reports, the Logout answer.
    assert_eq!(s["next_target_seq"], 8);
    assert_eq!(s["message_count"], 7);
    assert_eq!(s["creation_time"].as_str().unwrap().len(), 17, "{s}");
    let human = stdout(&run(&["store", "sessions", "--config", acc], ""));
    assert!(
        human.contains(ACC) && human.contains("NEXT-SENDER"),
        "{human}"
    );

    // By ClOrdID: the third order, MsgSeqNum 4, decoded as `fix decode --json` does.
    let found = run(
        &[
            "store",
            "messages",
            "--config",
            ini,
            "--session",
            INI,
            "--clordid",
            "ORD-3",
            "--json",
        ],
        "",
    );
    assert!(found.status.success(), "{found:?}");
    let msgs = json_lines(&stdout(&found));
    assert_eq!(msgs.len(), 1, "{}", stdout(&found));
    assert_eq!(msgs[0]["line"], 4);
    assert_eq!(msgs[0]["msg_type"], "D");
    assert_eq!(msgs[0]["msg_name"], "NewOrderSingle");
    assert_eq!(msgs[0]["problems"], serde_json::json!([]));
    let cl = msgs[0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["tag"] == 11)
        .unwrap();
    assert_eq!(cl["value"], "ORD-3");
    // The acceptor's side: its execution report for ORD-3.
    let er = run(
        &[
            "store",
            "messages",
            "--config",
            acc,
            "--session",
            ACC,
            "--clordid",
            "ORD-3",
        ],
        "",
    );
    let text = stdout(&er);
    assert!(
        er.status.success() && text.contains("ExecutionReport (35=8)"),
        "{text}"
    );
    assert!(text.contains("11 ClOrdID = ORD-3"), "{text}");

    // By range: the first two orders.
    let range = run(
        &[
            "store",
            "messages",
            "--config",
            ini,
            "--session",
            INI,
            "--seq",
            "2..3",
            "--json",
        ],
        "",
    );
    let msgs = json_lines(&stdout(&range));
    let seqs: Vec<_> = msgs.iter().map(|m| m["line"].as_u64().unwrap()).collect();
    assert_eq!(seqs, vec![2, 3]);
    let all = run(
        &[
            "store",
            "messages",
            "--config",
            ini,
            "--session",
            INI,
            "--json",
        ],
        "",
    );
    assert_eq!(json_lines(&stdout(&all)).len(), 7);

    // Nothing found is exit status 1; an unknown session names the known ones.
    let none = run(
        &[
            "store",
            "messages",
            "--config",
            ini,
            "--session",
            INI,
            "--clordid",
            "NOPE",
        ],
        "",
    );
    assert_eq!(none.status.code(), Some(1));
    let unknown = run(
        &[
            "store",
            "messages",
            "--config",
            ini,
            "--session",
            "FIX.4.4:X->Y",
        ],
        "",
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains(INI));

    // Reset refuses without --yes, writing nothing.
    let refused = run(
        &[
            "store",
            "reset",
            "--config",
            ini,
            "--session",
            INI,
            "--sender-seq",
            "20",
            "--target-seq",
            "30",
        ],
        "",
    );
    assert_eq!(refused.status.code(), Some(2));
    if files_checked {
        let now = snapshot(dir);
        let changed: Vec<_> = written
            .iter()
            .filter(|(p, b)| now.get(*p) != Some(*b))
            .map(|(p, _)| p.clone())
            .chain(now.keys().filter(|p| !written.contains_key(*p)).cloned())
            .collect();
        // SQLite's read-only connections make the WAL index files (`-shm`, an empty `-wal`)
        // of a database in WAL mode; the database itself and every store file are untouched.
        let touched: Vec<_> = changed
            .iter()
            .filter(|p| {
                let name = p.to_string_lossy();
                let wal_index = name.ends_with("-shm")
                    || (name.ends_with("-wal") && now.get(*p).is_some_and(Vec::is_empty));
                !wal_index
            })
            .collect();
        assert!(
            touched.is_empty(),
            "reading or a refused reset changed {touched:?}"
        );
    }

    // Reset both sides so that they agree, then log on again with the new numbers.
    for (config, id, sender, target) in [(ini, INI, "20", "30"), (acc, ACC, "30", "20")] {
        let done = run(
            &[
                "store",
                "reset",
                "--config",
                config,
                "--session",
                id,
                "--sender-seq",
                sender,
                "--target-seq",
                target,
                "--yes",
            ],
            "",
        );
        assert!(done.status.success(), "{done:?}");
        assert!(stdout(&done).contains(&format!("next sender {sender}, next target {target}")));
    }
    let listed = json_lines(&stdout(&run(
        &["store", "sessions", "--config", ini, "--json"],
        "",
    )));
    assert_eq!(
        (
            listed[0]["next_sender_seq"].as_u64(),
            listed[0]["next_target_seq"].as_u64()
        ),
        (Some(20), Some(30))
    );
    // Logon 20, the order 21.
    let next = trade(&cfg, &["ORD-6"]).await;
    assert_eq!(next, 22);
    let after = json_lines(&stdout(&run(
        &["store", "sessions", "--config", acc, "--json"],
        "",
    )));
    // The acceptor took Logon 20, the order 21 and the Logout 22.
    assert_eq!(after[0]["next_target_seq"], 23);
    let late = run(
        &[
            "store",
            "messages",
            "--config",
            ini,
            "--session",
            INI,
            "--clordid",
            "ORD-6",
            "--json",
        ],
        "",
    );
    assert_eq!(json_lines(&stdout(&late))[0]["line"], 21);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_store() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), "StoreType=sqlite", true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_store() {
    let dir = tempfile::tempdir().unwrap();
    scenario(dir.path(), "StoreType=file", true).await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store() {
    let Some(url) = fix_test_postgres::url() else {
        return;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let schema = format!("fix_cli_store_{}_{nanos:x}", std::process::id());
    let dir = tempfile::tempdir().unwrap();
    scenario(
        dir.path(),
        &format!(
            "StoreType=postgresql\nPostgreSQLStoreURL={url}\nPostgreSQLStoreSchema={schema}\n\
             PostgreSQLStoreLeaseTimeout=2"
        ),
        false,
    )
    .await;
}

#[test]
fn ranges_parse() {
    use fix_cli::store::parse_range;
    assert_eq!(parse_range("2..5").unwrap(), (2, 5));
    assert_eq!(parse_range("7..").unwrap(), (7, u64::MAX));
    assert_eq!(parse_range("..3").unwrap(), (1, 3));
    assert_eq!(parse_range("4").unwrap(), (4, 4));
    assert!(parse_range("5..2").is_err());
    assert!(parse_range("x..2").is_err());
}
