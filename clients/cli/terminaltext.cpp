// SPDX-License-Identifier: MIT
#include "terminaltext.h"

namespace whisper {

namespace {
constexpr char16_t kEsc = 0x1b;
constexpr char16_t kBel = 0x07;
constexpr char16_t kCsi = 0x9b; // C1 forms of ESC [, ESC ], ESC \ ...
constexpr char16_t kOsc = 0x9d;
constexpr char16_t kSt = 0x9c;
const QString kLineBreak = QStringLiteral("\u23ce");

// String-type sequences (OSC, DCS, SOS, PM, APC) run to a terminator.
bool opensString(char16_t c) {
    return c == u']' || c == u'P' || c == u'X' || c == u'^' || c == u'_';
}

// Skips a control string that starts at `i`; returns the index after it.
qsizetype skipString(const QString &s, qsizetype i) {
    while (i < s.size()) {
        const char16_t c = s.at(i).unicode();
        if (c == kBel || c == kSt)
            return i + 1;
        if (c == kEsc)
            return i + 1 < s.size() && s.at(i + 1) == u'\\' ? i + 2 : i + 1;
        ++i;
    }
    return i;
}

// Skips CSI parameters and intermediates up to and including the final byte.
qsizetype skipCsi(const QString &s, qsizetype i) {
    while (i < s.size()) {
        const char16_t c = s.at(i).unicode();
        ++i;
        if (c >= 0x40 && c <= 0x7e)
            break;
        if (c < 0x20 || c > 0x7e) // malformed: stop at anything else
            break;
    }
    return i;
}
} // namespace

QString terminalSafe(const QString &text) {
    QString out;
    out.reserve(text.size());
    qsizetype i = 0;
    while (i < text.size()) {
        const char16_t c = text.at(i).unicode();
        if (c == u'\r' || c == u'\n' || c == 0x2028 || c == 0x2029) {
            // CR LF is one break.
            if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n')
                ++i;
            out += kLineBreak;
            ++i;
        } else if (c == kEsc) {
            if (i + 1 >= text.size()) {
                ++i;
            } else if (text.at(i + 1) == u'[') {
                i = skipCsi(text, i + 2);
            } else if (opensString(text.at(i + 1).unicode())) {
                i = skipString(text, i + 2);
            } else {
                i += 2; // two-character escape (ESC 7, ESC c, ...)
            }
        } else if (c == kCsi) {
            i = skipCsi(text, i + 1);
        } else if (c == kOsc || c == 0x90 || c == 0x98 || c == 0x9e || c == 0x9f) {
            i = skipString(text, i + 1);
        } else if ((c < 0x20 && c != u'\t') || (c >= 0x7f && c <= 0x9f)) {
            ++i;
        } else {
            out += text.at(i);
            ++i;
        }
    }
    return out;
}

} // namespace whisper
