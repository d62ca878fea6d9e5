// A thin C interface over QuickFIX C++ (Debian's libquickfix-dev 1.15.1) for the codec
// benches of fix-bench-codec. No exception leaves these functions: each catches and reports
// failure as a negative return value.
//
// A bench handle holds one input message as a std::string (QuickFIX's input type), the
// dictionary, a message parsed from it with the dictionary (the encode input) and the output
// string reused by every encode, as the Rust side reuses its buffer.

#include <quickfix/DataDictionary.h>
#include <quickfix/Message.h>
#include <quickfix/fix44/NewOrderSingle.h>

#include <cstddef>
#include <cstring>
#include <string>

namespace {

struct Bench {
  const FIX::DataDictionary* dd;
  std::string raw;
  FIX::Message parsed;
  std::string out;
};

int fieldCount(const FIX::FieldMap& map) {
  int n = 0;
  for (FIX::FieldMap::const_iterator i = map.begin(); i != map.end(); ++i) ++n;
  for (FIX::FieldMap::g_const_iterator g = map.g_begin(); g != map.g_end(); ++g)
    for (std::vector<FIX::FieldMap*>::const_iterator e = g->second.begin();
         e != g->second.end(); ++e)
      n += fieldCount(**e);
  return n;
}

}  // namespace

extern "C" {

// Loads a QuickFIX data dictionary (e.g. dictionaries/FIX44.xml). Null on failure.
void* qfshim_dictionary_new(const char* path) {
  try {
    return new FIX::DataDictionary(std::string(path));
  } catch (...) {
    return nullptr;
  }
}

void qfshim_dictionary_free(void* dd) {
  delete static_cast<FIX::DataDictionary*>(dd);
}

// A bench handle for the message raw[0..len). Null if QuickFIX cannot parse and validate it
// with the dictionary.
void* qfshim_bench_new(const void* dd, const unsigned char* raw, size_t len) {
  try {
    Bench* b = new Bench();
    b->dd = static_cast<const FIX::DataDictionary*>(dd);
    b->raw.assign(reinterpret_cast<const char*>(raw), len);
    b->parsed.setString(b->raw, true, b->dd, b->dd);
    b->dd->validate(b->parsed);
    b->parsed.toString(b->out);
    return b;
  } catch (...) {
    return nullptr;
  }
}

void qfshim_bench_free(void* b) { delete static_cast<Bench*>(b); }

// FIX::Message from the string without a dictionary (BodyLength and CheckSum checked, no
// group structure, no field validation). Returns the number of body fields, -1 on error.
int qfshim_parse_plain(void* h) {
  Bench* b = static_cast<Bench*>(h);
  try {
    FIX::Message m(b->raw, true);
    return fieldCount(m);
  } catch (...) {
    return -1;
  }
}

// FIX::Message from the string with the dictionary (groups, header/body/trailer order,
// BodyLength, CheckSum), then DataDictionary::validate (message type, required fields,
// field types and enumerated values, fields belonging to the message, group counts), as a
// QuickFIX session does for every incoming message. Returns the number of fields (groups
// included), -1 on error.
int qfshim_parse_validate(void* h) {
  Bench* b = static_cast<Bench*>(h);
  try {
    FIX::Message m(b->raw, *b->dd, true);
    b->dd->validate(m);
    return fieldCount(m);
  } catch (...) {
    return -1;
  }
}

// Message::toString of the message parsed with the dictionary into the reused output
// string (BodyLength and CheckSum computed). Returns its length, -1 on error.
long long qfshim_encode(void* h) {
  Bench* b = static_cast<Bench*>(h);
  try {
    b->parsed.toString(b->out);
    return static_cast<long long>(b->out.size());
  } catch (...) {
    return -1;
  }
}

// The benchmark NewOrderSingle built from typed values (FIX44::NewOrderSingle, header
// included) and encoded with toString into the reused output string: what our typed encode
// does, with QuickFIX formatting each value as it is set. Returns the length, -1 on error.
long long qfshim_build_encode_nos(void* h) {
  Bench* b = static_cast<Bench*>(h);
  try {
    FIX44::NewOrderSingle m;
    FIX::Header& hd = m.getHeader();
    hd.setField(FIX::BeginString("FIX.4.4"));
    hd.setField(FIX::SenderCompID("BUYSIDE-OMS"));
    hd.setField(FIX::TargetCompID("SELLSIDE-GW"));
    hd.setField(FIX::MsgSeqNum(1047));
    hd.setField(FIX::SendingTime(FIX::UtcTimeStamp(10, 11, 12, 345, 2, 1, 2024), 3));
    m.set(FIX::ClOrdID("ORD-20240102-000042"));
    FIX44::NewOrderSingle::NoPartyIDs p;
    p.set(FIX::PartyID("TRADER-JSMITH"));
    p.set(FIX::PartyIDSource('D'));
    p.set(FIX::PartyRole(11));
    m.addGroup(p);
    p.set(FIX::PartyID("FIRM-ABCD"));
    p.set(FIX::PartyIDSource('B'));
    p.set(FIX::PartyRole(1));
    m.addGroup(p);
    m.set(FIX::Account("ACC-7781"));
    m.set(FIX::HandlInst('1'));
    m.set(FIX::Symbol("AAPL"));
    m.set(FIX::SecurityID("US0378331005"));
    m.set(FIX::SecurityIDSource("4"));
    m.set(FIX::SecurityExchange("XNAS"));
    m.set(FIX::Side('1'));
    m.set(FIX::TransactTime(FIX::UtcTimeStamp(10, 11, 12, 340, 2, 1, 2024), 3));
    m.set(FIX::OrderQty(100));
    m.set(FIX::OrdType('2'));
    m.set(FIX::Price(187.25));
    m.set(FIX::Currency("USD"));
    m.set(FIX::TimeInForce('0'));
    m.set(FIX::Text("bench order"));
    m.toString(b->out);
    return static_cast<long long>(b->out.size());
  } catch (...) {
    return -1;
  }
}

// The bytes of the last encode; their length goes to *len.
const unsigned char* qfshim_encoded(void* h, size_t* len) {
  Bench* b = static_cast<Bench*>(h);
  *len = b->out.size();
  return reinterpret_cast<const unsigned char*>(b->out.data());
}

}  // extern "C"
