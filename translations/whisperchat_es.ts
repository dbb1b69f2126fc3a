<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
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
        <translation>Bloquear cuenta</translation>
    </message>
    <message>
        <source>Set role</source>
        <translation>Asignar rol</translation>
    </message>
    <message>
        <source>Account %1</source>
        <translation>Cuenta %1</translation>
    </message>
    <message>
        <source>not banned</source>
        <translation>no bloqueada</translation>
    </message>
    <message>
        <source>banned permanently</source>
        <translation>bloqueada permanentemente</translation>
    </message>
    <message>
        <source>banned until %1</source>
        <translation>bloqueada hasta %1</translation>
    </message>
    <message>
        <source>Username: %1
Role: %2
Created: %3
Two-factor login: %4
Status: %5</source>
        <translation>Usuario: %1
Rol: %2
Creada: %3
Inicio de sesión en dos pasos: %4
Estado: %5</translation>
    </message>
    <message>
        <source>on</source>
        <translation>activado</translation>
    </message>
    <message>
        <source>off</source>
        <translation>desactivado</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 hora</translation>
    </message>
    <message>
        <source>1 day</source>
        <translation>1 día</translation>
    </message>
    <message>
        <source>7 days</source>
        <translation>7 días</translation>
    </message>
    <message>
        <source>30 days</source>
        <translation>30 días</translation>
    </message>
    <message>
        <source>1 year</source>
        <translation>1 año</translation>
    </message>
    <message>
        <source>permanent</source>
        <translation>permanente</translation>
    </message>
    <message>
        <source>reason (required)</source>
        <translation>motivo (obligatorio)</translation>
    </message>
    <message>
        <source>Ban</source>
        <translation>Bloqueo</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
</context>
<context>
    <name>whisper::admin::AuditView</name>
    <message>
        <source>Show</source>
        <translation>Mostrar</translation>
    </message>
    <message>
        <source>any account</source>
        <translation>cualquier cuenta</translation>
    </message>
    <message>
        <source>empty: any action</source>
        <translation>vacío: cualquier acción</translation>
    </message>
    <message>
        <source>last hour</source>
        <translation>última hora</translation>
    </message>
    <message>
        <source>last 24 hours</source>
        <translation>últimas 24 horas</translation>
    </message>
    <message>
        <source>last 7 days</source>
        <translation>últimos 7 días</translation>
    </message>
    <message>
        <source>all time</source>
        <translation>todo el tiempo</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>Actor</source>
        <translation>Autor</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Acción</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Objetivo</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Detalle</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Resultado</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Desde</translation>
    </message>
    <message>
        <source>Actor:</source>
        <translation>Autor:</translation>
    </message>
    <message>
        <source>Action:</source>
        <translation>Acción:</translation>
    </message>
    <message>
        <source>When:</source>
        <translation>Cuándo:</translation>
    </message>
</context>
<context>
    <name>whisper::admin::BanDialog</name>
    <message>
        <source>Ban %1</source>
        <translation>Bloquear a %1</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 hora</translation>
    </message>
    <message>
        <source>1 day</source>
        <translation>1 día</translation>
    </message>
    <message>
        <source>7 days</source>
        <translation>7 días</translation>
    </message>
    <message>
        <source>30 days</source>
        <translation>30 días</translation>
    </message>
    <message>
        <source>Permanently</source>
        <translation>Permanentemente</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Duración</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>1 year</source>
        <translation>1 año</translation>
    </message>
    <message>
        <source>What should be banned?</source>
        <translation>¿Qué se debe bloquear?</translation>
    </message>
    <message>
        <source>This connection only (1 connection; it can reconnect, nothing is stored)</source>
        <translation>Solo esta conexión (1 conexión; puede volver a conectarse, no se guarda nada)</translation>
    </message>
    <message numerus="yes">
        <source>Account %1 (%n current connection(s))</source>
        <translation>
            <numerusform>Cuenta %1 (%n conexión actual)</numerusform>
            <numerusform>Cuenta %1 (%n conexiones actuales)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The whole IP address (%n current connection(s), possibly other people)</source>
        <translation>
            <numerusform>Toda la dirección IP (%n conexión actual, quizá otras personas)</numerusform>
            <numerusform>Toda la dirección IP (%n conexiones actuales, quizá otras personas)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>This ends %n connection(s) now.</source>
        <translation>
            <numerusform>Esto cierra ahora %n conexión.</numerusform>
            <numerusform>Esto cierra ahora %n conexiones.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>whisper::admin::ConsoleState</name>
    <message>
        <source>pair %1 matched</source>
        <translation>pareja %1 emparejada</translation>
    </message>
    <message>
        <source>pair %1 ended</source>
        <translation>pareja %1 terminada</translation>
    </message>
    <message>
        <source>%1 kicked</source>
        <translation>%1 expulsado</translation>
    </message>
    <message>
        <source>%1 banned</source>
        <translation>%1 bloqueado</translation>
    </message>
    <message>
        <source>%1 reported</source>
        <translation>%1 denunciado</translation>
    </message>
