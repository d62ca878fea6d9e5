// qfpeer: a QuickFIX C++ counterparty for the fix-rs interop tests.
//
// Usage: qfpeer acceptor|initiator SETTINGS_FILE
// (`PeerRefuseLogon=TEXT` in [DEFAULT], not a QuickFIX key, refuses Logons from the start.)
//
// Runs the sessions of a QuickFIX settings file (UseDataDictionary=Y and the validation keys
// come from that file) as acceptor or initiator. Whichever role it has, the application:
//   - answers every NewOrderSingle with one ExecutionReport carrying repeating groups
//     (NoContraBrokers for every version, NoPartyIDs with a nested NoPartySubIDs for
//     FIX.4.4 and FIXT.1.1/FIX.5.0SP2);
//   - prints one machine-readable line on stdout per event (see `say` below);
//   - reads commands on stdin, one per line, applied to the first session:
//       ORDERS n PREFIX    send n NewOrderSingles, ClOrdID PREFIX-0 .. PREFIX-(n-1)
//       REPORTS n PREFIX   send n unsolicited ExecutionReports with those ClOrdIDs
//       BIGREPORTS n PREFIX c   the same with c NoContraBrokers entries each
//       BAD KIND ID        send an invalid NewOrderSingle (or ExecutionReport for group
//                          kinds), ClOrdID ID: KIND is missing (no OrdType), enum (Side Z),
//                          format (OrderQty abc), duplicate (Symbol twice), undefined (tag
//                          5999), empty (Price without value), msgtype (MsgType ZZ, body of
//                          an order), unsupported (a valid News), groupcount (NoContraBrokers 3
//                          with 2 entries) or grouporder (an entry starting with ContraTrader)
//       TESTREQ ID         send a TestRequest with TestReqID ID
//       GAP k              skip k outgoing sequence numbers (the peer then sees a gap)
//       RESET k            send a SequenceReset-Reset to next+1+k and continue from there
//       RESETTO n          send a SequenceReset-Reset to n, sequence numbers unchanged
//       REFUSE TEXT        refuse every Logon from now on (RejectLogon with TEXT)
//       SEQ                print the next sender and target sequence numbers
//       LOGOUT             start the logout handshake
//       QUIT               stop and exit
//
// Lines printed (space separated, first word is the kind):
//   READY | ERROR text | CREATE sid | LOGON sid | LOGOUT sid
//   ADMIN_IN type seq tag=value...  ADMIN_OUT type seq tag=value...  (admin messages)
//   APP type seq clordid possdup groups   (received application messages; for a
//                                         BusinessMessageReject `45=.. 372=.. 380=..`)
//   SENT n | DONE prefix n (every order of ORDERS answered) | OK ... | SEQ next_sender next_target
//   STOPPED
//
// `groups` of an ExecutionReport is `cb=B/T/Q;B/T/Q pty=ID/SRC/ROLE/SUB:TYPE;...` read through
// QuickFIX's group API, which works only when the dictionary structured the message.

#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/FileStore.h>
#include <quickfix/Message.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/ThreadedSocketAcceptor.h>
#include <quickfix/ThreadedSocketInitiator.h>

#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>

