//! fix-session's README example, built from the packaged crates: an acceptor and an initiator
//! log on over loopback.

use std::sync::Arc;
use std::time::Duration;

use fix_session::core::Event;
use fix_session::store::MemoryStoreFactory;
use fix_session::{Acceptor, Application, Initiator, Settings};

struct App;
impl Application for App {}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let acceptor: Settings = "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptHost=127.0.0.1\n\
        SocketAcceptPort=0\nSenderCompID=EXCH\n[SESSION]\nBeginString=FIX.4.4\nTargetCompID=BANK\n"
        .parse()?;
    let (acceptor, _) =
        Acceptor::start(acceptor, Arc::new(MemoryStoreFactory), Arc::new(App)).await?;
    let port = acceptor.local_addrs()[0].port();
    let initiator: Settings = format!(
        "[DEFAULT]\nConnectionType=initiator\nHeartBtInt=30\nSenderCompID=BANK\n[SESSION]\n\
         BeginString=FIX.4.4\nTargetCompID=EXCH\nSocketConnectHost=127.0.0.1\nSocketConnectPort={port}\n"
    )
    .parse()?;
    let (initiator, mut events) =
        Initiator::start(initiator, Arc::new(MemoryStoreFactory), Arc::new(App)).await?;
    let logged_on = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(ev) = events.recv().await {
            if ev.event == Event::LoggedOn {
                return Some(ev.session);
            }
        }
        None
    })
    .await?;
    initiator.stop().await;
    acceptor.stop().await;
    match logged_on {
        Some(id) => {
            println!("fix-session: {id} logged on");
            Ok(())
        }
        None => Err("the initiator never logged on".into()),
    }
}
