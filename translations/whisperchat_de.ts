<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
    <context>
        <name>QObject</name>
        <message numerus="yes">
            <source>%n s</source>
            <translation>
                <numerusform>%n s</numerusform>
                <numerusform>%n s</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n min</source>
            <translation>
                <numerusform>%n min</numerusform>
                <numerusform>%n min</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n h</source>
            <translation>
                <numerusform>%n h</numerusform>
                <numerusform>%n h</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>whisper::admin::BanDialog</name>
        <message>
            <source>Ban %1</source>
            <translation>%1 sperren</translation>
        </message>
        <message>
            <source>1 hour</source>
            <translation>1 Stunde</translation>
        </message>
        <message>
            <source>1 day</source>
            <translation>1 Tag</translation>
        </message>
        <message>
            <source>7 days</source>
            <translation>7 Tage</translation>
        </message>
        <message>
            <source>30 days</source>
            <translation>30 Tage</translation>
        </message>
        <message>
            <source>Permanently</source>
            <translation>Dauerhaft</translation>
        </message>
        <message>
            <source>Ban %1 from the server?</source>
            <translation>%1 vom Server sperren?</translation>
        </message>
        <message>
            <source>Duration</source>
            <translation>Dauer</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>Grund</translation>
        </message>
    </context>
    <context>
        <name>whisper::admin::ConsoleState</name>
        <message>
            <source>pair %1 matched</source>
            <translation>Paar %1 gebildet</translation>
        </message>
        <message>
            <source>pair %1 ended</source>
            <translation>Paar %1 beendet</translation>
        </message>
        <message>
            <source>%1 kicked</source>
            <translation>%1 hinausgeworfen</translation>
        </message>
        <message>
            <source>%1 banned</source>
            <translation>%1 gesperrt</translation>
        </message>
        <message>
            <source>%1 reported</source>
            <translation>%1 gemeldet</translation>
        </message>
    </context>
    <context>
        <name>whisper::admin::LoginDialog</name>
        <message>
            <source>Log in to a WhisperChat server</source>
            <translation>Bei einem WhisperChat-Server anmelden</translation>
        </message>
        <message>
            <source>only if two-factor login is enabled</source>
            <translation>nur bei aktivierter Zwei-Faktor-Anmeldung</translation>
        </message>
        <message>
            <source>Server URL</source>
            <translation>Server-URL</translation>
        </message>
        <message>
            <source>Username</source>
            <translation>Benutzername</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>Passwort</translation>
        </message>
        <message>
            <source>TOTP code</source>
            <translation>TOTP-Code</translation>
        </message>
        <message>
            <source>Log in</source>
            <translation>Anmelden</translation>
        </message>
        <message>
            <source>The server URL must start with ws:// or wss://.</source>
            <translation>Die Server-URL muss mit ws:// oder wss:// beginnen.</translation>
        </message>
        <message>
            <source>Enter a username and a password.</source>
            <translation>Geben Sie einen Benutzernamen und ein Passwort ein.</translation>
        </message>
    </context>
    <context>
        <name>whisper::admin::MainWindow</name>
        <message>
            <source>WhisperChat admin console</source>
            <translation>WhisperChat-Verwaltungskonsole</translation>
        </message>
        <message>
            <source>Waiting</source>
            <translation>Wartend</translation>
        </message>
        <message>
            <source>Pairs</source>
            <translation>Paare</translation>
        </message>
        <message>
            <source>Reports</source>
            <translation>Meldungen</translation>
        </message>
        <message>
            <source>Events</source>
            <translation>Ereignisse</translation>
        </message>
        <message>
            <source>Statistics</source>
            <translation>Statistik</translation>
        </message>
        <message>
            <source>&amp;View</source>
            <translation>&amp;Ansicht</translation>
        </message>
        <message>
            <source>Zoom in</source>
            <translation>Vergrößern</translation>
        </message>
        <message>
            <source>Zoom out</source>
            <translation>Verkleinern</translation>
        </message>
        <message>
            <source>Reset map</source>
            <translation>Karte zurücksetzen</translation>
        </message>
        <message>
            <source>&amp;Moderation</source>
            <translation>&amp;Moderation</translation>
        </message>
        <message>
            <source>Kick client...</source>
            <translation>Client hinauswerfen...</translation>
        </message>
        <message>
            <source>End pair...</source>
            <translation>Paar beenden...</translation>
        </message>
        <message>
            <source>Ban...</source>
            <translation>Sperren...</translation>
        </message>
        <message>
            <source>Refresh reports</source>
            <translation>Meldungen aktualisieren</translation>
        </message>
        <message>
            <source>Resolve report...</source>
            <translation>Meldung erledigen...</translation>
        </message>
        <message>
            <source>Look up account...</source>
            <translation>Konto nachschlagen...</translation>
        </message>
        <message>
            <source>&amp;Server</source>
            <translation>&amp;Server</translation>
        </message>
        <message>
            <source>Broadcast notice...</source>
            <translation>Mitteilung an alle senden...</translation>
        </message>
        <message>
            <source>Matchmaker interval...</source>
            <translation>Matchmaker-Intervall...</translation>
        </message>
        <message>
            <source>Set role...</source>
            <translation>Rolle festlegen...</translation>
        </message>
        <message>
            <source>Drain server...</source>
            <translation>Server leeren...</translation>
        </message>
        <message>
            <source>Actions</source>
            <translation>Aktionen</translation>
        </message>
        <message>
            <source>Logged in as %1 (%2)</source>
            <translation>Angemeldet als %1 (%2)</translation>
        </message>
        <message>
            <source>Login refused: %1</source>
            <translation>Anmeldung abgelehnt: %1</translation>
        </message>
        <message>
            <source>Server connection lost (%1); retrying in %2 s</source>
            <translation>Verbindung zum Server verloren (%1); neuer Versuch in %2 s</translation>
        </message>
        <message>
            <source>Not allowed for your role: %1</source>
            <translation>Für Ihre Rolle nicht erlaubt: %1</translation>
        </message>
        <message>
            <source>Command failed: %1</source>
            <translation>Befehl fehlgeschlagen: %1</translation>
        </message>
        <message>
            <source>Done.</source>
            <translation>Erledigt.</translation>
        </message>
        <message>
            <source>not banned</source>
            <translation>nicht gesperrt</translation>
        </message>
        <message>
            <source>banned permanently</source>
            <translation>dauerhaft gesperrt</translation>
        </message>
        <message>
            <source>banned until %1</source>
            <translation>gesperrt bis %1</translation>
        </message>
        <message>
            <source>Account %1</source>
            <translation>Konto %1</translation>
        </message>
        <message>
            <source>Role: %1