namespace {

std::mutex out_mutex;

void say(const std::string& line) {
  std::lock_guard<std::mutex> lock(out_mutex);
  std::cout << line << std::endl;
}

const char* kTime = "20240102-03:04:05.678";

// Whether the session's messages carry the FIX.4.4-style groups (NoPartyIDs) too.
bool hasParties(const FIX::SessionID& sid) {
  return sid.getBeginString().getValue() != "FIX.4.2";
}

std::string fieldOr(const FIX::FieldMap& map, int tag, const std::string& dflt) {
  return map.isSetField(tag) ? map.getField(tag) : dflt;
}

FIX::Message newOrder(const FIX::SessionID&, const std::string& clordid) {
  FIX::Message m;
  m.getHeader().setField(35, "D");
  m.setField(11, clordid);
  m.setField(21, "1");
  m.setField(38, "100");
  m.setField(40, "2");
  m.setField(44, "10.5");
  m.setField(54, "1");
  m.setField(55, "IBM");
  m.setField(60, kTime);
  return m;
}

FIX::Message report(const FIX::SessionID& sid, const std::string& clordid,
                    const std::string& side, const std::string& symbol,
                    bool withGroups = true, int contra = 2) {
  FIX::Message m;
  m.getHeader().setField(35, "8");
  m.setField(6, "0");
  m.setField(11, clordid);
  m.setField(14, "0");
  m.setField(17, "E-" + clordid);
  if (!hasParties(sid)) m.setField(20, "0");
  m.setField(37, "O-" + clordid);
  m.setField(39, "0");
  m.setField(54, side);
  m.setField(55, symbol);
  m.setField(150, "0");
  m.setField(151, "100");
  if (!withGroups) return m;
  for (int i = 1; i <= contra; ++i) {
    FIX::Group cb(382, 375, FIX::message_order(375, 337, 437, 438, 0));
    cb.setField(375, "CB" + std::to_string(i));
    cb.setField(337, "T" + std::to_string(i) + "-" + clordid);
    cb.setField(437, std::to_string(10 * i));
    cb.setField(438, kTime);
    m.addGroup(cb);
  }
  if (hasParties(sid)) {
    FIX::Group p1(453, 448, FIX::message_order(448, 447, 452, 802, 0));
    p1.setField(448, "P1-" + clordid);
    p1.setField(447, "D");
    p1.setField(452, "1");
    FIX::Group sub(802, 523, FIX::message_order(523, 803, 0));
    sub.setField(523, "DESK");
    sub.setField(803, "1");
    p1.addGroup(sub);
    m.addGroup(p1);
    FIX::Group p2(453, 448, FIX::message_order(448, 447, 452, 802, 0));
    p2.setField(448, "P2");
    p2.setField(447, "D");
    p2.setField(452, "3");
    m.addGroup(p2);
  }
  return m;
}

// The groups of a received ExecutionReport, through QuickFIX's group API.
std::string groups(const FIX::Message& m) {
  std::ostringstream s;
  s << "cb=";
  size_t n = m.groupCount(382);
  for (size_t i = 1; i <= n; ++i) {
    FIX::Group g(382, 375);
    m.getGroup(i, g);
    if (i > 1) s << ';';
    s << fieldOr(g, 375, "") << '/' << fieldOr(g, 337, "") << '/' << fieldOr(g, 437, "");
  }
  s << " pty=";
  n = m.groupCount(453);
  for (size_t i = 1; i <= n; ++i) {
    FIX::Group g(453, 448);
    m.getGroup(i, g);
    if (i > 1) s << ';';
    s << fieldOr(g, 448, "") << '/' << fieldOr(g, 447, "") << '/' << fieldOr(g, 452, "");
    size_t subs = g.groupCount(802);
    for (size_t j = 1; j <= subs; ++j) {
      FIX::Group sg(802, 523);
      g.getGroup(static_cast<unsigned>(j), sg);
      s << '/' << fieldOr(sg, 523, "") << ':' << fieldOr(sg, 803, "");
    }
  }
  return s.str();
}

std::string admin(const char* dir, const FIX::Message& m) {
  std::ostringstream s;
  s << dir << ' ' << fieldOr(m.getHeader(), 35, "?") << ' ' << fieldOr(m.getHeader(), 34, "?");
  if (m.getHeader().isSetField(43)) s << " 43=" << m.getHeader().getField(43);
  const int tags[] = {7, 16, 36, 45, 58, 108, 112, 123, 141, 371, 372, 373, 1137};
  for (int tag : tags) {
    if (m.isSetField(tag)) s << ' ' << tag << '=' << m.getField(tag);
  }
  return s.str();
}

class Peer : public FIX::Application {
 public:
  void onCreate(const FIX::SessionID& sid) override { say("CREATE " + sid.toString()); }
  void onLogon(const FIX::SessionID& sid) override { say("LOGON " + sid.toString()); }
  void onLogout(const FIX::SessionID& sid) override { say("LOGOUT " + sid.toString()); }
  void toAdmin(FIX::Message& m, const FIX::SessionID&) override { say(admin("ADMIN_OUT", m)); }
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message& m, const FIX::SessionID&) throw(
      FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue,
      FIX::RejectLogon) override {
    say(admin("ADMIN_IN", m));
    std::string refusal;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      refusal = refuse_;
    }
    if (!refusal.empty() && m.getHeader().getField(35) == "A") throw FIX::RejectLogon(refusal);
  }

  // Logons are refused with `text` from now on (empty: accepted again).
  void refuse(const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    refuse_ = text;
  }
  void fromApp(const FIX::Message& m, const FIX::SessionID& sid) throw(
      FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue,
      FIX::UnsupportedMessageType) override {
    const std::string type = m.getHeader().getField(35);
    const std::string clordid = fieldOr(m, 11, "-");
    std::ostringstream line;
    line << "APP " << type << ' ' << m.getHeader().getField(34) << ' ' << clordid << ' '
         << fieldOr(m.getHeader(), 43, "N");
    if (type == "8") line << ' ' << groups(m);
    if (type == "j") {
      line << " 45=" << fieldOr(m, 45, "") << " 372=" << fieldOr(m, 372, "")
           << " 380=" << fieldOr(m, 380, "");
    }
    say(line.str());
    if (type == "D") {
      FIX::Message er = report(sid, clordid, m.getField(54), m.getField(55));
      FIX::Session::sendToTarget(er, sid);
    } else if (type == "8") {
      countReport(clordid);
    }
  }

  void expect(const std::string& prefix, int n) {
    std::lock_guard<std::mutex> lock(mutex_);
    expected_[prefix] = n;
    seen_[prefix].clear();
  }

 private:
  void countReport(const std::string& clordid) {
    size_t dash = clordid.rfind('-');
    if (dash == std::string::npos) return;
    std::string prefix = clordid.substr(0, dash);
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = expected_.find(prefix);
    if (it == expected_.end()) return;
    std::set<std::string>& seen = seen_[prefix];
    if (seen.insert(clordid).second && static_cast<int>(seen.size()) == it->second) {
      say("DONE " + prefix + " " + std::to_string(it->second));
    }
  }

  std::mutex mutex_;
  std::string refuse_;
  std::map<std::string, int> expected_;
  std::map<std::string, std::set<std::string>> seen_;
};

