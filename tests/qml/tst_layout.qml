// SPDX-License-Identifier: MIT
// Translations and layout: in German, Hindi and Spanish every visible
// string of the start, waiting and chat views and the account dialog is
// translated, and at a phone's width (360 px) no control sticks out of its
// view, no button is squeezed below its text and no one-line label is cut
// without eliding; mirrored (right-to-left) the same holds.
import QtQuick
import QtQuick.Controls
import QtTest
import WhisperChat.Client
import WhisperChat.Test

Item {
    id: top
    width: 400
    height: 700

    Component {
        id: clientComponent
        ClientView { width: 360; height: 640 }
    }
    Component {
        id: frameComponent
        // A right-to-left frame for the views used on their own.
        Item {
            property bool mirrored: false
            width: 360
            height: 640
            LayoutMirroring.enabled: mirrored
            LayoutMirroring.childrenInherit: true
        }
    }
    Component {
        id: waitingComponent
        WaitingView { anchors.fill: parent; session: ChatSession {} }
    }
    Component {
        id: chatComponent
        ChatView { anchors.fill: parent; session: ChatSession {} }
    }

    TestCase {
        name: "Layout"
        when: windowShown

        function cleanup() {
            TestSupport.setLanguage("")
        }

        // Visible items of `root` in a stable order, with what they show.
        function texts(root) {
            const out = []
            function walk(item) {
                for (let i = 0; i < item.children.length; ++i) {
                    const child = item.children[i]
                    if (!child.visible)
                        continue
                    out.push({item: child, text: typeof child.text === "string" ? child.text : "",
                              placeholder: typeof child.placeholderText === "string"
                                           ? child.placeholderText : ""})
                    walk(child)
                }
            }
            walk(root)
            return out
        }

        // What sticks out or is cut: controls outside the view horizontally,
        // buttons narrower than their content, one-line labels wider than
        // their box without eliding.
        function overflow(root) {
            const problems = []
            function describe(item) {
                return (item.objectName || "") + " \"" + (item.text || "") + "\" " + item
                        + " in " + item.parent
            }
            function walk(item) {
                for (let i = 0; i < item.children.length; ++i) {
                    const child = item.children[i]
                    if (!child.visible || child.width <= 0)
                        continue
                    // Both edges: a mirrored style may flip an item by scale -1.
                    const a = child.mapToItem(root, 0, 0).x
                    const b = child.mapToItem(root, child.width, 0).x
                    if (Math.min(a, b) < -0.5 || Math.max(a, b) > root.width + 0.5)
                        problems.push("outside the view: " + describe(child)
                                      + " from " + Math.min(a, b) + " to " + Math.max(a, b))
                    if (child.checkable !== undefined && child.implicitWidth > child.width + 0.5)
                        problems.push("button squeezed: " + describe(child)
                                      + " " + child.implicitWidth + " > " + child.width)
                    if (child.elide !== undefined && child.wrapMode !== undefined
                            && typeof child.text === "string" && child.text !== ""
                            && child.elide === Text.ElideNone && child.wrapMode === Text.NoWrap
                            && child.implicitWidth > child.width + 0.5)
                        problems.push("label cut: " + describe(child))
                    walk(child)
                }
            }
            walk(root)
            return problems
        }

        // Translated: every text shown in English is shown differently now,
        // apart from the words the language shares with English.
        function untranslatedTexts(english, translated, same) {
            const problems = []
            compare(translated.length, english.length, "same items visible")
            for (let i = 0; i < english.length; ++i) {
                for (const key of ["text", "placeholder"]) {
                    const en = english[i][key]
                    if (!/[A-Za-z]{2}/.test(en) || en.indexOf("://") >= 0 || same.indexOf(en) >= 0)
                        continue
                    if (translated[i][key] === en)
                        problems.push(en)
                }
            }
            return problems
        }

        function views(mirrored) {
            const client = createTemporaryObject(clientComponent, top, {rightToLeft: mirrored})
            const waitingFrame = createTemporaryObject(frameComponent, top, {mirrored: mirrored})
            const chatFrame = createTemporaryObject(frameComponent, top, {mirrored: mirrored})
            waitingComponent.createObject(waitingFrame)
            chatComponent.createObject(chatFrame)
            // The chat view with a conversation in it (remarks and notices
            // aside, bubbles come only from a real partner: tst_chat).
            client.accountDialog.open()
            return [client, waitingFrame, chatFrame, client.accountDialog.contentItem]
        }

        function test_translatedAndFits_data() {
            return [
                {tag: "en", language: "", mirrored: false, same: [], join: "Find someone to talk to"},
                {tag: "de", language: "de", mirrored: false, same: ["Server", "WhisperChat"],
                 join: "Jemanden zum Reden finden"},
                {tag: "hi", language: "hi", mirrored: false, same: ["WhisperChat"],
                 join: "बात करने के लिए किसी को खोजें"},
                {tag: "es", language: "es", mirrored: false, same: ["WhisperChat"],
                 join: "Buscar a alguien con quien hablar"},
                {tag: "de right-to-left", language: "de", mirrored: true, same: ["Server"],
                 join: "Jemanden zum Reden finden"},
                {tag: "hi right-to-left", language: "hi", mirrored: true, same: [],
                 join: "बात करने के लिए किसी को खोजें"},
            ]
        }

        function test_translatedAndFits(data) {
            const roots = views(data.mirrored)
            const english = roots.map(texts)
            verify(TestSupport.setLanguage(data.language))
            wait(0) // let the retranslated bindings lay out again
            const client = roots[0]
            tryCompare(client.startView.joinButton, "text", data.join)
            for (let i = 0; i < roots.length; ++i) {
                const root = roots[i]
                if (data.language !== "") {
                    const missing = untranslatedTexts(english[i], texts(root), data.same)
                    compare(missing.length, 0, "untranslated: " + missing.join(" | "))
                }
                const problems = overflow(root)
                compare(problems.length, 0, "view " + i + ": " + problems.join("\n"))
            }
            if (data.mirrored) {
                // Mirrored for real: the account button sits on the left.
                const button = findChild(client, "accountButton")
                verify(button.mapToItem(client, 0, 0).x < client.width / 2)
            }
            client.accountDialog.close()
        }

        // The overflow check itself finds a squeezed button and a cut label.
        Component {
            id: brokenComponent
            Item {
                width: 100
                height: 50
                Button { width: 40; text: "A rather long button text" }
                Label { x: 0; y: 30; width: 30; text: "a label too long for its box" }
                Label { x: 90; width: 50; text: "out" }
            }
        }
        function test_checkerFindsOverflow() {
            const broken = createTemporaryObject(brokenComponent, top)
            compare(overflow(broken).length, 3, overflow(broken).join("\n"))
        }

        function test_translationFilesComplete_data() {
            return [{tag: "de"}, {tag: "es"}, {tag: "hi"}]
        }
        function test_translationFilesComplete(data) {
            const problems = TestSupport.untranslated(data.tag)
            compare(problems.length, 0, problems.join("\n"))
        }
    }
}
