// Runs sidebar: one row per run with its colour, a checkbox and a live badge; a regex
// filter and select all / none (which act on the runs the filter shows).

import { runColor } from '../colors.js';
import { debounce, el, userRegex } from '../dom.js';
import { isSelected, setSelected, state, update } from '../state.js';

export class RunsSidebar {
  constructor(root, runsModel) {
    this.root = root;
    this.model = runsModel;
    this.filterInput = el('input', {
      type: 'search', class: 'filter', placeholder: 'Filter runs (regex)',
      'aria-label': 'Filter runs by regular expression', value: state.runFilter,
      oninput: debounce(() => update({ runFilter: this.filterInput.value }), 150),
    });
    this.count = el('span', { class: 'count' });
    this.list = el('ul', { class: 'run-list', 'data-testid': 'run-list' });
    const selectAll = (on) => () => setSelected(this.filtered().map((r) => r.run), on, this.model.names());
    root.replaceChildren(
      el('div', { class: 'sidebar-head' }, el('h2', {}, 'Runs '), this.count),
      this.filterInput,
      el('div', { class: 'select-buttons' },
        el('button', { type: 'button', class: 'link', onclick: selectAll(true) }, 'all'),
        el('button', { type: 'button', class: 'link', onclick: selectAll(false) }, 'none')),
      this.list,
    );
  }

  filtered() {
    const re = userRegex(state.runFilter);
    return this.model.runs.filter((r) => re.test(r.run));
  }

  render() {
    const runs = this.filtered();
    this.filterInput.classList.toggle('invalid', !userRegex(state.runFilter).valid);
    this.count.textContent = runs.length === this.model.runs.length
      ? String(runs.length) : `${runs.length} / ${this.model.runs.length}`;
    this.list.replaceChildren(...runs.map((run) => this.row(run)));
    if (!runs.length && this.model.runs.length) {
      this.list.append(el('li', { class: 'muted' }, 'No run matches the filter.'));
    }
  }

  row(run) {
    const name = run.run;
    const checkbox = el('input', {
      type: 'checkbox', checked: isSelected(name),
      onchange: () => setSelected([name], checkbox.checked, this.model.names()),
    });
    const live = this.model.isLive(run);
    return el('li', { class: 'run-row', dataset: { run: name }, title: name },
      el('label', {},
        checkbox,
        el('span', { class: 'swatch', style: { background: runColor(name) } }),
        el('span', { class: 'run-name' }, name),
        live && el('span', { class: 'live-badge', title: 'receiving data' }, 'live')));
  }
}

/** Runs that charts should draw: selected in the sidebar and matching its filter. */
export function visibleRuns(runsModel) {
  const re = userRegex(state.runFilter);
  return runsModel.runs.filter((r) => isSelected(r.run) && re.test(r.run));
}
