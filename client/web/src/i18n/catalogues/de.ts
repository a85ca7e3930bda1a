import type { Agent, AgentPage, Common, Customer, Help, Technician } from "../catalogue.ts";

// Deutsch. Plain words and "Sie" throughout: the customer is often not technical, and the warnings must be understood
// at first reading.

export const common: Common = {
  language: "Sprache",
  errors: {
    BAD_REQUEST: "Tether konnte diese Anfrage nicht annehmen. Prüfen Sie Ihre Eingabe und versuchen Sie es erneut.",
    FORBIDDEN: "Das dürfen Sie nicht.",
    NOT_FOUND: "Das wurde nicht gefunden; vielleicht wurde es entfernt.",
    CONFLICT: "Das hat sich inzwischen geändert. Laden Sie die Seite neu und versuchen Sie es erneut.",
    RATE_LIMITED: "Zu viele Versuche in kurzer Zeit. Warten Sie etwas und versuchen Sie es dann erneut.",
    PAYLOAD_TOO_LARGE: "Das ist zu groß für Tether.",
    ORIGIN_NOT_ALLOWED: "Diese Adresse darf Tether nicht verwenden. Öffnen Sie Tether unter der üblichen Adresse.",
    SESSION_NOT_FOUND: "Es gibt keine Sitzung mit diesem Code.",
    SESSION_ENDED: "Diese Sitzung ist beendet.",
    SEAT_TAKEN: "Diese Sitzung ist schon in einem anderen Browser geöffnet.",
    MESSAGE_INVALID: "Die Verbindung hat etwas gesendet, das Tether nicht versteht. Laden Sie die Seite neu.",
    MESSAGE_TOO_LARGE: "Die Verbindung hat zu viel auf einmal gesendet. Laden Sie die Seite neu.",
    UNSUPPORTED_VERSION: "Diese Seite ist veraltet. Laden Sie sie neu.",
    WRONG_ROLE: "Das ist von dieser Seite der Sitzung aus nicht möglich.",
    PEER_NOT_FOUND: "Die andere Seite ist nicht mehr in der Sitzung.",
    SEAT_KEY_INVALID: "Dieser Link passt nicht zu seiner Sitzung.",
    HANDSHAKE_WAIT: "Zu viele Versuche für diese Sitzung. Warten Sie und versuchen Sie es dann erneut.",
    HANDSHAKE_BUSY: "Für diese Sitzung läuft gerade eine andere Prüfung. Versuchen Sie es gleich noch einmal.",
    HANDSHAKE_REQUIRED: "Die Sicherheitsprüfung ist noch nicht abgeschlossen.",
    CONFIG_INVALID: "Tether ist nicht richtig eingerichtet. Sagen Sie es Ihrem Admin.",
    TURN_UNAVAILABLE: "Der Relay-Server ist gerade nicht verfügbar.",
    SERVER_BUSY: "Tether ist gerade ausgelastet. Versuchen Sie es gleich noch einmal.",
    INTERNAL: "Bei Tether ist etwas schiefgegangen. Versuchen Sie es erneut.",
    NETWORK: "Tether ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
    HTTP: "Tether hat nicht wie erwartet geantwortet. Bitte versuchen Sie es erneut.",
    BAD_RESPONSE:
      "Tether hat eine Antwort gesendet, die diese Seite nicht versteht. Laden Sie neu und versuchen Sie es erneut.",
    REPLACED: "Diese Sitzung wurde in einem anderen Tab oder Fenster geöffnet.",
  },
  none: "–",
  /** The chat panel's words on both sides (each side's own are in its part). */
  chat: {
    you: "Sie",
    read: "Gelesen",
    unread: (count) => `${count} neu`,
    titleFlash: (count, title) => `(${count}) Neue Nachricht · ${title}`,
    empty: "Schreiben Sie zuerst etwas.",
    tooLong: "Eine Nachricht darf höchstens 2.000 Zeichen lang sein.",
    forClipboard: "(für die Zwischenablage)",
    copy: "Kopieren",
    copied: "In Ihre Zwischenablage kopiert.",
    notCopied: "Der Browser hat das Kopieren nicht erlaubt; markieren Sie den Text und kopieren Sie ihn selbst.",
  },
  /** The files panel's words on both sides (each side's own are in its part). */
  files: {
    state: {
      offered: "wartet auf Annahme",
      incoming: "annehmen?",
      sending: "wird gesendet",
      receiving: "wird empfangen",
      done: "fertig, geprüft",
      refused: "abgelehnt",
      cancelled: "abgebrochen",
      corrupt: "unterwegs beschädigt: Die Prüfsumme stimmt nicht, daher wurde sie nicht behalten",
      failed: "fehlgeschlagen: Die Verbindung ist abgebrochen",
    },
    progress: (done, total, rate, left) =>
      `${done} von ${total}${rate ? `, ${rate}` : ""}${left ? `, noch ${left}` : ""}`,
    hash: (sha256) => `SHA-256 ${sha256}`,
    accept: "Annehmen",
    refuse: "Ablehnen",
    cancel: "Abbrechen",
    save: "Speichern",
    tooLarge: (max) => `Dateien dürfen in dieser Sitzung höchstens ${max} groß sein.`,
    empty: "Diese Datei ist leer.",
  },
  /** The voice panel's words on both sides (each side's own are in its part). */
  recording: {
    rec: "REC",
  },
  voice: {
    micOn: "Mein Mikrofon einschalten",
    micOff: "Mein Mikrofon ausschalten",
    denied: "Das Mikrofon ließ sich nicht nutzen: Der Browser oder der Computer hat es verweigert.",
  },
};

