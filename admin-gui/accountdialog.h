// SPDX-License-Identifier: MIT
#pragma once

#include "controlprotocol.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace whisper::admin {

// What a lookup found about one account, with the actions the operator's
// role allows on it: a ban (temporary for moderators) and a role change
// (admins). The server checks every action again.
class AccountDialog : public QDialog {
    Q_OBJECT
public:
    struct Allowed {
        bool ban = false;
        bool banPermanent = false;
        bool setRole = false;
    };
    AccountDialog(const control::AccountInfo &account, Allowed allowed, QWidget *parent = nullptr);

    QString summary() const; // the facts shown, for tests and screen readers
    QPushButton *banButton() const { return m_ban; }
    QPushButton *roleButton() const { return m_setRole; }
    QComboBox *durationBox() const { return m_duration; }
    QComboBox *roleBox() const { return m_role; }
    QLineEdit *reasonEdit() const { return m_reason; }

Q_SIGNALS:
    void banRequested(const QString &username, qint64 durationS, const QString &reason);
    void roleRequested(const QString &username, const QString &role);

private:
    control::AccountInfo m_account;
    QLabel *m_facts;
    QComboBox *m_duration;
    QLineEdit *m_reason;
    QPushButton *m_ban;
    QComboBox *m_role;
    QPushButton *m_setRole;
};

} // namespace whisper::admin
