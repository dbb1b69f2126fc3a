// SPDX-License-Identifier: MIT
#include "mapfile.h"

#include <QByteArray>

namespace whisper::admin {

bool MapFileReader::open(const QString &path, QByteArrayView magic, const QString &notThisKind,
                         QString *error) {
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::ReadOnly)) {
        *error = m_file.errorString();
        return false;
    }
    m_in.setDevice(&m_file);
    m_in.setByteOrder(QDataStream::LittleEndian);
    m_in.setFloatingPointPrecision(QDataStream::SinglePrecision);
    QByteArray read(magic.size(), Qt::Uninitialized);
    if (m_in.readRawData(read.data(), int(read.size())) != read.size() || read != magic) {
        *error = notThisKind;
        return false;
    }
    return true;
}

} // namespace whisper::admin
