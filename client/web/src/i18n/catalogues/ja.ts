import type { Agent, AgentPage, Common, Customer, Help, Technician } from "../catalogue.ts";

// 日本語。お客様向けの文は、専門用語を避けた丁寧な言葉で書いています。警告は一度読んで分かることを優先します。

export const common: Common = {
  language: "言語",
  errors: {
    BAD_REQUEST: "この要求は受け付けられませんでした。入力内容を確認して、もう一度お試しください。",
    FORBIDDEN: "この操作は許可されていません。",
    NOT_FOUND: "見つかりませんでした。削除された可能性があります。",
    CONFLICT: "その間に内容が変わりました。ページを再読み込みして、もう一度お試しください。",
    RATE_LIMITED: "短時間に試行が多すぎます。少し待ってから、もう一度お試しください。",
    PAYLOAD_TOO_LARGE: "サイズが大きすぎるため、受け付けられません。",
    ORIGIN_NOT_ALLOWED: "このアドレスからは Tether を使えません。いつものアドレスで Tether を開いてください。",
    SESSION_NOT_FOUND: "このコードのセッションはありません。",
    SESSION_ENDED: "このセッションは終了しました。",
    SEAT_TAKEN: "このセッションはすでに別のブラウザーで開かれています。",
    MESSAGE_INVALID: "接続から Tether が理解できないデータが届きました。ページを再読み込みしてください。",
    MESSAGE_TOO_LARGE: "接続から一度に多すぎるデータが届きました。ページを再読み込みしてください。",
    UNSUPPORTED_VERSION: "このページは古くなっています。再読み込みしてください。",
    WRONG_ROLE: "セッションのこちら側からはできない操作です。",
    PEER_NOT_FOUND: "相手はもうセッションにいません。",
    SEAT_KEY_INVALID: "このリンクはセッションと一致しません。",
    HANDSHAKE_WAIT: "このセッションへの試行が多すぎます。しばらく待ってから、もう一度お試しください。",
    HANDSHAKE_BUSY: "このセッションでは別の確認が進行中です。少ししてから、もう一度お試しください。",
    HANDSHAKE_REQUIRED: "安全確認がまだ終わっていません。",
    CONFIG_INVALID: "Tether の設定に問題があります。管理者に伝えてください。",
    TURN_UNAVAILABLE: "中継サーバーは現在使えません。",
    SERVER_BUSY: "Tether は現在混み合っています。少ししてから、もう一度お試しください。",
    INTERNAL: "Tether で問題が発生しました。もう一度お試しください。",
    NETWORK: "Tether に接続できません。接続を確認して、もう一度お試しください。",
    HTTP: "Tether から想定外の応答がありました。もう一度お試しください。",
    BAD_RESPONSE: "このページが理解できない応答が届きました。再読み込みして、もう一度お試しください。",
    REPLACED: "このセッションは別のタブまたはウィンドウで開かれました。",
  },
  none: "–",
  /** The chat panel's words on both sides (each side's own are in its part). */
  chat: {
    you: "あなた",
    read: "既読",
    unread: (count) => `新着 ${count} 件`,
    titleFlash: (count, title) => `(${count}) 新しいメッセージ · ${title}`,
    empty: "先にメッセージを入力してください。",
    tooLong: "メッセージは 2,000 文字までです。",
    forClipboard: "（クリップボード用）",
    copy: "コピー",
    copied: "クリップボードにコピーしました。",
    notCopied: "ブラウザーがコピーを許可しませんでした。テキストを選んで、ご自分でコピーしてください。",
  },
  /** The files panel's words on both sides (each side's own are in its part). */
  files: {
    state: {
      offered: "受け取りを待っています",
      incoming: "受け取りますか？",
      sending: "送信中",
      receiving: "受信中",
      done: "完了（確認済み）",
      refused: "断られました",
      cancelled: "キャンセルしました",
      corrupt: "途中で壊れました。チェックサムが一致しないため、保存していません",
      failed: "失敗しました。接続が切れました",
    },
    progress: (done, total, rate, left) =>
      `${done} / ${total}${rate ? `、${rate}` : ""}${left ? `、残り ${left}` : ""}`,
    hash: (sha256) => `SHA-256 ${sha256}`,
    accept: "受け取る",
    refuse: "断る",
    cancel: "キャンセル",
    save: "保存",
    tooLarge: (max) => `このセッションで送れるファイルは ${max} までです。`,
    empty: "このファイルは空です。",
  },
  /** The voice panel's words on both sides (each side's own are in its part). */
  recording: {
    rec: "録画中",
  },
  voice: {
    micOn: "マイクをオンにする",
    micOff: "マイクをオフにする",
    denied: "マイクを使えませんでした。ブラウザーまたはコンピューターが許可しませんでした。",
  },
};

