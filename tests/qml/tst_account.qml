// SPDX-License-Identifier: MIT
// The optional account, through the account dialog against the real
// server: register, set up two-factor authentication from the QR code's
// URI, log out, and log in again, which now needs the code.
import QtQuick
import QtQuick.Controls
import QtTest
import WhisperChat.Client
import WhisperChat.Test

Item {
    id: top
    width: 420
    height: 720

    Component {
        id: clientComponent
        ClientView { anchors.fill: parent; initialUrl: TestSupport.serverUrl }
    }

    TestCase {
        name: "Account"
        when: windowShown

        function click(dialog, name) {
            const button = findChild(dialog.contentItem, name)
            verify(button, name)
            verify(button.visible && button.enabled, name + " usable")
            const clicks = createTemporaryObject(signalSpyComponent, top,
                                                 {target: button, signalName: "clicked"})
            mouseClick(button)
            compare(clicks.count, 1, name + " clicked")
        }

        function test_registerTwoFactorLogoutLogin() {
            const client = createTemporaryObject(clientComponent, top)
            const errors = createTemporaryObject(signalSpyComponent, top,
                                                 {target: client.session, signalName: "errorOccurred"})
            client.session.connectToServer()
            tryCompare(client.session, "state", ChatSession.Lobby, 10000)
            const dialog = client.accountDialog
            dialog.open()
            tryCompare(dialog, "opened", true)
            // Clicks land only once the dialog's opening animation is over
            // and its layout was drawn.
            tryVerify(() => dialog.opacity === 1 && dialog.scale === 1)
            waitForRendering(dialog.contentItem)

            dialog.userField.text = "qml_tester"
            dialog.passwordField.text = "a long enough password"
            click(dialog, "registerButton")
            tryVerify(() => client.session.username !== "" || errors.count > 0, 10000)
            compare(errors.count, 0, errors.count ? errors.signalArguments[0][0] : "")
            tryCompare(client.session, "username", "qml_tester", 10000)
            compare(dialog.title, "Account: qml_tester")

            // Enrolment shows the otpauth URI as a QR code.
            click(dialog, "enrollButton")
            tryVerify(() => client.session.totpUri.startsWith("otpauth://totp/"), 10000)
            const qr = dialog.qrCode
            verify(qr.visible)
            verify(qr.modules >= 21, "a QR code has at least 21 modules a side")
            // The three finder patterns' corners are dark, the quiet middle of
            // the top-left one's ring is light.
            verify(qr.dark(0, 0) && qr.dark(qr.modules - 1, 0) && qr.dark(0, qr.modules - 1))
            verify(!qr.dark(1, 1))

            const uri = client.session.totpUri
            dialog.totpField.text = TestSupport.totpCode(uri)
            click(dialog, "enableButton")
            tryCompare(client.session.recoveryCodes, "length", 10, 10000)

            click(dialog, "logoutButton")
            tryCompare(client.session, "username", "")

            // Without the code the server asks for it, in words.
            dialog.userField.text = "qml_tester"
            dialog.passwordField.text = "a long enough password"
            dialog.totpField.text = ""
            click(dialog, "loginButton")
            tryCompare(errors, "count", 1, 10000)
            compare(errors.signalArguments[0][0], "Enter the code from your authenticator app.")
            compare(client.session.username, "")

            // With a code (of the next 30-second step: the one used to turn
            // 2FA on is spent) the login goes through.
            dialog.totpField.text = TestSupport.totpCode(uri, 30)
            click(dialog, "loginButton")
            tryCompare(client.session, "username", "qml_tester", 10000)
            compare(errors.count, 1)
            dialog.close()
        }
        Component {
            id: signalSpyComponent
            SignalSpy {}
        }
    }
}
