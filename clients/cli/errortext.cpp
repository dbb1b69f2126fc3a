// SPDX-License-Identifier: MIT
#include "errortext.h"

#include "terminaltext.h"

namespace whisper {

using protocol::ErrorCode;

namespace {

// The chat session's own state conflicts, said from the user's side.
QString conflictText(const QString &message) {
    if (message == QLatin1String("already waiting"))
        return QStringLiteral("you are already waiting for someone");
    if (message == QLatin1String("already paired; leave first"))
        return QStringLiteral("you are already in a chat; /leave first");
    if (message.startsWith(QLatin1String("not paired")))
        return QStringLiteral("you are not in a chat yet");
    if (message == QLatin1String("neither waiting nor paired"))
        return QStringLiteral("you are neither in a chat nor waiting");
    return message.isEmpty() ? QStringLiteral("that does not fit what you are doing now") : message;
}

QString withReason(const QString &sentence, const QString &message) {
    return message.isEmpty() ? sentence : sentence + QStringLiteral(": ") + message;
}

} // namespace

QString errorText(const protocol::Error &error) {
    const QString message = terminalSafe(error.message);
    switch (error.code) {
    case ErrorCode::BadRequest:
        return withReason(QStringLiteral("the server could not accept that"), message);
    case ErrorCode::Unauthorized:
        return withReason(QStringLiteral("you need to log in"), message);
    case ErrorCode::Forbidden:
        return withReason(QStringLiteral("not allowed"), message);
    case ErrorCode::NotFound:
        return withReason(QStringLiteral("not found"), message);
    case ErrorCode::Conflict:
        return conflictText(message);
    case ErrorCode::TooLarge:
        return withReason(QStringLiteral("that message is too long"), message);
    case ErrorCode::RateLimited: {
        if (!error.retryAfterMs)
            return QStringLiteral("slow down: try again shortly");
        // Whole seconds, rounded up: "in 0 s" would invite a retry too soon.
        const qint64 seconds = std::max<qint64>(1, (*error.retryAfterMs + 999) / 1000);
        return QStringLiteral("slow down: try again in %1 s").arg(seconds);
    }
    case ErrorCode::Unavailable:
        return withReason(QStringLiteral("not possible right now"), message);
    case ErrorCode::Internal:
        return withReason(QStringLiteral("the server had a problem; try again"), message);
    }
    return message;
}

} // namespace whisper
