// SPDX-License-Identifier: MIT
#include "bandialog.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QVBoxLayout>

namespace whisper::admin {

using control::BanScope;

BanDialog::BanDialog(const control::BanPreview &preview, bool allowPermanent, QWidget *parent)
    : QDialog(parent)
    , m_preview(preview)
    , m_connection(new QRadioButton(this))
    , m_account(new QRadioButton(this))
    , m_address(new QRadioButton(this))
    , m_duration(new QComboBox(this))
    , m_reason(new QLineEdit(this))
    , m_summary(new QLabel(this)) {
    setWindowTitle(tr("Ban %1").arg(preview.client));
    m_connection->setText(choiceText(BanScope::Connection));
    m_account->setText(choiceText(BanScope::Account));
    m_address->setText(choiceText(BanScope::Address));
    m_connection->setObjectName(QStringLiteral("scopeConnection"));
    m_account->setObjectName(QStringLiteral("scopeAccount"));
    m_address->setObjectName(QStringLiteral("scopeAddress"));
    // A guest has no account to ban.
    m_account->setVisible(!preview.account.isEmpty());
    m_account->setEnabled(!preview.account.isEmpty());
    auto *group = new QButtonGroup(this);
    for (QRadioButton *b : {m_connection, m_account, m_address})
        group->addButton(b);
    (preview.account.isEmpty() ? m_connection : m_account)->setChecked(true);

    m_duration->addItem(tr("1 hour"), qint64(3600));
    m_duration->addItem(tr("1 day"), qint64(86400));
    m_duration->addItem(tr("7 days"), qint64(7 * 86400));
    m_duration->addItem(tr("30 days"), qint64(30 * 86400));
    if (allowPermanent) {
        m_duration->addItem(tr("1 year"), qint64(control::kMaxBanSeconds));
        m_duration->addItem(tr("Permanently"), qint64(0));
    }
    m_reason->setMaxLength(control::kMaxReasonChars);
    m_summary->setWordWrap(true);
    m_summary->setObjectName(QStringLiteral("banSummary"));

    auto *scopes = new QVBoxLayout;
    for (QRadioButton *b : {m_connection, m_account, m_address})
        scopes->addWidget(b);
    auto *form = new QFormLayout(this);
    form->addRow(new QLabel(tr("What should be banned?"), this));
    form->addRow(scopes);
    form->addRow(tr("Duration"), m_duration);
    form->addRow(tr("Reason"), m_reason);
    form->addRow(m_summary);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(group, &QButtonGroup::buttonToggled, this, &BanDialog::updateSummary);
    updateSummary();
}

QString BanDialog::choiceText(BanScope scope) const {
    switch (scope) {
    case BanScope::Connection:
        return tr("This connection only (1 connection; it can reconnect, nothing is stored)");
    case BanScope::Account:
        return tr("Account %1 (%n current connection(s))", nullptr, m_preview.accountConnections)
            .arg(m_preview.account);
    case BanScope::Address:
        return tr("The whole IP address (%n current connection(s), possibly other people)", nullptr,
                  m_preview.addressConnections);
    }
    return {};
}

QRadioButton *BanDialog::button(BanScope scope) const {
    switch (scope) {
    case BanScope::Connection:
        return m_connection;
    case BanScope::Account:
        return m_account;
    case BanScope::Address:
        return m_address;
    }
    return m_connection;
}

bool BanDialog::offers(BanScope scope) const {
    return button(scope)->isEnabled();
}

bool BanDialog::setScope(BanScope scope) {
    if (!offers(scope))
        return false;
    button(scope)->setChecked(true);
    return true;
}

BanScope BanDialog::scope() const {
    if (m_account->isChecked())
        return BanScope::Account;
    if (m_address->isChecked())
        return BanScope::Address;
    return BanScope::Connection;
}

int BanDialog::affectedConnections() const {
    switch (scope()) {
    case BanScope::Connection:
        return 1;
    case BanScope::Account:
        return m_preview.accountConnections;
    case BanScope::Address:
        return m_preview.addressConnections;
    }
    return 1;
}

void BanDialog::updateSummary() {
    // Only stored bans last; closing one connection has no duration.
    m_duration->setEnabled(scope() != BanScope::Connection);
    m_summary->setText(tr("This ends %n connection(s) now.", nullptr, affectedConnections()));
}

qint64 BanDialog::durationS() const {
    return m_duration->currentData().toLongLong();
}

void BanDialog::setDurationS(qint64 seconds) {
    const int i = m_duration->findData(seconds);
    if (i >= 0)
        m_duration->setCurrentIndex(i);
}

QString BanDialog::reason() const {
    return m_reason->text().trimmed();
}

void BanDialog::setReason(const QString &reason) {
    m_reason->setText(reason);
}

} // namespace whisper::admin