</context>
<context>
    <name>whisper::admin::ControlClient</name>
    <message>
        <source>%1 accepted the connection but did not greet as a WhisperChat control endpoint. Is this the control port?</source>
        <translation>%1 aceptó la conexión pero no saludó como un punto de control de WhisperChat. ¿Es este el puerto de control?</translation>
    </message>
    <message>
        <source>%1 is not a WhisperChat control endpoint (it answered like a chat port). Check the port: the control port is set by control-port.</source>
        <translation>%1 no es un punto de control de WhisperChat (respondió como un puerto de chat). Compruebe el puerto: el puerto de control se fija con control-port.</translation>
    </message>
</context>
<context>
    <name>whisper::admin::LoginDialog</name>
    <message>
        <source>Log in to a WhisperChat server</source>
        <translation>Iniciar sesión en un servidor WhisperChat</translation>
    </message>
    <message>
        <source>only if two-factor login is enabled</source>
        <translation>solo si el inicio de sesión en dos pasos está activado</translation>
    </message>
    <message>
        <source>Server URL</source>
        <translation>URL del servidor</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Nombre de usuario</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <source>TOTP code</source>
        <translation>Código TOTP</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <source>The server URL must start with ws:// or wss://.</source>
        <translation>La URL del servidor debe empezar por ws:// o wss://.</translation>
    </message>
    <message>
        <source>Enter a username and a password.</source>
        <translation>Introduzca un nombre de usuario y una contraseña.</translation>
    </message>
