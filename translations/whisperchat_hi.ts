<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="hi">
<context>
    <name>QObject</name>
    <message numerus="yes">
        <source>%n s</source>
        <translation>
            <numerusform>%n से.</numerusform>
            <numerusform>%n से.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n मिनट</numerusform>
            <numerusform>%n मिनट</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h</source>
        <translation>
            <numerusform>%n घंटा</numerusform>
            <numerusform>%n घंटे</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>whisper::admin::AccountDialog</name>
    <message>
        <source>Ban account</source>
        <translation>खाता प्रतिबंधित करें</translation>
    </message>
    <message>
        <source>Set role</source>
        <translation>भूमिका तय करें</translation>
    </message>
    <message>
        <source>Account %1</source>
        <translation>खाता %1</translation>
    </message>
    <message>
        <source>not banned</source>
        <translation>प्रतिबंधित नहीं</translation>
    </message>
    <message>
        <source>banned permanently</source>
        <translation>स्थायी रूप से प्रतिबंधित</translation>
    </message>
    <message>
        <source>banned until %1</source>
        <translation>%1 तक प्रतिबंधित</translation>
    </message>
    <message>
        <source>Username: %1
Role: %2
Created: %3
Two-factor login: %4
Status: %5</source>
        <translation>उपयोगकर्ता नाम: %1
भूमिका: %2
बनाया गया: %3
दो-चरणीय लॉगिन: %4
स्थिति: %5</translation>
    </message>
    <message>
        <source>on</source>
        <translation>चालू</translation>
    </message>
    <message>
        <source>off</source>
        <translation>बंद</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 घंटा</translation>
    </message>
    <message>
        <source>1 day</source>
        <translation>1 दिन</translation>
    </message>
    <message>
        <source>7 days</source>
        <translation>7 दिन</translation>
    </message>
    <message>
        <source>30 days</source>
        <translation>30 दिन</translation>
    </message>
    <message>
        <source>1 year</source>
        <translation>1 वर्ष</translation>
    </message>
    <message>
        <source>permanent</source>
        <translation>स्थायी</translation>
    </message>
    <message>
        <source>reason (required)</source>
        <translation>कारण (आवश्यक)</translation>
    </message>
    <message>
        <source>Ban</source>
        <translation>प्रतिबंध</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>भूमिका</translation>
    </message>
</context>
<context>
    <name>whisper::admin::AuditView</name>
    <message>
        <source>Show</source>
        <translation>दिखाएँ</translation>
    </message>
    <message>
        <source>any account</source>
        <translation>कोई भी खाता</translation>
    </message>
    <message>
        <source>empty: any action</source>
        <translation>खाली: कोई भी कार्य</translation>
    </message>
    <message>
        <source>last hour</source>
        <translation>पिछला घंटा</translation>
    </message>
    <message>
        <source>last 24 hours</source>
        <translation>पिछले 24 घंटे</translation>
    </message>
    <message>
        <source>last 7 days</source>
        <translation>पिछले 7 दिन</translation>
    </message>
    <message>
        <source>all time</source>
        <translation>पूरा समय</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>समय</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>कर्ता</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>कार्य</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>लक्ष्य</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>विवरण</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>परिणाम</translation>
    </message>
    <message>
        <source>From</source>
        <translation>से</translation>
    </message>
    <message>
        <source>Actor:</source>
        <translation>कर्ता:</translation>
    </message>
    <message>
        <source>Action:</source>
        <translation>कार्य:</translation>
    </message>
    <message>
        <source>When:</source>
        <translation>कब:</translation>
    </message>
