// SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import WhisperChat.Client

Item {
    id: view
    required property ChatSession session
    property alias cancelButton: cancelButton
    property int elapsedSeconds: 0

    Timer {
        running: view.session.state === ChatSession.Waiting
        interval: 1000
        repeat: true
        triggeredOnStart: true
        onTriggered: view.elapsedSeconds = Math.max(0, Math.floor(
                         (Date.now() - view.session.waitingSince.getTime()) / 1000))
    }

    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 24, 420)
        spacing: 16
        BusyIndicator {
            Layout.alignment: Qt.AlignHCenter
            running: view.visible
        }
        Label {
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            text: qsTr("Looking for someone nearby…")
            font.pixelSize: 18
        }
        Label {
            objectName: "elapsedLabel"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            text: qsTr("Waiting for %1:%2").arg(Math.floor(view.elapsedSeconds / 60))
                      .arg(String(view.elapsedSeconds % 60).padStart(2, "0"))
        }
        Button {
            id: cancelButton
            objectName: "cancelButton"
            Layout.alignment: Qt.AlignHCenter
            Layout.maximumWidth: parent.width
            text: qsTr("Cancel")
            onClicked: view.session.leave()
        }
    }
}