void run(Peer& peer, FIX::Initiator* initiator, FIX::Acceptor* acceptor,
         const FIX::SessionID& sid) {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    FIX::Session* session = FIX::Session::lookupSession(sid);
    if (!session) {
      say("ERROR no session");
      continue;
    }
    try {
      if (cmd == "ORDERS" || cmd == "REPORTS") {
        int n = 0;
        std::string prefix;
        in >> n >> prefix;
        if (cmd == "ORDERS") peer.expect(prefix, n);
        for (int i = 0; i < n; ++i) {
          std::string id = prefix + "-" + std::to_string(i);
          FIX::Message m = cmd == "ORDERS" ? newOrder(sid, id) : report(sid, id, "1", "IBM");
          FIX::Session::sendToTarget(m, sid);
        }
        say("SENT " + std::to_string(n));
      } else if (cmd == "BIGREPORTS") {
        int n = 0, contra = 0;
        std::string prefix;
        in >> n >> prefix >> contra;
        for (int i = 0; i < n; ++i) {
          std::string id = prefix + "-" + std::to_string(i);
          FIX::Message m = report(sid, id, "1", "IBM", true, contra);
          FIX::Session::sendToTarget(m, sid);
        }
        say("SENT " + std::to_string(n));
      } else if (cmd == "BAD") {
        std::string kind, id;
        in >> kind >> id;
        FIX::Message m = kind == "groupcount" || kind == "grouporder"
                             ? report(sid, id, "1", "IBM", kind == "groupcount")
                             : newOrder(sid, id);
        if (kind == "missing") {
          m.removeField(40);
        } else if (kind == "enum") {
          m.setField(54, "Z");
        } else if (kind == "format") {
          m.setField(38, "abc");
        } else if (kind == "duplicate") {
          m.setField(FIX::StringField(55, "MSFT"), false);
        } else if (kind == "undefined") {
          m.setField(5999, "X");
        } else if (kind == "empty") {
          m.setField(44, "");
        } else if (kind == "msgtype") {
          m.getHeader().setField(35, "ZZ");
        } else if (kind == "unsupported") {
          // A valid News, which the test's application does not support.
          m = FIX::Message();
          m.getHeader().setField(35, "B");
          m.setField(148, "headline " + id);
          FIX::Group line(33, 58);
          line.setField(58, "text");
          m.addGroup(line);
        } else if (kind == "groupcount") {
          m.setField(382, "3");
        } else if (kind == "grouporder") {
          // An entry of NoContraBrokers that does not start with its delimiter.
          FIX::Group g(382, 337, FIX::message_order(337, 375, 0));
          g.setField(337, "T1");
          g.setField(375, "CB1");
          m.addGroup(g);
          m.setField(382, "1");
        } else {
          say("ERROR unknown kind " + kind);
          continue;
        }
        FIX::Session::sendToTarget(m, sid);
        say("SENT 1");
      } else if (cmd == "TESTREQ") {
        std::string id;
        in >> id;
        FIX::Message m;
        m.getHeader().setField(35, "1");
        m.setField(112, id);
        FIX::Session::sendToTarget(m, sid);
        say("SENT 1");
      } else if (cmd == "GAP") {
        int k = 0;
        in >> k;
        int next = session->getExpectedSenderNum() + k;
        session->setNextSenderMsgSeqNum(next);
        say("OK GAP " + std::to_string(next));
      } else if (cmd == "RESET") {
        int k = 0;
        in >> k;
        int next = session->getExpectedSenderNum() + 1 + k;
        FIX::Message m;
        m.getHeader().setField(35, "4");
        m.setField(36, std::to_string(next));
        FIX::Session::sendToTarget(m, sid);
        session->setNextSenderMsgSeqNum(next);
        say("OK RESET " + std::to_string(next));
      } else if (cmd == "RESETTO") {
        std::string n;
        in >> n;
        FIX::Message m;
        m.getHeader().setField(35, "4");
        m.setField(36, n);
        FIX::Session::sendToTarget(m, sid);
        say("OK RESETTO " + n);
      } else if (cmd == "REFUSE") {
        std::string text;
        std::getline(in >> std::ws, text);
        peer.refuse(text);
        say("OK REFUSE");
      } else if (cmd == "SEQ") {
        say("SEQ " + std::to_string(session->getExpectedSenderNum()) + " " +
            std::to_string(session->getExpectedTargetNum()));
      } else if (cmd == "LOGOUT") {
        session->logout();
        say("OK LOGOUT");
      } else if (cmd == "QUIT") {
        break;
      } else if (!cmd.empty()) {
        say("ERROR unknown command " + cmd);
      }
    } catch (std::exception& e) {
      say(std::string("ERROR ") + e.what());
    }
  }
  if (initiator) initiator->stop();
  if (acceptor) acceptor->stop();
  say("STOPPED");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: qfpeer acceptor|initiator SETTINGS_FILE" << std::endl;
    return 2;
  }
  const std::string role = argv[1];
  try {
    FIX::SessionSettings settings(argv[2]);
    std::set<FIX::SessionID> ids = settings.getSessions();
    if (ids.empty()) {
      say("ERROR no session in settings");
      return 2;
    }
    Peer peer;
    // Not a QuickFIX key: the peer's own, to refuse Logons from the start.
    if (settings.get().has("PeerRefuseLogon")) {
      peer.refuse(settings.get().getString("PeerRefuseLogon"));
    }
    FIX::FileStoreFactory stores(settings);
    FIX::FileLogFactory logs(settings);
    std::unique_ptr<FIX::Initiator> initiator;
    std::unique_ptr<FIX::Acceptor> acceptor;
    if (role == "initiator") {
      initiator.reset(new FIX::ThreadedSocketInitiator(peer, stores, settings, logs));
      initiator->start();
    } else if (role == "acceptor") {
      acceptor.reset(new FIX::ThreadedSocketAcceptor(peer, stores, settings, logs));
      acceptor->start();
    } else {
      say("ERROR unknown role " + role);
      return 2;
    }
    say("READY");
    run(peer, initiator.get(), acceptor.get(), *ids.begin());
  } catch (std::exception& e) {
    say(std::string("ERROR ") + e.what());
    return 1;
  }
  return 0;
}
