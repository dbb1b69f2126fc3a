// SPDX-License-Identifier: MIT
// One line of the chat: own messages on the trailing side with a tick once
// delivered, the partner's on the leading side, notices and the client's
// remarks centred.
import QtQuick
import QtQuick.Controls
import WhisperChat.Client

Item {
    id: bubble
    required property int kind
    required property string text
    required property date time
    required property bool delivered
    readonly property bool mine: kind === MessageModel.Mine
    readonly property bool centred: kind === MessageModel.Notice || kind === MessageModel.System
    readonly property real maxBubbleWidth: width * 0.78
    height: box.height

    Rectangle {
        id: box
        objectName: bubble.mine ? "ownBubble" : "bubble"
        readonly property real padding: 10
        width: Math.min(bubble.maxBubbleWidth,
                        Math.max(body.implicitWidth, meta.implicitWidth) + 2 * padding)
        height: body.height + meta.height + 2 * padding + 2
        radius: 10
        color: bubble.kind === MessageModel.Notice ? "#fdebd0"
             : bubble.kind === MessageModel.System ? "transparent"
             : bubble.mine ? "#d4e6f1" : "#eaeded"
        // Mirrored layouts swap the sides through the anchors.
        anchors.left: bubble.mine || bubble.centred ? undefined : parent.left
        anchors.right: bubble.mine ? parent.right : undefined
        anchors.horizontalCenter: bubble.centred ? parent.horizontalCenter : undefined
        anchors.leftMargin: 10
        anchors.rightMargin: 10

        Label {
            id: body
            x: box.padding
            y: box.padding
            width: box.width - 2 * box.padding
            text: bubble.kind === MessageModel.Notice ? qsTr("Notice: %1").arg(bubble.text) : bubble.text
            wrapMode: Text.Wrap
            font.italic: bubble.centred
            horizontalAlignment: bubble.centred ? Text.AlignHCenter : Text.AlignLeft
            textFormat: Text.PlainText
        }
        Label {
            id: meta
            objectName: "meta"
            anchors.top: body.bottom
            anchors.topMargin: 2
            anchors.right: parent.right
            anchors.rightMargin: box.padding
            visible: !bubble.centred
            font.pixelSize: 11
            color: "#5d6d7e"
            text: bubble.time.toLocaleTimeString(Qt.locale(), Locale.ShortFormat)
                  + (bubble.mine ? (bubble.delivered ? "  ✓✓" : "  ✓") : "")
            Accessible.name: bubble.mine && bubble.delivered ? qsTr("delivered") : ""
        }
    }
}
