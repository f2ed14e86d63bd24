// The Client Area's notifications, live: a new one raises the unread badge in the header on every page, is
// announced to screen readers, and appears at once in the inbox when it is open. Text only: nothing from the
// server is ever parsed as HTML here.
(() => {
  'use strict';
  const badge = document.getElementById('unread-badge');
  if (!badge || !window.signalR) {
    return;
  }
  const number = badge.querySelector('.n');
  const announce = document.getElementById('notify-live');
  const italian = document.documentElement.lang === 'it';

  function show(count) {
    badge.dataset.count = String(count);
    number.textContent = String(count);
    badge.hidden = count === 0;
  }

  async function refreshInbox() {
    const inbox = document.getElementById('inbox');
    if (!inbox) {
      return;
    }
    const response = await fetch(location.href, { credentials: 'same-origin' });
    if (!response.ok) {
      return;
    }
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('inbox');
    if (fresh) {
      inbox.replaceWith(document.importNode(fresh, true));
    }
  }

  const connection = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/tickets')
    .withAutomaticReconnect()
    .build();
  connection.on('notification', (notification) => {
    show((parseInt(badge.dataset.count, 10) || 0) + 1);
    if (announce) {
      announce.textContent = (italian ? 'Nuova notifica: ' : 'New notification: ') + String(notification.title || '');
    }
    refreshInbox().catch(() => {});
  });
  connection.start().catch(() => {});
})();
