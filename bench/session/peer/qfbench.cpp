// qfbench: the QuickFIX C++ side of the fix-bench-session benches.
//
// Usage: qfbench ROLE STORE MODE N SETTINGS OUT
//
//   ROLE     acceptor | initiator (ThreadedSocketAcceptor / ThreadedSocketInitiator)
//   STORE    memory (MemoryStoreFactory) | file (FileStoreFactory: FileStorePath from the
//            settings; QuickFIX 1.15.1 writes each record with fwrite + fflush, no fsync)
//   MODE     count    (acceptor) count NewOrderSingles; after the N-th print RECEIVED
//            echo     (either) answer every NewOrderSingle with one ExecutionReport (fill)
//            send     (initiator) after logon send N NewOrderSingles as fast as
//                     Session::sendToTarget returns (it persists and writes each one)
//            rtt      (initiator) after logon, 1,000 warm-up round trips then N, one at a
//                     time: NewOrderSingle out, wait for its ExecutionReport; the N round
//                     trip times (ns, one per line) go to OUT
//            window   (initiator) after logon, N NewOrderSingles with at most 1,000 not yet
//                     answered by their ExecutionReport; prints WINDOW when all are answered
//   N        a count (0 where unused)
//   SETTINGS a QuickFIX settings file; every session in it runs
//   OUT      a file for the rtt samples ("-" otherwise)
//
// No message log (the Rust engine logs no messages either). The messages carry the same
// fields, values and field order as the Rust side's typed fix44 messages (see message_order
// below), so both engines put the same bytes on the wire apart from the header's order.
//
// Lines printed on stdout (first word is the kind), all times in ns:
//   RSS kb                   VmRSS before the engine starts
//   READY                    the engine started (an acceptor listens)
//   LOGON sid                a session logged on
//   START realtime_ns        (send) just before the first order
//   SENT n realtime_ns       (send) after the last sendToTarget returned
//   RECEIVED n first_ns last_ns   (count) realtime of the first and the N-th order
//   RTT n                    (rtt) samples written
//   WINDOW n start_ns end_ns (window) realtime before the first order and after the last report
//   ERROR text | STOPPED
// Reads stdin: QUIT (or end of input) stops the engine and exits.

#include <quickfix/Application.h>
#include <quickfix/FileStore.h>
#include <quickfix/Message.h>
#include <quickfix/MessageStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/ThreadedSocketAcceptor.h>
#include <quickfix/ThreadedSocketInitiator.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace {

std::mutex out_mutex;

void say(const std::string& line) {
  std::lock_guard<std::mutex> lock(out_mutex);
  std::cout << line << std::endl;
}

long long realtime_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

long long rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, 6, "VmRSS:") == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

// UTCTimestamp with milliseconds, as the Rust side's TransactTime.
std::string now_millis() {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  long ms = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
      1000);
  std::tm tm;
  gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d-%02d:%02d:%02d.%03ld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

// Body field order of the FIX44 dictionary, as the generated Rust encoder writes it.
const FIX::message_order& order_nos() {
  static const FIX::message_order o(11, 21, 55, 54, 60, 38, 40, 44, 0);
  return o;
}
const FIX::message_order& order_er() {
  static const FIX::message_order o(37, 11, 17, 150, 39, 55, 54, 38, 40, 44, 32, 31, 151, 14,
                                    6, 60, 0);
  return o;
}

// Order i: ClOrdID B-i, HandlInst 1, SYM, buy, 100 limit at 100.00 + (i mod 1000) / 100.
FIX::Message new_order(long i) {
  FIX::Message m(FIX::message_order(FIX::message_order::header),
                 FIX::message_order(FIX::message_order::trailer), order_nos());
  m.getHeader().setField(35, "D");
  long cents = 10000 + i % 1000;
  char px[32];
  std::snprintf(px, sizeof px, "%ld.%02ld", cents / 100, cents % 100);
  m.setField(11, "B-" + std::to_string(i));
  m.setField(21, "1");
  m.setField(55, "SYM");
  m.setField(54, "1");
  m.setField(60, now_millis());
  m.setField(38, "100");
  m.setField(40, "2");
  m.setField(44, px);
  return m;
}

// The fill for a received order: same fields as the Rust echo.
FIX::Message fill(const FIX::Message& o) {
  FIX::Message m(FIX::message_order(FIX::message_order::header),
                 FIX::message_order(FIX::message_order::trailer), order_er());
  m.getHeader().setField(35, "8");
  const std::string clordid = o.getField(11);
  const std::string qty = o.getField(38);
  const std::string px = o.getField(44);
  m.setField(37, "O-" + clordid);
  m.setField(11, clordid);
  m.setField(17, "E-" + clordid);
  m.setField(150, "F");
  m.setField(39, "2");
  m.setField(55, o.getField(55));
  m.setField(54, o.getField(54));
  m.setField(38, qty);
  m.setField(40, o.getField(40));
  m.setField(44, px);
  m.setField(32, qty);
  m.setField(31, px);
  m.setField(151, "0");
  m.setField(14, qty);
  m.setField(6, px);
  m.setField(60, now_millis());
  return m;
}

