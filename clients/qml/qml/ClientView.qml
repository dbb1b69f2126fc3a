// SPDX-License-Identifier: MIT
// The whole client in one item: the start, waiting and chat views over one
// ChatSession. Main.qml puts it in a window; the tests instantiate it twice.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import WhisperChat.Client

Pane {
    id: root
    property string initialUrl: ""
    property alias session: session
    property alias settings: settings
    property alias startView: startView
    property alias waitingView: waitingView
    property alias chatView: chatView
    property alias accountDialog: accountDialog
    property bool joinPending: false
    padding: 0

    // Right-to-left languages mirror every layout below.
    property bool rightToLeft: Qt.application.layoutDirection === Qt.RightToLeft
    LayoutMirroring.enabled: rightToLeft
    LayoutMirroring.childrenInherit: true

    ClientSettings {
        id: settings
    }

    ChatSession {
        id: session
        url: root.initialUrl !== "" ? root.initialUrl : settings.serverUrl
        onStateChanged: {
            if (state === ChatSession.Lobby && root.joinPending) {
                root.joinPending = false
                startView.join()
            }
        }
        onErrorOccurred: text => toast.show(text, true)
        onConfirmed: text => toast.show(text, false)
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        ToolBar {
            Layout.fillWidth: true
            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: 8
                anchors.rightMargin: 8
                Label {
                    objectName: "statusLabel"
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                    text: session.status !== "" ? session.status
                        : session.state === ChatSession.Disconnected ? qsTr("Not connected")
                        : session.username !== "" ? qsTr("Logged in as %1").arg(session.username)
                        : qsTr("Connected as a guest")
                }
                ToolButton {
                    objectName: "accountButton"
                    text: qsTr("Account")
                    enabled: session.state === ChatSession.Lobby
                    onClicked: accountDialog.open()
                }
            }
        }

        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: session.chatOpen ? 2 : session.state === ChatSession.Waiting ? 1 : 0

            StartView {
                id: startView
                session: session
                settings: settings
                onJoinRequested: {
                    if (session.state === ChatSession.Lobby) {
                        startView.join()
                    } else {
                        root.joinPending = true
                        session.connectToServer()
                    }
                }
            }
            WaitingView {
                id: waitingView
                session: session
            }
            ChatView {
                id: chatView
                session: session
            }
        }
    }

    AccountDialog {
        id: accountDialog
        session: session
    }

    ToolTip {
        id: toast
        objectName: "toast"
        property bool isError: false
        function show(text, error) {
            toast.text = text
            toast.isError = error
            toast.open()
        }
        x: (root.width - width) / 2
        y: root.height - height - 80
        width: Math.min(implicitWidth, root.width - 24)
        timeout: 4000
        contentItem: Label {
            text: toast.text
            wrapMode: Text.Wrap
            color: "white"
        }
        background: Rectangle {
            radius: 6
            color: toast.isError ? "#b03a2e" : "#2e4053"
        }
    }
}