</context>
<context>
    <name>whisper::admin::BanDialog</name>
    <message>
        <source>Ban %1</source>
        <translation>%1 को प्रतिबंधित करें</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 घंटा</translation>
    </message>
    <message>
        <source>1 day</source>
        <translation>1 दिन</translation>
    </message>
    <message>
        <source>7 days</source>
        <translation>7 दिन</translation>
    </message>
    <message>
        <source>30 days</source>
        <translation>30 दिन</translation>
    </message>
    <message>
        <source>Permanently</source>
        <translation>स्थायी रूप से</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>अवधि</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>कारण</translation>
    </message>
    <message>
        <source>1 year</source>
        <translation>1 वर्ष</translation>
    </message>
    <message>
        <source>What should be banned?</source>
        <translation>किसे प्रतिबंधित करना है?</translation>
    </message>
    <message>
        <source>This connection only (1 connection; it can reconnect, nothing is stored)</source>
        <translation>केवल यह कनेक्शन (1 कनेक्शन; यह फिर से जुड़ सकता है, कुछ भी सहेजा नहीं जाता)</translation>
    </message>
    <message numerus="yes">
        <source>Account %1 (%n current connection(s))</source>
        <translation>
            <numerusform>खाता %1 (%n वर्तमान कनेक्शन)</numerusform>
            <numerusform>खाता %1 (%n वर्तमान कनेक्शन)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The whole IP address (%n current connection(s), possibly other people)</source>
        <translation>
            <numerusform>पूरा IP पता (%n वर्तमान कनेक्शन, संभवतः अन्य लोग)</numerusform>
            <numerusform>पूरा IP पता (%n वर्तमान कनेक्शन, संभवतः अन्य लोग)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>This ends %n connection(s) now.</source>
        <translation>
            <numerusform>यह अभी %n कनेक्शन समाप्त करता है।</numerusform>
            <numerusform>यह अभी %n कनेक्शन समाप्त करता है।</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>whisper::admin::ConsoleState</name>
    <message>
        <source>pair %1 matched</source>
        <translation>जोड़ी %1 बनी</translation>
    </message>
    <message>
        <source>pair %1 ended</source>
        <translation>जोड़ी %1 समाप्त</translation>
    </message>
    <message>
        <source>%1 kicked</source>
        <translation>%1 निकाला गया</translation>
    </message>
    <message>
        <source>%1 banned</source>
        <translation>%1 प्रतिबंधित</translation>
    </message>
    <message>
        <source>%1 reported</source>
        <translation>%1 की रिपोर्ट की गई</translation>
    </message>
</context>
<context>
    <name>whisper::admin::ControlClient</name>
    <message>
        <source>%1 accepted the connection but did not greet as a WhisperChat control endpoint. Is this the control port?</source>
        <translation>%1 ने कनेक्शन स्वीकार किया, लेकिन WhisperChat नियंत्रण एंडपॉइंट की तरह अभिवादन नहीं किया। क्या यह नियंत्रण पोर्ट है?</translation>
    </message>
    <message>
        <source>%1 is not a WhisperChat control endpoint (it answered like a chat port). Check the port: the control port is set by control-port.</source>
        <translation>%1 WhisperChat नियंत्रण एंडपॉइंट नहीं है (इसने चैट पोर्ट की तरह उत्तर दिया)। पोर्ट जाँचें: नियंत्रण पोर्ट control-port से तय होता है।</translation>
    </message>
</context>
<context>
    <name>whisper::admin::LoginDialog</name>
    <message>
        <source>Log in to a WhisperChat server</source>
        <translation>WhisperChat सर्वर में लॉग इन करें</translation>
    </message>
    <message>
        <source>only if two-factor login is enabled</source>
        <translation>केवल यदि दो-चरणीय लॉगिन सक्षम है</translation>
    </message>
    <message>
        <source>Server URL</source>
        <translation>सर्वर URL</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>उपयोगकर्ता नाम</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>पासवर्ड</translation>
    </message>
    <message>
        <source>TOTP code</source>
        <translation>TOTP कोड</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>लॉग इन करें</translation>
    </message>
    <message>
        <source>The server URL must start with ws:// or wss://.</source>
        <translation>सर्वर URL ws:// या wss:// से शुरू होना चाहिए।</translation>
    </message>
    <message>
        <source>Enter a username and a password.</source>
        <translation>उपयोगकर्ता नाम और पासवर्ड दर्ज करें।</translation>
    </message>
