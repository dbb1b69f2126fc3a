// SPDX-License-Identifier: MIT
// Two instances of the real client view against a real server: they join
// nearby, match, type, exchange messages with delivered ticks; one leaves and
// the other sees it. A screenshot of the matched chat is saved under the
// build directory (screenshots/qml-chat.png).
import QtQuick
import QtTest
import WhisperChat.Client
import WhisperChat.Test

Item {
    id: top
    width: 840
    height: 720

    Component {
        id: clientComponent
        ClientView {
            width: 410
            height: 720
            initialUrl: TestSupport.serverUrl
        }
    }

    TestCase {
        name: "Chat"
        when: windowShown

        function makeClient(x, lat, lon) {
            const client = createTemporaryObject(clientComponent, top, {x: x})
            verify(client)
            client.session.reconnectBaseMs = 100
            client.startView.latField.text = lat
            client.startView.lonField.text = lon
            client.startView.rangeSlider.value = client.startView.positionFor(10)
            compare(client.startView.rangeSlider.km, 10)
            return client
        }

        function joinBoth(a, b) {
            mouseClick(a.startView.joinButton)
            tryCompare(a.session, "state", ChatSession.Waiting, 10000)
            verify(a.waitingView.visible)
            mouseClick(b.startView.joinButton)
            tryCompare(a.session, "state", ChatSession.Paired, 10000)
            tryCompare(b.session, "state", ChatSession.Paired, 10000)
            tryVerify(() => a.chatView.visible && b.chatView.visible)
        }

        function type(client, text) {
            client.chatView.input.forceActiveFocus()
            for (const c of text)
                keyClick(c)
        }

        function lastLine(client) {
            const list = client.chatView.messageList
            list.positionViewAtEnd()
            const item = list.itemAtIndex(list.count - 1)
            return item ? item.text : ""
        }

        function test_matchChatAndLeave() {
            const a = makeClient(0, "52.52", "13.40")
            const b = makeClient(420, "52.53", "13.41")
            joinBoth(a, b)

            compare(a.chatView.partnerLabel.text, a.session.partner)
            verify(a.session.partner.length > 0)
            verify(b.session.distanceKm > 0 && b.session.distanceKm <= 10)

            // Typing shows on the other side, and goes away with the message.
            type(a, "hello")
            tryCompare(b.chatView.typingLabel, "visible", true)
            verify(b.chatView.typingLabel.text.indexOf(b.session.partner) >= 0)
            mouseClick(a.chatView.sendButton)
            compare(a.chatView.input.text, "")
            tryCompare(b.session.messages, "count", 1)
            compare(lastLine(b), "hello")
            tryCompare(b.chatView.typingLabel, "visible", false)
            // The own bubble gets its delivered tick.
            tryVerify(() => a.session.messages.deliveredCount() === 1)

            type(b, "hi, who is this?")
            keyClick(Qt.Key_Return)
            tryCompare(a.session.messages, "count", 2)
            compare(lastLine(a), "hi, who is this?")
            tryVerify(() => b.session.messages.deliveredCount() === 1)

            type(a, "a neighbour")
            mouseClick(a.chatView.sendButton)
            tryCompare(b.session.messages, "count", 3)
            tryVerify(() => a.session.messages.deliveredCount() === 2)

            // An operator's notice reaches both, in the chat.
            TestSupport.broadcast("Maintenance at 03:00 UTC, back in 5 minutes.")
            tryVerify(() => lastLine(a).indexOf("Maintenance at 03:00 UTC") >= 0, 10000)
            tryVerify(() => lastLine(b).indexOf("Maintenance at 03:00 UTC") >= 0, 10000)

            // The matched chat, as the README shows it: b is typing again.
            type(b, "nice")
            tryCompare(a.chatView.typingLabel, "visible", true)
            let saved = false
            waitForRendering(a)
            verify(a.grabToImage(result => {
                saved = TestSupport.saveImage(result.image, "qml-chat.png")
            }))
            tryVerify(() => saved, 5000)

            // One leaves; the other is told and can go back or look again.
            mouseClick(a.chatView.leaveButton)
            tryCompare(b.session, "chatEnded", true)
            compare(b.session.state, ChatSession.Lobby)
            verify(lastLine(b).indexOf("left the chat") >= 0)
            compare(b.chatView.leaveButton.text, "Back")
            verify(!b.chatView.input.parent.enabled)
            mouseClick(b.chatView.leaveButton)
            tryVerify(() => b.startView.visible)
            mouseClick(a.chatView.leaveButton)
            tryVerify(() => a.startView.visible)
        }

        // Next ends the chat for both and looks again; report sends a reason
        // and keeps the chat; block ends it and the two are not matched again.
        function test_nextReportBlock() {
            const a = makeClient(0, "40.42", "-3.70")
            const b = makeClient(420, "40.43", "-3.71")
            const confirmations = createTemporaryObject(spyComponent, top,
                                                        {target: b.session, signalName: "confirmed"})
            joinBoth(a, b)
            const first = b.session.partner

            mouseClick(a.chatView.nextButton)
            tryCompare(a.session, "state", ChatSession.Waiting, 10000)
            tryCompare(b.session, "chatEnded", true)
            mouseClick(b.chatView.nextButton)
            tryCompare(a.session, "state", ChatSession.Paired, 10000)
            tryCompare(b.session, "state", ChatSession.Paired, 10000)
            verify(b.session.partner !== first, "a new pair, a new handle")

            mouseClick(b.chatView.reportButton)
            const dialog = b.chatView.reportDialog
            tryCompare(dialog, "opened", true)
            tryVerify(() => dialog.opacity === 1 && dialog.scale === 1)
            waitForRendering(dialog.contentItem)
            const send = findChild(dialog.contentItem, "sendReportButton")
            verify(!send.enabled, "no report without a reason")
            findChild(dialog.contentItem, "reasonField").text = "rude"
            mouseClick(send)
            tryCompare(confirmations, "count", 1, 10000)
            compare(confirmations.signalArguments[0][0],
                    "Thank you. The moderators will look at your report.")
            compare(b.session.state, ChatSession.Paired)

            mouseClick(b.chatView.blockButton)
            tryCompare(confirmations, "count", 2, 10000)
            compare(b.session.state, ChatSession.Lobby)
            verify(lastLine(b).indexOf("You blocked") === 0)
            tryCompare(a.session, "chatEnded", true)
            verify(lastLine(a).indexOf("ended the chat") >= 0)

            // Both wait again, side by side, and are not matched.
            mouseClick(a.chatView.nextButton)
            mouseClick(b.chatView.nextButton)
            tryCompare(a.session, "state", ChatSession.Waiting, 10000)
            tryCompare(b.session, "state", ChatSession.Waiting, 10000)
            // A third person nearby is matched with one of them: the
            // matchmaker ran while both waited and did not pair a with b.
            const c = makeClient(210, "40.425", "-3.705")
            mouseClick(c.startView.joinButton)
            tryCompare(c.session, "state", ChatSession.Paired, 10000)
            tryVerify(() => (a.session.state === ChatSession.Paired)
                             !== (b.session.state === ChatSession.Paired))
            verify(a.session.state === ChatSession.Waiting || b.session.state === ChatSession.Waiting)
        }

        Component {
            id: spyComponent
            SignalSpy {}
        }

        function test_cancelWaiting() {
            const a = makeClient(0, "-33.87", "151.21")
            mouseClick(a.startView.joinButton)
            tryCompare(a.session, "state", ChatSession.Waiting, 10000)
            tryVerify(() => a.waitingView.elapsedSeconds >= 1, 3000)
            mouseClick(a.waitingView.cancelButton)
            tryCompare(a.session, "state", ChatSession.Lobby)
            verify(a.startView.visible)

            // The server, the location and the range are remembered.
            const again = createTemporaryObject(clientComponent, top, {initialUrl: ""})
            compare(again.startView.urlField.text, TestSupport.serverUrl)
            compare(again.startView.latField.text, "-33.87")
            compare(again.startView.lonField.text, "151.21")
            compare(again.startView.rangeSlider.km, 10)
        }

        // A click on the map sets the location fields, and typed
        // coordinates move the marker.
        function test_mapPicksLocation() {
            const a = makeClient(0, "", "")
            const map = a.startView.map
            verify(map.loaded, "the land polygons are built in")
            verify(!a.startView.joinButton.enabled)
            waitForRendering(map)
            // The map shows the whole world, 2:1: its centre is 0°, 0°.
            mouseClick(map, map.width / 2, map.height / 2)
            // Clicks land on whole pixels: about a degree each at this size.
            fuzzyCompare(Number(a.startView.latField.text), 0, 1)
            fuzzyCompare(Number(a.startView.lonField.text), 0, 1)
            // A quarter of the way from the left edge, a quarter down: 90° W, 45° N.
            const w = Math.min(map.width, map.height * 2)
            mouseClick(map, (map.width - w) / 2 + w / 4, (map.height - w / 2) / 2 + w / 8)
            fuzzyCompare(Number(a.startView.latField.text), 45, 1)
            fuzzyCompare(Number(a.startView.lonField.text), -90, 1)
            verify(map.hasMarker)
            verify(a.startView.joinButton.enabled)
            a.startView.latField.text = "91"
            verify(!a.startView.locationValid, "latitude beyond 90° is refused")
            verify(!a.startView.joinButton.enabled)
        }

        // A dropped connection is reported, retried with backoff, and the
        // session comes back: a waiting client waits again by itself; a chat
        // is resumed where the server offers it, or ends with a remark.
        function test_reconnect() {
            const a = makeClient(0, "48.85", "2.35")
            const b = makeClient(420, "48.86", "2.36")
            mouseClick(a.startView.joinButton)
            tryCompare(a.session, "state", ChatSession.Waiting, 10000)
            a.session.simulateNetworkDrop()
            tryCompare(a.session, "state", ChatSession.Reconnecting)
            verify(a.session.status.indexOf("Reconnecting") >= 0)
            tryCompare(a.session, "state", ChatSession.Waiting, 10000)
            compare(a.session.status, "")

            mouseClick(b.startView.joinButton)
            tryCompare(a.session, "state", ChatSession.Paired, 10000)
            tryCompare(b.session, "state", ChatSession.Paired, 10000)
            a.session.simulateNetworkDrop()
            tryCompare(a.session, "state", ChatSession.Reconnecting)
            if (a.session.canResume) {
                // Same partner, and the chat goes on both ways.
                tryCompare(a.session, "state", ChatSession.Paired, 10000)
                compare(b.session.state, ChatSession.Paired)
                type(a, "back again")
                mouseClick(a.chatView.sendButton)
                tryVerify(() => lastLine(b) === "back again", 10000)
                tryVerify(() => a.session.messages.deliveredCount() === 1, 10000)
            } else {
                tryCompare(a.session, "chatEnded", true, 10000)
                verify(lastLine(a).indexOf("could not be resumed") >= 0)
                tryCompare(b.session, "chatEnded", true, 10000)
            }
        }
    }
}