</context>
<context>
    <name>whisper::admin::MainWindow</name>
    <message>
        <source>WhisperChat admin console</source>
        <translation>Consola de administración de WhisperChat</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En espera</translation>
    </message>
    <message>
        <source>Pairs</source>
        <translation>Parejas</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Denuncias</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Eventos</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>Estadísticas</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Acercar</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Alejar</translation>
    </message>
    <message>
        <source>Reset map</source>
        <translation>Restablecer mapa</translation>
    </message>
    <message>
        <source>&amp;Moderation</source>
        <translation>&amp;Moderación</translation>
    </message>
    <message>
        <source>Kick client...</source>
        <translation>Expulsar cliente...</translation>
    </message>
    <message>
        <source>End pair...</source>
        <translation>Terminar pareja...</translation>
    </message>
    <message>
        <source>Ban...</source>
        <translation>Bloquear...</translation>
    </message>
    <message>
        <source>Refresh reports</source>
        <translation>Actualizar denuncias</translation>
    </message>
    <message>
        <source>Resolve report...</source>
        <translation>Resolver denuncia...</translation>
    </message>
    <message>
        <source>Look up account...</source>
        <translation>Buscar cuenta...</translation>
    </message>
    <message>
        <source>&amp;Server</source>
        <translation>&amp;Servidor</translation>
    </message>
    <message>
        <source>Broadcast notice...</source>
        <translation>Difundir aviso...</translation>
    </message>
    <message>
        <source>Matchmaker interval...</source>
        <translation>Intervalo del emparejador...</translation>
    </message>
    <message>
        <source>Set role...</source>
        <translation>Asignar rol...</translation>
    </message>
    <message>
        <source>Drain server...</source>
        <translation>Vaciar servidor...</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Acciones</translation>
    </message>
    <message>
        <source>Logged in as %1 (%2)</source>
        <translation>Sesión iniciada como %1 (%2)</translation>
    </message>
    <message>
        <source>Login refused: %1</source>
        <translation>Inicio de sesión rechazado: %1</translation>
    </message>
    <message>
        <source>Server connection lost (%1); retrying in %2 s</source>
        <translation>Conexión con el servidor perdida (%1); reintento en %2 s</translation>
    </message>
    <message>
        <source>Not allowed for your role: %1</source>
        <translation>No permitido para su rol: %1</translation>
    </message>
    <message>
        <source>Command failed: %1</source>
        <translation>La orden falló: %1</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>Hecho.</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>Filtrar</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Desconectado</translation>
    </message>
    <message>
        <source>Connecting to %1...</source>
        <translation>Conectando con %1...</translation>
    </message>
    <message>
        <source>Logging in...</source>
        <translation>Iniciando sesión...</translation>
    </message>
    <message>
        <source>Connected to %1 as %2</source>
        <translation>Conectado a %1 como %2</translation>
    </message>
    <message>
        <source>Reconnecting...</source>
        <translation>Reconectando...</translation>
    </message>
    <message>
        <source>Your role may not do this</source>
        <translation>Su rol no puede hacer esto</translation>
    </message>
    <message>
        <source>Kick client</source>
        <translation>Expulsar cliente</translation>
    </message>
    <message>
        <source>Disconnect client %1? Its partner, if any, is told it was kicked.</source>
        <translation>¿Desconectar al cliente %1? Su pareja, si la hay, sabrá que fue expulsado.</translation>
    </message>
    <message>
        <source>End pair</source>
        <translation>Terminar pareja</translation>
    </message>
    <message>
        <source>End pair %1? Both members return to the lobby.</source>
        <translation>¿Terminar la pareja %1? Ambos miembros vuelven al vestíbulo.</translation>
    </message>
    <message>
        <source>Resolve report</source>
        <translation>Resolver denuncia</translation>
    </message>
    <message>
        <source>How was report %1 resolved?</source>
        <translation>¿Cómo se resolvió la denuncia %1?</translation>
    </message>
    <message>
        <source>Broadcast notice</source>
        <translation>Difundir aviso</translation>
    </message>
    <message>
        <source>Send this notice to every connected client?</source>
        <translation>¿Enviar este aviso a cada cliente conectado?</translation>
    </message>
    <message>
        <source>Drain server</source>
        <translation>Vaciar servidor</translation>
    </message>
    <message>
        <source>Drain the server? New connections are refused, every client is told to move to another server, and this one stops after the grace period.</source>
        <translation>¿Vaciar el servidor? Se rechazan las conexiones nuevas, se pide a cada cliente que pase a otro servidor y este se detiene tras el periodo de gracia.</translation>
    </message>
    <message>
        <source>Look up account</source>
        <translation>Buscar cuenta</translation>
    </message>
    <message>
        <source>Username:</source>
        <translation>Nombre de usuario:</translation>
    </message>
    <message>
        <source>Matchmaker interval</source>
        <translation>Intervalo del emparejador</translation>
    </message>
    <message>
        <source>Milliseconds between matchmaking rounds:</source>
        <translation>Milisegundos entre rondas de emparejamiento:</translation>
    </message>
    <message>
        <source>Run the matchmaker every %1 ms?</source>
        <translation>¿Ejecutar el emparejador cada %1 ms?</translation>
    </message>
    <message>
        <source>Set role</source>
        <translation>Asignar rol</translation>
    </message>
    <message>
        <source>New role:</source>
        <translation>Nuevo rol:</translation>
    </message>
    <message>
        <source>Make %1 a %2?</source>
        <translation>¿Convertir a %1 en %2?</translation>
    </message>
    <message>
        <source>Ban</source>
        <translation>Bloqueo</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>Cuenta</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>Hasta</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Desde</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Por</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Bans</source>
        <translation>Bloqueos</translation>
    </message>
    <message>
        <source>&amp;Console</source>
        <translation>&amp;Consola</translation>
    </message>
    <message>
        <source>Log out / switch server...</source>
        <translation>Cerrar sesión / cambiar de servidor...</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <source>Refresh bans</source>
        <translation>Actualizar bloqueos</translation>
    </message>
    <message>
        <source>Lift ban...</source>
        <translation>Levantar bloqueo...</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <source>About the admin console</source>
        <translation>Acerca de la consola de administración</translation>
    </message>
    <message>
        <source>About Qt</source>
        <translation>Acerca de Qt</translation>
    </message>
    <message>
        <source>Not connected: there is nothing to show yet.</source>
        <translation>Sin conexión: todavía no hay nada que mostrar.</translation>
    </message>
    <message>
        <source>Not connected: the map, tables and statistics show the server as it was at %1 and are not updating.</source>
        <translation>Sin conexión: el mapa, las tablas y las estadísticas muestran el servidor tal como estaba a las %1 y no se actualizan.</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Cerrar sesión</translation>
    </message>
    <message>
        <source>Log out of %1?</source>
        <translation>¿Cerrar sesión en %1?</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;WhisperChat admin console&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;Watches a WhisperChat server over its control port: the waiting room on a map, the pairs, reports and bans, and the moderation actions your role allows.&lt;/p&gt;&lt;p&gt;The operator&apos;s guide is docs/OPERATIONS.md; the control protocol is docs/CONTROL-PROTOCOL.md.&lt;/p&gt;&lt;p&gt;MIT licence. Built with Qt %2.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Consola de administración de WhisperChat&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;Observa un servidor WhisperChat por su puerto de control: la sala de espera en un mapa, las parejas, las denuncias y los bloqueos, y las acciones de moderación que permite su rol.&lt;/p&gt;&lt;p&gt;La guía del operador es docs/OPERATIONS.md; el protocolo de control es docs/CONTROL-PROTOCOL.md.&lt;/p&gt;&lt;p&gt;Licencia MIT. Hecho con Qt %2.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>(an IP address)</source>
        <translation>(una dirección IP)</translation>
    </message>
    <message>
        <source>permanent</source>
        <translation>permanente</translation>
    </message>
    <message>
        <source>Lift ban</source>
        <translation>Levantar bloqueo</translation>
    </message>
    <message>
        <source>Lift ban %1 (%2)?</source>
        <translation>¿Levantar el bloqueo %1 (%2)?</translation>
    </message>
    <message>
        <source>Show resolved reports</source>
        <translation>Mostrar denuncias resueltas</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Registro de auditoría</translation>
    </message>
