// The chat panel, loaded by widget.js on first open. Talks to Sportello over REST (start, send, close) and the hub
// /hubs/chat (live messages, typing, queue moves, catching up after a drop). Text only: messages are never HTML.
(() => {
  'use strict';
  const T = {
    en: {
      title: 'Live chat', close: 'Close', name: 'Name (optional)', email: 'Email (optional, for a copy or a follow-up)',
      message: 'How can we help?', start: 'Start chat', send: 'Send', write: 'Your message', end: 'End chat',
      waiting: (n) => `You are number ${n} in the queue. An agent will be with you shortly.`, active: 'You are chatting with support.',
      closed: 'The chat has ended.', ticket: (n) => `Your request is now ticket ${n}.`, typing: 'Support is typing…',
      rate: 'How did we do?', stars: (n) => `${n} of 5`, comment: 'Comment (optional)', sendRating: 'Send rating',
      thanks: 'Thank you for your rating.', you: 'You', failed: 'Could not send. Try again.', required: 'Write a message first.',
      log: 'Conversation', reconnecting: 'Connection lost: reconnecting…', newChat: 'Start a new chat',
      offline: 'Nobody is online right now. Leave a message and we will answer by email.', emailRequired: 'Email (required, for the answer)',
      leave: 'Send message', left: (n) => `Thank you. Your message is request ${n}: we will answer by email.`,
      leftCustomer: (n) => `Thank you. Your message is ticket ${n}: follow it in the Client Area.`,
      tooLong: 'Nobody has answered yet.', leaveInstead: 'Leave a message instead',
      transcript: 'Email me the transcript', transcriptTo: 'Send the transcript to', transcriptSend: 'Send the transcript',
      transcriptConfirm: (e) => `Check ${e}: open the link we sent to confirm, and the transcript follows.`,
      transcriptSent: (e) => `The transcript is on its way to ${e}.`,
      attach: 'Attach a file', sent: 'Sent', delivered: 'Delivered', read: 'Read', uploading: 'Sending the file…',
      wait: (s) => (s < 60 ? ' Expected wait: less than a minute.' : ` Expected wait: about ${Math.round(s / 60)} min.`),
    },
    it: {
      title: 'Chat dal vivo', close: 'Chiudi', name: 'Nome (facoltativo)', email: 'Email (facoltativa, per una copia o un seguito)',
      message: 'Come possiamo aiutarti?', start: 'Inizia la chat', send: 'Invia', write: 'Il tuo messaggio', end: 'Termina la chat',
      waiting: (n) => `Sei il numero ${n} in coda. Un operatore ti risponderà a breve.`, active: "Stai chattando con l'assistenza.",
      closed: 'La chat è terminata.', ticket: (n) => `La tua richiesta ora è il ticket ${n}.`, typing: "L'assistenza sta scrivendo…",
      rate: 'Come ti abbiamo aiutato?', stars: (n) => `${n} su 5`, comment: 'Commento (facoltativo)', sendRating: 'Invia il voto',
      thanks: 'Grazie per il tuo voto.', you: 'Tu', failed: 'Invio non riuscito. Riprova.', required: 'Scrivi prima un messaggio.',
      log: 'Conversazione', reconnecting: 'Connessione persa: riconnessione…', newChat: 'Inizia una nuova chat',
      offline: 'Nessun operatore è disponibile ora. Lascia un messaggio e ti risponderemo per email.', emailRequired: 'Email (obbligatoria, per la risposta)',
      leave: 'Invia il messaggio', left: (n) => `Grazie. Il tuo messaggio è la richiesta ${n}: ti risponderemo per email.`,
      leftCustomer: (n) => `Grazie. Il tuo messaggio è il ticket ${n}: seguilo nell'Area Clienti.`,
      tooLong: 'Nessuno ha ancora risposto.', leaveInstead: 'Lascia un messaggio',
      transcript: 'Inviami la trascrizione', transcriptTo: 'Invia la trascrizione a', transcriptSend: 'Invia la trascrizione',
      transcriptConfirm: (e) => `Controlla ${e}: apri il link che ti abbiamo inviato per confermare, poi arriverà la trascrizione.`,
      transcriptSent: (e) => `La trascrizione è in arrivo a ${e}.`,
      attach: 'Allega un file', sent: 'Inviato', delivered: 'Consegnato', read: 'Letto', uploading: 'Invio del file…',
      wait: (s) => (s < 60 ? ' Attesa prevista: meno di un minuto.' : ` Attesa prevista: circa ${Math.round(s / 60)} min.`),
    },
  };

  const css = `
    .panel { position: fixed; right: 20px; bottom: 88px; width: 360px; max-width: calc(100vw - 40px); height: 520px;
      max-height: calc(100vh - 120px); display: flex; flex-direction: column; background: #fff; color: #1d2330;
      border-radius: 12px; box-shadow: 0 10px 40px rgba(0,0,0,.3); overflow: hidden; text-align: left; }
    [hidden] { display: none !important; }
    header { display: flex; align-items: center; justify-content: space-between; padding: 12px 16px; background: #0b57a4; color: #fff; }
    h2 { margin: 0; font-size: 17px; font-weight: 600; color: inherit; }
    button { cursor: pointer; border-radius: 6px; border: 1px solid #0b57a4; background: #0b57a4; color: #fff; padding: 8px 14px; font-weight: 600; }
    button.plain { background: transparent; color: inherit; border-color: transparent; padding: 4px 8px; }
    button.secondary { background: #fff; color: #0b57a4; }
    button:focus-visible, input:focus-visible, textarea:focus-visible { outline: 3px solid #f2b600; outline-offset: 2px; }
    form, .body { padding: 12px 16px; display: flex; flex-direction: column; gap: 8px; }
    .body { flex: 1; min-height: 0; padding: 0; }
    label { font-weight: 600; font-size: 14px; }
    input, textarea { width: 100%; border: 1px solid #8a94a6; border-radius: 6px; padding: 8px; color: #1d2330; background: #fff; }
    textarea { resize: vertical; min-height: 60px; }
    .log { flex: 1; overflow-y: auto; padding: 12px 16px; display: flex; flex-direction: column; gap: 8px; margin: 0; list-style: none; }
    .msg { max-width: 85%; padding: 8px 10px; border-radius: 10px; background: #eef2f7; white-space: pre-wrap; overflow-wrap: anywhere; }
    .msg.visitor { align-self: flex-end; background: #0b57a4; color: #fff; }
    .msg.visitor a { color: #fff; }
    .msg.system { align-self: center; background: transparent; color: #4a5468; font-size: 13px; font-style: italic; }
    .who { display: block; font-size: 12px; font-weight: 600; opacity: .85; }
    .status, .typing { padding: 4px 16px; font-size: 13px; color: #4a5468; min-height: 1.4em; }
    .composer { border-top: 1px solid #dde3ea; flex-direction: row; align-items: flex-end; }
    .composer textarea { min-height: 44px; height: 44px; flex: 1; }
    .error { color: #a3141d; font-size: 13px; }
    .files { list-style: none; margin: 4px 0 0; padding: 0; }
    .files button { background: transparent; color: inherit; border: 0; padding: 0; text-decoration: underline; font-weight: 400; text-align: left; }
    .mark { align-self: flex-end; font-size: 12px; color: #4a5468; margin: -4px 0 0; }
    .offer { padding: 8px 16px; background: #fff6d6; }
    .offer p { margin: 0 0 6px; }
    .pad { padding: 0 16px 12px; margin: 0; }
    fieldset { border: 0; padding: 0; margin: 0; display: flex; gap: 6px; flex-wrap: wrap; }
    legend { font-weight: 600; margin-bottom: 4px; }
    .stars label { font-weight: 400; display: inline-flex; gap: 4px; align-items: center; white-space: nowrap; margin-right: 8px; }
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
    @media (max-width: 480px) {
      .panel { right: 0; bottom: 0; width: 100vw; max-width: 100vw; height: 100vh; max-height: 100vh; border-radius: 0; }
    }`;

  // Links become anchors (http and https only); everything else stays text.
  function render(target, text) {
    const pattern = /\bhttps?:\/\/[^\s<>"']+/gi;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      target.append(document.createTextNode(text.slice(last, match.index)));
      const url = match[0].replace(/[.,;:!?)]+$/, '');
      const a = document.createElement('a');
      a.href = url;
      a.textContent = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer nofollow';
      target.append(a);
      last = match.index + url.length;
    }
    target.append(document.createTextNode(text.slice(last)));
  }

  function loadSignalR(base) {
    if (window.signalR) {
      return Promise.resolve(window.signalR);
    }
    return new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = `${base}/lib/signalr/signalr.min.js`;
      s.onload = () => resolve(window.signalR);
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  window.__sportelloChatPanel = ({ root, base, lang, department, customerToken, onClose }) => {
    const t = T[lang];
    const key = `sportello-chat:${base}`;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    const panel = document.createElement('section');
    panel.className = 'panel';
    panel.id = 'sportello-chat-panel';
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-labelledby', 'sportello-chat-title');
    panel.hidden = true;
    panel.innerHTML = `
      <header><h2 id="sportello-chat-title"></h2><button type="button" class="plain" data-close></button></header>
      <form class="start" novalidate>
        <p class="status" role="status" data-offline></p>
        <label for="sc-name" data-t="name"></label><input id="sc-name" name="name" autocomplete="name" maxlength="100">
        <label for="sc-email" data-email-label></label><input id="sc-email" name="email" type="email" autocomplete="email" maxlength="254">
        <label for="sc-message" data-t="message"></label><textarea id="sc-message" name="message" maxlength="4000" required></textarea>
        <p class="error" role="alert" data-error></p>
        <button type="submit" data-start></button>
      </form>
      <p class="status pad" role="status" data-left hidden></p>
      <div class="body" hidden>
        <p class="status" role="status" data-status></p>
        <div class="log" role="log" aria-live="polite" tabindex="0" data-log></div>
        <p class="typing" aria-live="polite" data-typing></p>
        <div class="offer" data-offer hidden><p data-t="tooLong"></p><button type="button" class="secondary" data-t="leaveInstead" data-leave></button></div>
        <form class="composer" novalidate>
          <label for="sc-write" class="visually-hidden" data-t="write"></label>
          <textarea id="sc-write" maxlength="4000"></textarea>
          <input type="file" multiple hidden data-file>
          <button type="button" class="secondary" data-attach aria-label="" title="">+</button>
          <button type="submit" data-t="send"></button>
        </form>
        <p class="error pad" role="alert" data-send-error></p>
        <div class="pad"><button type="button" class="secondary" data-end></button>
          <button type="button" class="secondary" data-transcript-open aria-expanded="false" aria-controls="sc-transcript" data-t="transcript"></button></div>
        <form class="transcript" id="sc-transcript" hidden novalidate>
          <label for="sc-transcript-email" data-t="transcriptTo"></label>
          <input id="sc-transcript-email" type="email" autocomplete="email" maxlength="254">
          <button type="submit" data-t="transcriptSend"></button>
        </form>
        <p class="status pad" role="status" data-transcript-status></p>
      </div>
      <form class="rating" hidden novalidate>
        <fieldset class="stars"><legend data-t="rate"></legend></fieldset>
        <label for="sc-comment" data-t="comment"></label><textarea id="sc-comment" maxlength="2000"></textarea>
        <button type="submit" data-t="sendRating"></button>
        <p role="status" data-thanks></p>
        <button type="button" class="secondary" data-new></button>
      </form>`;
    root.append(panel);
    panel.querySelector('#sportello-chat-title').textContent = t.title;
    panel.querySelector('[data-close]').textContent = t.close;
    panel.querySelector('[data-end]').textContent = t.end;
    panel.querySelector('[data-new]').textContent = t.newChat;
    panel.querySelector('[data-attach]').setAttribute('aria-label', t.attach);
    panel.querySelector('[data-attach]').title = t.attach;
    let offline = false;
    const setOffline = (value) => {
      offline = value;
      panel.querySelector('[data-offline]').textContent = value ? t.offline : '';
      panel.querySelector('[data-email-label]').textContent = value && !customerToken ? t.emailRequired : t.email;
      panel.querySelector('[data-start]').textContent = value ? t.leave : t.start;
    };
    setOffline(false);
    panel.querySelector('[data-log]').setAttribute('aria-label', t.log);
    for (const el of panel.querySelectorAll('[data-t]')) {
      el.textContent = t[el.dataset.t];
    }
    const stars = panel.querySelector('.stars');
    for (let n = 1; n <= 5; n++) {
      const label = document.createElement('label');
      label.innerHTML = `<input type="radio" name="rating" value="${n}">`;
      label.append(document.createTextNode(t.stars(n)));
      stars.append(label);
    }

    const start = panel.querySelector('.start');
    const body = panel.querySelector('.body');
    const log = panel.querySelector('[data-log]');
    const status = panel.querySelector('[data-status]');
    const typing = panel.querySelector('[data-typing]');
    const composer = panel.querySelector('.composer');
    const write = panel.querySelector('#sc-write');
    const rating = panel.querySelector('.rating');
    let chat = JSON.parse(localStorage.getItem(key) || 'null');
    let lastSeq = 0;
    let connection = null;
    let typingTimer = null;
    let lastTyping = 0;
    let lastMine = 0;
    let staffDelivered = 0;
    let staffRead = 0;
    let visible = false;
    let offerTimer = null;
    let waiting = false;
    const offer = panel.querySelector('[data-offer]');
    const mark = document.createElement('p');
    mark.className = 'mark';

    const save = () => chat ? localStorage.setItem(key, JSON.stringify(chat)) : localStorage.removeItem(key);
    const headers = () => ({ 'Content-Type': 'application/json', 'X-Chat-Token': chat.token });
    const api = (path, options = {}) => fetch(`${base}/api/v1/chat/conversations${path}`, { credentials: 'include', ...options });

    function append(message) {
      if (message.seq <= lastSeq) {
        return;
      }
      lastSeq = message.seq;
      const item = document.createElement('div');
      item.className = `msg ${message.author.kind}`;
      item.dataset.seq = message.seq;
      if (message.author.kind !== 'system') {
        const who = document.createElement('span');
        who.className = 'who';
        who.textContent = message.author.kind === 'visitor' ? t.you : message.author.name;
        item.append(who);
      }
      render(item, message.body);
      if (message.attachments && message.attachments.length) {
        const files = document.createElement('ul');
        files.className = 'files';
        for (const file of message.attachments) {
          const li = document.createElement('li');
          const get = document.createElement('button');
          get.type = 'button';
          get.textContent = `${file.fileName} (${Math.max(1, Math.round(file.size / 1024))} KB)`;
          get.addEventListener('click', () => download(file));
          li.append(get);
          files.append(li);
        }
        item.append(files);
      }
      log.append(mark);
      log.insertBefore(item, mark);
      log.scrollTop = log.scrollHeight;
      if (message.author.kind === 'visitor') {
        lastMine = message.seq;
      } else if (message.author.kind === 'agent') {
        typing.textContent = '';
      }
      showMarks();
      seen();
    }

    // Files are fetched with the chat's token (never a bare link) and saved, never shown inline.
    async function download(file) {
      const response = await api(`/${chat.id}/attachments/${encodeURIComponent(file.id)}`, { headers: { 'X-Chat-Token': chat.token } });
      if (!response.ok) {
        return;
      }
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = file.fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    }

    // Delivered and read: ours under our last message; the Desk's told as we receive, and read while the panel is open.
    function showMarks() {
      mark.textContent = !lastMine ? '' : staffRead >= lastMine ? t.read : staffDelivered >= lastMine ? t.delivered : t.sent;
    }
    let seenTimer = null;
    function seen() {
      clearTimeout(seenTimer);
      seenTimer = setTimeout(() => {
        if (connection && connection.state === 'Connected' && chat) {
          connection.invoke('Seen', chat.id, chat.token, lastSeq, visible && document.visibilityState === 'visible').catch(() => {});
        }
      }, 300);
    }
    document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && seen());

    async function refreshState() {
      const response = await api(`/${chat.id}`, { headers: headers() });
      if (!response.ok) {
        return null;
      }
      const state = await response.json();
      waiting = state.status === 'waiting';
      status.textContent = state.status === 'waiting'
        ? t.waiting(state.queuePosition) + (state.expectedWaitSeconds == null ? '' : t.wait(state.expectedWaitSeconds))
        : state.status === 'closed' ? t.closed : t.active;
      staffDelivered = Math.max(staffDelivered, state.staffDeliveredSeq || 0);
      staffRead = Math.max(staffRead, state.staffReadSeq || 0);
      showMarks();
      // After the longest wait, offer a message instead; an agent accepting takes the offer away.
      clearTimeout(offerTimer);
      offer.hidden = !(state.status === 'waiting' && state.offerMessageInSeconds === 0);
      if (state.status === 'waiting' && state.offerMessageInSeconds > 0) {
        offerTimer = setTimeout(refreshState, state.offerMessageInSeconds * 1000);
      }
      if (state.ticketNumber) {
        status.textContent += ' ' + t.ticket(state.ticketNumber);
      }
      if (state.status === 'closed') {
        composer.hidden = true;
        panel.querySelector('[data-end]').hidden = true;
        rating.hidden = false;
      }
      return state;
    }

    async function connect() {
      const signalR = await loadSignalR(base);
      connection = new signalR.HubConnectionBuilder().withUrl(`${base}/hubs/chat`).withAutomaticReconnect().build();
      // While joining, pushes wait: they may be newer than messages the join still brings, and append keeps order by number.
      let joining = null;
      connection.on('chatMessage', (m) => m.conversationId === chat.id && (joining ? joining.push(m) : append(m)));
      connection.on('chatChanged', (c) => c.id === chat.id && refreshState());
      // Only while waiting does the queue matter (an active chat hears its own changes as chatChanged).
      connection.on('queueChanged', () => waiting && refreshState());
      connection.on('chatMarks', (m) => {
        if (m.conversationId === chat.id && m.side === 'staff') {
          staffDelivered = Math.max(staffDelivered, m.delivered);
          staffRead = Math.max(staffRead, m.read);
          showMarks();
        }
      });
      connection.on('typing', (e) => {
        if (e.conversationId !== chat.id) {
          return;
        }
        typing.textContent = t.typing;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => { typing.textContent = ''; }, 4000);
      });
      const join = async () => {
        joining = [];
        let missed = [];
        try {
          missed = await connection.invoke('Join', chat.id, chat.token, lastSeq);
        } finally {
          const pushed = joining;
          joining = null;
          [...missed, ...pushed].sort((a, b) => a.seq - b.seq).forEach(append);
        }
      };
      connection.onreconnecting(() => { status.textContent = t.reconnecting; });
      connection.onreconnected(async () => { await join(); await refreshState(); });
      await connection.start();
      await join();
      seen();
    }

    async function resume() {
      start.hidden = true;
      body.hidden = false;
      if (!await refreshState()) {
        chat = null;
        save();
        start.hidden = false;
        body.hidden = true;
        return;
      }
      await connect();
    }

    start.addEventListener('submit', async (event) => {
      event.preventDefault();
      const error = panel.querySelector('[data-error]');
      const field = (id) => panel.querySelector(id);
      const message = field('#sc-message').value.trim();
      if (!message) {
        error.textContent = t.required;
        field('#sc-message').focus();
        return;
      }
      const fields = { name: field('#sc-name').value || null, email: field('#sc-email').value || null, message, department, customerToken };
      const payload = JSON.stringify(fields);
      if (offline) {
        const left = await fetch(`${base}/api/v1/chat/messages`, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: payload });
        if (!left.ok) {
          const problem = await left.json().catch(() => ({}));
          error.textContent = Object.values(problem.errors || {}).flat().join(' ') || t.failed;
          return;
        }
        const done = await left.json();
        start.hidden = true;
        const note = panel.querySelector('[data-left]');
        note.hidden = false;
        note.textContent = done.verified ? t.leftCustomer(done.number) : t.left(done.number);
        return;
      }
      const response = await api('', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...fields, language: lang }) });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        error.textContent = Object.values(problem.errors || {}).flat().join(' ') || t.failed;
        return;
      }
      const started = await response.json();
      chat = { id: started.id, token: started.visitorToken };
      save();
      await resume();
      write.focus();
    });

    composer.addEventListener('submit', async (event) => {
      event.preventDefault();
      const error = panel.querySelector('[data-send-error]');
      const text = write.value.trim();
      if (!text) {
        return;
      }
      const response = await api(`/${chat.id}/messages`, { method: 'POST', headers: headers(), body: JSON.stringify({ body: text }) });
      if (!response.ok) {
        error.textContent = t.failed;
        return;
      }
      error.textContent = '';
      write.value = '';
      append(await response.json());
    });

    const picker = panel.querySelector('[data-file]');
    panel.querySelector('[data-attach]').addEventListener('click', () => picker.click());
    picker.addEventListener('change', async () => {
      const error = panel.querySelector('[data-send-error]');
      if (!picker.files.length) {
        return;
      }
      const form = new FormData();
      for (const file of picker.files) {
        form.append('files', file, file.name);
      }
      error.textContent = t.uploading;
      const response = await api(`/${chat.id}/attachments`, { method: 'POST', headers: { 'X-Chat-Token': chat.token }, body: form });
      picker.value = '';
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        error.textContent = Object.values(problem.errors || {}).flat().join(' ') || t.failed;
        return;
      }
      error.textContent = '';
      await catchUp();
      write.focus();
    });

    // What follows the last number we have (the upload's message, if its push has not arrived yet).
    async function catchUp() {
      const response = await api(`/${chat.id}/messages?after=${lastSeq}`, { headers: headers() });
      if (response.ok) {
        (await response.json()).forEach(append);
      }
    }

    // The transcript by email: a customer's goes to their registered address; a visitor's address confirms first.
    const transcriptForm = panel.querySelector('.transcript');
    const transcriptOpen = panel.querySelector('[data-transcript-open]');
    transcriptOpen.addEventListener('click', () => {
      transcriptForm.hidden = !transcriptForm.hidden;
      transcriptOpen.setAttribute('aria-expanded', String(!transcriptForm.hidden));
      if (!transcriptForm.hidden) {
        const email = panel.querySelector('#sc-transcript-email');
        email.value = email.value || panel.querySelector('#sc-email').value;
        email.focus();
      }
    });
    transcriptForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const note = panel.querySelector('[data-transcript-status]');
      const response = await api(`/${chat.id}/transcript`, { method: 'POST', headers: headers(),
        body: JSON.stringify({ email: panel.querySelector('#sc-transcript-email').value || null, language: lang }) });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        note.textContent = Object.values(answer.errors || {}).flat().join(' ') || t.failed;
        return;
      }
      transcriptForm.hidden = true;
      transcriptOpen.setAttribute('aria-expanded', 'false');
      note.textContent = answer.status === 'sent' ? t.transcriptSent(answer.email) : t.transcriptConfirm(answer.email);
    });

    // Leave a message instead of waiting on: the chat ends (nobody picked it up) and the form takes over, with what was written.
    panel.querySelector('[data-leave]').addEventListener('click', async () => {
      const stored = await api(`/${chat.id}/messages`, { headers: headers() });
      const written = (stored.ok ? await stored.json() : []).filter((m) => m.author.kind === 'visitor' && m.body).map((m) => m.body).join('\n\n');
      await api(`/${chat.id}/close`, { method: 'POST', headers: headers(), body: '{}' });
      await forget();
      setOffline(true);
      panel.querySelector('#sc-message').value = written;
      panel.querySelector(customerToken ? '#sc-message' : '#sc-email').focus();
    });

    write.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        composer.requestSubmit();
      }
    });
    write.addEventListener('input', () => {
      if (connection && Date.now() - lastTyping > 2000) {
        lastTyping = Date.now();
        connection.invoke('Typing', chat.id, chat.token).catch(() => {});
      }
    });

    panel.querySelector('[data-end]').addEventListener('click', async () => {
      await api(`/${chat.id}/close`, { method: 'POST', headers: headers(), body: '{}' });
      await refreshState();
      rating.querySelector('input').focus();
    });

    rating.addEventListener('submit', async (event) => {
      event.preventDefault();
      const chosen = rating.querySelector('input[name=rating]:checked');
      if (!chosen) {
        return;
      }
      const response = await api(`/${chat.id}/close`, { method: 'POST', headers: headers(),
        body: JSON.stringify({ rating: Number(chosen.value), comment: panel.querySelector('#sc-comment').value || null }) });
      if (response.ok) {
        panel.querySelector('[data-thanks]').textContent = t.thanks;
      }
    });

    // Back to the start form: this chat is forgotten (its token leaves the site's storage).
    async function forget() {
      if (connection) {
        await connection.stop();
      }
      chat = null;
      save();
      lastSeq = 0;
      lastMine = 0;
      log.replaceChildren();
      clearTimeout(offerTimer);
      for (const el of [offer, rating, transcriptForm]) {
        el.hidden = true;
      }
      panel.querySelector('[data-transcript-status]').textContent = '';
      composer.hidden = false;
      panel.querySelector('[data-end]').hidden = false;
      body.hidden = true;
      start.hidden = false;
    }

    panel.querySelector('[data-new]').addEventListener('click', async () => {
      await forget();
      panel.querySelector('#sc-message').focus();
    });

    panel.querySelector('[data-close]').addEventListener('click', onClose);
    panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        onClose();
      }
    });

    if (chat) {
      resume();
    } else {
      fetch(`${base}/api/v1/chat/availability?department=${encodeURIComponent(department)}`, { credentials: 'include' })
        .then((r) => (r.ok ? r.json() : null))
        .then((a) => a && setOffline(!a.online))
        .catch(() => {});
    }

    return {
      show(open) {
        panel.hidden = !open;
        visible = open;
        if (open) {
          seen();
        }
        if (open) {
          (start.hidden ? write : start.querySelector('#sc-message')).focus();
        }
      },
    };
  };
})();
