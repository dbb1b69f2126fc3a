// SPDX-License-Identifier: MIT
#include "stdinreader.h"

#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

namespace whisper {

namespace {

// While echo is off, Ctrl-C, a hangup or a kill would otherwise end the
// process and leave the user's shell typing blind: these handlers put the
// terminal back (tcsetattr is async-signal-safe) and then let the signal do
// what it would have done.
termios g_withEcho{};
constexpr int kRestoringSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
struct sigaction g_previous[std::size(kRestoringSignals)];

void restoreEchoAndRaise(int signal) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &g_withEcho);
    for (std::size_t i = 0; i < std::size(kRestoringSignals); ++i)
        ::sigaction(kRestoringSignals[i], &g_previous[i], nullptr);
    ::raise(signal);
}

void catchWhileEchoOff(bool on) {
    for (std::size_t i = 0; i < std::size(kRestoringSignals); ++i) {
        if (on) {
            struct sigaction action {};
            action.sa_handler = restoreEchoAndRaise;
            sigemptyset(&action.sa_mask);
            ::sigaction(kRestoringSignals[i], &action, &g_previous[i]);
        } else {
            ::sigaction(kRestoringSignals[i], &g_previous[i], nullptr);
        }
    }
}

} // namespace

StdinReader::StdinReader(QObject *parent)
    : QObject(parent)
    , m_notifier(STDIN_FILENO, QSocketNotifier::Read) {
    connect(&m_notifier, &QSocketNotifier::activated, this, &StdinReader::onReadable);
}

StdinReader::~StdinReader() {
    setEcho(true); // never leave the user's terminal silent
}

void StdinReader::setEcho(bool on) {
    if (on == !m_echoOff || !::isatty(STDIN_FILENO))
        return;
    termios mode{};
    if (::tcgetattr(STDIN_FILENO, &mode) != 0)
        return;
    if (on) {
        mode.c_lflag |= ECHO;
    } else {
        g_withEcho = mode;
        catchWhileEchoOff(true);
        mode.c_lflag &= ~tcflag_t(ECHO);
    }
    if (::tcsetattr(STDIN_FILENO, TCSANOW, &mode) != 0) {
        if (!on)
            catchWhileEchoOff(false);
        return;
    }
    if (on)
        catchWhileEchoOff(false);
    m_echoOff = !on;
    // The Enter that ended the hidden line was not echoed either.
    if (on) {
        std::fputc('\n', stdout);
        std::fflush(stdout);
    }
}

void StdinReader::onReadable() {
    char chunk[4096];
    const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (n <= 0) {
        m_notifier.setEnabled(false);
        if (!m_buffer.isEmpty())
            Q_EMIT line(QString::fromUtf8(m_buffer));
        m_buffer.clear();
        Q_EMIT finished();
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