export const customer: Customer = {
  markup: {
    "colleagues.title": "ほかの技術者",
    "join.title": "サポートセッション · Tether",
    "join.heading": "サポートセッション",
    "verification.title": "確認コードを照らし合わせてください",
    "verification.code": "確認コード",
    "verification.matches": "一致する",
    "verification.differs": "一致しない",
    "consent.title": "あなたの画面を見たいと求めている人",
    "consent.sessionId": "セッション ID",
    "consent.caseNumber": "案件番号",
    "consent.ends": "セッション終了",
    "consent.warningStrong": "ご自身でこの組織に連絡した場合にだけ、先に進んでください。",
    "consent.warning":
      "Tether のスタッフが突然電話をかけたり、画面を見せるよう頼んだりすることはありません。知らない相手から突然電話があった場合は、今すぐこのページを閉じてください。",
    "consent.viewOnly":
      "許可すると、この技術者に見えるのは、次の手順であなたが選んだ画面、ウィンドウ、またはタブだけです。見るだけで、あなたのコンピューターを操作することはできません。いつでも一時停止や停止ができます。",
    "consent.allow": "許可して共有するものを選ぶ",
    "consent.decline": "許可しない",
    "consent.titleCamera": "カメラの映像を見ようとしている人",
    "consent.cameraOnly":
      "このスマートフォンのブラウザーでは画面を共有できません。代わりにカメラを共有できます。サポートが必要な機器、ケーブル、表示部にカメラを向けてください。許可すると、この担当者にはカメラに映るものだけが見えます。表示のみで、担当者は何も操作できません。いつでも一時停止や停止ができます。",
    "consent.allowCamera": "許可してカメラをオンにする",
    "bar.label": "あなたのサポートセッション",
    "bar.stop": "共有を停止",
    "bar.end": "セッションを終了",
    "bar.preview": "共有している内容のプレビュー",
    "bar.switchCamera": "カメラを切り替える",
    "bar.torch": "カメラのライト",
    "bar.agentAsked": "担当者がマウスとキーボードの操作を求めています。ブラウザーでは許可できません。",
    "bar.agentHow": "Tether エージェントで許可する",
    "bar.keepOnTopMissing":
      "このブラウザーでは、このパネルをほかのウィンドウの前面に表示できません。担当者が指している場所を見るには、このタブを表示したままにしてください。",
    "ended.title": "セッションは終了しました",
    "chat.title": "担当者とのチャット",
    "chat.label": "メッセージ",
    "chat.send": "送信",
    "chat.clip": "担当者のクリップボードへ送る",
    "files.title": "ファイル",
    "files.hint":
      "担当者にファイルを送るには、選ぶか、ここにドロップしてください。担当者から届くファイルは、一つずつ受け取るかどうかを決められます。",
    "files.choose": "送るファイルを選ぶ",
  },
  technicianFrom: "{organisation} の {name}",
  elsewhereTitle: "このセッションは別の場所で開かれています",
  link: {
    noCode:
      "このリンクは壊れています。正しいリンクは /j/123456789 のように9桁のセッションコードで終わり、リンク全体を開く必要があります。技術者にもう一度送ってもらうか、ホームページを開いて「サポートを受ける」を選んでください。",
    incomplete: "このリンクは不完全です。技術者にもう一度送ってもらってください。",
  },
  yourTechnician: "担当の技術者",
  technicianLabel: (name: string, organisation: string) => `${name}（${organisation}）`,
  notJoined: (name: string) => `${name} はまだ参加していません。`,
  lostConnection: (name: string, until: string | null) =>
    until ? `${name} の接続が切れました。${until} までは戻ってこられます。` : `${name} の接続が切れました。`,
  connected: (name: string) => `${name} が接続しています。`,
  sharingLive: (who: string) => `${who} は、あなたが共有しているものを見ています。見るだけで、何も操作できません。`,
  sharingBeforeConnect: (who: string) =>
    `共有中です。${who} が接続すると見えるようになります。見るだけで、何も操作できません。`,
  paused: (who: string) => `一時停止中です。再開するまで、${who} には何も見えません。`,
  notSharing: (who: string) => `何も共有していません。${who} には何も見えません。`,
  others: (names: string[]) => `あなたの画面は見えない状態で、次の人もセッションにいます: ${names.join("、")}。`,
  aTechnician: "技術者",
  reconnecting: "Tether との接続が切れました。再接続しています…",
  relayFailed:
    "中継サーバーに接続できないため、技術者にはあなたの画面が見えません。技術者に伝えてください。設定を確認できます。",
  linkConnecting: "技術者に接続しています…",
  linkReconnecting: "接続が中断されました。再接続しています…",
  linkClosed: "切断されました。",
  linkConnected: "接続しました。",
  linkStats: (route, quality, rtt) =>
    route === null
      ? "接続: 未接続"
      : `接続: ${[
          route === "direct" ? "直接" : "中継経由",
          quality ? `品質 ${{ good: "良好", fair: "普通", poor: "不良" }[quality]}` : "",
          rtt === null ? "" : `往復 ${rtt}`,
        ]
          .filter(Boolean)
          .join(" · ")}`,
  noCaseNumber: "なし",
  resume: "再開",
  pause: "一時停止",
  shareAgain: "もう一度共有",
  shareSomethingElse: "別のものを共有",
  codeToCheck:
    "技術者にも 4 つの単語が表示されています。読み上げてもらい、これとまったく同じでなければ「一致しない」をクリックしてください。",
  codeMatched: "確認済み: 技術者にも同じ 4 つの単語が表示されています。",
  codeWaiting: "技術者が接続すると、ここに 4 つの単語が表示されます。技術者と一緒に確認してください。",
  ended: {
    ended_by_customer: "あなたがセッションを終了しました。これ以上は何も共有されません。",
    declined: "共有を許可しなかったため、セッションは終了しました。何も共有されていません。",
    cancelled: "サポートの依頼をキャンセルしました。何も共有されておらず、セッション ID とパスワードはもう使えません。",
    ended_by_technician: "技術者がセッションを終了しました。これ以上は何も共有されません。",
    expired:
      "セッションは制限時間に達しました。これ以上は何も共有されません。まだサポートが必要な場合は、技術者に新しいリンクを依頼してください。",
    idle: "しばらく操作がなかったため、セッションは終了しました。これ以上は何も共有されません。まだサポートが必要な場合は、技術者に新しいリンクを依頼してください。",
    intercepted:
      "この接続は第三者に盗み見られているおそれがあります。技術者側が、あなたのページで確認した証明書と違うものを示したため、セッションを終了しました。これ以上は何も共有されません。技術者に伝え、新しいリンクかパスワードでのみやり直してください。",
    codeMismatch:
      "確認コードが一致しないと答えたため、セッションを終了しました。これ以上は何も共有されません。電話で技術者に伝えてください。",
    unsupported:
      "このブラウザーでは安全な接続ができません。コンピューターで最新の Chrome、Edge、Firefox、または Safari をお試しください。",
  },
  refused: {
    SEAT_KEY_INVALID: "このリンクはセッションと一致しません。技術者にもう一度送ってもらってください。",
    SESSION_NOT_FOUND: "このコードのセッションはありません。技術者にリンクをもう一度送ってもらってください。",
    SESSION_ENDED:
      "このセッションは終了したため、このリンクはもう使えません。まだサポートが必要な場合は、技術者に新しいリンクを依頼するか、ホームページを開いて「サポートを受ける」を選んでください。",
    SEAT_TAKEN:
      "このリンクはすでに誰かが開いてセッションに参加しているため、このページからは参加できません。ご自身の場合は、そのウィンドウに戻ってください。心当たりがない場合は、技術者に伝えて新しいリンクを依頼してください。",
    REPLACED: "このセッションは別のタブやウィンドウ、またはこのコンピューターの Tether エージェントで続いています。",
  },
  chat: {
    peer: "担当者",
  },
  keepOnTop: {
    open: "ほかのウィンドウの前面に表示",
    close: "ページに戻す",
  },
  files: {
    line: (name, size, mime, isIncoming) =>
      `${isIncoming ? "担当者から" : "担当者へ"}：${name}（${size}${mime ? `、${mime}` : ""}）`,
  },
  recording: {
    always:
      "この組織はサポートセッションを録画します（共有する画面と、マイクがオンのときのあなたと技術者の声）。セッションを終了せずに、いつでも録画を停止できます。",
    allow:
      "録画を許可する：技術者のブラウザーが共有された画面（マイクがオンのときのあなたと技術者の声も）を録画します。セッションを終了せずに、いつでも停止できます。",
    stop: "録画を停止",
    allowAgain: "録画を許可",
  },
  tabZoom: {
    offered:
      "ブラウザーのタブを共有しています。担当者がこのタブを拡大・縮小できるように許可できます。許可しても、担当者がタブ内でクリック、入力、スクロールすることはできません。",
    allowed: (level) =>
      level
        ? `担当者は共有中のタブを拡大・縮小できます（現在 ${level}）。`
        : "担当者は共有中のタブを拡大・縮小できます。",
    allow: "担当者にこのタブのズームを許可",
    stop: "タブのズームを停止",
    refused: "ブラウザーが共有中のタブのズームを許可しなかったため、担当者はズームできません。",
  },
  voice: {
    speaking: "担当者が話しています。",
  },
  expiring: (time) =>
    `このセッションは ${time} に終了します（残り5分未満）。もっと時間が必要な場合は、技術者に延長を依頼してください。`,
  allowed: ({ isViewing, isHearing }) => {
    if (isViewing && isHearing) return "いま担当者は、共有している画面を見て、あなたの声を聞くことができます。";
    if (isViewing) return "いま担当者は、共有している画面を見ることができます。";
    if (isHearing) return "いま担当者は、あなたの声を聞くことができます。";
    return "いま担当者は、画面を見ることも声を聞くこともできません。";
  },
  colleagues: {
    asking: (name: string, organisation: string) =>
      `${organisation}の${name}さんが、このセッションに参加してあなたの共有内容を見ることを求めています。`,
    admitted: (name: string, organisation: string) => `${organisation}の${name}さんも共有内容を見ています。`,
    allow: "許可する",
    deny: "許可しない",
    remove: "外す",
    allowLabel: (name: string) => `${name}さんの参加を許可する`,
    denyLabel: (name: string) => `${name}さんの参加を許可しない`,
    removeLabel: (name: string) => `${name}さんをセッションから外す`,
  },
  notice: {
    pickerClosed: "何も共有されていません。選択画面が閉じられたか、このブラウザーでは共有がブロックされています。",
    captureFailed:
      "このブラウザーでは画面を共有できませんでした。コンピューターで最新の Chrome、Edge、Firefox、または Safari をお試しください。",
    stoppedFromBrowser: "ブラウザーの操作で共有を停止しました。",
    cameraDenied:
      "何も共有されていません。カメラが許可されませんでした。共有するには、ブラウザーの設定でこのページにカメラを許可してから、もう一度お試しください。",
    cameraFailed:
      "カメラをオンにできませんでした。カメラを使っているほかのアプリを閉じてから、もう一度お試しください。",
    resumed:
      "ページが再読み込みされました。セッションは続いていますが、今は何も共有していません。「もう一度共有」をクリックして技術者に見せるものを選ぶか、「セッションを終了」をクリックしてください。",
    handshakeFailed:
      "接続の試みが安全確認に失敗しました（リンクやパスワードの誤り、または誰かの妨害）。あなたの情報はそこへ何も送られていません。",
    noRelay: (reason: string) => `中継サーバーがありません（${reason}）。直接接続のみ試します。`,
    throttled: (failures: number) =>
      `誰かが正しいパスワードやリンクなしでこのセッションに入ろうとしています（失敗 ${failures} 回）。Tether は試行ごとに待ち時間を設けています。パスワードやリンクは、あなたが連絡した相手にだけ伝えてください。`,
  },
};

