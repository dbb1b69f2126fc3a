#pragma once

#include <QDialog>

class QComboBox;
class QLineEdit;

namespace whisper::admin {

// Asks how long and why to ban; the permanent choice only for roles that may
// ban permanently.
class BanDialog : public QDialog {
    Q_OBJECT
public:
    BanDialog(const QString &target, bool allowPermanent, QWidget *parent = nullptr);
    qint64 durationS() const; // 0: permanent
    QString reason() const;

private:
    QComboBox *m_duration;
    QLineEdit *m_reason;
};

} // namespace whisper::admin