</context>
<context>
    <name>whisper::admin::MapView</name>
    <message>
        <source>%1 waiting, %2 pairs</source>
        <translation>%1 en espera, %2 parejas</translation>
    </message>
    <message>
        <source> (density view)</source>
        <translation> (vista de densidad)</translation>
    </message>
    <message>
        <source>Client %1
Waiting %2, range %3 km, %4</source>
        <translation>Cliente %1
Esperando %2, alcance %3 km, %4</translation>
    </message>
    <message>
        <source>account</source>
        <translation>cuenta</translation>
    </message>
    <message>
        <source>guest</source>
        <translation>invitado</translation>
    </message>
    <message>
        <source>colour: clients per cell, yellow few, red many</source>
        <translation>color: clientes por celda, amarillo pocos, rojo muchos</translation>
    </message>
    <message>
        <source>dot: a waiting client, green just arrived, red waiting %1 min</source>
        <translation>punto: un cliente en espera, verde recién llegado, rojo esperando %1 min</translation>
    </message>
    <message>
        <source>rings joined by a line: a chatting pair</source>
        <translation>anillos unidos por una línea: una pareja que chatea</translation>
    </message>
    <message>
        <source>positions are rounded to about 11 km</source>
        <translation>las posiciones se redondean a unos 11 km</translation>
    </message>
    <message>
        <source>%1 km</source>
        <translation>%1 km</translation>
    </message>
    <message>
        <source>pale line: a border between countries</source>
        <translation>línea pálida: una frontera entre países</translation>
    </message>
