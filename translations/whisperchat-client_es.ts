<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>AccountDialog</name>
    <message>
        <source>Account: %1</source>
        <translation>Cuenta: %1</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Cuenta</translation>
    </message>
    <message>
        <source>An account is optional. It keeps your blocks across visits.</source>
        <translation>La cuenta es opcional. Conserva tus bloqueos entre visitas.</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Nombre de usuario</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <source>Code from your authenticator app</source>
        <translation>Código de tu app de autenticación</translation>
    </message>
    <message>
        <source>Two-factor code (if you use one)</source>
        <translation>Código de dos factores (si lo usas)</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>Registrarse</translation>
    </message>
    <message>
        <source>Set up two-factor authentication</source>
        <translation>Configurar la autenticación de dos factores</translation>
    </message>
    <message>
        <source>Turn on</source>
        <translation>Activar</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Cerrar sesión</translation>
    </message>
    <message>
        <source>Scan this code with your authenticator app, then enter the code it shows and your password.</source>
        <translation>Escanea este código con tu app de autenticación y luego introduce el código que muestra y tu contraseña.</translation>
    </message>
    <message>
        <source>Keep these recovery codes somewhere safe; each works once:</source>
        <translation>Guarda estos códigos de recuperación en un lugar seguro; cada uno sirve una vez:</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
</context>
<context>
    <name>Bubble</name>
    <message>
        <source>Notice: %1</source>
        <translation>Aviso: %1</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>entregado</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>within %1 km</source>
        <translation>a menos de %1 km</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>Siguiente</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>Salir</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Volver</translation>
    </message>
    <message>
        <source>Block</source>
        <translation>Bloquear</translation>
    </message>
    <message>
        <source>Report…</source>
        <translation>Denunciar…</translation>
    </message>
    <message>
        <source>%1 is typing…</source>
        <translation>%1 está escribiendo…</translation>
    </message>
    <message>
        <source>Write a message</source>
        <translation>Escribe un mensaje</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>Report %1</source>
        <translation>Denunciar a %1</translation>
    </message>
    <message>
        <source>Tell the moderators what happened. They see your reason, not the chat.</source>
        <translation>Cuenta a los moderadores qué pasó. Verán tu motivo, no el chat.</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Send report</source>
        <translation>Enviar denuncia</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>ClientView</name>
    <message>
        <source>Not connected</source>
        <translation>Sin conexión</translation>
    </message>
    <message>
        <source>Logged in as %1</source>
        <translation>Sesión iniciada como %1</translation>
    </message>
    <message>
        <source>Connected as a guest</source>
        <translation>Conectado como invitado</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Cuenta</translation>
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
        <translation>Habla de forma anónima con alguien cercano.</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Servidor</translation>
    </message>
    <message>
        <source>Your location: type it, click the map, or use the device&apos;s position.</source>
        <translation>Tu ubicación: escríbela, haz clic en el mapa o usa la posición del dispositivo.</translation>
    </message>
    <message>
        <source>Latitude</source>
        <translation>Latitud</translation>
    </message>
    <message>
        <source>Longitude</source>
        <translation>Longitud</translation>
    </message>
    <message>
        <source>Use my position</source>
        <translation>Usar mi posición</translation>
    </message>
    <message>
        <source>Look for people within %1 km</source>
        <translation>Buscar personas a menos de %1 km</translation>
    </message>
    <message>
        <source>Range in kilometres</source>
        <translation>Alcance en kilómetros</translation>
    </message>
    <message>
        <source>Find someone to talk to</source>
        <translation>Buscar a alguien con quien hablar</translation>
    </message>