class Bench : public FIX::Application {
 public:
  Bench(const std::string& mode, long n) : mode_(mode), n_(n) {}

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& sid) override {
    say("LOGON " + sid.toString());
    std::lock_guard<std::mutex> lock(mutex_);
    if (!logged_on_) {
      logged_on_ = true;
      first_ = sid;
    }
    cv_.notify_all();
  }
  void onLogout(const FIX::SessionID&) override {}
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) throw(
      FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue,
      FIX::RejectLogon) override {}
  void fromApp(const FIX::Message& m, const FIX::SessionID& sid) throw(
      FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue,
      FIX::UnsupportedMessageType) override {
    const std::string& type = m.getHeader().getField(35);
    if (type == "D") {
      if (mode_ == "count") {
        long k = ++orders_;
        if (k == 1) first_ns_ = realtime_ns();
        if (k == n_) {
          long long last = realtime_ns();
          say("RECEIVED " + std::to_string(k) + " " + std::to_string(first_ns_) + " " +
              std::to_string(last));
        }
      } else if (mode_ == "echo") {
        FIX::Message er = fill(m);
        FIX::Session::sendToTarget(er, sid);
      }
    } else if (type == "8") {
      std::lock_guard<std::mutex> lock(mutex_);
      ++reports_;
      cv_.notify_all();
    }
  }

  // Waits for the first logon; returns its session.
  FIX::SessionID wait_logon() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [this] { return logged_on_; });
    return first_;
  }

  // Waits until `k` ExecutionReports were received.
  void wait_reports(long k) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [this, k] { return reports_ >= k; });
  }

 private:
  std::string mode_;
  long n_;
  std::atomic<long> orders_{0};
  long long first_ns_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool logged_on_ = false;
  FIX::SessionID first_;
  long reports_ = 0;
};

void run_send(Bench& app, long n) {
  FIX::SessionID sid = app.wait_logon();
  say("START " + std::to_string(realtime_ns()));
  for (long i = 0; i < n; ++i) {
    FIX::Message m = new_order(i);
    FIX::Session::sendToTarget(m, sid);
  }
  say("SENT " + std::to_string(n) + " " + std::to_string(realtime_ns()));
}

void run_window(Bench& app, long n) {
  const long window = 1000;
  FIX::SessionID sid = app.wait_logon();
  long long start = realtime_ns();
  for (long i = 0; i < n; ++i) {
    if (i >= window) app.wait_reports(i - window + 1);
    FIX::Message m = new_order(i);
    FIX::Session::sendToTarget(m, sid);
  }
  app.wait_reports(n);
  say("WINDOW " + std::to_string(n) + " " + std::to_string(start) + " " +
      std::to_string(realtime_ns()));
}

void run_rtt(Bench& app, long n, const std::string& out) {
  const long warmup = 1000;
  FIX::SessionID sid = app.wait_logon();
  std::vector<long long> samples;
  samples.reserve(static_cast<size_t>(n));
  for (long i = 0; i < warmup + n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    FIX::Message m = new_order(i);
    FIX::Session::sendToTarget(m, sid);
    app.wait_reports(i + 1);
    auto t1 = std::chrono::steady_clock::now();
    if (i >= warmup) {
      samples.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
    }
  }
  std::ofstream f(out);
  for (long long s : samples) f << s << '\n';
  f.close();
  say("RTT " + std::to_string(samples.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: qfbench acceptor|initiator memory|file MODE N SETTINGS OUT"
              << std::endl;
    return 2;
  }
  const std::string role = argv[1], store = argv[2], mode = argv[3];
  const long n = std::stol(argv[4]);
  const std::string out = argv[6];
  say("RSS " + std::to_string(rss_kb()));
  try {
    FIX::SessionSettings settings(argv[5]);
    Bench app(mode, n);
    std::unique_ptr<FIX::MessageStoreFactory> stores;
    if (store == "file") {
      stores.reset(new FIX::FileStoreFactory(settings));
    } else {
      stores.reset(new FIX::MemoryStoreFactory());
    }
    std::unique_ptr<FIX::Initiator> initiator;
    std::unique_ptr<FIX::Acceptor> acceptor;
    if (role == "initiator") {
      initiator.reset(new FIX::ThreadedSocketInitiator(app, *stores, settings));
      initiator->start();
    } else if (role == "acceptor") {
      acceptor.reset(new FIX::ThreadedSocketAcceptor(app, *stores, settings));
      acceptor->start();
    } else {
      say("ERROR unknown role " + role);
      return 2;
    }
    say("READY");
    if (mode == "send") {
      run_send(app, n);
    } else if (mode == "rtt") {
      run_rtt(app, n, out);
    } else if (mode == "window") {
      run_window(app, n);
    }
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line == "QUIT") break;
    }
    if (initiator) initiator->stop(true);
    if (acceptor) acceptor->stop(true);
    say("STOPPED");
  } catch (std::exception& e) {
    say(std::string("ERROR ") + e.what());
    return 1;
  }
  return 0;
}