Created: %2
Two-factor login: %3
Status: %4</source>
            <translation>Rolle: %1
Erstellt: %2
Zwei-Faktor-Anmeldung: %3
Status: %4</translation>
        </message>
        <message>
            <source>on</source>
            <translation>an</translation>
        </message>
        <message>
            <source>off</source>
            <translation>aus</translation>
        </message>
        <message>
            <source>Filter</source>
            <translation>Filter</translation>
        </message>
        <message>
            <source>Disconnected</source>
            <translation>Getrennt</translation>
        </message>
        <message>
            <source>Connecting to %1...</source>
            <translation>Verbinde mit %1...</translation>
        </message>
        <message>
            <source>Logging in...</source>
            <translation>Anmeldung...</translation>
        </message>
        <message>
            <source>Connected to %1 as %2</source>
            <translation>Verbunden mit %1 als %2</translation>
        </message>
        <message>
            <source>Reconnecting...</source>
            <translation>Verbinde erneut...</translation>
        </message>
        <message>
            <source>Your role may not do this</source>
            <translation>Ihre Rolle darf das nicht</translation>
        </message>
        <message>
            <source>Kick client</source>
            <translation>Client hinauswerfen</translation>
        </message>
        <message>
            <source>Disconnect client %1? Its partner, if any, is told it was kicked.</source>
            <translation>Client %1 trennen? Ein Chatpartner erfährt, dass er hinausgeworfen wurde.</translation>
        </message>
        <message>
            <source>End pair</source>
            <translation>Paar beenden</translation>
        </message>
        <message>
            <source>End pair %1? Both members return to the lobby.</source>
            <translation>Paar %1 beenden? Beide kehren in die Lobby zurück.</translation>
        </message>
        <message>
            <source>Resolve report</source>
            <translation>Meldung erledigen</translation>
        </message>
        <message>
            <source>How was report %1 resolved?</source>
            <translation>Wie wurde Meldung %1 erledigt?</translation>
        </message>
        <message>
            <source>Mark report %1 as resolved?</source>
            <translation>Meldung %1 als erledigt markieren?</translation>
        </message>
        <message>
            <source>Broadcast notice</source>
            <translation>Mitteilung an alle</translation>
        </message>
        <message>
            <source>Notice sent to every connected client:</source>
            <translation>Mitteilung an jeden verbundenen Client:</translation>
        </message>
        <message>
            <source>Send this notice to every connected client?</source>
            <translation>Diese Mitteilung an jeden verbundenen Client senden?</translation>
        </message>
        <message>
            <source>Drain server</source>
            <translation>Server leeren</translation>
        </message>
        <message>
            <source>Stop accepting new connections? Existing pairs keep chatting.</source>
            <translation>Keine neuen Verbindungen mehr annehmen? Bestehende Paare chatten weiter.</translation>
        </message>
        <message>
            <source>Look up account</source>
            <translation>Konto nachschlagen</translation>
        </message>
        <message>
            <source>Username:</source>
            <translation>Benutzername:</translation>
        </message>
        <message>
            <source>Matchmaker interval</source>
            <translation>Matchmaker-Intervall</translation>
        </message>
        <message>
            <source>Milliseconds between matchmaking rounds:</source>
            <translation>Millisekunden zwischen zwei Matchmaking-Runden:</translation>
        </message>
        <message>
            <source>Run the matchmaker every %1 ms?</source>
            <translation>Matchmaker alle %1 ms ausführen?</translation>
        </message>
        <message>
            <source>Set role</source>
            <translation>Rolle festlegen</translation>
        </message>
        <message>
            <source>New role:</source>
            <translation>Neue Rolle:</translation>
        </message>
        <message>
            <source>Make %1 a %2?</source>
            <translation>%1 zu %2 machen?</translation>
        </message>
    </context>
    <context>
        <name>whisper::admin::MapView</name>
        <message>
            <source>%1 waiting, %2 pairs</source>
            <translation>%1 wartend, %2 Paare</translation>
        </message>
        <message>
            <source> (density view)</source>
            <translation> (Dichteansicht)</translation>
        </message>
        <message>
            <source>Client %1
