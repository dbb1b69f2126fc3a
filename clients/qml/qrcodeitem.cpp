// SPDX-License-Identifier: MIT
#include "qrcodeitem.h"

#include <QPainter>

#include <qrencode.h>

namespace whisper::client {

QrCode::QrCode(QQuickItem *parent)
    : QQuickPaintedItem(parent) {}

void QrCode::setText(const QString &text) {
    if (text == m_text)
        return;
    m_text = text;
    m_modules.clear();
    m_size = 0;
    if (!text.isEmpty()) {
        const QByteArray utf8 = text.toUtf8();
        if (QRcode *code = QRcode_encodeString(utf8.constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1)) {
            m_size = code->width;
            m_modules.resize(m_size * m_size);
            for (int i = 0; i < m_size * m_size; ++i)
                m_modules[i] = code->data[i] & 1; // bit 0: dark module
            QRcode_free(code);
        }
    }
    Q_EMIT textChanged();
    update();
}

bool QrCode::dark(int x, int y) const {
    if (x < 0 || y < 0 || x >= m_size || y >= m_size)
        return false;
    return m_modules.at(y * m_size + x);
}

void QrCode::paint(QPainter *painter) {
    painter->fillRect(boundingRect(), Qt::white);
    if (m_size == 0)
        return;
    // Four modules of quiet zone on each side, as scanners expect.
    const int total = m_size + 8;
    const double module = std::floor(std::min(width(), height()) / total);
    if (module < 1)
        return;
    const double origin = (std::min(width(), height()) - module * m_size) / 2;
    for (int y = 0; y < m_size; ++y)
        for (int x = 0; x < m_size; ++x)
            if (m_modules.at(y * m_size + x))
                painter->fillRect(QRectF(origin + x * module, origin + y * module, module, module),
                                  Qt::black);
}

} // namespace whisper::client
