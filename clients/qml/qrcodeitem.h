// SPDX-License-Identifier: MIT
#pragma once

#include <QQuickPaintedItem>
#include <QString>
#include <QVector>

#include <qqmlintegration.h>

namespace whisper::client {

// Draws `text` as a QR code (libqrencode), for the otpauth:// URI of a 2FA
// enrolment that an authenticator app scans.
class QrCode : public QQuickPaintedItem {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString text READ text WRITE setText NOTIFY textChanged)
    // Modules per side; 0 when there is no text or it cannot be encoded.
    Q_PROPERTY(int modules READ modules NOTIFY textChanged)
public:
    explicit QrCode(QQuickItem *parent = nullptr);

    QString text() const { return m_text; }
    void setText(const QString &text);
    int modules() const { return m_size; }
    // Whether module (x, y) is dark; for tests.
    Q_INVOKABLE bool dark(int x, int y) const;

    void paint(QPainter *painter) override;

Q_SIGNALS:
    void textChanged();

private:
    QString m_text;
    QVector<bool> m_modules;
    int m_size = 0;
};

} // namespace whisper::client