Waiting %2, range %3 km, %4</source>
            <translation>Client %1
Wartet seit %2, Reichweite %3 km, %4</translation>
        </message>
        <message>
            <source>account</source>
            <translation>Konto</translation>
        </message>
        <message>
            <source>guest</source>
            <translation>Gast</translation>
        </message>
    </context>
    <context>
        <name>whisper::admin::PairModel</name>
        <message>
            <source>within %1 km</source>
            <translation>innerhalb %1 km</translation>
        </message>
        <message>
            <source>Pair</source>
            <translation>Paar</translation>
        </message>
        <message>
            <source>Member A</source>
            <translation>Mitglied A</translation>
        </message>
        <message>
            <source>Member B</source>
            <translation>Mitglied B</translation>
        </message>
        <message>
            <source>Distance</source>
            <translation>Entfernung</translation>
        </message>
        <message>
            <source>Chatting for</source>
            <translation>Chattet seit</translation>
        </message>
        <message>
            <source>Messages</source>
            <translation>Nachrichten</translation>
        </message>
    </context>
    <context>
        <name>whisper::admin::ReportModel</name>
        <message>
            <source>resolved: %1</source>
            <translation>erledigt: %1</translation>
        </message>
        <message>
            <source>open</source>
            <translation>offen</translation>
        </message>
        <message>
            <source>Report</source>
            <translation>Meldung</translation>
        </message>
        <message>
            <source>Reporter</source>
            <translation>Meldende Person</translation>
        </message>
        <message>
            <source>Reported</source>
            <translation>Gemeldet</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>Grund</translation>
        </message>
        <message>
            <source>Created</source>
            <translation>Erstellt</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
    </context>
    <context>
        <name>whisper::admin::StatsPanel</name>
        <message>
            <source>Waiting</source>
            <translation>Wartend</translation>
        </message>
        <message>
            <source>Pairs</source>
            <translation>Paare</translation>
        </message>
        <message>
            <source>Matches per minute</source>
            <translation>Paarungen pro Minute</translation>
        </message>
        <message>
            <source>Messages per second</source>
            <translation>Nachrichten pro Sekunde</translation>
        </message>
        <message>
            <source>Last tick (ms)</source>
            <translation>Letzte Runde (ms)</translation>
        </message>
        <message>
            <source>No statistics yet</source>
            <translation>Noch keine Statistik</translation>
        </message>
        <message>
            <source>Connections: %1
Waiting: %2
Pairs: %3
Matches/min: %4
Messages/s: %5
Last tick: %6 ms (every %7 ms)
Uptime: %8
Version: %9</source>
            <translation>Verbindungen: %1
Wartend: %2
Paare: %3
Paarungen/min: %4
Nachrichten/s: %5
Letzte Runde: %6 ms (alle %7 ms)
Laufzeit: %8
Version: %9</translation>
        </message>
        <message>
            <source>
Relay latency: p50 %1 ms, p99 %2 ms</source>
            <translation>
Weiterleitungslatenz: p50 %1 ms, p99 %2 ms</translation>
        </message>
        <message>
            <source>
DRAINING: new connections are refused</source>
            <translation>
WIRD GELEERT: neue Verbindungen werden abgelehnt</translation>
        </message>
    </context>
    <context>
        <name>whisper::admin::WaitingModel</name>
        <message>
            <source>account</source>
            <translation>Konto</translation>
        </message>
        <message>
            <source>guest</source>
            <translation>Gast</translation>
        </message>
        <message>
            <source>Client</source>
            <translation>Client</translation>
        </message>
        <message>
            <source>Latitude</source>
            <translation>Breite</translation>
        </message>
        <message>
            <source>Longitude</source>
            <translation>Länge</translation>
        </message>
        <message>
            <source>Range (km)</source>
            <translation>Reichweite (km)</translation>
        </message>
        <message>
            <source>Waiting</source>
            <translation>Wartend</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Art</translation>
        </message>
    </context>
</TS>