const what = { displayName: "表示名", caseNumber: "案件番号", machineName: "コンピューター名" };

export const help: Help = {
  markup: {
    "home.title": "Tether: リンクから始めるリモートサポート",
    "home.lede":
      "リンクから始めるリモートサポートです。何かを共有する前に、誰が求めているかを確認できます。見せる内容はあなたが選び、いつでも止められます。",
    "home.getHelpTitle": "サポートを受ける",
    "home.getHelpText":
      "技術者からリンクが届いた場合は、このブラウザーで開いてください。技術者と電話中の場合は「サポートを受ける」をクリックし、表示されるセッション ID とパスワードを読み上げてください。",
    "home.getHelp": "サポートを受ける",
    "home.cameraOnly":
      "このスマートフォンでは、画面ではなくカメラを共有できます。担当者には、機器、ケーブル、表示部など、カメラを向けたものが見えます。",
    "home.readTheseTitle": "技術者にこれを読み上げてください",
    "home.sessionId": "セッション ID",
    "home.password": "パスワード",
    "home.waiting": "技術者の参加を待っています。あなたが許可するまで、何も共有されません。",
    "home.warningStrong": "ご自身で連絡した組織の人にだけ読み上げてください。",
    "home.warning": "Tether のスタッフが突然電話をかけたり、コードを聞いたりすることはありません。",
    "home.signIn": "技術者のサインイン",
    "home.cancel": "キャンセル",
    "home.helpAgain": "もう一度サポートを受ける",
  },
  opening: "セッションを開いています…",
  rotated: {
    failures:
      "誰かが間違ったパスワードを試しました。新しいパスワードは、あなたが電話した相手にだけ読み上げてください。",
    expired: (minutes: string) =>
      `パスワードが${minutes}使われなかったため、新しくなりました。技術者に聞かれたら、新しいパスワードを読み上げてください。`,
  },
};

export const agentPage: AgentPage = {
  markup: {
    "agentPage.title": "担当者にこのコンピューターの操作を許可する · Tether",
    "agentPage.heading": "担当者にマウスとキーボードの操作を許可する",
    "agentPage.intro":
      "ブラウザーは画面を見せることはできますが、マウスとキーボードを他の人に操作させることはできません。Tether エージェントならできます。このコンピューターで実行する小さなプログラムです。セッションのページに代わってセッションに参加し、担当者が何かを見たり操作したりする前にもう一度確認し、終了するとすぐに止まります。",
    "agentPage.needs": "X11 デスクトップの Linux で動作し、Node.js 22 以降と ffmpeg が必要です。",
    "agentPage.download": "1. エージェントをダウンロードする（tether-agent.mjs）",
    "agentPage.run":
      "2. 保存したフォルダーでターミナルを開き、次のコマンドを実行します。セッションの秘密が含まれているので、誰にも渡さないでください。",
    "agentPage.commandLabel": "実行するコマンド",
    "agentPage.copy": "コピー",
    "agentPage.keepOpen":
      "エージェントが参加するまでセッションのページを開いたままにしてください。参加すると、そのページにセッションが別の場所で続いていると表示されます。",
  },
  noSession:
    "このページには参加するセッションがありません。セッションのページに戻り、「Tether エージェントで許可する」を選んでください。",
  needsLink:
    "エージェントはリンクから開いたセッションに参加します。担当者にセッションのリンクを送ってもらい、それを開いて「Tether エージェントで許可する」を選んでください。",
};

