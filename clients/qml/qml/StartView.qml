// SPDX-License-Identifier: MIT
// Where to connect, where the user is (typed, clicked on the map or from
// the platform's position source) and how far to look.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtPositioning
import WhisperChat.Client

ScrollView {
    id: view
    required property ChatSession session
    required property ClientSettings settings
    property alias urlField: urlField
    property alias latField: latField
    property alias lonField: lonField
    property alias rangeSlider: rangeSlider
    property alias joinButton: joinButton
    property alias map: map
    readonly property bool locationValid: latField.acceptableInput && lonField.acceptableInput
    signal joinRequested()
    contentWidth: availableWidth
    clip: true

    function join() {
        settings.serverUrl = urlField.text
        settings.latitude = latField.text
        settings.longitude = lonField.text
        settings.rangeKm = rangeSlider.km
        session.join(Number(latField.text), Number(lonField.text), rangeSlider.km)
    }

    // The slider moves over a logarithmic scale: 1 km to 20000 km.
    function kmFor(position) {
        return Math.max(1, Math.round(Math.pow(10, position * Math.log10(20000))))
    }
    function positionFor(km) {
        return Math.log10(Math.max(1, km)) / Math.log10(20000)
    }

    PositionSource {
        id: positionSource
        active: false
        updateInterval: 5000
        onPositionChanged: {
            const c = position.coordinate
            if (!c.isValid)
                return
            latField.text = c.latitude.toFixed(2)
            lonField.text = c.longitude.toFixed(2)
            active = false
        }
    }

    ColumnLayout {
        width: view.availableWidth
        spacing: 10

        Label {
            Layout.fillWidth: true
            Layout.topMargin: 12
            Layout.leftMargin: 12
            Layout.rightMargin: 12
            text: qsTr("Talk to someone nearby, anonymously.")
            font.pixelSize: 18
            wrapMode: Text.Wrap
        }

        Label {
            Layout.leftMargin: 12
            Layout.rightMargin: 12
            Layout.fillWidth: true
            text: qsTr("Server")
            wrapMode: Text.Wrap
        }
        TextField {
            id: urlField
            objectName: "urlField"
            Layout.fillWidth: true
            Layout.leftMargin: 12
            Layout.rightMargin: 12
            text: view.session.url.toString()
            inputMethodHints: Qt.ImhUrlCharactersOnly | Qt.ImhNoPredictiveText
            onEditingFinished: view.session.url = text
        }

        Label {
            Layout.leftMargin: 12
            Layout.rightMargin: 12
            Layout.fillWidth: true
            text: qsTr("Your location: type it, click the map, or use the device's position.")
            wrapMode: Text.Wrap
        }
        GridLayout {
            Layout.fillWidth: true
            Layout.leftMargin: 12
            Layout.rightMargin: 12
            columns: 2
            Label {
                text: qsTr("Latitude")
                Layout.maximumWidth: view.availableWidth / 3
                elide: Text.ElideRight
            }
            TextField {
                id: latField
                objectName: "latField"
                Layout.fillWidth: true
                text: view.settings.latitude
                placeholderText: "52.52"
                validator: DoubleValidator { bottom: -90; top: 90; notation: DoubleValidator.StandardNotation; locale: "C" }
                inputMethodHints: Qt.ImhFormattedNumbersOnly
                onTextEdited: if (acceptableInput) { map.latitude = Number(text); map.hasMarker = lonField.acceptableInput }
            }
            Label {
                text: qsTr("Longitude")
                Layout.maximumWidth: view.availableWidth / 3
                elide: Text.ElideRight
            }
            TextField {
                id: lonField
                objectName: "lonField"
                Layout.fillWidth: true
                text: view.settings.longitude
                placeholderText: "13.40"
                validator: DoubleValidator { bottom: -180; top: 180; notation: DoubleValidator.StandardNotation; locale: "C" }
                inputMethodHints: Qt.ImhFormattedNumbersOnly
                onTextEdited: if (acceptableInput) { map.longitude = Number(text); map.hasMarker = latField.acceptableInput }
            }
        }

        WorldMap {
            id: map
            objectName: "worldMap"
            Layout.fillWidth: true
            Layout.leftMargin: 12
            Layout.rightMargin: 12
            Layout.preferredHeight: width / 2
            latitude: Number(latField.text)
            longitude: Number(lonField.text)
            hasMarker: view.locationValid
            rangeKm: rangeSlider.km
            onPicked: (lat, lon) => {
                latField.text = lat.toFixed(2)
                lonField.text = lon.toFixed(2)
            }
        }

        Button {
            objectName: "positionButton"
            Layout.leftMargin: 12
            Layout.rightMargin: 12
            Layout.maximumWidth: view.availableWidth - 24
            visible: positionSource.valid
            text: qsTr("Use my position")
            onClicked: positionSource.update()
        }

        Label {
            objectName: "rangeLabel"
            Layout.leftMargin: 12
            Layout.rightMargin: 12
            Layout.fillWidth: true
            text: qsTr("Look for people within %1 km").arg(rangeSlider.km)
            wrapMode: Text.Wrap
        }
        Slider {
            id: rangeSlider
            objectName: "rangeSlider"
            // The handle moves on a log scale; `km` is what joins use.
            readonly property int km: view.kmFor(value)
            Layout.fillWidth: true
            Layout.leftMargin: 12
            Layout.rightMargin: 12
            from: 0
            to: 1
            value: view.positionFor(view.settings.rangeKm)
            Accessible.name: qsTr("Range in kilometres")
        }

        Button {
            id: joinButton
            objectName: "joinButton"
            Layout.fillWidth: true
            Layout.leftMargin: 12
            Layout.rightMargin: 12
            Layout.bottomMargin: 12
            highlighted: true
            enabled: view.locationValid && urlField.text !== ""
                     && (view.session.state === ChatSession.Lobby
                         || view.session.state === ChatSession.Disconnected)
            text: qsTr("Find someone to talk to")
            onClicked: {
                view.session.url = urlField.text
                view.joinRequested()
            }
        }
    }
}
