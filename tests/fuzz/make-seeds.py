#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the seed corpora under tests/fuzz/corpus/ from the documented
# examples (docs/PROTOCOL.md, docs/CONTROL-PROTOCOL.md) and a few
# hand-made frames and requests. Seeds are named by content hash, as
# libFuzzer names what it finds, so rerunning this adds nothing twice.
import hashlib
import os
import re
import struct

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
corpus = os.path.join(root, "tests", "fuzz", "corpus")


def seed(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def frame(opcode, payload, mask=None, fin=True, rsv=0):
    out = bytes([(0x80 if fin else 0) | rsv | opcode])
    m = 0x80 if mask is not None else 0
    n = len(payload)
    if n < 126:
        out += bytes([m | n])
    elif n <= 0xFFFF:
        out += bytes([m | 126]) + struct.pack(">H", n)
    else:
        out += bytes([m | 127]) + struct.pack(">Q", n)
    if mask is not None:
        out += mask
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return out + payload


def examples(doc):
    text = open(os.path.join(root, "docs", doc), encoding="utf-8").read()
    return sorted(set(re.findall(r'\{"type":"[a-z_]+"[^`\n]*\}', text)))


client_types = {"join", "message", "typing", "leave", "register", "login", "logout", "resume",
                "change_password", "totp_enroll", "totp_enable", "totp_disable", "block",
                "report"}
for line in examples("PROTOCOL.md"):
    kind = re.match(r'\{"type":"([a-z_]+)"', line).group(1)
    if kind in client_types and '"ts"' not in line:
        seed("clientdecode", line)
    else:
        seed("serverdecode", line)
for hard in [
    '{"type":"message","text":"caf\\u00e9 \\ud83d\\ude00","id":"a"}',
    '{"type":"message","text":"x","text":"y"}',
    '{"type":"message","id":"m-1","text":"hello"}',
    '{"type":"message","text":"\\ud800"}',
    '{"type":"message","text":1}',
    '{"type":"message","text":"a","extra":[1,{"b":null}]}',
    ' {"type" : "message" , "text" : "spaced" } ',
]:
    seed("clientdecode", hard)
seed("clientdecode", b'{"type":"message","text":"\xff\xfe"}')

console_types = {"login", "subscribe", "kick", "kick_pair", "ban", "preview_ban", "list_bans",
                 "unban", "list_reports", "resolve_report", "lookup_account", "set_role",
                 "broadcast", "set_tick_interval", "drain"}
for line in examples("CONTROL-PROTOCOL.md"):
    kind = re.match(r'\{"type":"([a-z_]+)"', line).group(1)
    seed("control", (b"\x00" if kind in console_types else b"\x01") + line.encode())

masks = [bytes([0x37, 0xFA, 0x21, 0x3D]), bytes(4)]
frames = [
    frame(1, b"Hello"),
    frame(1, b"Hello", masks[0]),
    frame(1, b"Hel", fin=False) + frame(0, b"lo"),
    frame(9, b"Hello", masks[0]),
    frame(10, b"", masks[0]),
    frame(8, struct.pack(">H", 1000) + b"bye", masks[0]),
    frame(2, bytes(256), masks[0]),
    frame(1, b"x" * 70000)[:40],  # a 64-bit length, truncated
    frame(1, b"x", rsv=0x40),
    frame(3, b""),
]
for f in frames:
    seed("wsframe", f)

upgrade = ("GET /chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\nOrigin: http://localhost\r\n\r\n").encode()
seed("wshandshake", upgrade)
seed("wshandshake", upgrade + frame(1, b'{"type":"leave"}', masks[0]))
seed("wshandshake", upgrade.replace(b"13", b"8"))
seed("wshandshake", upgrade.replace(b"GET", b"POST"))
seed("wshandshake", b"GET / HTTP/1.1\r\nhost: x\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\n"
     b"sec-websocket-key: AQIDBAUGBwgJCgsMDQ4PEA==\r\nsec-websocket-version: 13\r\n\r\n")
seed("wshandshake", b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 9000 + b"\r\n\r\n")

conn = [
    frame(1, b'{"type":"join","lat":52.5,"lon":13.4,"range_km":10}', masks[0]),
    frame(1, b"Hel", masks[0], fin=False) + frame(9, b"", masks[0]) + frame(0, b"lo", masks[0]),
    frame(9, b"ping", masks[0]) * 20,
    frame(8, struct.pack(">H", 1000), masks[0]),
    frame(8, b"", masks[0]),
    frame(2, b"\x00\x01", masks[0]),
    frame(1, b"x" * 20000, masks[0]),
    frame(1, b"unmasked"),
    frame(1, b"\xc3\x28", masks[1]),
    frame(0, b"orphan", masks[0]),
]
for f in conn:
    seed("wsconnection", f)

seed("config", "[server]\nport=8080\nlisten=127.0.0.1\nmax_text_chars=500\n")
seed("config", "[server]\nmax_message_bytes=100000\nmax_output_bytes=50000\n")
seed("config", "[server]\nport=99999\n")
seed("config", "[server]\nprot=1\n")
seed("config", b"[server]\nlisten=::1\n\x00WHISPERCHAT_PORT=9000\nWHISPERCHAT_RATE_EXEMPT=127.0.0.1,::1\n\x00--port\n7000\n--tls-cert\n/x\n")
seed("config", b"\x00\x00--help\n")
seed("config", b"[server\nport=\"1\n\x00\x00--idle-timeout-ms=10\n--ping-interval-ms=20\n")

seed("totp", "JBSWY3DPEHPK3PXP\n123456")
seed("totp", "jbsw y3dp ehpk 3pxp====\n000000\x00\x00\x00\x00\x5e\x00\x00\x00")
seed("totp", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n287082")
seed("totp", "1\n")
