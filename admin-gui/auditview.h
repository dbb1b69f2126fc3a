// SPDX-License-Identifier: MIT
#pragma once

#include "controlprotocol.h"

#include <QWidget>

class QComboBox;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace whisper::admin {

class ControlClient;

// The audit log viewer (admins): who did what, when, to whom and how it
// ended, filtered by actor, action and time, newest first. Asks the server
// (`list_audit`) each time the filter is applied; shows nothing it did not
// ask for.
class AuditView : public QWidget {
    Q_OBJECT
public:
    explicit AuditView(ControlClient *client, QWidget *parent = nullptr);

    // The filter as it stands; `nowMs` anchors "the last hour" and so on.
    control::ListAudit query(qint64 nowMs) const;
    void setFilter(const QString &actor, const QString &command, int periodIndex);
    QTableWidget *table() const { return m_table; }
    QPushButton *showButton() const { return m_show; }

public Q_SLOTS:
    void refresh();

private:
    void showRows(qint64 req, const QList<control::AuditRow> &rows);

    ControlClient *m_client;
    QLineEdit *m_actor;
    QComboBox *m_command;
    QComboBox *m_period;
    QPushButton *m_show;
    QTableWidget *m_table;
    qint64 m_pending = 0;
};

} // namespace whisper::admin