</context>
<context>
    <name>whisper::admin::MainWindow</name>
    <message>
        <source>WhisperChat admin console</source>
        <translation>WhisperChat प्रशासन कंसोल</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>प्रतीक्षारत</translation>
    </message>
    <message>
        <source>Pairs</source>
        <translation>जोड़ियाँ</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>रिपोर्टें</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>घटनाएँ</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>आँकड़े</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;दृश्य</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>ज़ूम इन</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>ज़ूम आउट</translation>
    </message>
    <message>
        <source>Reset map</source>
        <translation>मानचित्र रीसेट करें</translation>
    </message>
    <message>
        <source>&amp;Moderation</source>
        <translation>&amp;मॉडरेशन</translation>
    </message>
    <message>
        <source>Kick client...</source>
        <translation>क्लाइंट को निकालें...</translation>
    </message>
    <message>
        <source>End pair...</source>
        <translation>जोड़ी समाप्त करें...</translation>
    </message>
    <message>
        <source>Ban...</source>
        <translation>प्रतिबंधित करें...</translation>
    </message>
    <message>
        <source>Refresh reports</source>
        <translation>रिपोर्टें ताज़ा करें</translation>
    </message>
    <message>
        <source>Resolve report...</source>
        <translation>रिपोर्ट निपटाएँ...</translation>
    </message>
    <message>
        <source>Look up account...</source>
        <translation>खाता खोजें...</translation>
    </message>
    <message>
        <source>&amp;Server</source>
        <translation>&amp;सर्वर</translation>
    </message>
    <message>
        <source>Broadcast notice...</source>
        <translation>सूचना प्रसारित करें...</translation>
    </message>
    <message>
        <source>Matchmaker interval...</source>
        <translation>मैचमेकर अंतराल...</translation>
    </message>
    <message>
        <source>Set role...</source>
        <translation>भूमिका निर्धारित करें...</translation>
    </message>
    <message>
        <source>Drain server...</source>
        <translation>सर्वर खाली करें...</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>कार्रवाइयाँ</translation>
    </message>
    <message>
        <source>Logged in as %1 (%2)</source>
        <translation>%1 (%2) के रूप में लॉग इन</translation>
    </message>
    <message>
        <source>Login refused: %1</source>
        <translation>लॉगिन अस्वीकृत: %1</translation>
    </message>
    <message>
        <source>Server connection lost (%1); retrying in %2 s</source>
        <translation>सर्वर से कनेक्शन टूटा (%1); %2 से. में फिर प्रयास</translation>
    </message>
    <message>
        <source>Not allowed for your role: %1</source>
        <translation>आपकी भूमिका के लिए अनुमति नहीं: %1</translation>
    </message>
    <message>
        <source>Command failed: %1</source>
        <translation>आदेश विफल: %1</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>हो गया।</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>फ़िल्टर</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>डिस्कनेक्ट</translation>
    </message>
    <message>
        <source>Connecting to %1...</source>
        <translation>%1 से कनेक्ट हो रहा है...</translation>
    </message>
    <message>
        <source>Logging in...</source>
        <translation>लॉग इन हो रहा है...</translation>
    </message>
    <message>
        <source>Connected to %1 as %2</source>
        <translation>%1 से %2 के रूप में कनेक्ट</translation>
    </message>
    <message>
        <source>Reconnecting...</source>
        <translation>फिर से कनेक्ट हो रहा है...</translation>
    </message>
    <message>
        <source>Your role may not do this</source>
        <translation>आपकी भूमिका यह नहीं कर सकती</translation>
    </message>
    <message>
        <source>Kick client</source>
        <translation>क्लाइंट को निकालें</translation>
    </message>
    <message>
        <source>Disconnect client %1? Its partner, if any, is told it was kicked.</source>
        <translation>क्लाइंट %1 को डिस्कनेक्ट करें? उसके साथी को, यदि कोई हो, बताया जाएगा कि उसे निकाला गया।</translation>
    </message>
    <message>
        <source>End pair</source>
        <translation>जोड़ी समाप्त करें</translation>
    </message>
    <message>
        <source>End pair %1? Both members return to the lobby.</source>
        <translation>जोड़ी %1 समाप्त करें? दोनों सदस्य लॉबी में लौट जाएँगे।</translation>
    </message>
    <message>
        <source>Resolve report</source>
        <translation>रिपोर्ट निपटाएँ</translation>
    </message>
    <message>
        <source>How was report %1 resolved?</source>
        <translation>रिपोर्ट %1 कैसे निपटाई गई?</translation>
    </message>
    <message>
        <source>Broadcast notice</source>
        <translation>सूचना प्रसारित करें</translation>
    </message>
    <message>
        <source>Send this notice to every connected client?</source>
        <translation>यह सूचना हर कनेक्टेड क्लाइंट को भेजें?</translation>
    </message>
    <message>
        <source>Drain server</source>
        <translation>सर्वर खाली करें</translation>
    </message>
    <message>
        <source>Drain the server? New connections are refused, every client is told to move to another server, and this one stops after the grace period.</source>
        <translation>सर्वर खाली करें? नए कनेक्शन अस्वीकार होंगे, हर क्लाइंट को दूसरे सर्वर पर जाने को कहा जाएगा, और यह सर्वर छूट अवधि के बाद रुक जाएगा।</translation>
    </message>
    <message>
        <source>Look up account</source>
        <translation>खाता खोजें</translation>
    </message>
    <message>
        <source>Username:</source>
        <translation>उपयोगकर्ता नाम:</translation>
    </message>
    <message>
        <source>Matchmaker interval</source>
        <translation>मैचमेकर अंतराल</translation>
    </message>
    <message>
        <source>Milliseconds between matchmaking rounds:</source>
        <translation>मैचमेकिंग दौरों के बीच मिलीसेकंड:</translation>
    </message>
    <message>
        <source>Run the matchmaker every %1 ms?</source>
        <translation>मैचमेकर हर %1 ms पर चलाएँ?</translation>
    </message>
    <message>
        <source>Set role</source>
        <translation>भूमिका निर्धारित करें</translation>
    </message>
    <message>
        <source>New role:</source>
        <translation>नई भूमिका:</translation>
    </message>
    <message>
        <source>Make %1 a %2?</source>
        <translation>%1 को %2 बनाएँ?</translation>
    </message>
    <message>
        <source>Ban</source>
        <translation>प्रतिबंध</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>खाता</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>तक</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>से</translation>
    </message>
    <message>
        <source>By</source>
        <translation>द्वारा</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>कारण</translation>
    </message>
    <message>
        <source>Bans</source>
        <translation>प्रतिबंध</translation>
    </message>
    <message>
        <source>&amp;Console</source>
        <translation>&amp;कंसोल</translation>
    </message>
    <message>
        <source>Log out / switch server...</source>
        <translation>लॉग आउट / सर्वर बदलें...</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>बंद करें</translation>
    </message>
    <message>
        <source>Refresh bans</source>
        <translation>प्रतिबंध ताज़ा करें</translation>
    </message>
    <message>
        <source>Lift ban...</source>
        <translation>प्रतिबंध हटाएँ...</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;सहायता</translation>
    </message>
    <message>
        <source>About the admin console</source>
        <translation>प्रशासन कंसोल के बारे में</translation>
    </message>
    <message>
        <source>About Qt</source>
        <translation>Qt के बारे में</translation>
    </message>
    <message>
        <source>Not connected: there is nothing to show yet.</source>
        <translation>कनेक्ट नहीं है: अभी दिखाने के लिए कुछ नहीं है।</translation>
    </message>
    <message>
        <source>Not connected: the map, tables and statistics show the server as it was at %1 and are not updating.</source>
        <translation>कनेक्ट नहीं है: मानचित्र, तालिकाएँ और आँकड़े सर्वर को %1 की स्थिति में दिखाते हैं और अपडेट नहीं हो रहे हैं।</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>लॉग आउट</translation>
    </message>
    <message>
        <source>Log out of %1?</source>
        <translation>%1 से लॉग आउट करें?</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;WhisperChat admin console&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;Watches a WhisperChat server over its control port: the waiting room on a map, the pairs, reports and bans, and the moderation actions your role allows.&lt;/p&gt;&lt;p&gt;The operator&apos;s guide is docs/OPERATIONS.md; the control protocol is docs/CONTROL-PROTOCOL.md.&lt;/p&gt;&lt;p&gt;MIT licence. Built with Qt %2.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;WhisperChat प्रशासन कंसोल&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;नियंत्रण पोर्ट के ज़रिए WhisperChat सर्वर पर नज़र रखता है: मानचित्र पर प्रतीक्षा कक्ष, जोड़े, रिपोर्ट और प्रतिबंध, और वे मॉडरेशन कार्य जिनकी आपकी भूमिका अनुमति देती है।&lt;/p&gt;&lt;p&gt;संचालक मार्गदर्शिका docs/OPERATIONS.md है; नियंत्रण प्रोटोकॉल docs/CONTROL-PROTOCOL.md है।&lt;/p&gt;&lt;p&gt;MIT लाइसेंस। Qt %2 से बनाया गया।&lt;/p&gt;</translation>
    </message>
    <message>
        <source>(an IP address)</source>
        <translation>(एक IP पता)</translation>
    </message>
    <message>
        <source>permanent</source>
        <translation>स्थायी</translation>
    </message>
    <message>
        <source>Lift ban</source>
        <translation>प्रतिबंध हटाएँ</translation>
    </message>
    <message>
        <source>Lift ban %1 (%2)?</source>
        <translation>प्रतिबंध %1 (%2) हटाएँ?</translation>
    </message>
    <message>
        <source>Show resolved reports</source>
        <translation>हल की गई रिपोर्टें दिखाएँ</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>ऑडिट लॉग</translation>
    </message>