export const technician: Technician = {
  errors: {
    UNAUTHENTICATED: "サインインしていません。サインインしてから、もう一度お試しください。",
    SIGN_IN_REVOKED: "サインアウトされました。もう一度サインインしてください。",
    CHALLENGE_INVALID: "パスキーの要求が期限切れになりました。もう一度お試しください。",
    PASSKEY_INVALID: "このパスキーは受け付けられませんでした。別のパスキーを使うか、管理者に相談してください。",
    INVITE_INVALID:
      "この招待リンクは使えません。すでに使われたか、取り消されたか、期限が切れています。管理者に新しいリンクを依頼してください。",
    LAST_PASSKEY: "これは唯一のパスキーなので削除できません。先に別のパスキーを追加してください。",
    LAST_ADMIN: "Tether には管理者が少なくとも一人必要なため、変更しませんでした。",
    INVALID_NAME: "この名前はお客様に表示できません。文字、数字、句読点だけを使ってください。",
    NAME_LOCKED: "管理者がこの名前をロックしています。変更は管理者に依頼してください。",
    SESSION_LIMIT: "進行中のセッション数が上限に達しています。どれかを終了してから、もう一度お試しください。",
    NOT_OWNER: "このセッションは別の技術者のものです。",
    REMOVED_BY_CUSTOMER: "お客様があなたをこのセッションから外しました。",
    EXTEND_LIMIT: "このセッションはこれ以上延長できません。管理者が認める最長の時間に達しています。",
    WEBHOOK_TARGET_NOT_ALLOWED: "Webhook の送信先は、インターネット上の https:// アドレスに限られます。",
    TOKEN_INVALID: "この API トークンは不明か取り消し済み、またはこの操作を許可されていません。",
    RECORDING_NOT_ALLOWED: "このセッションの録画は許可されていません。",
    RECORDING_PART_INVALID: "録画の一部が順番どおりに届かなかったため、録画を停止しました。",
    RECORDING_STORE_FAILED:
      "サーバーのストレージに障害が発生したため、録画を保存できませんでした。それまでに受け取った部分は保持されます。",
    PLAYBACK_LINK_INVALID: "この再生リンクは期限切れです。もう一度再生してください。",
    UNATTENDED_OFF:
      "このサイトでは無人アクセスがオフです。管理者が wrangler.toml の UNATTENDED_ACCESS でオンにします。",
    ENROLMENT_INVALID:
      "この登録リンクは不明、使用済み、または期限切れです。コンソールで新しいリンクを作成してください。",
    MACHINE_KEY_INVALID: "コンピューターの署名が鍵と一致しません。新しいリンクでもう一度登録してください。",
    MACHINE_OFFLINE:
      "このコンピューターはオフラインです。エージェントが動いていないか、サイトに接続できません。コンソールでオンラインと表示されてから、もう一度お試しください。",
  },
  markup: {
    "recordings.title": "録画",
    "recordings.hint": "お客様の同意を得て録画したセッションです。再生と削除はすべて監査ログに記録されます。",
    "recordings.filter": "録画を絞り込む",
    "recordings.session": "セッション番号",
    "recordings.show": "表示",
    "recordings.empty": "録画はありません。",
    "recordings.player": "録画",
    "console.title": "コンソール · Tether",
    "console.signOut": "サインアウト",
    "console.heading": "コンソール",
    "newSession.title": "新しいセッション",
    "newSession.caseNumber": "案件番号（任意）",
    "newSession.reference": "ヘルプデスクの参照番号（任意）",
    "newSession.create": "新しいセッション",
    "newSession.code": "セッションコード",
    "newSession.link": "セッションリンク",
    "newSession.copy": "コピー",
    "newSession.copyLabel": "セッションリンクをコピー",
    "newSession.view": "このセッションを表示",
    "join.title": "お客様のセッションに参加",
    "join.hint": "お客様がホームページで「サポートを受ける」をクリックし、セッション ID とパスワードを読み上げます。",
    "join.code": "セッション ID",
    "join.password": "パスワード",
    "join.submit": "参加",
    "live.title": "進行中のセッション",
    "live.none": "現在はありません。",
    "name.title": "あなたの名前",
    "name.hint": "お客様は許可する前に、組織名とともにこの名前を確認します。",
    "name.change": "名前を変更",
    "name.locked": "管理者があなたの名前をロックしています。変更は管理者に依頼してください。",
    "passkeys.title": "あなたのパスキー",
    "passkeys.add": "パスキーを追加",
    "passkeys.hint": "パスキーを削除すると、そのパスキーでサインインしたすべてのブラウザーがサインアウトされます。",
    "passkeys.signOutEverywhere": "すべての場所でサインアウト",
    "tokens.title": "API トークン",
    "tokens.hint":
      "ヘルプデスクのアプリは、トークンを使ってあなたの代わりにセッションを開始します。トークンを持つ人は誰でもそれができるため、使わなくなったトークンは取り消してください。",
    "tokens.none": "まだありません。",
    "tokens.create": "トークンを作成",
    "tokens.value": "新しいトークン（今だけ表示）",
    "tokens.copy": "コピー",
    "tokens.copyLabel": "トークンをコピー",
    "webhooks.title": "ヘルプデスクの Webhook",
    "webhooks.hint":
      "セッションの作成・開始・確認の失敗・終了を、Standard Webhooks の署名付きでヘルプデスクに通知します。",
    "webhooks.url": "受信先アドレス（https://）",
    "webhooks.description": "説明（任意）",
    "webhooks.events": "イベント",
    "webhooks.add": "エンドポイントを追加",
    "webhooks.secret": "署名用シークレット（今だけ表示）",
    "webhooks.copy": "コピー",
    "webhooks.copyLabel": "署名用シークレットをコピー",
    "webhooks.none": "エンドポイントはまだありません。",
    "admin.title": "技術者",
    "admin.invite": "技術者を招待",
    "admin.inviteLink": "招待リンク",
    "admin.copy": "コピー",
    "admin.copyLabel": "招待リンクをコピー",
    "admin.openInvites": "未使用の招待",
    "admin.noInvites": "現在はありません。",
    "machines.title": "コンピューター",
    "machines.hint":
      "無人アクセス用に登録されたコンピューターです。管理者はすべてに、その他の技術者はここで割り当てられたものだけに接続できます。ここで作成したコマンドをそのコンピューターで実行して登録します。",
    "machines.hintAssigned":
      "管理者の許可により、誰もいなくても接続できるコンピューターです。オンラインのときに接続できます。",
    "machines.enrol": "コンピューターを登録",
    "machines.command": "このコマンドをコンピューターで実行（1 回限り有効）",
    "machines.copy": "コピー",
    "machines.copyLabel": "登録コマンドをコピー",
    "machines.none": "まだコンピューターはありません。",
    "machines.noneAssigned": "割り当てられたコンピューターはありません。管理者が割り当てることができます。",
    "audit.title": "監査ログ",
    "audit.hint": "誰がいつ何をしたか。署名付き、追記のみ、新しい順。次のコマンドで検証できます:",
    "audit.filters": "監査ログを絞り込む",
    "audit.session": "セッションコード",
    "audit.technician": "技術者 ID",
    "audit.type": "イベント",
    "audit.since": "開始",
    "audit.until": "終了",
    "audit.show": "表示",
    "audit.empty": "該当する記録はありません。",
    "audit.more": "古い記録",
    "viewer.session": "セッション",
    "viewer.actualSize": "実寸（1:1）",
    "viewer.fullScreen": "全画面",
    "viewer.zoomIn": "拡大",
    "viewer.zoomOut": "縮小",
    "viewer.zoomReset": "ズームをリセット",
    "viewer.tabZoom": "お客様のタブをズーム",
    "viewer.screens": "お客様の画面",
    "viewer.tabZoomIn": "お客様のタブを拡大",
    "viewer.tabZoomOut": "お客様のタブを縮小",
    "viewer.tabZoomReset": "お客様のタブのズームをリセット",
    "viewer.end": "セッションを終了",
    "viewer.back": "コンソールに戻る",
    "viewer.invite": "同僚を招待",
    "viewer.inviteHint":
      "信頼できる同僚にこのリンクを送ってください。同僚は自分のパスキーでサインインして開きます。お客様には同僚の名前が表示され、参加を許可するかどうかをお客様が決めます。",
    "viewer.inviteLink": "同僚用のリンク",
    "viewer.inviteCopy": "コピー",
    "viewer.inviteCopyLabel": "同僚用のリンクをコピー",
    "viewer.inviteClose": "閉じる",
    "viewer.handOverTitle": "このセッションの同僚",
    "viewer.handOverHint":
      "お客様が参加を許可した同僚にセッションを引き継げます。引き継ぐと同僚がセッションの担当者になり、あなたはセッションを終了せずに退出できます。",
    "viewer.annotate": "お客様に示す",
    "viewer.point": "ポインター",
    "viewer.draw": "描く",
    "viewer.colour": "色",
    "viewer.clearDrawing": "描画を消す",
    "viewer.control": "操作",
    "viewer.ctrlAltDel": "Ctrl+Alt+Del を送る",
    "viewer.askControl": "操作を依頼",
    "viewer.connectTitle": "お客様に接続",
    "viewer.password": "お客様のパスワード",
    "viewer.verificationTitle": "確認コードを照らし合わせてください",
    "viewer.verificationCode": "確認コード",
    "viewer.matches": "一致する",
    "viewer.differs": "一致しない",
    "viewer.screen": "お客様の画面",
    "viewer.stage": "お客様の映像：+ と − でズーム、矢印キーで移動、0 でリセット",
    "viewer.details": "接続の詳細",
    "viewerChat.title": "お客様とのチャット",
    "viewerChat.label": "メッセージ",
    "viewerChat.send": "送信",
    "viewerChat.clip": "お客様のクリップボードへ送る",
    "viewerChat.colleague":
      "同僚として閲覧中です。お客様へのメッセージ、ポインター、描画、ファイル送信はセッションのオーナーが行います。",
    "viewerFiles.title": "ファイル",
    "viewerFiles.hint":
      "お客様にファイルを送るには、選ぶか、ここにドロップしてください。受け取るかどうかはお客様が決めます。",
    "viewerFiles.choose": "送るファイルを選ぶ",
    "stat.route": "接続",
    "stat.relay": "中継",
    "stat.quality": "品質",
    "stat.rtt": "往復時間",
    "stat.fps": "フレームレート",
    "stat.bitrate": "ビットレート",
    "stat.resolution": "解像度",
    "stat.codec": "コーデック",
    "stat.restarts": "ICE 再開始",
    "enrol.title": "登録 · Tether",
    "enrol.heading": "技術者として登録",
    "enrol.intro": "Tether コンソールにサインインするためのパスキーを作成します。このリンクは一度だけ使えます。",
    "enrol.name": "あなたの名前",
    "enrol.nameHint": "お客様は接続を許可する前に、この名前を確認します。",
    "enrol.create": "パスキーを作成",
    "signIn.title": "サインイン · Tether",
    "signIn.heading": "技術者のサインイン",
    "signIn.intro": "登録時に作成したパスキーで、この端末またはスマートフォンからサインインしてください。",
    "signIn.button": "パスキーでサインイン",
    "signIn.back": "Tether に戻る",
  },
  waitingForPasskey: "パスキーを待っています…",
  signedIn: "サインインしました。",
  enrol: {
    needName: "お客様に表示される名前を入力してください。",
    created: "パスキーを作成しました。",
    incomplete: "この登録リンクは不完全です。受け取ったリンク全体を開くか、管理者に新しいリンクを依頼してください。",
  },
  passkeyError: {
    cancelled: "パスキーの要求がキャンセルされたか、時間切れになりました。準備ができたら、もう一度お試しください。",
    exists: "この端末には、あなたのアカウントのパスキーがすでにあります。",
    failed: "ブラウザーでパスキーを使えませんでした。",
  },
  nameProblem: (field, problem) => {
    const subject = what[field];
    switch (problem.kind) {
      case "direction":
        return `${subject}に文字の向きを変える文字（${problem.at}）が含まれています。削除してください。`;
      case "control":
        return `${subject}に制御文字または改行（${problem.at}）が含まれています。削除してください。`;
      case "invisible":
        return `${subject}に見えない文字（${problem.at}）が含まれています。削除してください。`;
      case "unassigned":
        return `${subject}に未割り当てまたは私用の文字（${problem.at}）が含まれています。削除してください。`;
      case "symbol":
        return `${subject}に記号または絵文字（${problem.at}）が含まれています。文字、数字、句読点だけを使ってください。`;
      case "styled":
        return `${subject}に装飾された文字または全角の英数字（${problem.at}）が含まれています。通常の文字で入力してください。`;
      case "script":
        return `${subject}に名前では使えない文字体系の文字（${problem.at}）が含まれています。別の文字体系で書いてください。`;
      case "loneMark":
        return `${subject}に文字のないアクセント記号（${problem.at}）が含まれています。削除してください。`;
      case "stackedMarks":
        return `${subject}のアクセント記号が多すぎます（${problem.at}）。いくつか削除してください。`;
      case "mixedScripts":
        return `${subject}に ${problem.scripts[0]} と ${problem.scripts[1]} が混ざっています。一つの文字体系で書いてください。`;
    }
  },
  console: {
    signedInAs: (name, isAdmin) => `${name} としてサインイン中${isAdmin ? "（管理者）" : ""}`,
    renameMePrompt: "お客様が許可する前に見る、あなたの名前:",
    renamedMe: (name) => `お客様には、あなたの名前が ${name} と表示されます。`,
    badCode: "セッション ID は 123 456 789 のような 9 桁の数字です。",
    badPassword: "パスワードは maple river owl のような 3 つの単語です。お客様にもう一度聞いてください。",
    passkeyLabel: (n) => `パスキー ${n}`,
    passkeyUsed: (when) => (when === null ? "サインインに未使用" : `最終使用 ${when}`),
    passkeyLine: (label, added, used) => `${label}: 追加 ${added}、${used}`,
    remove: "削除",
    removeLabel: (label) => `${label}を削除`,
    rename: "名前を変更",
    renameLabel: (label) => `${label}の名前を変更`,
    renamePrompt: (label) => `${label}の名前（例:「仕事用ノートPC」）:`,
    badPasskeyName: "パスキーの名前は 1～64 文字です。",
    passkeyRenamed: "パスキーの名前を変更しました。",
    passkeyRemoved: "パスキーを削除しました。そのパスキーでサインインしたブラウザーはサインアウトされました。",
    confirmSignOutEverywhere: "このブラウザーも含め、すべてのブラウザーで Tether からサインアウトしますか?",
    waitingForNewPasskey: "新しいパスキーを待っています…",
    passkeyAdded: "パスキーを追加しました。",
    noSecret: "このブラウザーでリンクの秘密を作れませんでした。再読み込みして、もう一度お試しください。",
    expires: (when) => `有効期限 ${when}。`,
    sessionCreated: "セッションを作成しました。リンク全体をお客様に送ってください。# より後ろの部分がその秘密です。",
    linkNotHere: (code) => `${code}（このブラウザーにはリンクがありません）`,
    sessionDetails: (caseNumber, reference, expires) =>
      [
        caseNumber === null ? "" : `案件 ${caseNumber}`,
        reference === null ? "" : `ヘルプデスク ${reference}`,
        `有効期限 ${expires}`,
      ]
        .filter(Boolean)
        .join("、"),
    view: "表示",
    viewLabel: (code) => `セッション ${code} を表示`,
    inviteExpiry: (when) => `${when} まで、一度だけ使えます。`,
    inviteCreated: "招待リンクを作成しました。信頼できる方法で技術者に送ってください。",
    copied: "コピーしました。",
    notCopied: "コピーできませんでした。リンクを選択したので、キーボードでコピーしてください。",
  },
  helpdesk: {
    tokenLine: (name, created, used) => `${name}：作成 ${created}、${used === null ? "未使用" : `最終使用 ${used}`}`,
    revoke: "取り消す",
    revokeLabel: (name) => `トークン ${name} を取り消す`,
    tokenNamePrompt: "トークンの名前（使うヘルプデスクのアプリ名など）：",
    badTokenName: "トークンの名前は 1～60 文字です。",
    tokenCreated: "トークンを作成しました。今すぐコピーしてください。再表示はされません。",
    tokenRevoked: "トークンを取り消しました。もう使えません。",
    eventName: {
      "session.created": "セッション作成",
      "session.started": "セッション開始",
      "session.verification_failed": "確認の失敗",
      "session.ended": "セッション終了",
      "recording.available": "録画の準備完了",
    },
    endpointLine: (url, description, events, state) =>
      `${url}${description ? `（${description}）` : ""}：${events}。${state}`,
    delivering: "配信中です。",
    retrying: (failures, next) => `直近 ${failures} 回の送信に失敗しました。次の試行は ${next} です。`,
    stopped: (when) =>
      `${when} に停止しました。メッセージの再送がすべて失敗しました。受信側を直してから、有効にしてください。`,
    log: "配信ログ",
    logLabel: (url) => `${url} の配信ログ`,
    enable: "有効にする",
    enableLabel: (url) => `${url} を再び有効にする`,
    remove: "削除",
    removeLabel: (url) => `${url} を削除`,
    confirmRemove: (url) => `エンドポイント ${url} を削除しますか？以後は何も届きません。`,
    attemptLine: (id, event, attempt, at, status, isManual) =>
      `${id}（${event}）、${isManual ? "手動で再送" : `${attempt} 回目`}、${at}：${status === null ? "応答なし" : `HTTP ${status}`}`,
    redeliver: "再送",
    redeliverLabel: (id) => `${id} を再送`,
    redelivered: (isDelivered) =>
      isDelivered ? "再送しました。受信側が受け付けました。" : "再送しました。受信側は受け付けませんでした。",
    noAttempts: "まだ何も送信していません。",
    needEvents: "イベントを 1 つ以上選んでください。",
    added: "エンドポイントを追加しました。署名用シークレットを今すぐコピーしてください。再表示はされません。",
    enabled: "エンドポイントを有効にしました。停止したところから配信を再開します。",
    removed: "エンドポイントを削除しました。",
  },
  machines: {
    machineLine: (m, key, enrolled, lastSeen) =>
      `${m.name}（${m.os}）、鍵 ${key}、登録 ${enrolled}：${m.isOnline ? (m.isBusy ? "オンライン（セッション中）" : "オンライン") : `オフライン、最終接続 ${lastSeen ?? "なし"}`}`,
    created: (until) =>
      `登録コマンドを作成しました。コンピューターで実行してください。${until} まで 1 回限り有効です。`,
    rename: "名前を変更",
    renameLabel: (name) => `${name} の名前を変更`,
    renamePrompt: (name) => `コンソールでの ${name} の名前：`,
    renamed: (name) => `コンピューターの名前は ${name} になりました。`,
    remove: "削除",
    removeLabel: (name) => `${name} を削除`,
    confirmRemove: (name) => `${name} を削除しますか？鍵は使えなくなり、接続するには再登録が必要です。`,
    removed: (name) => `${name} を削除しました。`,
    connect: "接続",
    connectLabel: (name) => `${name} に接続`,
    access: (count) => (count === 0 ? "接続できる人：管理者のみ" : `接続できる人：管理者と技術者 ${count} 人`),
    accessLabel: (name) => `${name} に接続できる技術者`,
    noneAssignable: "管理者以外の技術者はいません。管理者はすべてのコンピューターに接続できます。",
    accessChanged: (technician, machine, isAssigned) =>
      isAssigned
        ? `${technician} が ${machine} に接続できるようになりました。`
        : `${technician} は ${machine} に接続できなくなりました。`,
  },
  admin: {
    technicianLine: (t, lastSignIn, isYou) =>
      `${t.name}${t.isAdmin ? "（管理者）" : ""}${t.nameLocked ? "（名前ロック中）" : ""}: パスキー ${t.passkeys} 個、最終サインイン ${lastSignIn ?? "なし"}、進行中のセッション ${t.liveSessions} 件${isYou ? "（あなた）" : ""}`,
    promote: "管理者にする",
    demote: "管理者権限を外す",
    promoteLabel: (name) => `${name} を管理者にする`,
    demoteLabel: (name) => `${name} の管理者権限を外す`,
    editName: "名前を編集",
    editNameLabel: (name) => `${name} の名前を編集`,
    editNamePrompt: (name) => `お客様に表示される ${name} の名前:`,
    nameChanged: (name) => `表示名は ${name} になりました。`,
    lockName: "名前をロック",
    lockNameLabel: (name) => `${name} の名前をロック`,
    unlockName: "名前のロックを解除",
    unlockNameLabel: (name) => `${name} の名前のロックを解除`,
    nameLockChanged: (name, isLocked) =>
      isLocked
        ? `${name} の表示名をロックしました。変更できるのは管理者だけです。`
        : `${name} は再び自分の名前を変更できます。`,
    remove: "削除",
    removeLabel: (name) => `${name} を削除`,
    confirmRemove: (name) =>
      `${name} を削除しますか? パスキーが使えなくなり、すべての場所でサインアウトされ、1 分以内にセッションから外れます。`,
    removed: (name) => `${name} を削除し、すべての場所でサインアウトしました。`,
    roleChanged: (name, isAdmin) =>
      isAdmin ? `${name} は管理者になりました。` : `${name} は管理者ではなくなりました。`,
    inviteLine: (isAdmin, by, expires) =>
      `${isAdmin ? "管理者の招待" : "招待"}（作成: ${by ?? "コマンドライン"}）、${expires} まで有効`,
    revoke: "取り消す",
    revokeLabel: (expires) => `${expires} まで有効な招待を取り消す`,
    revoked: "招待を取り消しました。そのリンクはもう使えません。",
  },
  audit: {
    anyType: "すべてのイベント",
    types: {
      technician_enrolled: "技術者の登録",
      technician_invited: "技術者の招待",
      invite_revoked: "招待の取り消し",
      technician_removed: "技術者の削除",
      technician_role_changed: "役割の変更",
      passkey_added: "パスキーの追加",
      passkey_removed: "パスキーの削除",
      sign_in_succeeded: "サインイン成功",
      sign_in_failed: "サインイン失敗",
      signed_out: "サインアウト",
      session_created: "セッション作成",
      handshake_succeeded: "ハンドシェイク成功",
      handshake_failed: "ハンドシェイク失敗",
      technician_admitted: "技術者の参加許可",
      technician_dropped: "技術者の切断",
      colleague_invited: "同僚の招待",
      colleague_admitted: "お客様による同僚の参加許可",
      colleague_removed: "お客様による同僚の退出",
      session_handed_over: "セッションの引き継ぎ",
      session_ended: "セッション終了",
      session_extended: "セッション延長",
      verification_mismatch: "確認コードの不一致",
      consent_given: "お客様が許可",
      consent_withdrawn: "お客様が許可を取り消し",
      webhook_added: "Webhook を追加",
      webhook_removed: "Webhook を削除",
      api_token_created: "API トークンを作成",
      api_token_revoked: "API トークンを取り消し",
      recording_started: "録画を開始",
      recording_stopped: "録画を停止",
      recording_deleted: "録画を削除",
      recording_played: "録画を再生",
      file_transferred: "ファイルを転送",
      machine_enrolment_created: "コンピューター登録を作成",
      machine_enrolled: "コンピューターを登録",
      machine_renamed: "コンピューターの名前を変更",
      machine_removed: "コンピューターを削除",
      machine_session_opened: "無人アクセスのセッションを開始",
      machine_assigned: "コンピューターを技術者に割り当て",
      machine_unassigned: "コンピューターの割り当てを解除",
    },
    line: (seq, time, type, actor, session) =>
      `#${seq} ${time}: ${type}（実行者 ${actor}${session ? `、セッション ${session}` : ""}）`,
    noValue: "なし",
    unreadable: "読み取れない記録があります。npm run audit:verify を実行してください。",
    badSession: "セッションコードは 9 桁の数字です。",
  },
  chat: {
    peer: "お客様",
    owner: "セッションのオーナー",
  },
  files: {
    line: (name, size, mime, isIncoming) =>
      `${isIncoming ? "お客様から" : "お客様へ"}：${name}（${size}${mime ? `、${mime}` : ""}）`,
  },
  recording: {
    started: "録画中：お客様の画面を録画してアップロードしています。",
    stopped: "録画を停止し、保存しました。",
    failed: (error: string) => `録画が停止しました：${error}`,
  },
  recordings: {
    line: (session: string, started: string, size: string, isUploading: boolean) =>
      `セッション ${session}、${started}、${size}${isUploading ? "、アップロード中" : ""}`,
    hash: (sha256: string) => `SHA-256 ${sha256}`,
    deletesOn: (date: string) => `${date} に自動的に削除されます。`,
    play: "再生",
    playLabel: (started: string) => `${started} の録画を再生`,
    delete: "削除",
    deleteLabel: (started: string) => `${started} の録画を削除`,
    deleted: "録画を削除しました。",
    playing: (started: string) => `${started} の録画を再生しています。`,
    badSession: "セッション番号は 9 桁です。",
  },
  voice: {
    speaking: "お客様が話しています。",
  },
  viewer: {
    expiry: {
      at: (time) => `セッションは ${time} に終了します。`,
      soon: (time, canExtend) =>
        canExtend
          ? `セッションは ${time} に終了します（残り5分未満）。もっと時間が必要な場合は延長してください。`
          : `セッションは ${time} に終了します（残り5分未満）。これ以上は延長できません。`,
      extend: "セッションを延長",
    },
    colours: { red: "赤", yellow: "黄", blue: "青", green: "緑" },
    tabZoom: {
      offered:
        "お客様はブラウザーのタブを共有しています。お客様はセッションバーから、あなたにタブのズームを許可できます。",
      level: (level) => `お客様のタブのズーム：${level}`,
    },
    askControl: {
      asked:
        "操作を依頼しました。お客様のページが Tether エージェントを案内します。エージェントはページに代わってこのセッションに参加します。",
    },
    screens: {
      screen: (number, size) => `画面 ${number}（${size}）`,
    },
    surface: {
      monitor: "画面全体",
      window: "ウィンドウ",
      browser: "ブラウザーのタブ",
      unknown: "画面",
      camera: "カメラ",
    },
    customer: {
      notYet: "お客様はまだセッションを開いていません。",
      lost: (until) =>
        until ? `お客様の接続が切れました。${until} までは戻ってこられます。` : "お客様の接続が切れました。",
      deciding: "お客様は接続し、表示を許可するか検討中です。",
      cameraOnly:
        "お客様はスマートフォンをお使いです（カメラのみ）。画面ではなく、カメラで機器、ケーブル、表示部を見せることができます。",
      sharing: (surface) => `お客様は${surface}を共有しています。表示のみ。`,
      sharingControl: (surface) =>
        `お客様は${surface}を共有し、マウスとキーボードの操作を許可しています。「操作」を選んでから画像をクリックしてください。`,
      paused: "お客様が共有を一時停止しました。",
      stopped: "お客様が共有を停止しました。",
    },
    machine: {
      notYet: "コンピューターのエージェントの参加を待っています。コンピューターがオンラインなら数秒で参加します。",
      busy: "このコンピューターは別のセッション中で、その技術者が接続しています。そのセッションが終わるか技術者が離れると、あなたのセッションが始まります。",
      lost: (until) =>
        until
          ? `コンピューターの接続が切れました。エージェントは ${until} までは戻ってこられます。`
          : "コンピューターの接続が切れました。",
      starting: "コンピューターのエージェントが接続し、画面の共有を始めています。",
      sharing: "コンピューターが画面を共有しています。表示のみ。",
      sharingControl:
        "コンピューターが画面を共有し、マウスとキーボードの操作を許可しています。「操作」を選んでから画像をクリックしてください。",
      paused: "コンピューターの前にいる人が共有を一時停止しました。",
      stopped: "コンピューターの前にいる人が共有を停止しました。",
      waiting: "コンピューターを待っています…",
      waitingForScreen: "コンピューターの画面を待っています…",
      ended: {
        ended_by_customer:
          "コンピューター側でセッションが終了しました。そこにいる人が「終了」を押したか、エージェントが停止したか、あなたが離れている間に新しいセッションに切り替わりました。",
        expired:
          "セッションの制限時間に達しました。まだコンピューターが必要なら、「コンピューター」からもう一度接続してください。",
        idle: "一定時間操作がなかったため、セッションは終了しました。まだコンピューターが必要なら、「コンピューター」からもう一度接続してください。",
      },
    },
    overlay: {
      ended: "セッションは終了しました。",
      declined: "お客様は表示を許可しませんでした。",
      signalingLost: "Tether との接続が切れました。再接続しています…",
      waitingForCustomer: "お客様を待っています…",
      paused: "お客様が一時停止しています。",
      stopped: "お客様が共有を停止しました。",
      reconnecting: "接続が中断されました。再接続しています…",
      customerLost: "お客様の接続が切れました。",
      waitingForAllow: "お客様が表示を許可するのを待っています…",
      waitingForCamera: "お客様がカメラを許可するのを待っています…",
      intercepted: "この接続は第三者に盗み見られているおそれがあります。",
    },
    check: {
      needsPassword: "お客様が読み上げるパスワードを入力し、「接続」をクリックしてください。",
      wrongPassword: "パスワードが一致しませんでした。お客様にもう一度読み上げてもらい、下に入力してください。",
      running: "お客様のページがこのセッションの秘密を持っているか確認しています…",
      waiting: (wait) =>
        `このセッションへの試行が多すぎます。Tether は ${wait} 待つよう求めています。次の試行は自動で始まります。`,
      refused: "お客様のページがこのセッションの秘密を受け入れなかったため、接続していません。",
      failed:
        "お客様のページはこのセッションの秘密を証明できませんでした。誰かが妨害している可能性があります。接続していません。",
      linkHint: "お客様のページがセッションの秘密を証明するまで、何も接続されません。",
      passwordHint:
        "お客様のページには 3 つの単語のパスワードが表示されています。パスワードが Tether のサーバーに届くことはなく、確認できるのはお客様のページだけです。",
      noLinkSecret: "セッションリンクの秘密は、セッションを作成したブラウザーのタブにだけ保存されています。",
      connect: "接続",
      tryAgain: "再試行",
      badPassword: "パスワードは maple river owl のような 3 つの単語です。お客様にもう一度聞いてください。",
      machineRunning: "コンピューターが登録時の鍵を持っているか確認しています…",
      machineFailed:
        "コンピューターは登録時の鍵を持っていることを証明できませんでした。誰かがなりすましている可能性があります。何も接続されていません。",
      machineHint: "コンピューターが登録時の鍵でこの接続に署名するまで、何も接続されません。",
    },
    verification: {
      toCheck:
        "この 4 つの単語をお客様に読み上げるか、お客様の単語を読み上げてもらってください。違う場合は「一致しない」をクリックしてください。",
      matched: "確認済み: お客様にも同じ 4 つの単語が表示されています。",
      machine: "コンピューターは登録時の鍵でこの接続に署名しました。コンソールに表示されている鍵と同じです。",
    },
    ended: {
      ended_by_customer: "お客様がセッションを終了しました。",
      declined:
        "お客様は画面の表示を許可しませんでした。「許可しない」がクリックされ、何も共有されていません。まだサポートを希望される場合は、お客様と話してから新しいセッションを作成してください。",
      ended_by_technician: "あなたがセッションを終了しました。",
      expired:
        "セッションは制限時間に達しました。お客様にまだサポートが必要な場合は、新しいセッションを作成してください。",
      idle: "しばらく操作がなかったため、セッションは終了しました。お客様にまだサポートが必要な場合は、新しいセッションを作成してください。",
      intercepted:
        "この接続は第三者に盗み見られているおそれがあります。お客様側が、ハンドシェイクで証明された証明書と違うものを示したため、セッションを終了しました。これ以上は何も表示されません。お客様に電話し、新しいセッションでやり直してください。",
      codeMismatch: "確認コードが一致しないと答えたため、セッションを終了しました。",
      unsupported:
        "このブラウザーでは安全な接続ができません。最新の Chrome、Edge、Firefox、または Safari を使ってください。",
    },
    refused: {
      NOT_OWNER:
        "このセッションは別の技術者のものです。お客様のページがその技術者を確認したか、その技術者が作成しました。表示できません。",
      REMOVED_BY_CUSTOMER:
        "お客様があなたをこのセッションから外しました。画面はもう表示されず、再び参加することはできません。",
      SESSION_NOT_FOUND: "このコードのセッションはありません。",
      SESSION_ENDED: "このセッションは終了しました。",
      REPLACED: "このセッションは別のタブまたはウィンドウで開かれました。",
    },
    colleague: {
      waiting:
        "同僚として参加しました。参加を許可するかどうかはお客様が決めます。許可されると、共有内容が表示されます。",
      handOver: (name: string) => `${name}さんにセッションを引き継ぐ`,
      confirmHandOver: (name: string) => `確認: ${name}さんにセッションを引き継ぐ`,
      confirmHint: "もう一度クリックして確認してください。その後は退出でき、セッションは同僚と続きます。",
    },
    noRelay: (reason) => `中継サーバーがありません（${reason}）。直接接続のみ試します。`,
    relayFailure: {
      refused:
        "中継サーバーに接続できません。このセッションの認証情報が拒否されました。TURN_SECRET を確認してください。",
      unreachable:
        "中継サーバーに接続できません。TURN_URLS と、ネットワークがブラウザーからの接続を許可しているかを確認してください。",
    },
    relay: {
      none: "オフ — 直接接続のみ",
      coturn: "coturn",
      cloudflare: "Cloudflare",
      forced: (name) => `${name}（すべての接続で使用）`,
      fallback: (name) => `${name}（直接接続できない場合に使用）`,
    },
    route: {
      relayed: "中継経由",
      relayedOver: (protocol) => `中継経由（${protocol.toUpperCase()}）`,
      direct: "直接",
      connected: "接続済み",
      noRelay: "失敗: 中継なし",
      reconnecting: "再接続中…",
      connecting: "接続中…",
      none: "未接続",
    },
    bitrate: (kbps) => `${kbps} kbit/s`,
    quality: { good: "良好", fair: "普通", poor: "不良" },
  },
};

