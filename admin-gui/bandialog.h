// SPDX-License-Identifier: MIT
#pragma once

#include "controlprotocol.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QRadioButton;

namespace whisper::admin {

// Asks what to ban, how long and why. Says what each choice covers (this
// connection, the account, the address) and how many current connections
// each would end, so banning a guest cannot silently ban everyone behind its
// address. The narrowest choice is the default: the connection for a guest,
// the account for a logged-in client. Permanent only for roles that may.
class BanDialog : public QDialog {
    Q_OBJECT
public:
    BanDialog(const control::BanPreview &preview, bool allowPermanent, QWidget *parent = nullptr);

    control::BanScope scope() const;
    // False when the choice does not apply (a guest has no account).
    bool setScope(control::BanScope scope);
    bool offers(control::BanScope scope) const;
    // What the choice says, counts included.
    QString choiceText(control::BanScope scope) const;
    // Connections the current choice ends.
    int affectedConnections() const;
    qint64 durationS() const; // 0: permanent; ignored for a connection
    void setDurationS(qint64 seconds);
    QString reason() const;
    void setReason(const QString &reason);

private:
    QRadioButton *button(control::BanScope scope) const;
    void updateSummary();

    control::BanPreview m_preview;
    QRadioButton *m_connection;
    QRadioButton *m_account;
    QRadioButton *m_address;
    QComboBox *m_duration;
    QLineEdit *m_reason;
    QLabel *m_summary;
};

} // namespace whisper::admin
