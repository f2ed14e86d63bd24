// The price helper without pressing the button: when the country or a valid price changes, fetch the same GET page
// and swap in its result and its table. The form still works without this script; an invalid price shows its error
// only when the form is sent, so nothing turns red while someone is typing.
(() => {
  'use strict';
  const form = document.getElementById('price-form');
  if (!form || !window.fetch || !window.DOMParser) {
    return;
  }
  let timer = null;
  let latest = 0;
  async function update() {
    const data = new FormData(form);
    if (!data.get('Country') || !String(data.get('Amount') || '').trim()) {
      return;
    }
    const query = new URLSearchParams(data).toString();
    const ticket = ++latest;
    try {
      const response = await fetch('/prices?' + query, { credentials: 'same-origin' });
      if (!response.ok || ticket !== latest) {
        return;
      }
      const html = await response.text();
      if (ticket !== latest) {
        return;
      }
      const fresh = new DOMParser().parseFromString(html, 'text/html');
      for (const id of ['price-live', 'rates-table']) {
        const mine = document.getElementById(id);
        const theirs = fresh.getElementById(id);
        if (mine && theirs) {
          mine.replaceChildren(...Array.from(theirs.childNodes, n => document.importNode(n, true)));
        }
      }
      // A valid answer: the errors of the last sent form no longer stand.
      for (const id of ['form-errors', 'country-error', 'amount-error']) {
        document.getElementById(id)?.remove();
      }
      for (const id of ['Country', 'Amount']) {
        const field = document.getElementById(id);
        const freshField = fresh.getElementById(id);
        for (const name of ['aria-invalid', 'aria-describedby']) {
          const value = freshField?.getAttribute(name);
          if (value === null || value === undefined) {
            field.removeAttribute(name);
          } else {
            field.setAttribute(name, value);
          }
        }
      }
      history.replaceState(null, '', '/prices?' + query + '#quote');
    } catch {
      // Offline or refused: the button still sends the form.
    }
  }
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(update, 350);
  }
  form.addEventListener('change', soon);
  form.addEventListener('input', soon);
})();
