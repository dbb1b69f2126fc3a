// SPDX-License-Identifier: MIT
// Optional account: register, log in (with a two-factor code), log out, and
// turn on two-factor authentication (the otpauth URI as a QR code).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import WhisperChat.Client

Dialog {
    id: dialog
    objectName: "accountDialog"
    required property ChatSession session
    readonly property bool loggedIn: session.username !== ""
    property alias userField: userField
    property alias passwordField: passwordField
    property alias totpField: totpField
    property alias qrCode: qrCode
    title: loggedIn ? qsTr("Account: %1").arg(session.username) : qsTr("Account")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(parent ? parent.width - 24 : 400, 420)
    // As tall as the content, up to the window; beyond that it scrolls.
    height: Math.min(implicitHeight, parent ? parent.height - 24 : 600)
    // Own buttons rather than standardButtons: their text is ours to translate.
    footer: DialogButtonBox {
        Button {
            objectName: "closeAccountButton"
            text: qsTr("Close")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
    }

    ScrollView {
        anchors.fill: parent
        implicitHeight: column.implicitHeight
        contentWidth: availableWidth
        contentHeight: column.implicitHeight
        ColumnLayout {
            id: column
            width: parent.width
            spacing: 8

            Label {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                visible: !dialog.loggedIn
                text: qsTr("An account is optional. It keeps your blocks across visits.")
            }
            TextField {
                id: userField
                objectName: "userField"
                Layout.fillWidth: true
                visible: !dialog.loggedIn
                placeholderText: qsTr("User name")
                inputMethodHints: Qt.ImhNoAutoUppercase | Qt.ImhNoPredictiveText
            }
            TextField {
                id: passwordField
                objectName: "passwordField"
                Layout.fillWidth: true
                placeholderText: qsTr("Password")
                echoMode: TextInput.Password
            }
            TextField {
                id: totpField
                objectName: "totpField"
                Layout.fillWidth: true
                placeholderText: dialog.loggedIn ? qsTr("Code from your authenticator app")
                                                 : qsTr("Two-factor code (if you use one)")
                inputMethodHints: Qt.ImhDigitsOnly
                visible: !dialog.loggedIn || dialog.session.totpUri !== ""
            }
            Flow {
                Layout.fillWidth: true
                spacing: 6
                visible: !dialog.loggedIn
                Button {
                    objectName: "loginButton"
                    text: qsTr("Log in")
                    onClicked: dialog.session.login(userField.text, passwordField.text, totpField.text)
                }
                Button {
                    objectName: "registerButton"
                    text: qsTr("Register")
                    onClicked: dialog.session.registerAccount(userField.text, passwordField.text)
                }
            }
            Flow {
                Layout.fillWidth: true
                spacing: 6
                visible: dialog.loggedIn
                Button {
                    objectName: "enrollButton"
                    text: qsTr("Set up two-factor authentication")
                    visible: dialog.session.totpUri === "" && dialog.session.recoveryCodes.length === 0
                    enabled: passwordField.text !== ""
                    onClicked: dialog.session.enrollTotp(passwordField.text)
                }
                Button {
                    objectName: "enableButton"
                    text: qsTr("Turn on")
                    visible: dialog.session.totpUri !== ""
                    onClicked: dialog.session.enableTotp(totpField.text, passwordField.text)
                }
                Button {
                    objectName: "logoutButton"
                    text: qsTr("Log out")
                    onClicked: {
                        passwordField.clear()
                        dialog.session.logout()
                    }
                }
            }
            Label {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                visible: dialog.session.totpUri !== ""
                text: qsTr("Scan this code with your authenticator app, then enter the code it shows and your password.")
            }
            QrCode {
                id: qrCode
                objectName: "qrCode"
                Layout.alignment: Qt.AlignHCenter
                Layout.preferredWidth: 200
                Layout.preferredHeight: 200
                visible: text !== ""
                text: dialog.session.totpUri
            }
            TextArea {
                Layout.fillWidth: true
                visible: dialog.session.totpUri !== ""
                readOnly: true
                wrapMode: TextEdit.WrapAnywhere
                text: dialog.session.totpUri
            }
            Label {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                visible: dialog.session.recoveryCodes.length > 0
                text: qsTr("Keep these recovery codes somewhere safe; each works once:")
            }
            TextArea {
                objectName: "recoveryCodes"
                Layout.fillWidth: true
                visible: dialog.session.recoveryCodes.length > 0
                readOnly: true
                text: dialog.session.recoveryCodes.join("\n")
            }
        }
    }
}
