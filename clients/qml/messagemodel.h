// SPDX-License-Identifier: MIT
#pragma once

#include <QAbstractListModel>
#include <QDateTime>
#include <QList>
#include <QString>

#include <qqmlintegration.h>

namespace whisper::client {

// The lines of one chat as the chat view shows them: own and partner's
// messages as bubbles, operator notices and the client's own remarks
// ("the partner left") as centred lines.
class MessageModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("owned by ChatSession")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum class Kind { Mine, Theirs, Notice, System };
    Q_ENUM(Kind)
    enum Role { KindRole = Qt::UserRole + 1, TextRole, TimeRole, DeliveredRole, IdRole };

    explicit MessageModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void append(Kind kind, const QString &text, const QDateTime &time, const QString &id = {});
    // True when an own message with that id was found and newly marked.
    bool markDelivered(const QString &id);
    void clear();

    Q_INVOKABLE int deliveredCount() const;

Q_SIGNALS:
    void countChanged();

private:
    struct Line {
        Kind kind;
        QString text;
        QDateTime time;
        QString id;
        bool delivered = false;
    };
    QList<Line> m_lines;
};

} // namespace whisper::client