</context>
<context>
    <name>whisper::admin::MapView</name>
    <message>
        <source>%1 waiting, %2 pairs</source>
        <translation>%1 प्रतीक्षारत, %2 जोड़ियाँ</translation>
    </message>
    <message>
        <source> (density view)</source>
        <translation> (घनत्व दृश्य)</translation>
    </message>
    <message>
        <source>Client %1
Waiting %2, range %3 km, %4</source>
        <translation>क्लाइंट %1
%2 से प्रतीक्षारत, दायरा %3 किमी, %4</translation>
    </message>
    <message>
        <source>account</source>
        <translation>खाता</translation>
    </message>
    <message>
        <source>guest</source>
        <translation>अतिथि</translation>
    </message>
    <message>
        <source>colour: clients per cell, yellow few, red many</source>
        <translation>रंग: प्रति सेल क्लाइंट, पीला कम, लाल अधिक</translation>
    </message>
    <message>
        <source>dot: a waiting client, green just arrived, red waiting %1 min</source>
        <translation>बिंदु: प्रतीक्षारत क्लाइंट, हरा अभी आया, लाल %1 मिनट से प्रतीक्षा में</translation>
    </message>
    <message>
        <source>rings joined by a line: a chatting pair</source>
        <translation>रेखा से जुड़े छल्ले: बात करता जोड़ा</translation>
    </message>
    <message>
        <source>positions are rounded to about 11 km</source>
        <translation>स्थितियाँ लगभग 11 किमी तक गोल की गई हैं</translation>
    </message>
    <message>
        <source>%1 km</source>
        <translation>%1 किमी</translation>
    </message>
    <message>
        <source>pale line: a border between countries</source>
        <translation>हल्की रेखा: देशों के बीच की सीमा</translation>
    </message>
