// SPDX-License-Identifier: MIT
#pragma once

// What the client and control codecs share: turning one frame into a JSON
// object and its `type`, and reading typed fields out of it with the first
// problem remembered as a DecodeError. Each codec's decoders then read like
// the message tables in PROTOCOL.md and CONTROL-PROTOCOL.md.

#include "protocol.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QStringList>

#include <optional>
#include <utility>
#include <variant>

namespace whisper::json {

// Largest integer a double carries exactly: JSON numbers beyond it are not
// trustworthy as integers.
inline constexpr double kMaxSafeInteger = 9007199254740991.0;

using protocol::DecodeError;
using protocol::ErrorCode;

// True when a \u escape in `bytes` is a UTF-16 surrogate without its other
// half: a high one (D800-DBFF) not followed by a \u low one (DC00-DFFF), or
// a low one on its own. Such text is not Unicode; relayed, it would reach
// the partner as something other than what was sent (or break its decoder).
bool hasLoneSurrogateEscape(QByteArrayView bytes);

// Parses a frame into its object and `type`, or says precisely why not
// (invalid UTF-8, a lone surrogate escape, invalid JSON, not an object,
// missing or non-string type).
std::variant<std::pair<QJsonObject, QString>, DecodeError> parseObjectFrame(QByteArrayView bytes);

class FieldReader {
public:
    FieldReader(QJsonObject object, QString type);

    bool ok() const { return !m_error.has_value(); }
    DecodeError error() const { return *m_error; }
    const QString &type() const { return m_type; }
    void fail(const QString &message) { fail(ErrorCode::BadRequest, message); }
    void fail(ErrorCode code, const QString &message);
    bool has(const char *field) const { return m_object.contains(QLatin1String(field)); }

    // Any finite number.
    double number(const char *field);
    // A finite number within [min, max].
    double number(const char *field, double min, double max);
    qint64 integer(const char *field, double min = -kMaxSafeInteger, double max = kMaxSafeInteger);
    bool boolean(const char *field);
    QString string(const char *field);
    // At most `maxChars` UTF-16 units; empty only when allowed.
    QString string(const char *field, int maxChars, bool allowEmpty = true);
    std::optional<QString> optionalString(const char *field);
    // Absent reads as an empty string.
    QString optionalString(const char *field, int maxChars);
    std::optional<qint64> optionalInteger(const char *field);
    QJsonArray array(const char *field);
    QJsonObject object(const char *field);
    QStringList strings(const char *field, int maxChars);

    // Decodes every element of an array of objects with `one(FieldReader &)`.
    template <typename T, typename F>
    QList<T> list(const char *field, F one);

private:
    QJsonValue value(const char *field);
    void wrongType(const char *field, const char *expected);

    QJsonObject m_object;
    QString m_type;
    std::optional<DecodeError> m_error;
};

template <typename T, typename F>
QList<T> FieldReader::list(const char *field, F one) {
    QList<T> out;
    const QJsonArray items = array(field);
    out.reserve(items.size());
    for (const QJsonValue &item : items) {
        if (!item.isObject()) {
            fail(QStringLiteral("field '%1' must hold objects").arg(QLatin1String(field)));
            break;
        }
        FieldReader r(item.toObject(), m_type);
        out.append(one(r));
        if (!r.ok()) {
            fail(QStringLiteral("%1: %2").arg(QLatin1String(field), r.error().message));
            break;
        }
    }
    return out;
}

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

} // namespace whisper::json
