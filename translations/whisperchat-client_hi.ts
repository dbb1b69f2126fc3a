<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="hi">
<context>
    <name>AccountDialog</name>
    <message>
        <source>Account: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An account is optional. It keeps your blocks across visits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Code from your authenticator app</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Two-factor code (if you use one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set up two-factor authentication</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Turn on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Scan this code with your authenticator app, then enter the code it shows and your password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep these recovery codes somewhere safe; each works once:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Bubble</name>
    <message>
        <source>Notice: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delivered</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>within %1 km</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write a message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tell the moderators what happened. They see your reason, not the chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send report</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ClientView</name>
    <message>
        <source>Not connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logged in as %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected as a guest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>WhisperChat</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StartView</name>
    <message>
        <source>Talk to someone nearby, anonymously.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your location: type it, click the map, or use the device&apos;s position.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latitude</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Longitude</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use my position</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Look for people within %1 km</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Range in kilometres</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find someone to talk to</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WaitingView</name>
    <message>
        <source>Looking for someone nearby…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for %1:%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>whisper::client::ChatSession</name>
    <message>
        <source>Connecting to %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not connected to the server yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You left the chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>The message is too long: at most %n characters.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The message is too long.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection dropped and the chat could not be resumed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnected; the chat goes on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 left the chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 lost the connection.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A moderator ended this chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ended the chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notice from the operators: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server ended your login; log in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Two-factor authentication is on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You blocked %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Blocked. You will not be matched again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thank you. The moderators will look at your report.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That user name is taken.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That is not possible right now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Too many requests; try again in %n s.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Enter the code from your authenticator app.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The two-factor code is wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This server asks you to log in before you chat.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not allowed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server cannot do that right now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not accepted: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Something went wrong on the server. Try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection lost. Trying to get back…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Cannot reach the server. Trying again in %n s…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Connection lost. Reconnecting in %n s…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
</TS>
