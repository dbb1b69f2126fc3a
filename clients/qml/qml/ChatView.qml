// SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import WhisperChat.Client

Item {
    id: view
    required property ChatSession session
    property alias messageList: messageList
    property alias input: input
    property alias sendButton: sendButton
    property alias leaveButton: leaveButton
    property alias nextButton: nextButton
    property alias blockButton: blockButton
    property alias reportButton: reportButton
    property alias reportDialog: reportDialog
    property alias typingLabel: typingLabel
    property alias partnerLabel: partnerLabel
    readonly property bool paired: session.state === ChatSession.Paired

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        Pane {
            Layout.fillWidth: true
            background: Rectangle { color: "#eef2f5" }
            ColumnLayout {
                width: parent.width
                spacing: 6
                Label {
                    id: partnerLabel
                    objectName: "partnerLabel"
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                    font.bold: true
                    font.pixelSize: 16
                    text: view.session.partner
                }
                Label {
                    objectName: "distanceLabel"
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                    text: qsTr("within %1 km").arg(view.session.distanceKm)
                }
                Flow {
                    Layout.fillWidth: true
                    spacing: 6
                    Button {
                        id: nextButton
                        objectName: "nextButton"
                        text: qsTr("Next")
                        onClicked: view.session.next()
                    }
                    Button {
                        id: leaveButton
                        objectName: "leaveButton"
                        text: view.paired ? qsTr("Leave") : qsTr("Back")
                        onClicked: view.paired ? view.session.leave() : view.session.dismissChat()
                    }
                    Button {
                        id: blockButton
                        objectName: "blockButton"
                        text: qsTr("Block")
                        onClicked: view.session.block()
                    }
                    Button {
                        id: reportButton
                        objectName: "reportButton"
                        text: qsTr("Report…")
                        onClicked: reportDialog.open()
                    }
                }
            }
        }

        ListView {
            id: messageList
            objectName: "messageList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 6
            topMargin: 8
            bottomMargin: 8
            model: view.session.messages
            onCountChanged: Qt.callLater(positionViewAtEnd)
            delegate: Bubble {
                width: messageList.width
            }
        }

        Label {
            id: typingLabel
            objectName: "typingLabel"
            Layout.fillWidth: true
            Layout.leftMargin: 12
            Layout.rightMargin: 12
            elide: Text.ElideRight
            visible: view.session.partnerTyping
            font.italic: true
            text: qsTr("%1 is typing…").arg(view.session.partner)
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.margins: 8
            enabled: view.paired
            TextField {
                id: input
                objectName: "messageInput"
                Layout.fillWidth: true
                placeholderText: qsTr("Write a message")
                maximumLength: view.session.maxTextChars
                onTextEdited: view.session.setTyping(text.length > 0)
                onAccepted: sendButton.clicked()
            }
            Button {
                id: sendButton
                objectName: "sendButton"
                text: qsTr("Send")
                enabled: input.text.trim().length > 0
                onClicked: {
                    if (view.session.sendMessage(input.text))
                        input.clear()
                }
            }
        }
    }

    Dialog {
        id: reportDialog
        objectName: "reportDialog"
        title: qsTr("Report %1").arg(view.session.partner)
        modal: true
        anchors.centerIn: parent
        width: Math.min(view.width - 24, 400)
        footer: DialogButtonBox {
            Button {
                text: qsTr("Cancel")
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            }
        }
        ColumnLayout {
            width: parent.width
            Label {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: qsTr("Tell the moderators what happened. They see your reason, not the chat.")
            }
            TextArea {
                id: reasonField
                objectName: "reasonField"
                Layout.fillWidth: true
                Layout.preferredHeight: 80
                wrapMode: TextEdit.Wrap
                placeholderText: qsTr("Reason")
            }
            Button {
                objectName: "sendReportButton"
                Layout.alignment: Qt.AlignRight
                text: qsTr("Send report")
                enabled: reasonField.text.trim().length > 0
                onClicked: {
                    view.session.report(reasonField.text)
                    reasonField.clear()
                    reportDialog.close()
                }
            }
        }
    }
}
