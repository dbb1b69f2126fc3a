// SPDX-License-Identifier: MIT
#pragma once

#include "controlclient.h"

#include <QDialog>

class QLabel;
class QLineEdit;

namespace whisper::admin {

// Server URL, username, password and an optional TOTP code. Offers the URL
// and username of the last successful login (QSettings), never the password.
class LoginDialog : public QDialog {
    Q_OBJECT
public:
    explicit LoginDialog(QWidget *parent = nullptr);

    ControlClient::Credentials credentials() const;
    void setCredentials(const ControlClient::Credentials &credentials);
    void setError(const QString &message);
    void accept() override;
    // Stores the URL and username of a login that succeeded, for next time.
    static void remember(const QUrl &url, const QString &username);
    // Remembers every login of `client` that succeeds, and no other.
    void rememberSuccessfulLogins(ControlClient *client);

private:
    QLineEdit *m_url;
    QLineEdit *m_username;
    QLineEdit *m_password;
    QLineEdit *m_totp;
    QLabel *m_error;
};

} // namespace whisper::admin