export const customer: Customer = {
  markup: {
    "colleagues.title": "Weitere Techniker",
    "join.title": "Support-Sitzung · Tether",
    "join.heading": "Support-Sitzung",
    "verification.title": "Prüfen Sie den Prüfcode",
    "verification.code": "Prüfcode",
    "verification.matches": "Stimmt überein",
    "verification.differs": "Stimmt nicht überein",
    "consent.title": "Wer Ihren Bildschirm sehen möchte",
    "consent.sessionId": "Sitzungs-ID",
    "consent.caseNumber": "Vorgangsnummer",
    "consent.ends": "Sitzung endet",
    "consent.warningStrong": "Machen Sie nur weiter, wenn Sie sich selbst bei dieser Firma gemeldet haben.",
    "consent.warning":
      "Mitarbeiter von Tether rufen Sie nie unerwartet an und bitten Sie nie, Ihren Bildschirm zu zeigen. Wenn jemand Sie ohne Grund angerufen hat, schließen Sie diese Seite jetzt.",
    "consent.viewOnly":
      "Wenn Sie es erlauben, sieht dieser Techniker nur den Bildschirm, das Fenster oder den Tab, den Sie im nächsten Schritt wählen. Nur ansehen: Er kann Ihren Computer nicht bedienen. Sie können jederzeit pausieren oder aufhören.",
    "consent.allow": "Erlauben und auswählen, was geteilt wird",
    "consent.decline": "Nicht erlauben",
    "consent.titleCamera": "Wer durch Ihre Kamera sehen möchte",
    "consent.cameraOnly":
      "Der Browser dieses Telefons kann seinen Bildschirm nicht teilen. Sie können stattdessen Ihre Kamera teilen: Richten Sie sie auf das Gerät, das Kabel oder die Anzeige, bei dem Sie Hilfe brauchen. Wenn Sie es erlauben, sieht dieser Techniker nur, was die Kamera sieht. Nur ansehen: Er kann nichts steuern. Sie können jederzeit pausieren oder beenden.",
    "consent.allowCamera": "Erlauben und Kamera einschalten",
    "bar.label": "Ihre Support-Sitzung",
    "bar.stop": "Teilen beenden",
    "bar.end": "Sitzung beenden",
    "bar.preview": "Vorschau dessen, was Sie teilen",
    "bar.switchCamera": "Kamera wechseln",
    "bar.torch": "Kameralicht",
    "bar.agentAsked": "Ihr Techniker möchte Ihre Maus und Tastatur verwenden; das kann ein Browser nicht erlauben.",
    "bar.agentHow": "Mit dem Tether-Agenten erlauben",
    "bar.keepOnTopMissing":
      "Dieser Browser kann dieses Feld nicht über anderen Fenstern halten: Lassen Sie diesen Tab sichtbar, um zu sehen, worauf Ihr Techniker zeigt.",
    "ended.title": "Sitzung beendet",
    "chat.title": "Chat mit Ihrem Techniker",
    "chat.label": "Ihre Nachricht",
    "chat.send": "Senden",
    "chat.clip": "In die Zwischenablage Ihres Technikers senden",
    "files.title": "Dateien",
    "files.hint":
      "Senden Sie Ihrem Techniker eine Datei, oder ziehen Sie sie hierher. Über jede Datei, die er Ihnen schickt, entscheiden Sie selbst.",
    "files.choose": "Dateien zum Senden auswählen",
  },
  technicianFrom: "{name} von {organisation}",
  elsewhereTitle: "Diese Sitzung ist woanders geöffnet",
  link: {
    noCode:
      "Dieser Link ist beschädigt: Ein funktionierender Link endet auf einen neunstelligen Sitzungscode wie /j/123456789 und wird vollständig geöffnet. Bitten Sie Ihren Techniker, ihn noch einmal zu senden, oder öffnen Sie die Startseite und wählen Sie „Hilfe holen“.",
    incomplete: "Dieser Link ist unvollständig – bitten Sie Ihren Techniker, ihn noch einmal zu senden.",
  },
  yourTechnician: "Ihr Techniker",
  technicianLabel: (name: string, organisation: string) => `${name} (${organisation})`,
  notJoined: (name: string) => `${name} ist noch nicht da.`,
  lostConnection: (name: string, until: string | null) =>
    until
      ? `${name} hat die Verbindung verloren und kann bis ${until} zurückkommen.`
      : `${name} hat die Verbindung verloren.`,
  connected: (name: string) => `${name} ist verbunden.`,
  sharingLive: (who: string) => `${who} sieht, was Sie teilen. Nur ansehen: Es kann nichts bedient werden.`,
  sharingBeforeConnect: (who: string) =>
    `Sie teilen; ${who} sieht es, sobald die Verbindung steht. Nur ansehen: Es kann nichts bedient werden.`,
  paused: (who: string) => `Pausiert: ${who} sieht nichts, bis Sie fortsetzen.`,
  notSharing: (who: string) => `Sie teilen nichts. ${who} sieht nichts.`,
  others: (names: string[]) => `Auch in der Sitzung, ohne Blick auf Ihren Bildschirm: ${names.join(", ")}.`,
  aTechnician: "ein Techniker",
  reconnecting: "Verbindung zu Tether verloren; neue Verbindung wird aufgebaut …",
  relayFailed:
    "Der Relay-Server ist nicht erreichbar, deshalb kann Ihr Techniker Ihren Bildschirm nicht sehen. Sagen Sie es ihm; er kann die Einstellungen prüfen.",
  linkConnecting: "Verbindung zu Ihrem Techniker wird aufgebaut …",
  linkReconnecting: "Verbindung unterbrochen; neue Verbindung wird aufgebaut …",
  linkClosed: "Getrennt.",
  linkConnected: "Verbunden.",
  linkStats: (route, quality, rtt) =>
    route === null
      ? "Verbindung: nicht verbunden"
      : `Verbindung: ${[
          route === "direct" ? "direkt" : "über Relay",
          quality ? `Qualität ${{ good: "gut", fair: "mittel", poor: "schlecht" }[quality]}` : "",
          rtt === null ? "" : `${rtt} Umlaufzeit`,
        ]
          .filter(Boolean)
          .join(" · ")}`,
  noCaseNumber: "keine angegeben",
  resume: "Fortsetzen",
  pause: "Pausieren",
  shareAgain: "Wieder teilen",
  shareSomethingElse: "Etwas anderes teilen",
  codeToCheck:
    "Ihr Techniker sieht auch vier Wörter. Bitten Sie ihn, seine vorzulesen: Wenn es nicht genau diese sind, klicken Sie auf „Stimmt nicht überein“.",
  codeMatched: "Geprüft: Ihr Techniker sieht dieselben vier Wörter.",
  codeWaiting: "Sobald sich Ihr Techniker verbunden hat, erscheinen hier vier Wörter, die Sie gemeinsam prüfen.",
  ended: {
    ended_by_customer: "Sie haben die Sitzung beendet. Es wird nichts mehr geteilt.",
    declined: "Sie haben das Teilen nicht erlaubt, deshalb ist die Sitzung beendet. Es wurde nichts geteilt.",
    cancelled:
      "Sie haben Ihre Bitte um Hilfe abgebrochen. Es wurde nichts geteilt, und Sitzungs-ID und Passwort gelten nicht mehr.",
    ended_by_technician: "Der Techniker hat die Sitzung beendet. Es wird nichts mehr geteilt.",
    expired:
      "Die Sitzung hat ihre Zeitgrenze erreicht. Es wird nichts mehr geteilt. Wenn Sie weiter Hilfe brauchen, bitten Sie Ihren Techniker um einen neuen Link.",
    idle: "Die Sitzung wurde beendet, weil eine Weile nichts passiert ist. Es wird nichts mehr geteilt. Wenn Sie weiter Hilfe brauchen, bitten Sie Ihren Techniker um einen neuen Link.",
    intercepted:
      "Jemand könnte diese Verbindung abfangen: Die Seite Ihres Technikers hat nicht das Zertifikat gezeigt, das Ihre Seite geprüft hat. Deshalb ist die Sitzung beendet. Es wird nichts mehr geteilt. Sagen Sie es Ihrem Techniker und fangen Sie nur mit einem neuen Link oder Passwort neu an.",
    codeMismatch:
      "Sie haben gesagt, dass der Prüfcode nicht übereinstimmt, deshalb ist die Sitzung beendet. Es wird nichts mehr geteilt. Sagen Sie es Ihrem Techniker am Telefon.",
    unsupported:
      "Dieser Browser kann keine sichere Verbindung herstellen. Versuchen Sie ein aktuelles Chrome, Edge, Firefox oder Safari auf einem Computer.",
  },
  refused: {
    SEAT_KEY_INVALID:
      "Dieser Link passt nicht zu seiner Sitzung – bitten Sie Ihren Techniker, ihn noch einmal zu senden.",
    SESSION_NOT_FOUND:
      "Es gibt keine Sitzung mit diesem Code. Bitten Sie Ihren Techniker, den Link noch einmal zu senden.",
    SESSION_ENDED:
      "Diese Sitzung ist beendet, deshalb funktioniert dieser Link nicht mehr. Wenn Sie weiter Hilfe brauchen, bitten Sie Ihren Techniker um einen neuen Link, oder öffnen Sie die Startseite und wählen Sie „Hilfe holen“.",
    SEAT_TAKEN:
      "Jemand hat diesen Link schon geöffnet und ist in der Sitzung, deshalb kann diese Seite nicht teilnehmen. Wenn Sie das waren, wechseln Sie zu diesem Fenster. Wenn nicht, sagen Sie es Ihrem Techniker und bitten Sie um einen neuen Link.",
    REPLACED:
      "Diese Sitzung geht in einem anderen Tab oder Fenster weiter, oder im Tether-Agenten auf diesem Computer.",
  },
  chat: {
    peer: "Techniker",
  },
  keepOnTop: {
    open: "Über anderen Fenstern halten",
    close: "Zurück in die Seite",
  },
  files: {
    line: (name, size, mime, isIncoming) =>
      `${isIncoming ? "Von Ihrem Techniker" : "An Ihren Techniker"}: ${name} (${size}${mime ? `, ${mime}` : ""})`,
  },
  recording: {
    always:
      "Diese Organisation zeichnet ihre Support-Sitzungen auf: was Sie teilen, und was Sie und der Techniker sagen, während ein Mikrofon an ist. Sie können die Aufzeichnung jederzeit beenden, ohne die Sitzung zu beenden.",
    allow:
      "Aufzeichnung erlauben: Der Browser des Technikers zeichnet auf, was Sie teilen (und was Sie und der Techniker sagen, während ein Mikrofon an ist). Sie können sie jederzeit beenden, ohne die Sitzung zu beenden.",
    stop: "Aufzeichnung beenden",
    allowAgain: "Aufzeichnung erlauben",
  },
  tabZoom: {
    offered:
      "Sie teilen einen Browser-Tab: Sie können Ihrem Techniker erlauben, ihn zu vergrößern und zu verkleinern. Klicken, tippen oder scrollen kann er darin weiterhin nicht.",
    allowed: (level) =>
      level
        ? `Ihr Techniker kann den geteilten Tab vergrößern und verkleinern (jetzt ${level}).`
        : "Ihr Techniker kann den geteilten Tab vergrößern und verkleinern.",
    allow: "Meinem Techniker das Zoomen dieses Tabs erlauben",
    stop: "Zoomen des Tabs beenden",
    refused: "Der Browser hat das Zoomen des geteilten Tabs nicht erlaubt; Ihr Techniker kann ihn nicht zoomen.",
  },
  voice: {
    speaking: "Ihr Techniker spricht.",
  },
  expiring: (time) =>
    `Diese Sitzung endet um ${time}, in weniger als fünf Minuten. Wenn Sie mehr Zeit brauchen, bitten Sie Ihren Techniker, sie zu verlängern.`,
  allowed: ({ isViewing, isHearing }) => {
    if (isViewing && isHearing) return "Ihr Techniker kann gerade sehen, was Sie teilen, und Sie hören.";
    if (isViewing) return "Ihr Techniker kann gerade sehen, was Sie teilen.";
    if (isHearing) return "Ihr Techniker kann Sie gerade hören.";
    return "Ihr Techniker kann Sie gerade weder sehen noch hören.";
  },
  colleagues: {
    asking: (name: string, organisation: string) =>
      `${name} von ${organisation} möchte dieser Sitzung beitreten und sehen, was Sie teilen.`,
    admitted: (name: string, organisation: string) => `${name} von ${organisation} sieht ebenfalls, was Sie teilen.`,
    allow: "Zulassen",
    deny: "Nicht zulassen",
    remove: "Entfernen",
    allowLabel: (name: string) => `${name} zulassen`,
    denyLabel: (name: string) => `${name} nicht zulassen`,
    removeLabel: (name: string) => `${name} aus der Sitzung entfernen`,
  },
  notice: {
    pickerClosed: "Es wurde nichts geteilt: Die Auswahl wurde geschlossen, oder dieser Browser blockiert das Teilen.",
    captureFailed:
      "Dieser Browser konnte den Bildschirm nicht teilen. Versuchen Sie ein aktuelles Chrome, Edge, Firefox oder Safari auf einem Computer.",
    stoppedFromBrowser: "Sie haben das Teilen über den Browser beendet.",
    cameraDenied:
      "Es wurde nichts geteilt: Die Kamera wurde nicht erlaubt. Um sie zu teilen, erlauben Sie die Kamera für diese Seite in den Einstellungen des Browsers und versuchen Sie es erneut.",
    cameraFailed:
      "Die Kamera ließ sich nicht einschalten. Schließen Sie andere Apps, die sie verwenden, und versuchen Sie es erneut.",
    resumed:
      "Die Seite wurde neu geladen und Ihre Sitzung läuft weiter, aber gerade wird nichts geteilt. Klicken Sie auf „Wieder teilen“, um auszuwählen, was Ihr Techniker sehen darf, oder auf „Sitzung beenden“.",
    handshakeFailed:
      "Ein Verbindungsversuch hat die Sicherheitsprüfung nicht bestanden (falscher Link, falsches Passwort oder jemand stört). Es wurde nichts von Ihnen dorthin gesendet.",
    noRelay: (reason: string) => `Keine Relay-Server (${reason}); nur eine direkte Verbindung ist möglich.`,
    throttled: (failures: number) =>
      `Jemand versucht, dieser Sitzung ohne das richtige Passwort oder den richtigen Link beizutreten (${failures} ${failures === 1 ? "Fehlversuch" : "Fehlversuche"}). Tether lässt ihn zwischen den Versuchen warten. Geben Sie Ihr Passwort oder Ihren Link nur der Person, bei der Sie sich gemeldet haben.`,
  },
};

