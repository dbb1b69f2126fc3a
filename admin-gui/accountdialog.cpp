// SPDX-License-Identifier: MIT
#include "accountdialog.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace whisper::admin {

AccountDialog::AccountDialog(const control::AccountInfo &a, Allowed allowed, QWidget *parent)
    : QDialog(parent)
    , m_account(a)
    , m_facts(new QLabel(this))
    , m_duration(new QComboBox(this))
    , m_reason(new QLineEdit(this))
    , m_ban(new QPushButton(tr("Ban account"), this))
    , m_role(new QComboBox(this))
    , m_setRole(new QPushButton(tr("Set role"), this)) {
    setWindowTitle(tr("Account %1").arg(a.username));
    const QString ban =
        a.bannedUntilMs == 0 ? tr("not banned")
        : a.bannedUntilMs == -1
            ? tr("banned permanently")
            : tr("banned until %1")
                  .arg(QDateTime::fromMSecsSinceEpoch(a.bannedUntilMs).toString(Qt::ISODate));
    m_facts->setObjectName(QStringLiteral("accountFacts"));
    m_facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_facts->setText(tr("Username: %1\nRole: %2\nCreated: %3\nTwo-factor login: %4\nStatus: %5")
                         .arg(a.username, a.role,
                              QDateTime::fromMSecsSinceEpoch(a.createdMs).toString(Qt::ISODate),
                              a.totpEnabled ? tr("on") : tr("off"), ban));

    // Ban: the periods a moderator may choose, and "permanent" for admins.
    const QList<QPair<QString, qint64>> periods{{tr("1 hour"), 3600},
                                                {tr("1 day"), 86400},
                                                {tr("7 days"), 7 * 86400},
                                                {tr("30 days"), 30 * 86400},
                                                {tr("1 year"), 365 * 86400}};
    for (const auto &[label, seconds] : periods)
        m_duration->addItem(label, seconds);
    if (allowed.banPermanent)
        m_duration->addItem(tr("permanent"), 0);
    m_duration->setCurrentIndex(1);
    m_reason->setPlaceholderText(tr("reason (required)"));
    m_reason->setMaxLength(control::kMaxReasonChars);
    auto *banBox = new QGroupBox(tr("Ban"), this);
    auto *banRow = new QHBoxLayout(banBox);
    banRow->addWidget(m_duration);
    banRow->addWidget(m_reason, 1);
    banRow->addWidget(m_ban);
    banBox->setVisible(allowed.ban);
    m_ban->setEnabled(false);
    connect(m_reason, &QLineEdit::textChanged, this,
            [this](const QString &text) { m_ban->setEnabled(!text.trimmed().isEmpty()); });
    connect(m_ban, &QPushButton::clicked, this, [this] {
        Q_EMIT banRequested(m_account.username, m_duration->currentData().toLongLong(),
                            m_reason->text().trimmed());
        accept();
    });

    m_role->addItems(
        {QStringLiteral("user"), QStringLiteral("moderator"), QStringLiteral("admin")});
    m_role->setCurrentText(a.role);
    auto *roleBox = new QGroupBox(tr("Role"), this);
    auto *roleRow = new QHBoxLayout(roleBox);
    roleRow->addWidget(m_role, 1);
    roleRow->addWidget(m_setRole);
    roleBox->setVisible(allowed.setRole);
    m_setRole->setEnabled(false);
    connect(m_role, &QComboBox::currentTextChanged, this,
            [this](const QString &role) { m_setRole->setEnabled(role != m_account.role); });
    connect(m_setRole, &QPushButton::clicked, this, [this] {
        Q_EMIT roleRequested(m_account.username, m_role->currentText());
        accept();
    });

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_facts);
    layout->addWidget(banBox);
    layout->addWidget(roleBox);
    layout->addWidget(buttons);
}

QString AccountDialog::summary() const {
    return m_facts->text();
}

} // namespace whisper::admin
