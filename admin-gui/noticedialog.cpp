// SPDX-License-Identifier: MIT
#include "noticedialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace whisper::admin {

NoticeDialog::NoticeDialog(int maxChars, QWidget *parent)
    : QDialog(parent)
    , m_maxChars(maxChars)
    , m_editor(new QPlainTextEdit(this))
    , m_counter(new QLabel(this)) {
    setWindowTitle(tr("Broadcast notice"));
    auto *layout = new QVBoxLayout(this);
    auto *label = new QLabel(tr("Notice sent to every connected client:"), this);
    label->setBuddy(m_editor);
    m_editor->setObjectName(QStringLiteral("noticeText"));
    m_editor->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_editor->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_editor->setTabChangesFocus(true);
    m_counter->setObjectName(QStringLiteral("noticeCounter"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_send = buttons->button(QDialogButtonBox::Ok);
    m_send->setText(tr("Send"));
    layout->addWidget(label);
    layout->addWidget(m_editor);
    layout->addWidget(m_counter);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_editor, &QPlainTextEdit::textChanged, this, &NoticeDialog::update);
    resize(480, 240);
    update();
}

QString NoticeDialog::text() const {
    return m_editor->toPlainText().trimmed();
}

QString NoticeDialog::counterText() const {
    return m_counter->text();
}

void NoticeDialog::update() {
    const auto length = text().size();
    m_counter->setText(tr("%1 of %2 characters").arg(length).arg(m_maxChars));
    // Too long is refused here, not cut: the operator decides what goes.
    const bool tooLong = length > m_maxChars;
    m_counter->setStyleSheet(tooLong ? QStringLiteral("color: #c0392b") : QString());
    m_send->setEnabled(length > 0 && !tooLong);
}

} // namespace whisper::admin
