// The launch token: a board started with --launch_token accepts launches and stops only with
// it. The bar stays hidden until the server asks for it (a 403); the token is kept for this
// browser tab only (sessionStorage), never in the URL.

import { el } from '../dom.js';

const KEY = 'scopeflow.launchToken';

export class LaunchToken {
  constructor() {
    this.value = sessionStorage.getItem(KEY) ?? '';
    this.input = el('input', { type: 'password', class: 'launch-input launch-token-input',
      name: 'launch-token', 'aria-label': 'Launch token', autocomplete: 'off',
      placeholder: 'token' });
    this.note = el('span', { class: 'launch-token-note' });
    this.element = el('form', { class: 'launch-token', hidden: !this.value,
      onsubmit: (event) => {
        event.preventDefault();
        this.save();
      } },
    el('span', {}, 'This board launches runs only with its launch token ',
      el('code', {}, '--launch_token'), ':'),
    this.input,
    el('button', { type: 'submit', class: 'launch-token-save' }, 'Use token'),
    this.note);
    if (this.value) this.note.textContent = 'A token is set for this tab.';
  }

  save() {
    this.value = this.input.value.trim();
    this.input.value = '';
    if (this.value) sessionStorage.setItem(KEY, this.value);
    else sessionStorage.removeItem(KEY);
    this.note.textContent = this.value ? 'Token set: launch again.' : 'Token cleared.';
  }

  /** The server refused a request: show the bar when the refusal asks for the token (a
   * refusal of a remote client without a token configured is not solved by one). */
  onError(err) {
    if (err.status !== 403 || !/Authorization: Bearer/.test(err.message)) return;
    this.element.hidden = false;
    if (this.value) this.note.textContent = 'The server refused the token set for this tab.';
    this.input.focus();
  }
}