</context>
<context>
    <name>whisper::admin::NodeModel</name>
    <message>
        <source>%1 (this node)</source>
        <translation>%1 (este nodo)</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>leader</source>
        <translation>líder</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Nodo</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Conexiones</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En espera</translation>
    </message>
    <message>
        <source>Pairs</source>
        <translation>Parejas</translation>
    </message>
    <message>
        <source>Messages/s</source>
        <translation>Mensajes/s</translation>
    </message>
    <message>
        <source>Redis latency</source>
        <translation>Latencia de Redis</translation>
    </message>
    <message>
        <source>Matchmaking</source>
        <translation>Emparejador</translation>
    </message>
</context>
<context>
    <name>whisper::admin::NodeTable</name>
    <message>
        <source>Cluster nodes</source>
        <translation>Nodos del clúster</translation>
    </message>
</context>
<context>
    <name>whisper::admin::NoticeDialog</name>
    <message>
        <source>Broadcast notice</source>
        <translation>Enviar aviso a todos</translation>
    </message>
    <message>
        <source>Notice sent to every connected client:</source>
        <translation>Aviso enviado a cada cliente conectado:</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>%1 of %2 characters</source>
        <translation>%1 de %2 caracteres</translation>
    </message>
</context>
<context>
    <name>whisper::admin::PairModel</name>
    <message>
        <source>within %1 km</source>
        <translation>a menos de %1 km</translation>
    </message>
    <message>
        <source>Pair</source>
        <translation>Pareja</translation>
    </message>
    <message>
        <source>Member A</source>
        <translation>Miembro A</translation>
    </message>
    <message>
        <source>Member B</source>
        <translation>Miembro B</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>Distancia</translation>
    </message>
    <message>
        <source>Chatting for</source>
        <translation>Chateando desde hace</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Mensajes</translation>
    </message>
</context>
<context>
    <name>whisper::admin::ReportModel</name>
    <message>
        <source>resolved: %1</source>
        <translation>resuelta: %1</translation>
    </message>
    <message>
        <source>open</source>
        <translation>abierta</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Denuncia</translation>
    </message>
    <message>
        <source>Reporter</source>
        <translation>Denunciante</translation>
    </message>
    <message>
        <source>Reported</source>
        <translation>Denunciado</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Creada</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
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
        <translation>En espera</translation>
    </message>
    <message>
        <source>Pairs</source>
        <translation>Parejas</translation>
    </message>
    <message>
        <source>No statistics yet</source>
        <translation>Aún no hay estadísticas</translation>
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
        <translation>Conexiones: %1
En espera: %2
Parejas: %3
Emparejamientos/min: %4
Mensajes/s: %5
Última ronda: %6 ms (cada %7 ms)
Tiempo activo: %8
Versión: %9</translation>
    </message>
    <message>
        <source>
Relay latency: p50 %1 ms, p99 %2 ms</source>
        <translation>
Latencia de reenvío: p50 %1 ms, p99 %2 ms</translation>
    </message>
    <message>
        <source>
DRAINING: new connections are refused</source>
        <translation>
VACIANDO: se rechazan conexiones nuevas</translation>
    </message>
    <message>
        <source>clients</source>
        <translation>clientes</translation>
    </message>
    <message>
        <source>pairs</source>
        <translation>parejas</translation>
    </message>
    <message>
        <source>Matches</source>
        <translation>Emparejamientos</translation>
    </message>
    <message>
        <source>/min</source>
        <translation>/min</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Mensajes</translation>
    </message>
    <message>
        <source>/s</source>
        <translation>/s</translation>
    </message>
    <message>
        <source>Matchmaker tick</source>
        <translation>Ronda del emparejador</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>This node: %1
</source>
        <translation>Este nodo: %1
</translation>
    </message>
</context>
<context>
    <name>whisper::admin::WaitingModel</name>
    <message>
        <source>account</source>
        <translation>cuenta</translation>
    </message>
    <message>
        <source>guest</source>
        <translation>invitado</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Cliente</translation>
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
        <source>Range (km)</source>
        <translation>Alcance (km)</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En espera</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
</context>
</TS>
