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
    <name>whisper::admin::AccountDialog</name>
    <message>
        <source>Ban account</source>
        <translation>Konto sperren</translation>
    </message>
    <message>
        <source>Set role</source>
        <translation>Rolle setzen</translation>
    </message>
    <message>
        <source>Account %1</source>
        <translation>Konto %1</translation>
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
        <source>Username: %1
Role: %2
Created: %3
Two-factor login: %4
Status: %5</source>
        <translation>Benutzername: %1
Rolle: %2
Angelegt: %3
Zwei-Faktor-Anmeldung: %4
Status: %5</translation>
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
        <source>1 year</source>
        <translation>1 Jahr</translation>
    </message>
    <message>
        <source>permanent</source>
        <translation>dauerhaft</translation>
    </message>
    <message>
        <source>reason (required)</source>
        <translation>Grund (erforderlich)</translation>
    </message>
    <message>
        <source>Ban</source>
        <translation>Sperre</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
</context>
<context>
    <name>whisper::admin::AuditView</name>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>any account</source>
        <translation>beliebiges Konto</translation>
    </message>
    <message>
        <source>empty: any action</source>
        <translation>leer: jede Aktion</translation>
    </message>
    <message>
        <source>last hour</source>
        <translation>letzte Stunde</translation>
    </message>
    <message>
        <source>last 24 hours</source>
        <translation>letzte 24 Stunden</translation>
    </message>
    <message>
        <source>last 7 days</source>
        <translation>letzte 7 Tage</translation>
    </message>
    <message>
        <source>all time</source>
        <translation>gesamte Zeit</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Akteur</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Detail</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Actor:</source>
        <translation>Akteur:</translation>
    </message>
    <message>
        <source>Action:</source>
        <translation>Aktion:</translation>
    </message>
    <message>
        <source>When:</source>
        <translation>Wann:</translation>
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
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>1 year</source>
        <translation>1 Jahr</translation>
    </message>
    <message>
        <source>What should be banned?</source>
        <translation>Was soll gesperrt werden?</translation>
    </message>
    <message>
        <source>This connection only (1 connection; it can reconnect, nothing is stored)</source>
        <translation>Nur diese Verbindung (1 Verbindung; sie kann sich neu verbinden, nichts wird gespeichert)</translation>
    </message>
    <message numerus="yes">
        <source>Account %1 (%n current connection(s))</source>
        <translation>
            <numerusform>Konto %1 (%n aktuelle Verbindung)</numerusform>
            <numerusform>Konto %1 (%n aktuelle Verbindungen)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The whole IP address (%n current connection(s), possibly other people)</source>
        <translation>
            <numerusform>Die ganze IP-Adresse (%n aktuelle Verbindung, womöglich andere Personen)</numerusform>
            <numerusform>Die ganze IP-Adresse (%n aktuelle Verbindungen, womöglich andere Personen)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>This ends %n connection(s) now.</source>
        <translation>
            <numerusform>Dies beendet jetzt %n Verbindung.</numerusform>
            <numerusform>Dies beendet jetzt %n Verbindungen.</numerusform>
        </translation>
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
    <name>whisper::admin::ControlClient</name>
    <message>
        <source>%1 accepted the connection but did not greet as a WhisperChat control endpoint. Is this the control port?</source>
        <translation>%1 hat die Verbindung angenommen, sich aber nicht als WhisperChat-Steuerungsendpunkt gemeldet. Ist das der Steuerungsport?</translation>
    </message>
    <message>
        <source>%1 is not a WhisperChat control endpoint (it answered like a chat port). Check the port: the control port is set by control-port.</source>
        <translation>%1 ist kein WhisperChat-Steuerungsendpunkt (er antwortete wie ein Chat-Port). Prüfen Sie den Port: Der Steuerungsport wird mit control-port eingestellt.</translation>
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
        <source>Broadcast notice</source>
        <translation>Mitteilung an alle</translation>
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
        <source>Drain the server? New connections are refused, every client is told to move to another server, and this one stops after the grace period.</source>
        <translation>Server leeren? Neue Verbindungen werden abgewiesen, jeder Client wird gebeten, zu einem anderen Server zu wechseln, und dieser stoppt nach der Karenzzeit.</translation>
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
    <message>
        <source>Ban</source>
        <translation>Sperre</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>Bis</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Seit</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Bans</source>
        <translation>Sperren</translation>
    </message>
    <message>
        <source>&amp;Console</source>
        <translation>&amp;Konsole</translation>
    </message>
    <message>
        <source>Log out / switch server...</source>
        <translation>Abmelden / Server wechseln...</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Refresh bans</source>
        <translation>Sperren aktualisieren</translation>
    </message>
    <message>
        <source>Lift ban...</source>
        <translation>Sperre aufheben...</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>About the admin console</source>
        <translation>Über die Verwaltungskonsole</translation>
    </message>
    <message>
        <source>About Qt</source>
        <translation>Über Qt</translation>
    </message>
    <message>
        <source>Not connected: there is nothing to show yet.</source>
        <translation>Nicht verbunden: Es gibt noch nichts anzuzeigen.</translation>
    </message>
    <message>
        <source>Not connected: the map, tables and statistics show the server as it was at %1 and are not updating.</source>
        <translation>Nicht verbunden: Karte, Tabellen und Statistik zeigen den Server, wie er um %1 war, und werden nicht aktualisiert.</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Abmelden</translation>
    </message>
    <message>
        <source>Log out of %1?</source>
        <translation>Von %1 abmelden?</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;WhisperChat admin console&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;Watches a WhisperChat server over its control port: the waiting room on a map, the pairs, reports and bans, and the moderation actions your role allows.&lt;/p&gt;&lt;p&gt;The operator&apos;s guide is docs/OPERATIONS.md; the control protocol is docs/CONTROL-PROTOCOL.md.&lt;/p&gt;&lt;p&gt;MIT licence. Built with Qt %2.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;WhisperChat-Verwaltungskonsole&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;Beobachtet einen WhisperChat-Server über seinen Steuerungsport: den Warteraum auf einer Karte, die Paare, Meldungen und Sperren sowie die Moderationsaktionen, die Ihre Rolle erlaubt.&lt;/p&gt;&lt;p&gt;Das Betriebshandbuch ist docs/OPERATIONS.md, das Steuerungsprotokoll docs/CONTROL-PROTOCOL.md.&lt;/p&gt;&lt;p&gt;MIT-Lizenz. Erstellt mit Qt %2.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>(an IP address)</source>
        <translation>(eine IP-Adresse)</translation>
    </message>
    <message>
        <source>permanent</source>
        <translation>dauerhaft</translation>
    </message>
    <message>
        <source>Lift ban</source>
        <translation>Sperre aufheben</translation>
    </message>
    <message>
        <source>Lift ban %1 (%2)?</source>
        <translation>Sperre %1 (%2) aufheben?</translation>
    </message>
    <message>
        <source>Show resolved reports</source>
        <translation>Erledigte Meldungen anzeigen</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Prüfprotokoll</translation>
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
    <message>
        <source>colour: clients per cell, yellow few, red many</source>
        <translation>Farbe: Clients pro Zelle, gelb wenige, rot viele</translation>
    </message>
    <message>
        <source>dot: a waiting client, green just arrived, red waiting %1 min</source>
        <translation>Punkt: ein wartender Client, grün gerade gekommen, rot wartet %1 min</translation>
    </message>
    <message>
        <source>rings joined by a line: a chatting pair</source>
        <translation>durch eine Linie verbundene Ringe: ein chattendes Paar</translation>
    </message>
    <message>
        <source>positions are rounded to about 11 km</source>
        <translation>Positionen sind auf etwa 11 km gerundet</translation>
    </message>
    <message>
        <source>%1 km</source>
        <translation>%1 km</translation>
    </message>
    <message>
        <source>pale line: a border between countries</source>
        <translation>blasse Linie: eine Grenze zwischen Ländern</translation>
    </message>
