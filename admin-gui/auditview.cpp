// SPDX-License-Identifier: MIT
#include "auditview.h"

#include "controlclient.h"

#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace whisper::admin {

namespace {
// The periods offered, in ms back from now (0: all time).
constexpr qint64 kPeriods[] = {3600'000, 24 * 3600'000, 7 * 24 * 3600'000, 0};
} // namespace

AuditView::AuditView(ControlClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_actor(new QLineEdit(this))
    , m_command(new QComboBox(this))
    , m_period(new QComboBox(this))
    , m_show(new QPushButton(tr("Show"), this))
    , m_table(new QTableWidget(0, 7, this)) {
    m_actor->setObjectName(QStringLiteral("auditActor"));
    m_actor->setPlaceholderText(tr("any account"));
    m_actor->setClearButtonEnabled(true);
    m_command->setObjectName(QStringLiteral("auditCommand"));
    m_command->setEditable(true);
    // The commands that leave rows (docs/OPERATIONS.md, control_audit); any
    // other name can be typed.
    m_command->addItem(QString());
    for (const char *name :
         {"login", "kick", "kick_pair", "ban", "unban", "resolve_report", "set_role", "broadcast",
          "set_tick_interval", "drain", "list_bans", "list_audit", "user"})
        m_command->addItem(QString::fromLatin1(name));
    m_command->setToolTip(tr("empty: any action"));
    m_period->setObjectName(QStringLiteral("auditPeriod"));
    m_period->addItems({tr("last hour"), tr("last 24 hours"), tr("last 7 days"), tr("all time")});
    m_period->setCurrentIndex(1);
    m_table->setObjectName(QStringLiteral("auditTable"));
    m_table->setHorizontalHeaderLabels({tr("Time"), tr("Actor"), tr("Action"), tr("Target"),
                                        tr("Detail"), tr("Result"), tr("From")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();

    auto *filters = new QHBoxLayout;
    auto *actorLabel = new QLabel(tr("Actor:"), this);
    actorLabel->setBuddy(m_actor);
    auto *commandLabel = new QLabel(tr("Action:"), this);
    commandLabel->setBuddy(m_command);
    auto *periodLabel = new QLabel(tr("When:"), this);
    periodLabel->setBuddy(m_period);
    filters->addWidget(actorLabel);
    filters->addWidget(m_actor, 2);
    filters->addWidget(commandLabel);
    filters->addWidget(m_command, 2);
    filters->addWidget(periodLabel);
    filters->addWidget(m_period, 1);
    filters->addWidget(m_show);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(filters);
    layout->addWidget(m_table);

    connect(m_show, &QPushButton::clicked, this, &AuditView::refresh);
    connect(m_actor, &QLineEdit::returnPressed, this, &AuditView::refresh);
    connect(client, &ControlClient::auditReceived, this, &AuditView::showRows);
}

control::ListAudit AuditView::query(qint64 nowMs) const {
    control::ListAudit q;
    q.actor = m_actor->text().trimmed();
    q.command = m_command->currentText().trimmed();
    const qint64 back = kPeriods[std::clamp(m_period->currentIndex(), 0, 3)];
    q.sinceMs = back == 0 ? 0 : nowMs - back;
    q.limit = 500;
    return q;
}

void AuditView::setFilter(const QString &actor, const QString &command, int periodIndex) {
    m_actor->setText(actor);
    m_command->setCurrentText(command);
    m_period->setCurrentIndex(periodIndex);
}

void AuditView::refresh() {
    m_pending = m_client->listAudit(query(QDateTime::currentMSecsSinceEpoch()));
}

void AuditView::showRows(qint64 req, const QList<control::AuditRow> &rows) {
    if (req != m_pending)
        return; // an answer to an older filter
    m_table->setRowCount(0);
    m_table->setRowCount(int(rows.size()));
    for (int row = 0; row < rows.size(); ++row) {
        const control::AuditRow &a = rows[row];
        const QStringList cells{
            QDateTime::fromMSecsSinceEpoch(a.atMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
            a.actor,
            a.command,
            a.target,
            a.detail,
            a.result,
            a.source};
        for (int col = 0; col < cells.size(); ++col)
            m_table->setItem(row, col, new QTableWidgetItem(cells[col]));
    }
    m_table->resizeColumnsToContents();
}

} // namespace whisper::admin