const what = {
  displayName: "Der Anzeigename",
  caseNumber: "Die Vorgangsnummer",
  machineName: "Der Name des Computers",
};

export const help: Help = {
  markup: {
    "home.title": "Tether: Fernhilfe über einen Link",
    "home.lede":
      "Fernhilfe über einen Link. Sie sehen, wer fragt, bevor etwas geteilt wird. Sie entscheiden, was man sehen darf, und Sie können jederzeit aufhören.",
    "home.getHelpTitle": "Hilfe holen",
    "home.getHelpText":
      "Wenn Ihnen ein Techniker einen Link geschickt hat, öffnen Sie ihn in diesem Browser. Wenn Sie mit einem Techniker telefonieren, klicken Sie auf „Hilfe holen“ und lesen Sie ihm die Sitzungs-ID und das Passwort vor, die dann erscheinen.",
    "home.getHelp": "Hilfe holen",
    "home.cameraOnly":
      "Auf diesem Telefon können Sie Ihre Kamera teilen, nicht Ihren Bildschirm: Ihr Techniker sieht, worauf Sie sie richten, etwa ein Gerät, ein Kabel oder eine Anzeige.",
    "home.readTheseTitle": "Lesen Sie das Ihrem Techniker vor",
    "home.sessionId": "Sitzungs-ID",
    "home.password": "Passwort",
    "home.waiting": "Warten auf Ihren Techniker. Nichts wird geteilt, bevor Sie es erlauben.",
    "home.warningStrong": "Lesen Sie das nur jemandem vor, bei dem Sie sich selbst gemeldet haben.",
    "home.warning": "Mitarbeiter von Tether rufen Sie nie unerwartet an und fragen Sie nie nach einem Code.",
    "home.signIn": "Anmeldung für Techniker",
    "home.cancel": "Abbrechen",
    "home.helpAgain": "Erneut Hilfe holen",
  },
  opening: "Sitzung wird geöffnet …",
  rotated: {
    failures:
      "Jemand hat ein falsches Passwort versucht. Lesen Sie das neue nur der Person vor, die Sie angerufen haben.",
    expired: (minutes: string) =>
      `Ihr Passwort wurde ${minutes} lang nicht benutzt und deshalb ersetzt. Lesen Sie das neue vor, wenn Ihr Techniker danach fragt.`,
  },
};

export const agentPage: AgentPage = {
  markup: {
    "agentPage.title": "Ihrem Techniker die Steuerung dieses Computers erlauben · Tether",
    "agentPage.heading": "Ihren Techniker Maus und Tastatur verwenden lassen",
    "agentPage.intro":
      "Ein Browser kann Ihren Bildschirm zeigen, aber niemanden Ihre Maus und Tastatur verwenden lassen. Der Tether-Agent kann das: ein kleines Programm, das Sie auf diesem Computer ausführen. Er tritt Ihrer Sitzung an Stelle der Sitzungsseite bei, fragt Sie erneut, bevor Ihr Techniker etwas sieht oder steuert, und hört auf, wenn Sie ihn beenden.",
    "agentPage.needs": "Er läuft unter Linux mit einem X11-Desktop und braucht Node.js 22 oder neuer und ffmpeg.",
    "agentPage.download": "1. Den Agenten herunterladen (tether-agent.mjs)",
    "agentPage.run":
      "2. Führen Sie in einem Terminal, im Ordner, in dem Sie ihn gespeichert haben, diesen Befehl aus. Er enthält das Geheimnis Ihrer Sitzung: Geben Sie ihn niemandem.",
    "agentPage.commandLabel": "Auszuführender Befehl",
    "agentPage.copy": "Kopieren",
    "agentPage.keepOpen":
      "Lassen Sie die Seite Ihrer Sitzung offen, bis der Agent beigetreten ist: Diese Seite sagt dann, dass die Sitzung anderswo weitergeht.",
  },
  noSession:
    "Diese Seite hat keine Sitzung zum Beitreten. Gehen Sie zurück zur Seite Ihrer Sitzung und wählen Sie dort „Mit dem Tether-Agenten erlauben“.",
  needsLink:
    "Der Agent tritt Sitzungen bei, die über einen Link geöffnet wurden. Bitten Sie Ihren Techniker um einen Sitzungslink, öffnen Sie ihn und wählen Sie dort „Mit dem Tether-Agenten erlauben“.",
};

