// SPDX-License-Identifier: MIT
#include "logindialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSettings>

namespace whisper::admin {

namespace {
const auto kUrlKey = QStringLiteral("login/url");
const auto kUserKey = QStringLiteral("login/username");
} // namespace

LoginDialog::LoginDialog(QWidget *parent)
    : QDialog(parent)
    , m_url(new QLineEdit(this))
    , m_username(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_totp(new QLineEdit(this))
    , m_error(new QLabel(this)) {
    setWindowTitle(tr("Log in to a WhisperChat server"));
    m_url->setObjectName(QStringLiteral("url"));
    m_username->setObjectName(QStringLiteral("username"));
    m_password->setObjectName(QStringLiteral("password"));
    m_totp->setObjectName(QStringLiteral("totp"));
    m_password->setEchoMode(QLineEdit::Password);
    m_totp->setPlaceholderText(tr("only if two-factor login is enabled"));
    m_totp->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{0,8}")), this));
    m_error->setStyleSheet(QStringLiteral("color: #c0392b"));
    m_error->setWordWrap(true);
    m_error->hide();

    QSettings settings;
    m_url->setText(settings.value(kUrlKey, QStringLiteral("ws://127.0.0.1:8081")).toString());
    m_username->setText(settings.value(kUserKey).toString());

    auto *form = new QFormLayout(this);
    form->addRow(tr("Server URL"), m_url);
    form->addRow(tr("Username"), m_username);
    form->addRow(tr("Password"), m_password);
    form->addRow(tr("TOTP code"), m_totp);
    form->addRow(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Log in"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &LoginDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &LoginDialog::reject);
    if (!m_username->text().isEmpty())
        m_password->setFocus();
}

ControlClient::Credentials LoginDialog::credentials() const {
    return {QUrl(m_url->text().trimmed()), m_username->text().trimmed(), m_password->text(),
            m_totp->text()};
}

void LoginDialog::setCredentials(const ControlClient::Credentials &c) {
    m_url->setText(c.url.toString());
    m_username->setText(c.username);
    m_password->setText(c.password);
    m_totp->setText(c.totp);
}

void LoginDialog::setError(const QString &message) {
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void LoginDialog::accept() {
    const auto c = credentials();
    if (!c.url.isValid() ||
        (c.url.scheme() != QLatin1String("ws") && c.url.scheme() != QLatin1String("wss"))) {
        setError(tr("The server URL must start with ws:// or wss://."));
        return;
    }
    if (c.username.isEmpty() || c.password.isEmpty()) {
        setError(tr("Enter a username and a password."));
        return;
    }
    // Nothing is remembered yet: a URL is saved only once a login through it
    // succeeded (remember()), so a typo does not become tomorrow's default.
    setError({});
    QDialog::accept();
}

void LoginDialog::rememberSuccessfulLogins(ControlClient *client) {
    connect(client, &ControlClient::loggedIn, this,
            [client] { remember(client->url(), client->username()); });
}

void LoginDialog::remember(const QUrl &url, const QString &username) {
    QSettings settings;
    settings.setValue(kUrlKey, url.toString());
    settings.setValue(kUserKey, username);
}

} // namespace whisper::admin