</context>
<context>
    <name>whisper::admin::NodeModel</name>
    <message>
        <source>%1 (this node)</source>
        <translation>%1 (यह नोड)</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>leader</source>
        <translation>लीडर</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>नोड</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>कनेक्शन</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>प्रतीक्षारत</translation>
    </message>
    <message>
        <source>Pairs</source>
        <translation>जोड़ियाँ</translation>
    </message>
    <message>
        <source>Messages/s</source>
        <translation>संदेश/s</translation>
    </message>
    <message>
        <source>Redis latency</source>
        <translation>Redis विलंब</translation>
    </message>
    <message>
        <source>Matchmaking</source>
        <translation>मैचमेकर</translation>
    </message>
</context>
<context>
    <name>whisper::admin::NodeTable</name>
    <message>
        <source>Cluster nodes</source>
        <translation>क्लस्टर नोड</translation>
    </message>
</context>
<context>
    <name>whisper::admin::NoticeDialog</name>
    <message>
        <source>Broadcast notice</source>
        <translation>सभी को सूचना भेजें</translation>
    </message>
    <message>
        <source>Notice sent to every connected client:</source>
        <translation>हर जुड़े क्लाइंट को भेजी जाने वाली सूचना:</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>भेजें</translation>
    </message>
    <message>
        <source>%1 of %2 characters</source>
        <translation>%2 में से %1 अक्षर</translation>
    </message>
