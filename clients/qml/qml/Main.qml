// SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import WhisperChat.Client

ApplicationWindow {
    id: window
    property string initialUrl: ""
    width: 420
    height: 720
    visible: true
    title: qsTr("WhisperChat")

    ClientView {
        anchors.fill: parent
        initialUrl: window.initialUrl
    }
}
