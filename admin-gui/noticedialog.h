// SPDX-License-Identifier: MIT
#pragma once

#include <QDialog>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace whisper::admin {

// The text of an operator notice. The editor wraps at its width, as chat
// clients show the text, and counts characters against the server's limit:
// QInputDialog's multi-line box does neither, so a long notice ran off to
// the right and was cut without warning.
class NoticeDialog : public QDialog {
    Q_OBJECT
public:
    NoticeDialog(int maxChars, QWidget *parent = nullptr);

    QString text() const; // trimmed
    QPlainTextEdit *editor() const { return m_editor; }
    QPushButton *sendButton() const { return m_send; }
    QString counterText() const;

private:
    void update();

    int m_maxChars;
    QPlainTextEdit *m_editor;
    QLabel *m_counter;
    QPushButton *m_send;
};

} // namespace whisper::admin
