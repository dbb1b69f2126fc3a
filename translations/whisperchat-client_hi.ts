<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="hi">
<context>
    <name>AccountDialog</name>
    <message>
        <source>Account: %1</source>
        <translation>खाता: %1</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>खाता</translation>
    </message>
    <message>
        <source>An account is optional. It keeps your blocks across visits.</source>
        <translation>खाता वैकल्पिक है। यह आपके ब्लॉक अगली बार के लिए भी याद रखता है।</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>उपयोगकर्ता नाम</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>पासवर्ड</translation>
    </message>
    <message>
        <source>Code from your authenticator app</source>
        <translation>आपके ऑथेंटिकेटर ऐप का कोड</translation>
    </message>
    <message>
        <source>Two-factor code (if you use one)</source>
        <translation>दो-चरणीय कोड (यदि आप उपयोग करते हैं)</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>लॉग इन करें</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>पंजीकरण करें</translation>
    </message>
    <message>
        <source>Set up two-factor authentication</source>
        <translation>दो-चरणीय प्रमाणीकरण सेट करें</translation>
    </message>
    <message>
        <source>Turn on</source>
        <translation>चालू करें</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>लॉग आउट करें</translation>
    </message>
    <message>
        <source>Scan this code with your authenticator app, then enter the code it shows and your password.</source>
        <translation>इस कोड को अपने ऑथेंटिकेटर ऐप से स्कैन करें, फिर उसमें दिखा कोड और अपना पासवर्ड दर्ज करें।</translation>
    </message>
    <message>
        <source>Keep these recovery codes somewhere safe; each works once:</source>
        <translation>इन रिकवरी कोड को सुरक्षित रखें; हर कोड एक ही बार काम करता है:</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>बंद करें</translation>
    </message>
</context>
<context>
    <name>Bubble</name>
    <message>
        <source>Notice: %1</source>
        <translation>सूचना: %1</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>पहुँच गया</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>within %1 km</source>
        <translation>%1 किमी के भीतर</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>अगला</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>छोड़ें</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>वापस</translation>
    </message>
    <message>
        <source>Block</source>
        <translation>ब्लॉक करें</translation>
    </message>
    <message>
        <source>Report…</source>
        <translation>रिपोर्ट करें…</translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 लिख रहे हैं…</translation>
    </message>
    <message>
        <source>Write a message</source>
        <translation>संदेश लिखें</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>भेजें</translation>
    </message>
    <message>
        <source>Report %1</source>
        <translation>%1 की रिपोर्ट करें</translation>
    </message>
    <message>
        <source>Tell the moderators what happened. They see your reason, not the chat.</source>
        <translation>मॉडरेटरों को बताएँ कि क्या हुआ। वे आपका कारण देखते हैं, चैट नहीं।</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>कारण</translation>
    </message>
    <message>
        <source>Send report</source>
        <translation>रिपोर्ट भेजें</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>रद्द करें</translation>
    </message>
</context>
<context>
    <name>ClientView</name>
    <message>
        <source>Not connected</source>
        <translation>कनेक्ट नहीं है</translation>
    </message>
    <message>
        <source>Logged in as %1</source>
        <translation>%1 के रूप में लॉग इन</translation>
    </message>
    <message>
        <source>Connected as a guest</source>
        <translation>अतिथि के रूप में कनेक्ट</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>खाता</translation>
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
        <translation>आस-पास किसी से गुमनाम रूप से बात करें।</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>सर्वर</translation>
    </message>
    <message>
        <source>Your location: type it, click the map, or use the device&apos;s position.</source>
        <translation>आपका स्थान: लिखें, मानचित्र पर क्लिक करें, या डिवाइस की स्थिति का उपयोग करें।</translation>
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
        <source>Use my position</source>
        <translation>मेरी स्थिति का उपयोग करें</translation>
    </message>
    <message>
        <source>Look for people within %1 km</source>
        <translation>%1 किमी के भीतर लोगों को खोजें</translation>
    </message>
    <message>
        <source>Range in kilometres</source>
        <translation>किलोमीटर में दायरा</translation>
    </message>
    <message>
        <source>Find someone to talk to</source>
        <translation>बात करने के लिए किसी को खोजें</translation>
    </message>
</context>
<context>
    <name>WaitingView</name>
    <message>
        <source>Looking for someone nearby…</source>
        <translation>आस-पास किसी को खोजा जा रहा है…</translation>
    </message>
    <message>
        <source>Waiting for %1:%2</source>
        <translation>प्रतीक्षा समय %1:%2</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>रद्द करें</translation>
    </message>
