// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArrayView>
#include <QDataStream>
#include <QFile>
#include <QString>

namespace whisper::admin {

// The opening the console's map data files share (land rings, country
// borders; made by scripts/convert-*.py): little-endian, single-precision
// floats, an 8-byte magic that names the kind of file.
class MapFileReader {
public:
    // False with *error set when the file cannot be read or its magic is
    // not `magic` (then *error is `notThisKind`).
    bool open(const QString &path, QByteArrayView magic, const QString &notThisKind,
              QString *error);
    QDataStream &stream() { return m_in; }

private:
    QFile m_file;
    QDataStream m_in;
};

} // namespace whisper::admin
