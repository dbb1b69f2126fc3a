<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>AccountDialog</name>
    <message>
        <source>Account: %1</source>
        <translation>Konto: %1</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
    <message>
        <source>An account is optional. It keeps your blocks across visits.</source>
        <translation>Ein Konto ist freiwillig. Es behält deine Sperren auch beim nächsten Besuch.</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Benutzername</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Code from your authenticator app</source>
        <translation>Code aus deiner Authenticator-App</translation>
    </message>
    <message>
        <source>Two-factor code (if you use one)</source>
        <translation>Zwei-Faktor-Code (falls du einen nutzt)</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>Registrieren</translation>
    </message>
    <message>
        <source>Set up two-factor authentication</source>
        <translation>Zwei-Faktor-Authentifizierung einrichten</translation>
    </message>
    <message>
        <source>Turn on</source>
        <translation>Einschalten</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Abmelden</translation>
    </message>
    <message>
        <source>Scan this code with your authenticator app, then enter the code it shows and your password.</source>
        <translation>Scanne diesen Code mit deiner Authenticator-App und gib dann den angezeigten Code und dein Passwort ein.</translation>
    </message>
    <message>
        <source>Keep these recovery codes somewhere safe; each works once:</source>
        <translation>Bewahre diese Wiederherstellungscodes sicher auf; jeder funktioniert nur einmal:</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>Bubble</name>
    <message>
        <source>Notice: %1</source>
        <translation>Hinweis: %1</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>zugestellt</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>within %1 km</source>
        <translation>im Umkreis von %1 km</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Nächste Person</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>Verlassen</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Zurück</translation>
    </message>
    <message>
        <source>Block</source>
        <translation>Blockieren</translation>
    </message>
    <message>
        <source>Report…</source>
        <translation>Melden…</translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 schreibt…</translation>
    </message>
    <message>
        <source>Write a message</source>
        <translation>Nachricht schreiben</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Report %1</source>
        <translation>%1 melden</translation>
    </message>
    <message>
        <source>Tell the moderators what happened. They see your reason, not the chat.</source>
        <translation>Sag den Moderatoren, was passiert ist. Sie sehen deine Begründung, nicht den Chat.</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Send report</source>
        <translation>Meldung senden</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>ClientView</name>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Logged in as %1</source>
        <translation>Angemeldet als %1</translation>
    </message>
    <message>
        <source>Connected as a guest</source>
        <translation>Als Gast verbunden</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Konto</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>WhisperChat</source>
        <translation>WhisperChat</translation>
    </message>
</context>
<context>
    <name>StartView</name>
    <message>
        <source>Talk to someone nearby, anonymously.</source>
        <translation>Sprich anonym mit jemandem in deiner Nähe.</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Your location: type it, click the map, or use the device&apos;s position.</source>
        <translation>Dein Standort: eintippen, auf die Karte klicken oder die Position des Geräts verwenden.</translation>
    </message>
    <message>
        <source>Latitude</source>
        <translation>Breitengrad</translation>
    </message>
    <message>
        <source>Longitude</source>
        <translation>Längengrad</translation>
    </message>
    <message>
        <source>Use my position</source>
        <translation>Meine Position verwenden</translation>
    </message>
    <message>
        <source>Look for people within %1 km</source>
        <translation>Personen im Umkreis von %1 km suchen</translation>
    </message>
    <message>
        <source>Range in kilometres</source>
        <translation>Umkreis in Kilometern</translation>
    </message>
    <message>
        <source>Find someone to talk to</source>
        <translation>Jemanden zum Reden finden</translation>
    </message>
