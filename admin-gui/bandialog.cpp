#include "bandialog.h"

#include "controlprotocol.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>

namespace whisper::admin {

BanDialog::BanDialog(const QString &target, bool allowPermanent, QWidget *parent)
    : QDialog(parent)
    , m_duration(new QComboBox(this))
    , m_reason(new QLineEdit(this)) {
    setWindowTitle(tr("Ban %1").arg(target));
    m_duration->addItem(tr("1 hour"), 3600);
    m_duration->addItem(tr("1 day"), 86400);
    m_duration->addItem(tr("7 days"), 7 * 86400);
    m_duration->addItem(tr("30 days"), 30 * 86400);
    if (allowPermanent)
        m_duration->addItem(tr("Permanently"), 0);
    m_reason->setMaxLength(control::kMaxReasonChars);
    auto *form = new QFormLayout(this);
    form->addRow(new QLabel(tr("Ban %1 from the server?").arg(target), this));
    form->addRow(tr("Duration"), m_duration);
    form->addRow(tr("Reason"), m_reason);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

qint64 BanDialog::durationS() const {
    return m_duration->currentData().toLongLong();
}

QString BanDialog::reason() const {
    return m_reason->text().trimmed();
}

} // namespace whisper::admin
