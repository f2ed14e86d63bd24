// The Desk's chat console: the list follows the departments' chats live; a chat's page shows new messages as they
// are stored (asking for what follows the last number it has, after a drop too), the visitor typing, and sends
// answers over the hub. Without script the page still works: forms post and the page reloads.
(() => {
  'use strict';
  if (!window.signalR) {
    return;
  }
  const it = document.documentElement.lang === 'it';
  const list = document.querySelector('[data-chat-list]');
  const page = document.querySelector('[data-chat]');
  const connection = new signalR.HubConnectionBuilder().withUrl('/hubs/chat').withAutomaticReconnect().build();
  // While a console is open the agent's "online" stays alive; when the last one closes, they become away.
  const heartbeat = () => connection.state === 'Connected' && connection.invoke('Heartbeat').catch(() => {});
  setInterval(heartbeat, 30000);
  connection.onreconnected(heartbeat);

  async function refreshList() {
    const response = await fetch(location.href, { credentials: 'same-origin' });
    if (!response.ok) {
      return;
    }
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').querySelector('[data-chat-list]');
    if (fresh) {
      document.querySelector('[data-chat-list]').replaceWith(document.importNode(fresh, true));
      const status = document.getElementById('live-status');
      if (status) {
        status.textContent = it ? 'Aggiornato.' : 'Updated.';
      }
    }
  }

  if (list) {
    connection.on('chatChanged', refreshList);
    connection.onreconnected(async () => { await connection.invoke('WatchQueue'); await refreshList(); });
    connection.start().then(() => connection.invoke('WatchQueue')).then(heartbeat).catch(() => {});
    return;
  }
  if (!page) {
    return;
  }

  const chatId = page.dataset.chat;
  const log = document.getElementById('chat-log');
  const typing = document.getElementById('chat-typing');
  let lastSeq = Number(page.dataset.lastSeq || 0);
  let typingTimer = null;
  let lastTyping = 0;

  function append(m) {
    if (m.conversationId !== chatId || m.seq <= lastSeq) {
      return;
    }
    lastSeq = m.seq;
    const item = document.createElement('div');
    item.className = `chat-msg ${m.author.kind}${m.internal ? ' internal' : ''}`;
    item.dataset.seq = m.seq;
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = m.author.name;
    item.append(who);
    if (m.internal) {
      const badge = document.createElement('span');
      badge.className = 'badge internal';
      badge.textContent = it ? 'Nota interna' : 'Internal note';
      item.append(' ', badge);
    }
    if (m.body) {
      const text = document.createElement('p');
      text.textContent = m.body;
      item.append(text);
    }
    if (m.attachments && m.attachments.length) {
      const files = document.createElement('ul');
      files.className = 'attachments';
      for (const file of m.attachments) {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = `/desk/chat-files/${encodeURIComponent(file.id)}`;
        a.download = '';
        a.textContent = file.fileName;
        li.append(a);
        files.append(li);
      }
      item.append(files);
    }
    log.append(item);
    if (m.author.kind === 'visitor') {
      typing.textContent = '';
    }
    if (m.author.kind === 'agent' && !m.internal) {
      lastAnswer = m.seq;
      showMarks();
    }
    seen();
  }

  // Delivered and read: the visitor's marks under the latest answer; ours told to the visitor as we receive and show.
  const marks = document.getElementById('chat-marks');
  let visitorDelivered = Number(marks?.dataset.delivered || 0);
  let visitorRead = Number(marks?.dataset.read || 0);
  let lastAnswer = 0;
  for (const el of log.querySelectorAll('.chat-msg.agent:not(.internal)')) {
    lastAnswer = Number(el.dataset.seq);
  }
  function showMarks() {
    if (!marks || !lastAnswer) {
      return;
    }
    marks.textContent = visitorRead >= lastAnswer ? (it ? 'Letto dal visitatore' : 'Read by the visitor')
      : visitorDelivered >= lastAnswer ? (it ? 'Consegnato al visitatore' : 'Delivered to the visitor') : (it ? 'Inviato' : 'Sent');
  }
  let seenTimer = null;
  function seen() {
    clearTimeout(seenTimer);
    seenTimer = setTimeout(() => {
      if (connection.state === 'Connected') {
        connection.invoke('AgentSeen', chatId, lastSeq, document.visibilityState === 'visible').catch(() => {});
      }
    }, 300);
  }
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && seen());

  const watch = async () => { (await connection.invoke('Watch', chatId, lastSeq)).forEach(append); seen(); };
  connection.on('chatMessage', append);
  connection.on('chatMarks', (m) => {
    if (m.conversationId === chatId && m.side === 'visitor') {
      visitorDelivered = Math.max(visitorDelivered, m.delivered);
      visitorRead = Math.max(visitorRead, m.read);
      showMarks();
    }
  });
  connection.on('chatChanged', (c) => {
    // A change of state (accepted, passed on, closed, escalated) redraws the page's actions.
    if (c.id === chatId) {
      location.reload();
    }
  });
  connection.on('typing', (e) => {
    if (e.conversationId !== chatId) {
      return;
    }
    typing.textContent = it ? 'Il visitatore sta scrivendo…' : 'The visitor is typing…';
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typing.textContent = ''; }, 4000);
  });
  connection.onreconnected(watch);
  connection.start().then(watch).then(heartbeat).catch(() => {});

  const form = document.getElementById('chat-answer');
  if (form) {
    const body = form.querySelector('textarea');
    // Canned answers: "/" and a word, or the agent's words, or (nothing typed yet) the visitor's last message.
    const canned = document.getElementById('canned');
    let suggestTimer = null;
    const lastVisitorText = () => [...log.querySelectorAll('.chat-msg.visitor p')].map((p) => p.textContent).pop() || '';
    async function suggest() {
      const text = body.value.trim();
      const q = text.startsWith('/') ? text.slice(1) : text || lastVisitorText();
      const url = new URL(location.href);
      url.search = new URLSearchParams({ handler: 'Suggestions', q }).toString();
      const response = await fetch(url, { credentials: 'same-origin' });
      const found = response.ok ? await response.json() : [];
      const list = canned.querySelector('ul');
      list.replaceChildren(...found.map((answer) => {
        const li = document.createElement('li');
        const use = document.createElement('button');
        use.type = 'button';
        use.className = 'secondary small';
        use.textContent = answer.title;
        use.title = answer.body;
        use.addEventListener('click', () => {
          body.value = answer.body;
          canned.hidden = true;
          body.focus();
        });
        li.append(use);
        return li;
      }));
      canned.hidden = found.length === 0;
    }
    const suggestSoon = () => { clearTimeout(suggestTimer); suggestTimer = setTimeout(suggest, 250); };
    body.addEventListener('input', suggestSoon);
    connection.on('chatMessage', (m) => m.conversationId === chatId && m.author.kind === 'visitor' && !body.value.trim() && suggestSoon());
    suggestSoon();
    body.addEventListener('input', () => {
      if (connection.state === 'Connected' && Date.now() - lastTyping > 2000) {
        lastTyping = Date.now();
        connection.invoke('AgentTyping', chatId).catch(() => {});
      }
    });
    form.addEventListener('submit', async (event) => {
      if (connection.state !== 'Connected') {
        return;
      }
      event.preventDefault();
      const text = body.value.trim();
      if (!text) {
        return;
      }
      try {
        append(await connection.invoke('Answer', chatId, text, form.querySelector('[name=Internal]').checked));
        body.value = '';
      } catch {
        form.submit();
      }
    });
  }
})();