export const agent: Agent = {
  serve: {
    online: (name) => `${name} は無人アクセス用にオンラインです。Ctrl+C で停止します。`,
    unreachable: "サイトに接続できません。再試行しています…",
    removed:
      "このコンピューターはコンソールで削除されたため、エージェントを停止します。接続するには再登録してください。",
    off: "このサイトでは無人アクセスがオフになったため、エージェントを停止します。",
    noIdentity: (file) =>
      `このコンピューターは登録されていません：${file} がありません。まずコンソールのコマンドで登録してください。`,
    badIdentity: (file) => `${file} のコンピューター ID を読み取れません。コンピューターを再登録してください。`,
    refused: "サイトはこのコンピューターの生存通知を受け付けませんでした（時計を確認してください）。再試行しています…",
    stopped: "エージェントを停止しました。",
  },
  enrol: {
    badLink:
      "これはコンピューター登録のリンクではありません。コンソールに表示されたコマンド全体を実行してください：enrol https://…/enrol-machine#…",
    enrolling: "このコンピューターを登録しています…",
    enrolled: (name, key, file) =>
      `このコンピューターは ${name} として登録されました。鍵：${key}（コンソールにも同じものが表示されます）。ID は ${file} にあります。`,
    already: (file) =>
      `このコンピューターは登録済みです：${file} があります。再登録するには、コンソールで削除し、そのファイルを消してください。`,
    off: "このサイトでは無人アクセスがオフです。管理者に問い合わせてください。",
    linkUsed: "この登録リンクは不明、使用済み、または期限切れです。コンソールで新しいリンクを作成してください。",
    keyRefused:
      "サイトはこのコンピューターの鍵を受け付けませんでした。新しいリンクを作成して、もう一度登録してください。",
    rateLimited: "このネットワークからの試行が多すぎます。1 分待ってから、もう一度お試しください。",
    unreachable: "サイトに接続できませんでした。リンクとネットワークを確認して、もう一度お試しください。",
    failed: "登録に失敗しました。新しいリンクでもう一度お試しください。",
    notSaved: (file) => `コンピューターの ID を ${file} に保存できませんでした。`,
  },
  link: {
    notALink:
      "これは Tether のセッションリンクではありません。技術者から届いたリンク全体を付けてエージェントを起動してください: https://…/j/123456789#…",
    noSecret: "リンクの最後の部分（# の後ろ）が欠けています。リンク全体をコピーして、もう一度お試しください。",
    badSecret: "リンクが壊れています。リンク全体をもう一度コピーするか、技術者に新しいリンクを依頼してください。",
    insecure: "リンクは https:// で始まる必要があります。",
  },
  connecting: "セッションに接続しています…",
  reconnecting: "接続が切れました。再試行しています…",
  waiting: "技術者を待っています…",
  asking: (name: string, organisation: string) => `${name}（${organisation}）があなたの画面を見ることを求めています。`,
  caseNumber: (caseNumber: string) => `案件番号: ${caseNumber}`,
  warning: "ご自身から連絡した組織の場合にのみ続けてください。Tether のスタッフが突然お電話することはありません。",
  verificationCode: (code: string) => `確認コード: ${code}`,
  confirmCode:
    "技術者が読み上げる 4 つの単語は、これとまったく同じですか？ y（はい）か n（いいえ）を入力して Enter キーを押してください: ",
  allowView:
    "画面を見ることを許可しますか（見るだけで、操作はできません）？ y（はい）か n（いいえ）を入力して Enter キーを押してください: ",
  yesNo: "y（はい）か n（いいえ）を入力してください。",
  yes: "y",
  no: "n",
  endWord: "end",
  viewing:
    "技術者は今、あなたの画面を見ることができます。セッションを終了するには end と入力して Enter キーを押してください（または Ctrl+C）。",
  allowControl:
    "マウスとキーボードの操作も許可しますか？許可すると、技術者はあなたと同じようにこのコンピューターでクリックや入力ができます。y（はい）か n（いいえ）を入力して Enter キーを押してください: ",
  stopWord: "stop",
  controlWord: "control",
  controlOn:
    "技術者は今、あなたのマウスとキーボードを操作できます。すぐにやめさせるには Ctrl+Alt+End を押すか、stop と入力して Enter キーを押してください。end でセッションを終了します。",
  controlOff:
    "技術者はマウスとキーボードを操作できなくなりました。画面は引き続き見ることができます。もう一度許可するには control と入力して Enter キーを押してください。",
  indicatorViewing: (name) => `Tether: ${name} があなたの画面を見ています。`,
  indicatorControl: (name) => `Tether: ${name} がマウスとキーボードを操作しています。Ctrl+Alt+End で止められます。`,
  indicatorEnd: "終了",
  dialogTitle: "Tether リモートサポート",
  dialog: {
    confirmCode: {
      question: "技術者が読み上げる 4 つの単語は、これとまったく同じですか？",
      yes: "一致する",
      no: "一致しない",
    },
    allowView: {
      question: "画面を見ることを許可しますか？見るだけで、操作はできません。",
      yes: "許可する",
      no: "許可しない",
    },
    allowControl: {
      question: "マウスとキーボードの操作も許可しますか？技術者はあなたと同じようにクリックや入力ができます。",
      yes: "操作を許可",
      no: "見るだけ",
    },
  },
  captureFailed: "画面を取り込めなくなったため、セッションを終了しました。これ以上は何も共有されません。",
};