</context>
<context>
    <name>WaitingView</name>
    <message>
        <source>Looking for someone nearby…</source>
        <translation>Suche nach jemandem in der Nähe…</translation>
    </message>
    <message>
        <source>Waiting for %1:%2</source>
        <translation>Wartezeit %1:%2</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>whisper::client::ChatSession</name>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1…</translation>
    </message>
    <message>
        <source>Not connected to the server yet.</source>
        <translation>Noch nicht mit dem Server verbunden.</translation>
    </message>
    <message>
        <source>You left the chat.</source>
        <translation>Du hast den Chat verlassen.</translation>
    </message>
    <message numerus="yes">
        <source>The message is too long: at most %n characters.</source>
        <translation>
            <numerusform>Die Nachricht ist zu lang: höchstens %n Zeichen.</numerusform>
            <numerusform>Die Nachricht ist zu lang: höchstens %n Zeichen.</numerusform>
        </translation>
    </message>
    <message>
        <source>The message is too long.</source>
        <translation>Die Nachricht ist zu lang.</translation>
    </message>
    <message>
        <source>The connection dropped and the chat could not be resumed.</source>
        <translation>Die Verbindung brach ab und der Chat konnte nicht fortgesetzt werden.</translation>
    </message>
    <message>
        <source>Reconnected.</source>
        <translation>Wieder verbunden.</translation>
    </message>
    <message>
        <source>Reconnected; the chat goes on.</source>
        <translation>Wieder verbunden; der Chat geht weiter.</translation>
    </message>
    <message>
        <source>%1 left the chat.</source>
        <translation>%1 hat den Chat verlassen.</translation>
    </message>
    <message>
        <source>%1 lost the connection.</source>
        <translation>%1 hat die Verbindung verloren.</translation>
    </message>
    <message>
        <source>A moderator ended this chat.</source>
        <translation>Ein Moderator hat diesen Chat beendet.</translation>
    </message>
    <message>
        <source>%1 ended the chat.</source>
        <translation>%1 hat den Chat beendet.</translation>
    </message>
    <message>
        <source>Notice from the operators: %1</source>
        <translation>Hinweis der Betreiber: %1</translation>
    </message>
    <message>
        <source>The server ended your login; log in again.</source>
        <translation>Der Server hat deine Anmeldung beendet; melde dich erneut an.</translation>
    </message>
    <message>
        <source>Two-factor authentication is on.</source>
        <translation>Die Zwei-Faktor-Authentifizierung ist eingeschaltet.</translation>
    </message>
    <message>
        <source>You blocked %1.</source>
        <translation>Du hast %1 blockiert.</translation>
    </message>
    <message>
        <source>Blocked. You will not be matched again.</source>
        <translation>Blockiert. Ihr werdet nicht wieder zusammengebracht.</translation>
    </message>
    <message>
        <source>Thank you. The moderators will look at your report.</source>
        <translation>Danke. Die Moderatoren sehen sich deine Meldung an.</translation>
    </message>
    <message>
        <source>That user name is taken.</source>
        <translation>Dieser Benutzername ist vergeben.</translation>
    </message>
    <message>
        <source>That is not possible right now.</source>
        <translation>Das geht gerade nicht.</translation>
    </message>
    <message numerus="yes">
        <source>Too many requests; try again in %n s.</source>
        <translation>
            <numerusform>Zu viele Anfragen; versuche es in %n s erneut.</numerusform>
            <numerusform>Zu viele Anfragen; versuche es in %n s erneut.</numerusform>
        </translation>
    </message>
    <message>
        <source>Enter the code from your authenticator app.</source>
        <translation>Gib den Code aus deiner Authenticator-App ein.</translation>
    </message>
    <message>
        <source>The two-factor code is wrong.</source>
        <translation>Der Zwei-Faktor-Code ist falsch.</translation>
    </message>
    <message>
        <source>This server asks you to log in before you chat.</source>
        <translation>Dieser Server verlangt eine Anmeldung vor dem Chatten.</translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation>Benutzername oder Passwort falsch.</translation>
    </message>
    <message>
        <source>Not allowed: %1</source>
        <translation>Nicht erlaubt: %1</translation>
    </message>
    <message>
        <source>The server cannot do that right now.</source>
        <translation>Der Server kann das gerade nicht.</translation>
    </message>
    <message>
        <source>Not accepted: %1</source>
        <translation>Nicht angenommen: %1</translation>
    </message>
    <message>
        <source>Something went wrong on the server. Try again.</source>
        <translation>Auf dem Server ist etwas schiefgegangen. Versuche es erneut.</translation>
    </message>
    <message>
        <source>Connection lost. Trying to get back…</source>
        <translation>Verbindung verloren. Versuche, sie wiederherzustellen…</translation>
    </message>
    <message numerus="yes">
        <source>Cannot reach the server. Trying again in %n s…</source>
        <translation>
            <numerusform>Server nicht erreichbar. Neuer Versuch in %n s…</numerusform>
            <numerusform>Server nicht erreichbar. Neuer Versuch in %n s…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Connection lost. Reconnecting in %n s…</source>
        <translation>
            <numerusform>Verbindung verloren. Neuer Verbindungsversuch in %n s…</numerusform>
            <numerusform>Verbindung verloren. Neuer Verbindungsversuch in %n s…</numerusform>
        </translation>
    </message>
    <message>
        <source>%1&apos;s connection dropped; waiting for them to come back.</source>
        <translation>Die Verbindung von %1 ist abgebrochen; warte auf die Rückkehr.</translation>
    </message>
    <message>
        <source>%1 is back.</source>
        <translation>%1 ist zurück.</translation>
    </message>
</context>
</TS>
