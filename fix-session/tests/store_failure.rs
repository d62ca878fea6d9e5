//! A message the store fails to persist is not sent, and its sender learns why: the error is
//! `DriverError::NotPersisted` with its sequence number, and the store's own error is its
//! source.

use std::error::Error as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use fix_session::app::{Application, RawBody};
use fix_session::core::Event;
use fix_session::driver::{Acceptor, DriverError, Initiator};
use fix_session::settings::{SessionSettings, Settings};
use fix_session::store::{MemoryStoreFactory, MessageStore, StoreError, StoreFactory, StoreFuture};

/// A memory store whose saves fail once `fail` is set.
struct FailingStore {
    inner: Box<dyn MessageStore>,
    fail: Arc<AtomicBool>,
}

impl MessageStore for FailingStore {
    fn next_sender_seq(&self) -> u64 {
        self.inner.next_sender_seq()
    }
    fn next_target_seq(&self) -> u64 {
        self.inner.next_target_seq()
    }
    fn creation_time(&self) -> SystemTime {
        self.inner.creation_time()
    }
    fn set_next_sender_seq(&mut self, seq: u64) -> StoreFuture<'_, ()> {
        self.inner.set_next_sender_seq(seq)
    }
    fn set_next_target_seq(&mut self, seq: u64) -> StoreFuture<'_, ()> {
        self.inner.set_next_target_seq(seq)
    }
    fn save_and_increment(&mut self, seq: u64, message: &[u8]) -> StoreFuture<'_, ()> {
        if self.fail.load(Ordering::SeqCst) {
            return Box::pin(async { Err(StoreError::Config("disk gone".into())) });
        }
        self.inner.save_and_increment(seq, message)
    }
    fn get(&mut self, begin: u64, end: u64) -> StoreFuture<'_, Vec<(u64, Vec<u8>)>> {
        self.inner.get(begin, end)
    }
    fn reset(&mut self, now: SystemTime) -> StoreFuture<'_, ()> {
        self.inner.reset(now)
    }
    fn refresh(&mut self) -> StoreFuture<'_, ()> {
        self.inner.refresh()
    }
}

struct FailingStores(Arc<AtomicBool>);

impl StoreFactory for FailingStores {
    fn create(&self, settings: &SessionSettings) -> StoreFuture<'static, Box<dyn MessageStore>> {
        let inner = MemoryStoreFactory.create(settings);
        let fail = self.0.clone();
        Box::pin(async move {
            let store: Box<dyn MessageStore> = Box::new(FailingStore {
                inner: inner.await?,
                fail,
            });
            Ok(store)
        })
    }
}

struct Quiet;
impl Application for Quiet {}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_not_persisted_is_an_error_whose_source_is_the_store_failure() {
    let acc_cfg =
        "[SESSION]\nConnectionType=acceptor\nSocketAcceptPort=0\nSocketAcceptHost=127.0.0.1\n\
                   SenderCompID=EXCH\nTargetCompID=BANK\nBeginString=FIX.4.4\nResetOnLogon=Y\n";
    let acc_settings: Settings = acc_cfg.parse().expect("acceptor settings");
    let (acceptor, _acc_events) =
        Acceptor::start(acc_settings, Arc::new(MemoryStoreFactory), Arc::new(Quiet))
            .await
            .expect("acceptor");
    let port = acceptor.local_addr().expect("bound").port();
    let ini_cfg = format!(
        "[SESSION]\nConnectionType=initiator\nHeartBtInt=30\nReconnectInterval=30\nBeginString=FIX.4.4\n\
         SenderCompID=BANK\nTargetCompID=EXCH\nResetOnLogon=Y\n\
         SocketConnectHost=127.0.0.1\nSocketConnectPort={port}\n"
    );
    let ini_settings: Settings = ini_cfg.parse().expect("initiator settings");
    let ini_id = ini_settings.sessions[0].id.clone();
    let fail = Arc::new(AtomicBool::new(false));
    let (initiator, mut events) = Initiator::start(
        ini_settings,
        Arc::new(FailingStores(fail.clone())),
        Arc::new(Quiet),
    )
    .await
    .expect("initiator");
    let session = initiator.session(&ini_id).expect("session").clone();
    tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(ev) = events.recv().await {
            if ev.event == Event::LoggedOn {
                return;
            }
        }
        panic!("events ended before the logon");
    })
    .await
    .expect("logon in time");

    fail.store(true, Ordering::SeqCst);
    let sent = session.send(RawBody::new("B").with(148, "headline")).await;
    let err = match sent {
        Err(e) => e,
        Ok(seq) => panic!("message {seq} reported sent although the store failed"),
    };
    // The Logon was 1 (ResetOnLogon=Y): the News is 2.
    assert!(
        matches!(err, DriverError::NotPersisted { seq: 2, .. }),
        "{err:?}"
    );
    // The failure, shared by the batch's messages: an `Arc<DriverError>`.
    let cause = err.source().expect("the failure is the source");
    assert!(cause.to_string().contains("disk gone"), "{cause}");
    assert!(
        matches!(
            cause.downcast_ref::<Arc<DriverError>>().map(|e| &**e),
            Some(DriverError::Store(StoreError::Config(_)))
        ),
        "{cause:?}"
    );
    initiator.stop().await;
    acceptor.stop().await;
}
