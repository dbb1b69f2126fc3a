// SPDX-License-Identifier: MIT
#include "clientsettings.h"

namespace whisper::client {

ClientSettings::ClientSettings(QObject *parent)
    : QObject(parent)
    , m_settings(QStringLiteral("WhisperChat"), QStringLiteral("whisperchat-client")) {}

QString ClientSettings::serverUrl() const {
    return m_settings.value("server/url", QString::fromLatin1(kDefaultUrl)).toString();
}
void ClientSettings::setServerUrl(const QString &url) {
    store(QStringLiteral("server/url"), url.trimmed());
}
QString ClientSettings::latitude() const {
    return m_settings.value("location/latitude").toString();
}
void ClientSettings::setLatitude(const QString &lat) {
    store(QStringLiteral("location/latitude"), lat.trimmed());
}
QString ClientSettings::longitude() const {
    return m_settings.value("location/longitude").toString();
}
void ClientSettings::setLongitude(const QString &lon) {
    store(QStringLiteral("location/longitude"), lon.trimmed());
}
double ClientSettings::rangeKm() const {
    return m_settings.value("location/range_km", 25.0).toDouble();
}
void ClientSettings::setRangeKm(double km) {
    store(QStringLiteral("location/range_km"), km);
}

void ClientSettings::store(const QString &key, const QVariant &value) {
    if (m_settings.value(key) == value)
        return;
    m_settings.setValue(key, value);
    Q_EMIT changed();
}

} // namespace whisper::client
