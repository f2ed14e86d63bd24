// Sportello live chat: one line on any site, <script src="https://SPORTELLO/chat/widget.js" async></script>
// (data-lang="it", data-department="financial" optional). Adds a chat button at the bottom right inside a Shadow
// DOM (the host page's CSS cannot reach it, and its CSS cannot reach the host page); the panel's code loads on
// first open.
(() => {
  'use strict';
  const script = document.currentScript;
  if (!script || window.__sportelloChat) {
    return;
  }
  window.__sportelloChat = true;
  const base = new URL(script.src).origin;
  const lang = (script.dataset.lang || document.documentElement.lang || navigator.language || 'en').slice(0, 2).toLowerCase() === 'it' ? 'it' : 'en';
  const words = {
    en: { open: 'Chat with us', close: 'Close the chat' },
    it: { open: 'Chatta con noi', close: 'Chiudi la chat' },
  }[lang];

  // A custom element: the host page's rules for div, button or section never match it.
  const host = document.createElement('sportello-chat');
  // The host element itself must not be restyled by the page: all: initial, then only what positions it.
  host.style.cssText = 'all: initial; position: fixed; z-index: 2147483000; right: 0; bottom: 0;';
  const root = host.attachShadow({ mode: 'open' });
  // Constructed style sheets, not <style> elements: a host page whose CSP forbids inline styles still shows the widget.
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`
    :host { all: initial; }
    * { box-sizing: border-box; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
    .launcher { position: fixed; right: 20px; bottom: 20px; width: 56px; height: 56px; border-radius: 50%; border: 0;
      background: #0b57a4; color: #fff; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: grid; place-items: center; }
    .launcher:focus-visible { outline: 3px solid #f2b600; outline-offset: 3px; }
    .launcher svg { width: 28px; height: 28px; fill: currentColor; }`);
  root.adoptedStyleSheets = [sheet];
  root.innerHTML = `  <button class="launcher" type="button" aria-expanded="false" aria-controls="sportello-chat-panel" aria-label="${words.open}">
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>
  </button>`;
  const launcher = root.querySelector('.launcher');
  let panel = null;
  let loading = null;

  function load() {
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const code = document.createElement('script');
        code.src = `${base}/chat/panel.js`;
        code.async = true;
        code.onload = () => resolve(window.__sportelloChatPanel);
        code.onerror = reject;
        document.head.appendChild(code);
      });
    }
    return loading;
  }

  async function toggle() {
    const open = launcher.getAttribute('aria-expanded') !== 'true';
    if (open && !panel) {
      const create = await load();
      panel = create({ root, base, lang, department: script.dataset.department || 'technical',
        customerToken: script.dataset.customerToken || null, onClose: () => toggle() });
    }
    launcher.setAttribute('aria-expanded', String(open));
    launcher.setAttribute('aria-label', open ? words.close : words.open);
    panel.show(open);
    if (!open) {
      launcher.focus();
    }
  }

  launcher.addEventListener('click', toggle);
  (document.body || document.documentElement).appendChild(host);
})();