</context>
<context>
    <name>WaitingView</name>
    <message>
        <source>Looking for someone nearby…</source>
        <translation>Buscando a alguien cerca…</translation>
    </message>
    <message>
        <source>Waiting for %1:%2</source>
        <translation>Esperando desde hace %1:%2</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>whisper::client::ChatSession</name>
    <message>
        <source>Connecting to %1…</source>
        <translation>Conectando con %1…</translation>
    </message>
    <message>
        <source>Not connected to the server yet.</source>
        <translation>Todavía no hay conexión con el servidor.</translation>
    </message>
    <message>
        <source>You left the chat.</source>
        <translation>Has salido del chat.</translation>
    </message>
    <message numerus="yes">
        <source>The message is too long: at most %n characters.</source>
        <translation>
            <numerusform>El mensaje es demasiado largo: como máximo %n carácter.</numerusform>
            <numerusform>El mensaje es demasiado largo: como máximo %n caracteres.</numerusform>
        </translation>
    </message>
    <message>
        <source>The message is too long.</source>
        <translation>El mensaje es demasiado largo.</translation>
    </message>
    <message>
        <source>The connection dropped and the chat could not be resumed.</source>
        <translation>Se cortó la conexión y no se pudo retomar el chat.</translation>
    </message>
    <message>
        <source>Reconnected.</source>
        <translation>Conexión restablecida.</translation>
    </message>
    <message>
        <source>Reconnected; the chat goes on.</source>
        <translation>Conexión restablecida; el chat continúa.</translation>
    </message>
    <message>
        <source>%1 left the chat.</source>
        <translation>%1 ha salido del chat.</translation>
    </message>
    <message>
        <source>%1 lost the connection.</source>
        <translation>%1 ha perdido la conexión.</translation>
    </message>
    <message>
        <source>A moderator ended this chat.</source>
        <translation>Un moderador ha terminado este chat.</translation>
    </message>
    <message>
        <source>%1 ended the chat.</source>
        <translation>%1 ha terminado el chat.</translation>
    </message>
    <message>
        <source>Notice from the operators: %1</source>
        <translation>Aviso de los operadores: %1</translation>
    </message>
    <message>
        <source>The server ended your login; log in again.</source>
        <translation>El servidor cerró tu sesión; vuelve a iniciarla.</translation>
    </message>
    <message>
        <source>Two-factor authentication is on.</source>
        <translation>La autenticación de dos factores está activada.</translation>
    </message>
    <message>
        <source>You blocked %1.</source>
        <translation>Has bloqueado a %1.</translation>
    </message>
    <message>
        <source>Blocked. You will not be matched again.</source>
        <translation>Bloqueado. No os volveremos a emparejar.</translation>
    </message>
    <message>
        <source>Thank you. The moderators will look at your report.</source>
        <translation>Gracias. Los moderadores revisarán tu denuncia.</translation>
    </message>
    <message>
        <source>That user name is taken.</source>
        <translation>Ese nombre de usuario ya está ocupado.</translation>
    </message>
    <message>
        <source>That is not possible right now.</source>
        <translation>Eso no es posible ahora mismo.</translation>
    </message>
    <message numerus="yes">
        <source>Too many requests; try again in %n s.</source>
        <translation>
            <numerusform>Demasiadas solicitudes; inténtalo de nuevo en %n s.</numerusform>
            <numerusform>Demasiadas solicitudes; inténtalo de nuevo en %n s.</numerusform>
        </translation>
    </message>
    <message>
        <source>Enter the code from your authenticator app.</source>
        <translation>Introduce el código de tu app de autenticación.</translation>
    </message>
    <message>
        <source>The two-factor code is wrong.</source>
        <translation>El código de dos factores es incorrecto.</translation>
    </message>
    <message>
        <source>This server asks you to log in before you chat.</source>
        <translation>Este servidor pide iniciar sesión antes de chatear.</translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation>Nombre de usuario o contraseña incorrectos.</translation>
    </message>
    <message>
        <source>Not allowed: %1</source>
        <translation>No permitido: %1</translation>
    </message>
    <message>
        <source>The server cannot do that right now.</source>
        <translation>El servidor no puede hacerlo ahora mismo.</translation>
    </message>
    <message>
        <source>Not accepted: %1</source>
        <translation>No aceptado: %1</translation>
    </message>
    <message>
        <source>Something went wrong on the server. Try again.</source>
        <translation>Algo falló en el servidor. Inténtalo de nuevo.</translation>
    </message>
    <message>
        <source>Connection lost. Trying to get back…</source>
        <translation>Se perdió la conexión. Intentando volver…</translation>
    </message>
    <message numerus="yes">
        <source>Cannot reach the server. Trying again in %n s…</source>
        <translation>
            <numerusform>No se puede conectar con el servidor. Nuevo intento en %n s…</numerusform>
            <numerusform>No se puede conectar con el servidor. Nuevo intento en %n s…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Connection lost. Reconnecting in %n s…</source>
        <translation>
            <numerusform>Se perdió la conexión. Reconectando en %n s…</numerusform>
            <numerusform>Se perdió la conexión. Reconectando en %n s…</numerusform>
        </translation>
    </message>
    <message>
        <source>%1&apos;s connection dropped; waiting for them to come back.</source>
        <translation>Se cortó la conexión de %1; esperando a que vuelva.</translation>
    </message>
    <message>
        <source>%1 is back.</source>
        <translation>%1 ha vuelto.</translation>
    </message>
</context>
</TS>