export const technician: Technician = {
  errors: {
    UNAUTHENTICATED: "Sie sind nicht angemeldet. Melden Sie sich an und versuchen Sie es erneut.",
    SIGN_IN_REVOKED: "Sie wurden abgemeldet. Melden Sie sich erneut an.",
    CHALLENGE_INVALID: "Die Passkey-Anfrage ist abgelaufen. Versuchen Sie es erneut.",
    PASSKEY_INVALID: "Dieser Passkey wurde nicht angenommen. Versuchen Sie einen anderen oder fragen Sie Ihren Admin.",
    INVITE_INVALID:
      "Dieser Einladungslink funktioniert nicht: Er wurde schon benutzt, widerrufen oder ist abgelaufen. Bitten Sie Ihren Admin um einen neuen.",
    LAST_PASSKEY: "Das ist Ihr einziger Passkey, er kann nicht entfernt werden. Fügen Sie zuerst einen weiteren hinzu.",
    LAST_ADMIN: "Tether braucht mindestens einen Admin, deshalb wurde nichts geändert.",
    INVALID_NAME:
      "Dieser Name kann Kunden nicht angezeigt werden. Verwenden Sie nur Buchstaben, Ziffern und Satzzeichen.",
    NAME_LOCKED: "Ein Admin hat diesen Namen gesperrt. Bitten Sie einen Admin, ihn zu ändern.",
    SESSION_LIMIT:
      "Sie haben schon so viele laufende Sitzungen wie erlaubt. Beenden Sie eine und versuchen Sie es erneut.",
    NOT_OWNER: "Diese Sitzung gehört einem anderen Techniker.",
    REMOVED_BY_CUSTOMER: "Der Kunde hat Sie aus dieser Sitzung entfernt.",
    EXTEND_LIMIT:
      "Diese Sitzung kann nicht weiter verlängert werden: Sie hat die längste Dauer erreicht, die Ihr Admin erlaubt.",
    WEBHOOK_TARGET_NOT_ALLOWED: "Webhooks können nur an eine https://-Adresse im öffentlichen Internet gehen.",
    TOKEN_INVALID: "Dieses API-Token ist unbekannt oder widerrufen, oder es darf das nicht.",
    RECORDING_NOT_ALLOWED: "Für diese Sitzung ist keine Aufzeichnung erlaubt.",
    RECORDING_PART_INVALID:
      "Ein Teil der Aufzeichnung kam nicht in der richtigen Reihenfolge an; die Aufzeichnung wurde beendet.",
    RECORDING_STORE_FAILED:
      "Der Server konnte die Aufzeichnung nicht speichern: Sein Speicher ist ausgefallen. Was er vorher angenommen hat, bleibt erhalten.",
    PLAYBACK_LINK_INVALID: "Dieser Wiedergabelink ist abgelaufen. Spielen Sie die Aufzeichnung erneut ab.",
    UNATTENDED_OFF:
      "Unbeaufsichtigter Zugriff ist auf dieser Website aus. Ein Administrator schaltet ihn mit UNATTENDED_ACCESS in wrangler.toml ein.",
    ENROLMENT_INVALID:
      "Dieser Registrierungslink ist unbekannt, benutzt oder abgelaufen. Erstellen Sie in der Konsole einen neuen.",
    MACHINE_KEY_INVALID:
      "Die Signatur des Computers passt nicht zu seinem Schlüssel. Registrieren Sie ihn mit einem neuen Link erneut.",
    MACHINE_OFFLINE:
      "Dieser Computer ist offline: Sein Agent läuft nicht oder erreicht die Website nicht. Versuchen Sie es erneut, sobald die Konsole ihn als online zeigt.",
  },
  markup: {
    "recordings.title": "Aufzeichnungen",
    "recordings.hint":
      "Mit Einwilligung des Kunden aufgezeichnete Sitzungen. Jede Wiedergabe und Löschung wird im Prüfprotokoll festgehalten.",
    "recordings.filter": "Aufzeichnungen filtern",
    "recordings.session": "Sitzungsnummer",
    "recordings.show": "Anzeigen",
    "recordings.empty": "Keine Aufzeichnungen.",
    "recordings.player": "Aufzeichnung",
    "console.title": "Konsole · Tether",
    "console.signOut": "Abmelden",
    "console.heading": "Konsole",
    "newSession.title": "Neue Sitzung",
    "newSession.caseNumber": "Vorgangsnummer (optional)",
    "newSession.reference": "Helpdesk-Referenz (optional)",
    "newSession.create": "Neue Sitzung",
    "newSession.code": "Sitzungscode",
    "newSession.link": "Sitzungslink",
    "newSession.copy": "Kopieren",
    "newSession.copyLabel": "Sitzungslink kopieren",
    "newSession.view": "Diese Sitzung ansehen",
    "join.title": "Der Sitzung eines Kunden beitreten",
    "join.hint":
      "Der Kunde hat auf der Startseite „Hilfe holen“ geklickt und liest Ihnen eine Sitzungs-ID und ein Passwort vor.",
    "join.code": "Sitzungs-ID",
    "join.password": "Passwort",
    "join.submit": "Beitreten",
    "live.title": "Ihre laufenden Sitzungen",
    "live.none": "Gerade keine.",
    "name.title": "Ihr Name",
    "name.hint": "Kunden lesen ihn mit der Organisation, bevor sie Sie hereinlassen.",
    "name.change": "Namen ändern",
    "name.locked": "Ein Admin hat Ihren Namen gesperrt. Bitten Sie einen Admin, ihn zu ändern.",
    "passkeys.title": "Ihre Passkeys",
    "passkeys.add": "Passkey hinzufügen",
    "passkeys.hint": "Wenn Sie einen Passkey entfernen, wird jeder Browser abgemeldet, der sich damit angemeldet hat.",
    "passkeys.signOutEverywhere": "Überall abmelden",
    "tokens.title": "Ihre API-Tokens",
    "tokens.hint":
      "Mit einem Token startet eine Helpdesk-App Sitzungen für Sie. Das kann jeder, der es hat: Widerrufen Sie Tokens, die Sie nicht mehr brauchen.",
    "tokens.none": "Noch keine.",
    "tokens.create": "Token erstellen",
    "tokens.value": "Neues Token (nur jetzt sichtbar)",
    "tokens.copy": "Kopieren",
    "tokens.copyLabel": "Token kopieren",
    "webhooks.title": "Helpdesk-Webhooks",
    "webhooks.hint":
      "Tether meldet Ihrem Helpdesk, wenn eine Sitzung erstellt wird, beginnt, die Prüfung nicht besteht und endet – signiert nach Standard Webhooks.",
    "webhooks.url": "Empfängeradresse (https://)",
    "webhooks.description": "Beschreibung (optional)",
    "webhooks.events": "Ereignisse",
    "webhooks.add": "Endpunkt hinzufügen",
    "webhooks.secret": "Signaturschlüssel (nur jetzt sichtbar)",
    "webhooks.copy": "Kopieren",
    "webhooks.copyLabel": "Signaturschlüssel kopieren",
    "webhooks.none": "Noch keine Endpunkte.",
    "admin.title": "Techniker",
    "admin.invite": "Techniker einladen",
    "admin.inviteLink": "Einladungslink",
    "admin.copy": "Kopieren",
    "admin.copyLabel": "Einladungslink kopieren",
    "admin.openInvites": "Offene Einladungen",
    "admin.noInvites": "Gerade keine.",
    "machines.title": "Computer",
    "machines.hint":
      "Für unbeaufsichtigten Zugriff registrierte Computer: Admins erreichen jeden, andere Techniker nur die, die ihnen hier zugewiesen sind. Registrieren Sie einen, indem Sie auf ihm den hier erstellten Befehl ausführen.",
    "machines.hintAssigned":
      "Computer, die Sie mit der Erlaubnis eines Admins erreichen, ohne dass jemand davor sitzt. Verbinden Sie sich mit einem, solange er online ist.",
    "machines.enrol": "Computer registrieren",
    "machines.command": "Auf dem Computer ausführen (funktioniert einmal)",
    "machines.copy": "Kopieren",
    "machines.copyLabel": "Registrierungsbefehl kopieren",
    "machines.none": "Noch keine Computer.",
    "machines.noneAssigned": "Ihnen sind keine Computer zugewiesen. Ein Admin kann Ihnen welche zuweisen.",
    "audit.title": "Protokoll",
    "audit.hint": "Wer hat was wann getan: signiert, nur anhängend, neueste zuerst. Prüfen mit diesem Befehl:",
    "audit.filters": "Protokoll filtern",
    "audit.session": "Sitzungscode",
    "audit.technician": "Techniker-ID",
    "audit.type": "Ereignis",
    "audit.since": "Von",
    "audit.until": "Bis",
    "audit.show": "Anzeigen",
    "audit.empty": "Keine passenden Einträge.",
    "audit.more": "Ältere Einträge",
    "viewer.session": "Sitzung",
    "viewer.actualSize": "Originalgröße (1:1)",
    "viewer.fullScreen": "Vollbild",
    "viewer.zoomIn": "Vergrößern",
    "viewer.zoomOut": "Verkleinern",
    "viewer.zoomReset": "Zoom zurücksetzen",
    "viewer.tabZoom": "Tab des Kunden zoomen",
    "viewer.screens": "Bildschirme des Kunden",
    "viewer.tabZoomIn": "Seinen Tab vergrößern",
    "viewer.tabZoomOut": "Seinen Tab verkleinern",
    "viewer.tabZoomReset": "Zoom seines Tabs zurücksetzen",
    "viewer.end": "Sitzung beenden",
    "viewer.back": "Zurück zur Konsole",
    "viewer.invite": "Kollegen einladen",
    "viewer.inviteHint":
      "Senden Sie diesen Link an einen Kollegen, dem Sie vertrauen. Er öffnet ihn angemeldet mit seinem eigenen Passkey; der Kunde sieht seinen Namen und entscheidet, ob er ihn zulässt.",
    "viewer.inviteLink": "Link für Ihren Kollegen",
    "viewer.inviteCopy": "Kopieren",
    "viewer.inviteCopyLabel": "Link für Ihren Kollegen kopieren",
    "viewer.inviteClose": "Fertig",
    "viewer.handOverTitle": "Kollegen in dieser Sitzung",
    "viewer.handOverHint":
      "Übergeben Sie die Sitzung an einen Kollegen, den der Kunde zugelassen hat: Er ist danach ihr Inhaber, und Sie können gehen, ohne sie zu beenden.",
    "viewer.annotate": "Dem Kunden zeigen",
    "viewer.point": "Zeigen",
    "viewer.draw": "Zeichnen",
    "viewer.colour": "Farbe",
    "viewer.clearDrawing": "Zeichnungen löschen",
    "viewer.control": "Steuern",
    "viewer.ctrlAltDel": "Strg+Alt+Entf senden",
    "viewer.askControl": "Steuerung anfragen",
    "viewer.connectTitle": "Mit dem Kunden verbinden",
    "viewer.password": "Passwort des Kunden",
    "viewer.verificationTitle": "Prüfen Sie den Prüfcode",
    "viewer.verificationCode": "Prüfcode",
    "viewer.matches": "Stimmt überein",
    "viewer.differs": "Stimmt nicht überein",
    "viewer.screen": "Bildschirm des Kunden",
    "viewer.stage": "Bild des Kunden: + und − zoomen, die Pfeiltasten verschieben, 0 setzt zurück",
    "viewer.details": "Verbindungsdetails",
    "viewerChat.title": "Chat mit dem Kunden",
    "viewerChat.label": "Ihre Nachricht",
    "viewerChat.send": "Senden",
    "viewerChat.clip": "In die Zwischenablage des Kunden senden",
    "viewerChat.colleague":
      "Sie lesen als Kollege mit: Der Inhaber der Sitzung schreibt dem Kunden, zeigt, zeichnet und sendet Dateien.",
    "viewerFiles.title": "Dateien",
    "viewerFiles.hint":
      "Senden Sie dem Kunden eine Datei, oder ziehen Sie sie hierher. Der Kunde entscheidet, ob er sie annimmt.",
    "viewerFiles.choose": "Dateien zum Senden auswählen",
    "stat.route": "Verbindung",
    "stat.relay": "Relay",
    "stat.quality": "Qualität",
    "stat.rtt": "Umlaufzeit",
    "stat.fps": "Bilder pro Sekunde",
    "stat.bitrate": "Bitrate",
    "stat.resolution": "Auflösung",
    "stat.codec": "Codec",
    "stat.restarts": "ICE-Neustarts",
    "enrol.title": "Registrieren · Tether",
    "enrol.heading": "Als Techniker registrieren",
    "enrol.intro":
      "Erstellen Sie einen Passkey, um sich an der Tether-Konsole anzumelden. Dieser Link funktioniert einmal.",
    "enrol.name": "Ihr Name",
    "enrol.nameHint": "Kunden sehen diesen Namen, bevor sie Ihnen die Verbindung erlauben.",
    "enrol.create": "Passkey erstellen",
    "signIn.title": "Anmelden · Tether",
    "signIn.heading": "Anmeldung für Techniker",
    "signIn.intro":
      "Melden Sie sich mit dem Passkey an, den Sie bei der Registrierung erstellt haben, auf diesem Gerät oder auf Ihrem Telefon.",
    "signIn.button": "Mit Passkey anmelden",
    "signIn.back": "Zurück zu Tether",
  },
  waitingForPasskey: "Warten auf Ihren Passkey …",
  signedIn: "Angemeldet.",
  enrol: {
    needName: "Geben Sie den Namen ein, den Kunden sehen.",
    created: "Passkey erstellt.",
    incomplete:
      "Dieser Registrierungslink ist unvollständig. Öffnen Sie den ganzen Link, den Sie bekommen haben, oder bitten Sie Ihren Admin um einen neuen.",
  },
  passkeyError: {
    cancelled:
      "Die Passkey-Anfrage wurde abgebrochen oder ist abgelaufen. Versuchen Sie es erneut, wenn Sie bereit sind.",
    exists: "Dieses Gerät hat schon einen Passkey für Ihr Konto.",
    failed: "Ihr Browser konnte keinen Passkey verwenden.",
  },
  nameProblem: (field, problem) => {
    const subject = what[field];
    switch (problem.kind) {
      case "direction":
        return `${subject} enthält ein Zeichen, das die Schreibrichtung ändert (${problem.at}); entfernen Sie es.`;
      case "control":
        return `${subject} enthält ein Steuerzeichen oder einen Zeilenumbruch (${problem.at}); entfernen Sie es.`;
      case "invisible":
        return `${subject} enthält ein unsichtbares Zeichen (${problem.at}); entfernen Sie es.`;
      case "unassigned":
        return `${subject} enthält ein nicht zugewiesenes oder privates Zeichen (${problem.at}); entfernen Sie es.`;
      case "symbol":
        return `${subject} enthält ein Symbol oder Emoji (${problem.at}); verwenden Sie nur Buchstaben, Ziffern und Satzzeichen.`;
      case "styled":
        return `${subject} enthält eine gestaltete oder breite Form eines Zeichens (${problem.at}); tippen Sie es normal.`;
      case "script":
        return `${subject} enthält einen Buchstaben einer Schrift, die in Namen nicht erlaubt ist (${problem.at}); verwenden Sie eine andere Schrift.`;
      case "loneMark":
        return `${subject} enthält ein Akzentzeichen ohne Buchstaben (${problem.at}); entfernen Sie es.`;
      case "stackedMarks":
        return `${subject} stapelt zu viele Akzentzeichen (${problem.at}); entfernen Sie einige.`;
      case "mixedScripts":
        return `${subject} mischt Buchstaben der Schriften ${problem.scripts[0]} und ${problem.scripts[1]}; verwenden Sie eine Schrift.`;
    }
  },
  console: {
    signedInAs: (name, isAdmin) => `Angemeldet als ${name}${isAdmin ? " (Admin)" : ""}`,
    renameMePrompt: "Ihr Name, wie Kunden ihn sehen, bevor sie Sie hereinlassen:",
    renamedMe: (name) => `Kunden sehen Ihren Namen jetzt als ${name}.`,
    badCode: "Die Sitzungs-ID hat neun Ziffern, zum Beispiel 123 456 789.",
    badPassword:
      "Das Passwort besteht aus drei Wörtern, zum Beispiel maple river owl. Fragen Sie den Kunden noch einmal.",
    passkeyLabel: (n) => `Passkey ${n}`,
    passkeyUsed: (when) => (when === null ? "noch nie zum Anmelden benutzt" : `zuletzt benutzt ${when}`),
    passkeyLine: (label, added, used) => `${label}: hinzugefügt ${added}, ${used}`,
    remove: "Entfernen",
    removeLabel: (label) => `${label} entfernen`,
    rename: "Umbenennen",
    renameLabel: (label) => `${label} umbenennen`,
    renamePrompt: (label) => `Ein Name für ${label} (zum Beispiel „Arbeitslaptop“):`,
    badPasskeyName: "Der Name eines Passkeys hat 1 bis 64 Zeichen.",
    passkeyRenamed: "Passkey umbenannt.",
    passkeyRemoved: "Passkey entfernt; die Browser, die sich damit angemeldet haben, sind abgemeldet.",
    confirmSignOutEverywhere: "In jedem Browser von Tether abmelden, auch in diesem?",
    waitingForNewPasskey: "Warten auf Ihren neuen Passkey …",
    passkeyAdded: "Passkey hinzugefügt.",
    noSecret:
      "Dieser Browser konnte kein Geheimnis für den Link erzeugen. Laden Sie die Seite neu und versuchen Sie es erneut.",
    expires: (when) => `Läuft ab: ${when}.`,
    sessionCreated: "Sitzung erstellt. Senden Sie Ihrem Kunden den ganzen Link: Der Teil nach # ist sein Geheimnis.",
    linkNotHere: (code) => `${code} (dieser Browser hat den Link nicht)`,
    sessionDetails: (caseNumber, reference, expires) =>
      [
        caseNumber === null ? "" : `Vorgang ${caseNumber}`,
        reference === null ? "" : `Helpdesk ${reference}`,
        `läuft ab ${expires}`,
      ]
        .filter(Boolean)
        .join(", "),
    view: "Ansehen",
    viewLabel: (code) => `Sitzung ${code} ansehen`,
    inviteExpiry: (when) => `Funktioniert einmal, bis ${when}.`,
    inviteCreated: "Einladungslink erstellt. Senden Sie ihn dem Techniker über einen Weg, dem Sie vertrauen.",
    copied: "Kopiert.",
    notCopied: "Kopieren ging nicht; der Link ist markiert, kopieren Sie ihn mit der Tastatur.",
  },
  helpdesk: {
    tokenLine: (name, created, used) =>
      `${name}: erstellt ${created}, ${used === null ? "nie benutzt" : `zuletzt benutzt ${used}`}`,
    revoke: "Widerrufen",
    revokeLabel: (name) => `Token ${name} widerrufen`,
    tokenNamePrompt: "Ein Name für das Token, etwa die Helpdesk-App, die es benutzt:",
    badTokenName: "Der Name eines Tokens hat 1 bis 60 Zeichen.",
    tokenCreated: "Token erstellt. Kopieren Sie es jetzt: Es wird nicht noch einmal angezeigt.",
    tokenRevoked: "Token widerrufen: Es funktioniert nicht mehr.",
    eventName: {
      "session.created": "Sitzung erstellt",
      "session.started": "Sitzung begonnen",
      "session.verification_failed": "Prüfung fehlgeschlagen",
      "session.ended": "Sitzung beendet",
      "recording.available": "Aufzeichnung verfügbar",
    },
    endpointLine: (url, description, events, state) =>
      `${url}${description ? ` (${description})` : ""}: ${events}. ${state}`,
    delivering: "Wird zugestellt.",
    retrying: (failures, next) =>
      `${failures === 1 ? "Der letzte Versuch ist" : `Die letzten ${failures} Versuche sind`} fehlgeschlagen; nächster Versuch ${next}.`,
    stopped: (when) =>
      `Angehalten ${when}: Jeder neue Versuch einer Nachricht ist fehlgeschlagen. Beheben Sie den Fehler beim Empfänger und aktivieren Sie den Endpunkt wieder.`,
    log: "Zustellprotokoll",
    logLabel: (url) => `Zustellprotokoll von ${url}`,
    enable: "Aktivieren",
    enableLabel: (url) => `${url} wieder aktivieren`,
    remove: "Entfernen",
    removeLabel: (url) => `${url} entfernen`,
    confirmRemove: (url) => `Den Endpunkt ${url} entfernen? Er erhält dann nichts mehr.`,
    attemptLine: (id, event, attempt, at, status, isManual) =>
      `${id} (${event}), ${isManual ? "von Hand erneut gesendet" : `Versuch ${attempt}`}, ${at}: ${status === null ? "keine Antwort" : `HTTP ${status}`}`,
    redeliver: "Erneut senden",
    redeliverLabel: (id) => `${id} erneut senden`,
    redelivered: (isDelivered) =>
      isDelivered
        ? "Erneut gesendet; der Empfänger hat es angenommen."
        : "Erneut gesendet; der Empfänger hat es nicht angenommen.",
    noAttempts: "Noch nichts gesendet.",
    needEvents: "Wählen Sie mindestens ein Ereignis.",
    added: "Endpunkt hinzugefügt. Kopieren Sie jetzt den Signaturschlüssel: Er wird nicht noch einmal angezeigt.",
    enabled: "Endpunkt aktiviert: Die Zustellung geht dort weiter, wo sie angehalten hat.",
    removed: "Endpunkt entfernt.",
  },
  machines: {
    machineLine: (m, key, enrolled, lastSeen) =>
      `${m.name} (${m.os}), Schlüssel ${key}, registriert ${enrolled}: ${m.isOnline ? (m.isBusy ? "online, in einer Sitzung" : "online") : `offline, zuletzt gesehen ${lastSeen ?? "nie"}`}`,
    created: (until) =>
      `Registrierungsbefehl erstellt: Führen Sie ihn auf dem Computer aus. Er funktioniert einmal, bis ${until}.`,
    rename: "Umbenennen",
    renameLabel: (name) => `${name} umbenennen`,
    renamePrompt: (name) => `Der Name von ${name} in der Konsole:`,
    renamed: (name) => `Der Computer heißt jetzt ${name}.`,
    remove: "Entfernen",
    removeLabel: (name) => `${name} entfernen`,
    confirmRemove: (name) =>
      `${name} entfernen? Sein Schlüssel funktioniert dann nicht mehr; er muss erneut registriert werden, um erreichbar zu sein.`,
    removed: (name) => `${name} wurde entfernt.`,
    connect: "Verbinden",
    connectLabel: (name) => `Mit ${name} verbinden`,
    access: (count) =>
      count === 0 ? "Wer ihn erreichen darf: nur Admins" : `Wer ihn erreichen darf: Admins und ${count} Techniker`,
    accessLabel: (name) => `Techniker, die ${name} erreichen dürfen`,
    noneAssignable: "Außer den Admins gibt es keine Techniker; Admins erreichen jeden Computer.",
    accessChanged: (technician, machine, isAssigned) =>
      isAssigned
        ? `${technician} darf ${machine} jetzt erreichen.`
        : `${technician} darf ${machine} nicht mehr erreichen.`,
  },
  admin: {
    technicianLine: (t, lastSignIn, isYou) =>
      `${t.name}${t.isAdmin ? " (Admin)" : ""}${t.nameLocked ? " (Name gesperrt)" : ""}: ${t.passkeys} ${t.passkeys === 1 ? "Passkey" : "Passkeys"}, letzte Anmeldung ${lastSignIn ?? "nie"}, ${t.liveSessions} ${t.liveSessions === 1 ? "laufende Sitzung" : "laufende Sitzungen"}${isYou ? " (Sie)" : ""}`,
    promote: "Zum Admin machen",
    demote: "Admin-Rechte entziehen",
    promoteLabel: (name) => `${name} zum Admin machen`,
    demoteLabel: (name) => `${name} die Admin-Rechte entziehen`,
    editName: "Namen bearbeiten",
    editNameLabel: (name) => `${name}: Namen bearbeiten`,
    editNamePrompt: (name) => `Der Name, den Kunden für ${name} sehen:`,
    nameChanged: (name) => `Der Anzeigename ist jetzt ${name}.`,
    lockName: "Namen sperren",
    lockNameLabel: (name) => `${name}: Namen sperren`,
    unlockName: "Namen entsperren",
    unlockNameLabel: (name) => `${name}: Namen entsperren`,
    nameLockChanged: (name, isLocked) =>
      isLocked
        ? `Der Anzeigename von ${name} ist gesperrt: Nur ein Admin kann ihn ändern.`
        : `${name} kann den eigenen Namen wieder ändern.`,
    remove: "Entfernen",
    removeLabel: (name) => `${name} entfernen`,
    confirmRemove: (name) =>
      `${name} entfernen? Die Passkeys funktionieren nicht mehr, die Person wird überall abgemeldet und verlässt ihre Sitzungen innerhalb einer Minute.`,
    removed: (name) => `${name} wurde entfernt und überall abgemeldet.`,
    roleChanged: (name, isAdmin) => (isAdmin ? `${name} ist jetzt Admin.` : `${name} ist kein Admin mehr.`),
    inviteLine: (isAdmin, by, expires) =>
      `${isAdmin ? "Admin-Einladung" : "Einladung"} von ${by ?? "der Kommandozeile"}, gültig bis ${expires}`,
    revoke: "Widerrufen",
    revokeLabel: (expires) => `Die Einladung widerrufen, die bis ${expires} gültig ist`,
    revoked: "Einladung widerrufen: Ihr Link funktioniert nicht mehr.",
  },
  audit: {
    anyType: "Jedes Ereignis",
    types: {
      technician_enrolled: "Techniker registriert",
      technician_invited: "Techniker eingeladen",
      invite_revoked: "Einladung widerrufen",
      technician_removed: "Techniker entfernt",
      technician_role_changed: "Rolle geändert",
      passkey_added: "Passkey hinzugefügt",
      passkey_removed: "Passkey entfernt",
      sign_in_succeeded: "Anmeldung erfolgreich",
      sign_in_failed: "Anmeldung fehlgeschlagen",
      signed_out: "abgemeldet",
      session_created: "Sitzung erstellt",
      handshake_succeeded: "Handshake erfolgreich",
      handshake_failed: "Handshake fehlgeschlagen",
      technician_admitted: "Techniker zugelassen",
      technician_dropped: "Techniker getrennt",
      colleague_invited: "Kollege eingeladen",
      colleague_admitted: "Kollege vom Kunden zugelassen",
      colleague_removed: "Kollege vom Kunden entfernt",
      session_handed_over: "Sitzung übergeben",
      session_ended: "Sitzung beendet",
      session_extended: "Sitzung verlängert",
      verification_mismatch: "Prüfcode stimmte nicht überein",
      consent_given: "Kunde hat zugestimmt",
      consent_withdrawn: "Kunde hat die Zustimmung zurückgezogen",
      webhook_added: "Webhook hinzugefügt",
      webhook_removed: "Webhook entfernt",
      api_token_created: "API-Token erstellt",
      api_token_revoked: "API-Token widerrufen",
      recording_started: "Aufzeichnung gestartet",
      recording_stopped: "Aufzeichnung beendet",
      recording_deleted: "Aufzeichnung gelöscht",
      recording_played: "Aufzeichnung abgespielt",
      file_transferred: "Datei übertragen",
      machine_enrolment_created: "Computerregistrierung erstellt",
      machine_enrolled: "Computer registriert",
      machine_renamed: "Computer umbenannt",
      machine_removed: "Computer entfernt",
      machine_session_opened: "Unbeaufsichtigte Sitzung geöffnet",
      machine_assigned: "Computer einem Techniker zugewiesen",
      machine_unassigned: "Zuweisung eines Computers aufgehoben",
    },
    line: (seq, time, type, actor, session) =>
      `#${seq} ${time}: ${type} durch ${actor}${session ? ` in Sitzung ${session}` : ""}`,
    noValue: "keine",
    unreadable: "Ein Eintrag konnte nicht gelesen werden; führen Sie npm run audit:verify aus.",
    badSession: "Ein Sitzungscode hat 9 Ziffern.",
  },
  chat: {
    peer: "Kunde",
    owner: "Inhaber der Sitzung",
  },
  files: {
    line: (name, size, mime, isIncoming) =>
      `${isIncoming ? "Vom Kunden" : "An den Kunden"}: ${name} (${size}${mime ? `, ${mime}` : ""})`,
  },
  recording: {
    started: "Aufzeichnung: Der Bildschirm des Kunden wird aufgezeichnet und hochgeladen.",
    stopped: "Die Aufzeichnung wurde beendet und gespeichert.",
    failed: (error: string) => `Die Aufzeichnung wurde beendet: ${error}`,
  },
  recordings: {
    line: (session: string, started: string, size: string, isUploading: boolean) =>
      `Sitzung ${session}, ${started}, ${size}${isUploading ? ", wird noch hochgeladen" : ""}`,
    hash: (sha256: string) => `SHA-256 ${sha256}`,
    deletesOn: (date: string) => `Wird am ${date} automatisch gelöscht.`,
    play: "Abspielen",
    playLabel: (started: string) => `Abspielen: Aufzeichnung vom ${started}`,
    delete: "Löschen",
    deleteLabel: (started: string) => `Löschen: Aufzeichnung vom ${started}`,
    deleted: "Aufzeichnung gelöscht.",
    playing: (started: string) => `Die Aufzeichnung vom ${started} wird abgespielt.`,
    badSession: "Eine Sitzungsnummer hat 9 Ziffern.",
  },
  voice: {
    speaking: "Der Kunde spricht.",
  },
  viewer: {
    expiry: {
      at: (time) => `Die Sitzung endet um ${time}.`,
      soon: (time, canExtend) =>
        canExtend
          ? `Die Sitzung endet um ${time}, in weniger als fünf Minuten. Verlängern Sie sie, wenn Sie mehr Zeit brauchen.`
          : `Die Sitzung endet um ${time}, in weniger als fünf Minuten. Sie kann nicht weiter verlängert werden.`,
      extend: "Sitzung verlängern",
    },
    colours: { red: "Rot", yellow: "Gelb", blue: "Blau", green: "Grün" },
    tabZoom: {
      offered: "Der Kunde teilt einen Browser-Tab: Er kann Ihnen in seiner Sitzungsleiste erlauben, ihn zu zoomen.",
      level: (level) => `Zoom seines Tabs: ${level}`,
    },
    askControl: {
      asked:
        "Steuerung angefragt: Die Seite des Kunden bietet ihm den Tether-Agenten an, der dieser Sitzung an ihrer Stelle beitritt.",
    },
    screens: {
      screen: (number, size) => `Bildschirm ${number} (${size})`,
    },
    surface: {
      monitor: "den ganzen Bildschirm",
      window: "ein Fenster",
      browser: "einen Browser-Tab",
      unknown: "den Bildschirm",
      camera: "seine Kamera",
    },
    customer: {
      notYet: "Der Kunde hat die Sitzung noch nicht geöffnet.",
      lost: (until) =>
        until
          ? `Der Kunde hat die Verbindung verloren. Er kann bis ${until} zurückkommen.`
          : "Der Kunde hat die Verbindung verloren.",
      deciding: "Der Kunde ist verbunden und entscheidet, ob er das Ansehen erlaubt.",
      cameraOnly:
        "Der Kunde ist an einem Telefon: nur Kamera. Er kann Ihnen ein Gerät, ein Kabel oder eine Anzeige durch seine Kamera zeigen, nicht seinen Bildschirm.",
      sharing: (surface) => `Der Kunde teilt ${surface}. Nur ansehen.`,
      sharingControl: (surface) =>
        `Der Kunde teilt ${surface} und lässt Sie Maus und Tastatur benutzen: Wählen Sie Steuern und klicken Sie dann in das Bild.`,
      paused: "Der Kunde hat das Teilen pausiert.",
      stopped: "Der Kunde hat das Teilen beendet.",
    },
    machine: {
      notYet:
        "Warten, bis der Agent des Computers beitritt. Solange der Computer online ist, dauert das wenige Sekunden.",
      busy: "Der Computer ist in einer anderen Sitzung, mit der ihr Techniker verbunden ist. Ihre beginnt, sobald diese endet oder ihr Techniker sie verlässt.",
      lost: (until) =>
        until
          ? `Der Computer hat die Verbindung verloren. Sein Agent kann bis ${until} zurückkommen.`
          : "Der Computer hat die Verbindung verloren.",
      starting: "Der Agent des Computers ist verbunden und beginnt, seinen Bildschirm zu teilen.",
      sharing: "Der Computer teilt seinen Bildschirm. Nur ansehen.",
      sharingControl:
        "Der Computer teilt seinen Bildschirm und lässt Sie Maus und Tastatur benutzen: Wählen Sie Steuern und klicken Sie dann in das Bild.",
      paused: "Jemand am Computer hat das Teilen pausiert.",
      stopped: "Jemand am Computer hat das Teilen beendet.",
      waiting: "Warten auf den Computer …",
      waitingForScreen: "Warten auf den Bildschirm des Computers …",
      ended: {
        ended_by_customer:
          "Die Sitzung wurde am Computer beendet: Jemand dort hat auf Beenden geklickt, sein Agent wurde angehalten, oder er ist zu einer neueren Sitzung gewechselt, während Sie weg waren.",
        expired:
          "Die Sitzung hat ihre Höchstdauer erreicht. Verbinden Sie sich unter Computer neu, wenn Sie den Computer noch brauchen.",
        idle: "Die Sitzung wurde nach einer Zeit ohne Aktivität beendet. Verbinden Sie sich unter Computer neu, wenn Sie den Computer noch brauchen.",
      },
    },
    overlay: {
      ended: "Sitzung beendet.",
      declined: "Der Kunde hat das Ansehen nicht erlaubt.",
      signalingLost: "Verbindung zu Tether verloren; neue Verbindung wird aufgebaut …",
      waitingForCustomer: "Warten auf den Kunden …",
      paused: "Vom Kunden pausiert.",
      stopped: "Der Kunde hat das Teilen beendet.",
      reconnecting: "Verbindung unterbrochen; neue Verbindung wird aufgebaut …",
      customerLost: "Der Kunde hat die Verbindung verloren.",
      waitingForAllow: "Warten, bis der Kunde das Ansehen erlaubt …",
      waitingForCamera: "Warten, bis der Kunde die Kamera erlaubt …",
      intercepted: "Jemand könnte diese Verbindung abfangen.",
    },
    check: {
      needsPassword: "Geben Sie das Passwort ein, das der Kunde Ihnen vorliest, und klicken Sie dann auf Verbinden.",
      wrongPassword:
        "Das Passwort stimmte nicht. Bitten Sie den Kunden, es noch einmal vorzulesen, und geben Sie es unten ein.",
      running: "Es wird geprüft, ob die Seite des Kunden das Geheimnis dieser Sitzung kennt …",
      waiting: (wait) =>
        `Zu viele Versuche für diese Sitzung: Tether bittet, ${wait} zu warten. Der nächste Versuch startet von selbst.`,
      refused:
        "Die Seite des Kunden hat das Geheimnis dieser Sitzung nicht angenommen, deshalb wurde nichts verbunden.",
      failed:
        "Die Seite des Kunden konnte das Geheimnis dieser Sitzung nicht nachweisen; vielleicht stört jemand. Es wurde nichts verbunden.",
      linkHint: "Nichts wird verbunden, bevor die Seite des Kunden das Geheimnis der Sitzung nachgewiesen hat.",
      passwordHint:
        "Die Seite des Kunden zeigt ein Passwort aus drei Wörtern. Es erreicht nie die Server von Tether: Nur die Seite des Kunden kann es prüfen.",
      noLinkSecret: "Das Geheimnis eines Sitzungslinks gibt es nur in dem Browser-Tab, der die Sitzung erstellt hat.",
      connect: "Verbinden",
      tryAgain: "Erneut versuchen",
      badPassword:
        "Das Passwort besteht aus drei Wörtern, zum Beispiel maple river owl. Fragen Sie den Kunden noch einmal.",
      machineRunning: "Es wird geprüft, ob der Computer den Schlüssel besitzt, mit dem er registriert wurde …",
      machineFailed:
        "Der Computer konnte nicht beweisen, dass er den Schlüssel besitzt, mit dem er registriert wurde; jemand könnte sich als er ausgeben. Es wurde nichts verbunden.",
      machineHint:
        "Es wird nichts verbunden, bevor der Computer diese Verbindung mit dem Schlüssel signiert hat, mit dem er registriert wurde.",
    },
    verification: {
      toCheck:
        "Lesen Sie dem Kunden diese vier Wörter vor oder bitten Sie ihn, seine vorzulesen. Wenn sie sich unterscheiden, klicken Sie auf „Stimmt nicht überein“.",
      matched: "Geprüft: Der Kunde sieht dieselben vier Wörter.",
      machine:
        "Der Computer hat diese Verbindung mit dem Schlüssel signiert, mit dem er registriert wurde. Es ist der Schlüssel, den die Konsole für ihn anzeigt.",
    },
    ended: {
      ended_by_customer: "Der Kunde hat die Sitzung beendet.",
      declined:
        "Der Kunde hat Ihnen den Blick auf seinen Bildschirm nicht erlaubt: Er hat auf „Nicht erlauben“ geklickt, und es wurde nichts geteilt. Wenn er weiter Hilfe möchte, sprechen Sie mit ihm und erstellen Sie dann eine neue Sitzung.",
      ended_by_technician: "Sie haben die Sitzung beendet.",
      expired:
        "Die Sitzung hat ihre Zeitgrenze erreicht. Wenn der Kunde weiter Hilfe braucht, erstellen Sie eine neue Sitzung.",
      idle: "Die Sitzung wurde beendet, weil eine Weile nichts passiert ist. Wenn der Kunde weiter Hilfe braucht, erstellen Sie eine neue Sitzung.",
      intercepted:
        "Jemand könnte diese Verbindung abfangen: Die Seite des Kunden hat nicht das Zertifikat gezeigt, das der Handshake nachgewiesen hat. Deshalb ist die Sitzung beendet. Es wird nichts mehr gezeigt. Rufen Sie den Kunden an und beginnen Sie mit einer neuen Sitzung.",
      codeMismatch: "Sie haben gesagt, dass der Prüfcode nicht übereinstimmt, deshalb ist die Sitzung beendet.",
      unsupported:
        "Dieser Browser kann keine sichere Verbindung herstellen. Verwenden Sie ein aktuelles Chrome, Edge, Firefox oder Safari.",
    },
    refused: {
      NOT_OWNER:
        "Diese Sitzung gehört einem anderen Techniker: Die Seite des Kunden hat ihn bestätigt, oder er hat sie erstellt. Sie können sie nicht ansehen.",
      REMOVED_BY_CUSTOMER:
        "Der Kunde hat Sie aus dieser Sitzung entfernt. Sie sehen seinen Bildschirm nicht mehr und können nicht wieder beitreten.",
      SESSION_NOT_FOUND: "Es gibt keine Sitzung mit diesem Code.",
      SESSION_ENDED: "Diese Sitzung ist beendet.",
      REPLACED: "Diese Sitzung wurde in einem anderen Tab oder Fenster geöffnet.",
    },
    colleague: {
      waiting:
        "Sie sind als Kollege beigetreten. Der Kunde entscheidet, ob er Sie zulässt; dann sehen Sie, was er teilt.",
      handOver: (name: string) => `Sitzung an ${name} übergeben`,
      confirmHandOver: (name: string) => `Bestätigen: Sitzung an ${name} übergeben`,
      confirmHint:
        "Klicken Sie zur Bestätigung erneut. Danach können Sie gehen; die Sitzung läuft mit Ihrem Kollegen weiter.",
    },
    noRelay: (reason) => `Keine Relay-Server (${reason}); nur eine direkte Verbindung ist möglich.`,
    relayFailure: {
      refused:
        "Der Relay-Server ist nicht erreichbar: Er hat die Zugangsdaten dieser Sitzung abgelehnt. Prüfen Sie TURN_SECRET.",
      unreachable:
        "Der Relay-Server ist nicht erreichbar. Prüfen Sie TURN_URLS und ob das Netz den Browser dorthin lässt.",
    },
    relay: {
      none: "Aus – nur direkte Verbindungen",
      coturn: "coturn",
      cloudflare: "Cloudflare",
      forced: (name) => `${name}, für jede Verbindung`,
      fallback: (name) => `${name}, wenn kein direkter Weg klappt`,
    },
    route: {
      relayed: "Über Relay",
      relayedOver: (protocol) => `Über Relay (${protocol.toUpperCase()})`,
      direct: "Direkt",
      connected: "Verbunden",
      noRelay: "Fehlgeschlagen: kein Relay",
      reconnecting: "Neue Verbindung …",
      connecting: "Verbindung wird aufgebaut …",
      none: "Nicht verbunden",
    },
    bitrate: (kbps) => `${kbps} kbit/s`,
    quality: { good: "gut", fair: "mittel", poor: "schlecht" },
  },
};

