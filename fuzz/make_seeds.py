#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target (fuzz/seeds/<target>/) and the log sample of
the `fix` tool's tests (fix-cli/tests/data/acceptance-samples.log) from the messages the
QuickFIX acceptance scripts send (their `I` lines, BodyLength and CheckSum computed, times
filled in), the repository's settings files and dictionaries.

    python3 fuzz/make_seeds.py [ACCEPTANCE_DIR]    default: ../shared/acceptance
"""
import datetime
import hashlib
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
acceptance = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else root / "../shared/acceptance")
seeds = root / "fuzz/seeds"
START = datetime.datetime(2024, 1, 2, 10, 11, 12)  # fix_fuzz::SESSION_START_UNIX


def times(line):
    def sub(m):
        t = START + datetime.timedelta(seconds=int(m.group(1) or 0))
        return t.strftime("%Y%m%d-%H:%M:%S.000").encode()
    return re.sub(rb"<TIME([+-][0-9]+)?>", sub, line)


def frame(line):
    """An `I` line as a message: framed unless the script gives 9 or 10 itself."""
    fields = line.split(b"\x01")
    if fields and fields[-1] == b"":
        fields.pop()
    if any(f.startswith(b"9=") or f.startswith(b"10=") for f in fields):
        return line, False
    body = b"".join(f + b"\x01" for f in fields[1:])
    head = fields[0] + b"\x01" + b"9=" + str(len(body)).encode() + b"\x01" + body
    return head + b"10=%03d\x01" % (sum(head) % 256), True


def messages(folder):
    out = []
    for script in sorted((acceptance / folder).glob("*.def")):
        msgs = []
        for raw in script.read_bytes().split(b"\n"):
            raw = raw.rstrip(b"\r")
            if raw.startswith(b"I8="):
                msgs.append(frame(times(raw[1:])))
        out.append((script.stem, msgs))
    return out


def write(target, name, data):
    d = seeds / target
    d.mkdir(parents=True, exist_ok=True)
    (d / (name or hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


for folder, targets in [("fix42", ["framing", "view"]), ("fix44", ["framing", "view", "typed_fix44"]),
                        ("fix50sp2", ["view", "typed_fix50"])]:
    for _, msgs in messages(folder):
        for m, _ in msgs:
            for t in targets:
                write(t, None, m)
for stem, msgs in messages("fix44"):
    write("session", stem, b"\n".join(m for m, _ in msgs))
for cfg in list(acceptance.glob("*.cfg")) + list((root / "fix-session/examples").glob("*.cfg")):
    write("settings", cfg.name, cfg.read_bytes())
for xml in list((root / "fix-dict/tests/quirks").glob("*.xml")) + [root / "dictionaries/FIXT11.xml"]:
    write("dictionary", xml.name, xml.read_bytes())

sample = []
for folder in ["fix40", "fix41", "fix42", "fix43", "fix44", "fix50", "fix50sp1", "fix50sp2"]:
    for _, msgs in messages(folder):
        # Messages a FIX tool can read: a known BeginString, MsgType third (the scripts also
        # send a FIX.3.9 Logon and one with MsgType out of place, on purpose).
        sample += [m for m, framed in msgs if framed and b"\n" not in m
                   and m.split(b"\x01")[2].startswith(b"35=")
                   and not m.startswith(b"8=FIX.3.9")]
unique = list(dict.fromkeys(sample))
(root / "fix-cli/tests/data").mkdir(parents=True, exist_ok=True)
(root / "fix-cli/tests/data/acceptance-samples.log").write_bytes(b"".join(m + b"\n" for m in unique))
print(f"{len(unique)} sample messages")
for t in sorted(seeds.iterdir()):
    print(t.name, len(list(t.iterdir())))