</context>
<context>
    <name>whisper::admin::NodeModel</name>
    <message>
        <source>%1 (this node)</source>
        <translation>%1 (dieser Knoten)</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>leader</source>
        <translation>führt</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Verbindungen</translation>
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
        <source>Messages/s</source>
        <translation>Nachrichten/s</translation>
    </message>
    <message>
        <source>Redis latency</source>
        <translation>Redis-Latenz</translation>
    </message>
    <message>
        <source>Matchmaking</source>
        <translation>Matchmaker</translation>
    </message>
</context>
<context>
    <name>whisper::admin::NodeTable</name>
    <message>
        <source>Cluster nodes</source>
        <translation>Cluster-Knoten</translation>
    </message>
</context>
<context>
    <name>whisper::admin::NoticeDialog</name>
    <message>
        <source>Broadcast notice</source>
        <translation>Hinweis an alle senden</translation>
    </message>
    <message>
        <source>Notice sent to every connected client:</source>
        <translation>Hinweis an jeden verbundenen Client:</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>%1 of %2 characters</source>
        <translation>%1 von %2 Zeichen</translation>
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
    <name>whisper::admin::Sparkline</name>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>0 %1</source>
        <translation>0 %1</translation>
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
    <message>
        <source>clients</source>
        <translation>Clients</translation>
    </message>
    <message>
        <source>pairs</source>
        <translation>Paare</translation>
    </message>
    <message>
        <source>Matches</source>
        <translation>Paarungen</translation>
    </message>
    <message>
        <source>/min</source>
        <translation>/min</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <source>/s</source>
        <translation>/s</translation>
    </message>
    <message>
        <source>Matchmaker tick</source>
        <translation>Matchmaker-Runde</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>This node: %1
</source>
        <translation>Dieser Knoten: %1
</translation>
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
