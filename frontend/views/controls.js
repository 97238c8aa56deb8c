// Small form controls shared by the views' toolbars.

import { debounce, el } from '../dom.js';

export function regexInput({ placeholder, label, value, onChange }) {
  const input = el('input', {
    type: 'search', class: 'filter', placeholder, 'aria-label': label, value,
    oninput: debounce(() => onChange(input.value), 150),
  });
  return input;
}

export function segmented({ label, options, value, onChange, name }) {
  const buttons = options.map(([key, text]) => el('button', {
    type: 'button', class: key === value ? 'seg active' : 'seg', dataset: { value: key },
    'aria-pressed': String(key === value),
    onclick: () => {
      for (const b of buttons) {
        b.classList.toggle('active', b === buttonFor(key));
        b.setAttribute('aria-pressed', String(b.dataset.value === key));
      }
      onChange(key);
    },
  }, text));
  const buttonFor = (key) => buttons.find((b) => b.dataset.value === key);
  return el('div', { class: 'control' }, el('span', { class: 'control-label' }, label),
    el('div', { class: 'segmented', role: 'group', 'aria-label': label, dataset: { name } },
      buttons));
}

export function toggle({ label, checked, onChange, name }) {
  const box = el('input', { type: 'checkbox', checked, name,
    onchange: () => onChange(box.checked) });
  return el('label', { class: 'control toggle' }, box, el('span', {}, label));
}

export function slider({ label, min, max, step, value, onChange, name }) {
  const readout = el('output', { class: 'readout' }, value.toFixed(3));
  const input = el('input', { type: 'range', min, max, step, value: String(value), name,
    'aria-label': label,
    oninput: () => {
      readout.textContent = Number(input.value).toFixed(3);
      commit();
    } });
  const commit = debounce(() => onChange(Number(input.value)), 200);
  return el('div', { class: 'control slider' }, el('span', { class: 'control-label' }, label),
    input, readout);
}
