// Live pages: when the server says a ticket changed, re-render the page's [data-live-region] parts in place,
// so a reply or a new ticket shows up without a reload. Agents also hear when a colleague is typing a reply.
(() => {
  'use strict';
  const root = document.querySelector('[data-live]');
  if (!root || !window.signalR) {
    return;
  }
  const ticketId = root.dataset.ticket || null;
  const status = document.getElementById('live-status');
  const connection = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/tickets')
    .withAutomaticReconnect()
    .build();

  let refreshing = null;
  let again = false;
  async function refresh() {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      try {
        const response = await fetch(location.href, { credentials: 'same-origin', headers: { 'X-Live-Refresh': '1' } });
        if (!response.ok) {
          return;
        }
        const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
        for (const region of document.querySelectorAll('[data-live-region]')) {
          const replacement = region.id && fresh.getElementById(region.id);
          if (replacement) {
            region.replaceWith(document.importNode(replacement, true));
          }
        }
        const liveStatus = document.getElementById('live-status');
        if (liveStatus) {
          liveStatus.textContent = document.documentElement.lang === 'it' ? 'Aggiornato.' : 'Updated.';
        }
      } finally {
        refreshing = null;
        if (again) {
          again = false;
          refresh();
        }
      }
    })();
    return refreshing;
  }

  connection.on('ticketChanged', (change) => {
    if (!ticketId || change.id === ticketId) {
      refresh();
    }
  });

  const collision = document.getElementById('collision');
  let collisionTimer = null;
  connection.on('agentReplying', (who) => {
    if (!collision || who.ticketId !== ticketId) {
      return;
    }
    collision.textContent = (document.documentElement.lang === 'it' ? '{0} sta rispondendo a questo ticket.' : '{0} is replying to this ticket.')
      .replace('{0}', who.agentName);
    collision.hidden = false;
    clearTimeout(collisionTimer);
    collisionTimer = setTimeout(() => { collision.hidden = true; }, 15000);
  });

  // A missed response target in one of my departments (or while I am on call): say so at the top of the page.
  connection.on('slaEscalation', (ticket) => {
    const main = document.querySelector('main');
    if (!main) {
      return;
    }
    const alert = document.createElement('div');
    alert.className = 'alert error escalation';
    alert.setAttribute('role', 'alert');
    const link = document.createElement('a');
    link.href = '/desk/tickets/' + ticket.id;
    link.textContent = '#' + ticket.number + ' ' + ticket.subject;
    alert.append(document.documentElement.lang === 'it' ? 'Tempo di risposta superato: ' : 'Response target missed: ', link);
    main.prepend(alert);
  });

  const replyBox = document.querySelector('[data-replying]');
  let lastTyping = 0;
  if (replyBox && ticketId) {
    replyBox.addEventListener('input', () => {
      const now = Date.now();
      if (now - lastTyping > 5000 && connection.state === signalR.HubConnectionState.Connected) {
        lastTyping = now;
        connection.invoke('Replying', ticketId).catch(() => {});
      }
    });
  }

  async function start() {
    try {
      await connection.start();
      if (ticketId) {
        await connection.invoke('WatchTicket', ticketId);
      }
      root.dataset.liveConnected = 'true';
    } catch {
      setTimeout(start, 5000);
    }
  }
  connection.onreconnected(async () => {
    if (ticketId) {
      await connection.invoke('WatchTicket', ticketId);
    }
    // Changes made while disconnected were missed: catch up once.
    refresh();
  });
  start();
})();
