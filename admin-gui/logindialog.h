// SPDX-License-Identifier: MIT
#pragma once

#include "controlclient.h"

#include <QDialog>

class QLabel;
class QLineEdit;

namespace whisper::admin {

// Server URL, username, password and an optional TOTP code. Remembers the
// last URL and username (QSettings), never the password.
class LoginDialog : public QDialog {
    Q_OBJECT
public:
    explicit LoginDialog(QWidget *parent = nullptr);

    ControlClient::Credentials credentials() const;
    void setCredentials(const ControlClient::Credentials &credentials);
    void setError(const QString &message);
    void accept() override;

private:
    QLineEdit *m_url;
    QLineEdit *m_username;
    QLineEdit *m_password;
    QLineEdit *m_totp;
    QLabel *m_error;
};

} // namespace whisper::admin