</context>
<context>
    <name>whisper::client::ChatSession</name>
    <message>
        <source>Connecting to %1…</source>
        <translation>%1 से कनेक्ट हो रहा है…</translation>
    </message>
    <message>
        <source>Not connected to the server yet.</source>
        <translation>अभी सर्वर से कनेक्ट नहीं है।</translation>
    </message>
    <message>
        <source>You left the chat.</source>
        <translation>आपने चैट छोड़ दी।</translation>
    </message>
    <message numerus="yes">
        <source>The message is too long: at most %n characters.</source>
        <translation>
            <numerusform>संदेश बहुत लंबा है: अधिकतम %n अक्षर।</numerusform>
            <numerusform>संदेश बहुत लंबा है: अधिकतम %n अक्षर।</numerusform>
        </translation>
    </message>
    <message>
        <source>The message is too long.</source>
        <translation>संदेश बहुत लंबा है।</translation>
    </message>
    <message>
        <source>The connection dropped and the chat could not be resumed.</source>
        <translation>कनेक्शन टूट गया और चैट फिर से शुरू नहीं हो सकी।</translation>
    </message>
    <message>
        <source>Reconnected.</source>
        <translation>फिर से कनेक्ट हो गया।</translation>
    </message>
    <message>
        <source>Reconnected; the chat goes on.</source>
        <translation>फिर से कनेक्ट हो गया; चैट जारी है।</translation>
    </message>
    <message>
        <source>%1 left the chat.</source>
        <translation>%1 ने चैट छोड़ दी।</translation>
    </message>
    <message>
        <source>%1 lost the connection.</source>
        <translation>%1 का कनेक्शन टूट गया।</translation>
    </message>
    <message>
        <source>A moderator ended this chat.</source>
        <translation>एक मॉडरेटर ने यह चैट समाप्त कर दी।</translation>
    </message>
    <message>
        <source>%1 ended the chat.</source>
        <translation>%1 ने चैट समाप्त कर दी।</translation>
    </message>
    <message>
        <source>Notice from the operators: %1</source>
        <translation>संचालकों की सूचना: %1</translation>
    </message>
    <message>
        <source>The server ended your login; log in again.</source>
        <translation>सर्वर ने आपका लॉगिन समाप्त कर दिया; फिर से लॉग इन करें।</translation>
    </message>
    <message>
        <source>Two-factor authentication is on.</source>
        <translation>दो-चरणीय प्रमाणीकरण चालू है।</translation>
    </message>
    <message>
        <source>You blocked %1.</source>
        <translation>आपने %1 को ब्लॉक कर दिया।</translation>
    </message>
    <message>
        <source>Blocked. You will not be matched again.</source>
        <translation>ब्लॉक कर दिया। आपको दोबारा नहीं मिलाया जाएगा।</translation>
    </message>
    <message>
        <source>Thank you. The moderators will look at your report.</source>
        <translation>धन्यवाद। मॉडरेटर आपकी रिपोर्ट देखेंगे।</translation>
    </message>
    <message>
        <source>That user name is taken.</source>
        <translation>यह उपयोगकर्ता नाम पहले से लिया जा चुका है।</translation>
    </message>
    <message>
        <source>That is not possible right now.</source>
        <translation>यह अभी संभव नहीं है।</translation>
    </message>
    <message numerus="yes">
        <source>Too many requests; try again in %n s.</source>
        <translation>
            <numerusform>बहुत अधिक अनुरोध; %n सेकंड में फिर कोशिश करें।</numerusform>
            <numerusform>बहुत अधिक अनुरोध; %n सेकंड में फिर कोशिश करें।</numerusform>
        </translation>
    </message>
    <message>
        <source>Enter the code from your authenticator app.</source>
        <translation>अपने ऑथेंटिकेटर ऐप का कोड दर्ज करें।</translation>
    </message>
    <message>
        <source>The two-factor code is wrong.</source>
        <translation>दो-चरणीय कोड गलत है।</translation>
    </message>
    <message>
        <source>This server asks you to log in before you chat.</source>
        <translation>यह सर्वर चैट से पहले लॉग इन करने को कहता है।</translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation>उपयोगकर्ता नाम या पासवर्ड गलत है।</translation>
    </message>
    <message>
        <source>Not allowed: %1</source>
        <translation>अनुमति नहीं: %1</translation>
    </message>
    <message>
        <source>The server cannot do that right now.</source>
        <translation>सर्वर अभी यह नहीं कर सकता।</translation>
    </message>
    <message>
        <source>Not accepted: %1</source>
        <translation>स्वीकार नहीं: %1</translation>
    </message>
    <message>
        <source>Something went wrong on the server. Try again.</source>
        <translation>सर्वर पर कुछ गड़बड़ हुई। फिर कोशिश करें।</translation>
    </message>
    <message>
        <source>Connection lost. Trying to get back…</source>
        <translation>कनेक्शन टूट गया। फिर से जुड़ने की कोशिश हो रही है…</translation>
    </message>
    <message numerus="yes">
        <source>Cannot reach the server. Trying again in %n s…</source>
        <translation>
            <numerusform>सर्वर तक नहीं पहुँच पा रहे। %n सेकंड में फिर कोशिश होगी…</numerusform>
            <numerusform>सर्वर तक नहीं पहुँच पा रहे। %n सेकंड में फिर कोशिश होगी…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Connection lost. Reconnecting in %n s…</source>
        <translation>
            <numerusform>कनेक्शन टूट गया। %n सेकंड में फिर से जुड़ रहे हैं…</numerusform>
            <numerusform>कनेक्शन टूट गया। %n सेकंड में फिर से जुड़ रहे हैं…</numerusform>
        </translation>
    </message>
    <message>
        <source>%1&apos;s connection dropped; waiting for them to come back.</source>
        <translation>%1 का कनेक्शन टूट गया; उनके लौटने की प्रतीक्षा है।</translation>
    </message>
    <message>
        <source>%1 is back.</source>
        <translation>%1 वापस आ गए।</translation>
    </message>
</context>
</TS>
