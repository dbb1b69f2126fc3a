// SPDX-License-Identifier: MIT
#include "jsonreader.h"

#include <QChar>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QStringDecoder>

#include <cmath>

namespace whisper::json {

namespace {

int hexValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The code unit of the \uXXXX escape at `at` (the backslash), or -1.
int escapedUnit(QByteArrayView bytes, qsizetype at) {
    if (at + 6 > bytes.size() || bytes[at] != '\\' || bytes[at + 1] != 'u')
        return -1;
    int unit = 0;
    for (qsizetype i = at + 2; i < at + 6; ++i) {
        const int h = hexValue(bytes[i]);
        if (h < 0)
            return -1;
        unit = unit * 16 + h;
    }
    return unit;
}

} // namespace

bool hasLoneSurrogateEscape(QByteArrayView bytes) {
    // Backslashes only occur inside strings in valid JSON, and each starts
    // an escape of its own: walking escape by escape never mistakes an
    // escaped backslash followed by "u" for a \u escape.
    qsizetype i = bytes.indexOf('\\');
    while (i >= 0 && i + 1 < bytes.size()) {
        const int unit = escapedUnit(bytes, i);
        if (unit >= 0xDC00 && unit <= 0xDFFF)
            return true; // a low surrogate with no high one before it
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            const int next = escapedUnit(bytes, i + 6);
            if (next < 0xDC00 || next > 0xDFFF)
                return true;
            i += 12; // the pair
        } else {
            i += 2; // any other escape: its first two bytes (the rest holds no backslash)
        }
        i = bytes.indexOf('\\', i);
    }
    return false;
}

std::variant<std::pair<QJsonObject, QString>, DecodeError> parseObjectFrame(QByteArrayView bytes) {
    auto bad = [](const QString &message) {
        return DecodeError{ErrorCode::BadRequest, message, QString()};
    };
    // Validate UTF-8 first so the error names the real problem rather than a
    // JSON syntax error somewhere inside a string.
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    [[maybe_unused]] const QString decoded = utf8.decode(bytes);
    if (utf8.hasError())
        return bad(QStringLiteral("frame is not valid UTF-8"));

    // Qt's parser only takes objects and arrays at the top; say what is wrong
    // with scalars instead of reporting an "illegal value".
    qsizetype first = 0;
    while (first < bytes.size() && QChar::isSpace(uchar(bytes[first])))
        ++first;
    if (first < bytes.size() && bytes[first] != '{' && bytes[first] != '[')
        return bad(QStringLiteral("frame must be a JSON object"));
    // Qt's parser keeps a lone surrogate in the string; it must not be
    // relayed.
    if (hasLoneSurrogateEscape(bytes))
        return bad(QStringLiteral("string holds an unpaired UTF-16 surrogate escape"));

    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return bad(QStringLiteral("invalid JSON at offset %1: %2")
                       .arg(parseError.offset)
                       .arg(parseError.errorString()));
    if (!doc.isObject())
        return bad(QStringLiteral("frame must be a JSON object"));
    QJsonObject object = doc.object();
    const auto typeIt = object.constFind(QLatin1String("type"));
    if (typeIt == object.constEnd())
        return bad(QStringLiteral("missing field 'type'"));
    if (!typeIt.value().isString())
        return bad(QStringLiteral("field 'type' must be a string"));
    QString type = typeIt.value().toString();
    return std::pair{std::move(object), std::move(type)};
}

FieldReader::FieldReader(QJsonObject object, QString type)
    : m_object(std::move(object))
    , m_type(std::move(type)) {}

void FieldReader::fail(ErrorCode code, const QString &message) {
    if (!m_error)
        m_error = DecodeError{code, message, m_type};
}

QJsonValue FieldReader::value(const char *field) {
    if (!ok())
        return {};
    const auto it = m_object.constFind(QLatin1String(field));
    if (it == m_object.constEnd()) {
        fail(QStringLiteral("missing field '%1'").arg(QLatin1String(field)));
        return {};
    }
    return it.value();
}

void FieldReader::wrongType(const char *field, const char *expected) {
    fail(
        QStringLiteral("field '%1' must be %2").arg(QLatin1String(field), QLatin1String(expected)));
}

double FieldReader::number(const char *field) {
    const QJsonValue v = value(field);
    if (!ok())
        return 0.0;
    if (!v.isDouble()) {
        wrongType(field, "a number");
        return 0.0;
    }
    const double d = v.toDouble();
    if (!std::isfinite(d)) {
        wrongType(field, "a finite number");
        return 0.0;
    }
    return d;
}

double FieldReader::number(const char *field, double min, double max) {
    const double d = number(field);
    if (ok() && (d < min || d > max)) {
        fail(QStringLiteral("field '%1' must be from %2 to %3")
                 .arg(QLatin1String(field))
                 .arg(min, 0, 'g', 16)
                 .arg(max, 0, 'g', 16));
        return 0.0;
    }
    return d;
}

qint64 FieldReader::integer(const char *field, double min, double max) {
    const double d = number(field, min, max);
    if (!ok())
        return 0;
    if (d != std::trunc(d) || std::fabs(d) > kMaxSafeInteger) {
        wrongType(field, "an integer");
        return 0;
    }
    return static_cast<qint64>(d);
}

bool FieldReader::boolean(const char *field) {
    const QJsonValue v = value(field);
    if (ok() && !v.isBool())
        wrongType(field, "a boolean");
    return ok() && v.toBool();
}

QString FieldReader::string(const char *field) {
    const QJsonValue v = value(field);
    if (!ok())
        return {};
    if (!v.isString()) {
        wrongType(field, "a string");
        return {};
    }
    return v.toString();
}

QString FieldReader::string(const char *field, int maxChars, bool allowEmpty) {
    const QString s = string(field);
    if (!ok())
        return {};
    if (s.size() > maxChars)
        fail(QStringLiteral("field '%1' is longer than %2 characters")
                 .arg(QLatin1String(field))
                 .arg(maxChars));
    else if (!allowEmpty && s.isEmpty())
        fail(QStringLiteral("field '%1' must not be empty").arg(QLatin1String(field)));
    return s;
}

std::optional<QString> FieldReader::optionalString(const char *field) {
    if (!has(field))
        return std::nullopt;
    return string(field);
}

QString FieldReader::optionalString(const char *field, int maxChars) {
    return has(field) ? string(field, maxChars) : QString();
}

std::optional<qint64> FieldReader::optionalInteger(const char *field) {
    if (!has(field))
        return std::nullopt;
    return integer(field);
}

QJsonArray FieldReader::array(const char *field) {
    const QJsonValue v = value(field);
    if (ok() && !v.isArray())
        wrongType(field, "an array");
    return ok() ? v.toArray() : QJsonArray();
}

QJsonObject FieldReader::object(const char *field) {
    const QJsonValue v = value(field);
    if (ok() && !v.isObject())
        wrongType(field, "an object");
    return ok() ? v.toObject() : QJsonObject();
}

QStringList FieldReader::strings(const char *field, int maxChars) {
    QStringList out;
    const QJsonArray items = array(field);
    out.reserve(items.size());
    for (const QJsonValue &item : items) {
        if (!item.isString() || item.toString().size() > maxChars) {
            fail(QStringLiteral("field '%1' must hold strings of at most %2 characters")
                     .arg(QLatin1String(field))
                     .arg(maxChars));
            break;
        }
        out.append(item.toString());
    }
    return out;
}

} // namespace whisper::json
