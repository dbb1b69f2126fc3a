// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>
#include <QSettings>

#include <qqmlintegration.h>

namespace whisper::client {

// What the start view remembers between runs (QSettings: the server URL,
// the last location typed or picked, the range). The location stays on this
// machine; only `join` sends it, to the server the user chose.
class ClientSettings : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString serverUrl READ serverUrl WRITE setServerUrl NOTIFY changed)
    Q_PROPERTY(QString latitude READ latitude WRITE setLatitude NOTIFY changed)
    Q_PROPERTY(QString longitude READ longitude WRITE setLongitude NOTIFY changed)
    Q_PROPERTY(double rangeKm READ rangeKm WRITE setRangeKm NOTIFY changed)
public:
    static constexpr auto kDefaultUrl = "ws://localhost:8080/";
    explicit ClientSettings(QObject *parent = nullptr);

    QString serverUrl() const;
    void setServerUrl(const QString &url);
    QString latitude() const;
    void setLatitude(const QString &lat);
    QString longitude() const;
    void setLongitude(const QString &lon);
    double rangeKm() const;
    void setRangeKm(double km);

Q_SIGNALS:
    void changed();

private:
    void store(const QString &key, const QVariant &value);
    QSettings m_settings;
};

} // namespace whisper::client
