// SPDX-License-Identifier: MIT
#include "stdinreader.h"

#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iterator>

namespace whisper {

namespace {

// The terminal's mode when the client started, and the one it edits in.
// The signal handlers put the first back (tcsetattr is async-signal-safe)
// and then let the signal do what it would have done, so Ctrl-C never
// leaves the user's shell typing blind; SIGCONT re-applies the editing
// mode after a Ctrl-Z, whose shell may have reset it.
termios g_original{};
termios g_editing{};
constexpr int kRestoringSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
struct sigaction g_previous[std::size(kRestoringSignals)];
struct sigaction g_previousCont {};

void uninstallHandlers() {
    for (std::size_t i = 0; i < std::size(kRestoringSignals); ++i)
        ::sigaction(kRestoringSignals[i], &g_previous[i], nullptr);
    ::sigaction(SIGCONT, &g_previousCont, nullptr);
}

void restoreAndRaise(int signal) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &g_original);
    uninstallHandlers();
    ::raise(signal);
}

void reapplyEditing(int) {
    // Only in the foreground: from the background tcsetattr would stop the
    // process again (SIGTTOU).
    if (::tcgetpgrp(STDIN_FILENO) == ::getpgrp())
        ::tcsetattr(STDIN_FILENO, TCSANOW, &g_editing);
}

void installHandlers() {
    struct sigaction action {};
    sigemptyset(&action.sa_mask);
    action.sa_handler = restoreAndRaise;
    for (std::size_t i = 0; i < std::size(kRestoringSignals); ++i)
        ::sigaction(kRestoringSignals[i], &action, &g_previous[i]);
    action.sa_handler = reapplyEditing;
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGCONT, &action, &g_previousCont);
}

} // namespace

StdinReader::StdinReader(QObject *parent)
    : QObject(parent)
    , m_notifier(STDIN_FILENO, QSocketNotifier::Read) {
    connect(&m_notifier, &QSocketNotifier::activated, this, &StdinReader::onReadable);
    if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &g_original) == 0) {
        g_editing = g_original;
        // Byte by byte, echoed here; Ctrl-C and Ctrl-Z keep their signals.
        g_editing.c_lflag &= ~tcflag_t(ICANON | ECHO);
        g_editing.c_cc[VMIN] = 1;
        g_editing.c_cc[VTIME] = 0;
        installHandlers();
        if (::tcsetattr(STDIN_FILENO, TCSANOW, &g_editing) == 0)
            m_terminal = true;
        else
            uninstallHandlers();
    }
}

StdinReader::~StdinReader() {
    if (m_terminal) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &g_original);
        uninstallHandlers();
    }
}

void StdinReader::setEcho(bool on) {
    m_hidden = !on;
}

void StdinReader::echo(const QByteArray &bytes) {
    if (m_hidden)
        return;
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

// Removes `count` characters (UTF-8 sequences) from the end of the line.
void StdinReader::erase(qsizetype count) {
    const bool hadText = !m_buffer.isEmpty();
    while (count-- > 0 && !m_buffer.isEmpty()) {
        // Continuation bytes are 10xxxxxx: drop them with their lead byte.
        while (m_buffer.size() > 1 && (uchar(m_buffer.back()) & 0xc0) == 0x80)
            m_buffer.chop(1);
        m_buffer.chop(1);
        echo(QByteArrayLiteral("\b \b"));
    }
    if (hadText && m_buffer.isEmpty())
        Q_EMIT composing(false);
}

void StdinReader::edit(char byte) {
    const uchar c = uchar(byte);
    if (m_escape == 1) { // ESC [ ... or ESC O x: a cursor or function key
        m_escape = (c == '[' || c == 'O') ? 2 : 0;
        return;
    }
    if (m_escape == 2) {
        if (c >= 0x40 && c <= 0x7e)
            m_escape = 0;
        return;
    }
    if (c == '\r' || c == '\n') {
        std::fputc('\n', stdout); // also after a hidden line
        std::fflush(stdout);
        Q_EMIT line(QString::fromUtf8(std::exchange(m_buffer, {})));
    } else if (c == 0x7f || c == 0x08) {
        erase(1);
    } else if (c == 0x15) { // Ctrl-U
        erase(m_buffer.size());
    } else if (c == 0x17) { // Ctrl-W: the last word
        qsizetype end = m_buffer.size();
        while (end > 0 && m_buffer[end - 1] == ' ')
            --end;
        while (end > 0 && m_buffer[end - 1] != ' ')
            --end;
        erase(QString::fromUtf8(m_buffer.mid(end)).toUcs4().size());
    } else if (c == 0x04) { // Ctrl-D: end of input on an empty line
        if (m_buffer.isEmpty())
            endOfInput();
    } else if (c == 0x1b) {
        m_escape = 1;
    } else if (c >= 0x20) {
        m_buffer.append(byte);
        echo(QByteArray(1, byte));
        if (m_buffer.size() == 1)
            Q_EMIT composing(true);
    }
}

void StdinReader::endOfInput() {
    m_notifier.setEnabled(false);
    if (!m_buffer.isEmpty())
        Q_EMIT line(QString::fromUtf8(m_buffer));
    m_buffer.clear();
    Q_EMIT finished();
}

void StdinReader::onReadable() {
    char chunk[4096];
    const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (n <= 0) {
        endOfInput();
        return;
    }
    if (m_terminal) {
        for (ssize_t i = 0; i < n && m_notifier.isEnabled(); ++i)
            edit(chunk[i]);
        return;
    }
    m_buffer.append(chunk, n);
    qsizetype newline;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        QByteArray text = m_buffer.left(newline);
        m_buffer.remove(0, newline + 1);
        if (text.endsWith('\r'))
            text.chop(1);
        Q_EMIT line(QString::fromUtf8(text));
    }
}

} // namespace whisper