</context>
<context>
    <name>whisper::admin::PairModel</name>
    <message>
        <source>within %1 km</source>
        <translation>%1 किमी के भीतर</translation>
    </message>
    <message>
        <source>Pair</source>
        <translation>जोड़ी</translation>
    </message>
    <message>
        <source>Member A</source>
        <translation>सदस्य A</translation>
    </message>
    <message>
        <source>Member B</source>
        <translation>सदस्य B</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>दूरी</translation>
    </message>
    <message>
        <source>Chatting for</source>
        <translation>चैट की अवधि</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>संदेश</translation>
    </message>
</context>
<context>
    <name>whisper::admin::ReportModel</name>
    <message>
        <source>resolved: %1</source>
        <translation>निपटाई गई: %1</translation>
    </message>
    <message>
        <source>open</source>
        <translation>खुली</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>रिपोर्ट</translation>
    </message>
    <message>
        <source>Reporter</source>
        <translation>रिपोर्टकर्ता</translation>
    </message>
    <message>
        <source>Reported</source>
        <translation>जिसकी रिपोर्ट हुई</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>कारण</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>बनाई गई</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>स्थिति</translation>
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
        <translation>प्रतीक्षारत</translation>
    </message>
    <message>
        <source>Pairs</source>
        <translation>जोड़ियाँ</translation>
    </message>
    <message>
        <source>No statistics yet</source>
        <translation>अभी कोई आँकड़े नहीं</translation>
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
        <translation>कनेक्शन: %1
प्रतीक्षारत: %2
जोड़ियाँ: %3
जोड़ियाँ/मिनट: %4
संदेश/से.: %5
अंतिम दौर: %6 ms (हर %7 ms)
चालू समय: %8
संस्करण: %9</translation>
    </message>
    <message>
        <source>
Relay latency: p50 %1 ms, p99 %2 ms</source>
        <translation>
रिले विलंब: p50 %1 ms, p99 %2 ms</translation>
    </message>
    <message>
        <source>
DRAINING: new connections are refused</source>
        <translation>
खाली किया जा रहा है: नए कनेक्शन अस्वीकार</translation>
    </message>
    <message>
        <source>clients</source>
        <translation>क्लाइंट</translation>
    </message>
    <message>
        <source>pairs</source>
        <translation>जोड़े</translation>
    </message>
    <message>
        <source>Matches</source>
        <translation>मिलान</translation>
    </message>
    <message>
        <source>/min</source>
        <translation>/मिनट</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>संदेश</translation>
    </message>
    <message>
        <source>/s</source>
        <translation>/से</translation>
    </message>
    <message>
        <source>Matchmaker tick</source>
        <translation>मैचमेकर चक्र</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>मि.से.</translation>
    </message>
    <message>
        <source>This node: %1
</source>
        <translation>यह नोड: %1
</translation>
    </message>
</context>
<context>
    <name>whisper::admin::WaitingModel</name>
    <message>
        <source>account</source>
        <translation>खाता</translation>
    </message>
    <message>
        <source>guest</source>
        <translation>अतिथि</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>क्लाइंट</translation>
    </message>
    <message>
        <source>Latitude</source>
        <translation>अक्षांश</translation>
    </message>
    <message>
        <source>Longitude</source>
        <translation>देशांतर</translation>
    </message>
    <message>
        <source>Range (km)</source>
        <translation>दायरा (किमी)</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>प्रतीक्षारत</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>प्रकार</translation>
    </message>
</context>
</TS>