export const agent: Agent = {
  serve: {
    online: (name) => `${name} ist für unbeaufsichtigten Zugriff online. Drücken Sie Strg+C zum Beenden.`,
    unreachable: "Die Website ist nicht erreichbar; neuer Versuch…",
    removed:
      "Dieser Computer wurde in der Konsole entfernt, daher beendet sich der Agent. Registrieren Sie ihn erneut, um ihn zu erreichen.",
    off: "Unbeaufsichtigter Zugriff ist auf dieser Website jetzt aus, daher beendet sich der Agent.",
    noIdentity: (file) =>
      `Dieser Computer ist nicht registriert: ${file} existiert nicht. Registrieren Sie ihn zuerst mit dem Befehl aus der Konsole.`,
    badIdentity: (file) =>
      `Die Identität des Computers in ${file} ist nicht lesbar. Registrieren Sie den Computer erneut.`,
    refused:
      "Die Website hat das Lebenszeichen dieses Computers nicht angenommen (prüfen Sie seine Uhr); neuer Versuch…",
    stopped: "Der Agent wurde beendet.",
  },
  enrol: {
    badLink:
      "Das ist kein Link zur Registrierung eines Computers. Führen Sie den ganzen Befehl aus der Konsole aus: enrol https://…/enrol-machine#…",
    enrolling: "Dieser Computer wird registriert…",
    enrolled: (name, key, file) =>
      `Dieser Computer ist als ${name} registriert. Sein Schlüssel: ${key} (die Konsole zeigt denselben). Seine Identität liegt in ${file}.`,
    already: (file) =>
      `Dieser Computer ist bereits registriert: ${file} existiert. Um ihn erneut zu registrieren, entfernen Sie ihn in der Konsole und löschen Sie diese Datei.`,
    off: "Unbeaufsichtigter Zugriff ist auf dieser Website aus; fragen Sie ihren Administrator.",
    linkUsed:
      "Dieser Registrierungslink ist unbekannt, benutzt oder abgelaufen. Erstellen Sie in der Konsole einen neuen.",
    keyRefused:
      "Die Website hat den Schlüssel dieses Computers nicht angenommen. Erstellen Sie einen neuen Link und registrieren Sie erneut.",
    rateLimited: "Zu viele Versuche aus diesem Netzwerk. Warten Sie eine Minute und versuchen Sie es dann erneut.",
    unreachable: "Die Website war nicht erreichbar. Prüfen Sie den Link und das Netzwerk und versuchen Sie es erneut.",
    failed: "Die Registrierung ist fehlgeschlagen. Versuchen Sie es mit einem neuen Link erneut.",
    notSaved: (file) => `Die Identität des Computers konnte nicht in ${file} gespeichert werden.`,
  },
  link: {
    notALink:
      "Das ist kein Tether-Sitzungslink. Starten Sie den Agenten mit dem ganzen Link, den Ihr Techniker Ihnen geschickt hat: https://…/j/123456789#…",
    noSecret:
      "Dem Link fehlt sein letzter Teil (nach dem #). Kopieren Sie den ganzen Link und versuchen Sie es noch einmal.",
    badSecret:
      "Der Link ist beschädigt. Kopieren Sie den ganzen Link noch einmal oder bitten Sie Ihren Techniker um einen neuen.",
    insecure: "Der Link muss mit https:// beginnen.",
  },
  connecting: "Verbindung zur Sitzung wird hergestellt…",
  reconnecting: "Die Verbindung ist abgebrochen; neuer Versuch…",
  waiting: "Warten auf Ihren Techniker…",
  asking: (name: string, organisation: string) => `${name} (${organisation}) möchte Ihren Bildschirm sehen.`,
  caseNumber: (caseNumber: string) => `Vorgangsnummer: ${caseNumber}`,
  warning:
    "Machen Sie nur weiter, wenn Sie sich selbst an diese Organisation gewandt haben. Tether-Mitarbeiter rufen Sie nie unerwartet an.",
  verificationCode: (code: string) => `Prüfcode: ${code}`,
  confirmCode:
    "Liest Ihr Techniker genau diese vier Wörter vor? Tippen Sie j (ja) oder n (nein) und dann die Eingabetaste: ",
  allowView:
    "Dürfen sie Ihren Bildschirm sehen (nur ansehen, keine Steuerung)? Tippen Sie j (ja) oder n (nein) und dann die Eingabetaste: ",
  yesNo: "Bitte tippen Sie j (ja) oder n (nein).",
  yes: "j",
  no: "n",
  endWord: "ende",
  viewing:
    "Ihr Techniker sieht jetzt Ihren Bildschirm. Tippen Sie ende und die Eingabetaste (oder drücken Sie Strg+C), um die Sitzung zu beenden.",
  allowControl:
    "Dürfen sie auch Ihre Maus und Tastatur benutzen? Sie könnten dann auf diesem Computer klicken und tippen wie Sie. Tippen Sie j (ja) oder n (nein) und dann die Eingabetaste: ",
  stopWord: "stopp",
  controlWord: "steuern",
  controlOn:
    "Ihr Techniker kann jetzt Ihre Maus und Tastatur benutzen. Drücken Sie Strg+Alt+Ende oder tippen Sie stopp und die Eingabetaste, um das sofort zu beenden; ende beendet die Sitzung.",
  controlOff:
    "Ihr Techniker kann Ihre Maus und Tastatur nicht mehr benutzen; Ihren Bildschirm sieht er weiterhin. Tippen Sie steuern und die Eingabetaste, um es wieder zu erlauben.",
  indicatorViewing: (name) => `Tether: ${name} sieht Ihren Bildschirm.`,
  indicatorControl: (name) => `Tether: ${name} steuert Maus und Tastatur. Strg+Alt+Ende beendet das.`,
  indicatorEnd: "Beenden",
  dialogTitle: "Tether-Fernhilfe",
  dialog: {
    confirmCode: {
      question: "Liest Ihr Techniker genau diese vier Wörter vor?",
      yes: "Stimmt überein",
      no: "Stimmt nicht überein",
    },
    allowView: {
      question: "Dürfen sie Ihren Bildschirm sehen? Nur ansehen, keine Steuerung.",
      yes: "Erlauben",
      no: "Nicht erlauben",
    },
    allowControl: {
      question: "Dürfen sie auch Ihre Maus und Tastatur benutzen? Sie könnten hier klicken und tippen wie Sie.",
      yes: "Steuern erlauben",
      no: "Nur ansehen",
    },
  },
  captureFailed:
    "Ihr Bildschirm konnte nicht mehr aufgenommen werden, deshalb ist die Sitzung beendet. Es wird nichts mehr geteilt.",
};
