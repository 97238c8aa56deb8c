// The launched runs of the Launch tab: one row per launch (status badge, exit code, start,
// duration, Stop, "Show curves") with a log viewer that follows the process's output.

import { el } from '../dom.js';
import { exactRunPattern, formatDuration, keepLastLines } from '../launch_params.js';
import { api } from '../model.js';
import { isSelected, setSelected, update } from '../state.js';

const RUNS_POLL_MS = 2000;
const LOG_POLL_MS = 1000;
const LOG_MAX_LINES = 2000;

/** The list of launches, polled while any is running and the tab is shown. */
export class LaunchedRuns {
  constructor(runsModel, isShown, token) {
    this.model = runsModel;
    this.token = token;
    this.isShown = isShown;
    this.rows = new Map(); // launch id -> RunRow
    this.list = el('div', { class: 'launch-runs', 'data-testid': 'launch-runs' });
    this.note = el('p', { class: 'placeholder-note' }, 'Loading launched runs…');
    this.element = el('div', {}, this.note, this.list);
    this.timer = null;
    this.busy = false;
  }

  /** A launch just made from a job card: show it now and follow its log. */
  added(launch) {
    this.show([launch, ...[...this.rows.values()].map((r) => r.launch)], launch.id);
    this.refresh();
  }

  async refresh() {
    if (this.busy) return;
    this.busy = true;
    clearTimeout(this.timer);
    try {
      this.show(await api.launchRuns());
    } catch (err) {
      this.note.hidden = false;
      this.note.textContent = `Could not load the launched runs: ${err.message}`;
    } finally {
      this.busy = false;
    }
    const running = [...this.rows.values()].some((r) => r.launch.status === 'running');
    if (running && this.isShown()) this.timer = setTimeout(() => this.refresh(), RUNS_POLL_MS);
  }

  show(launches, openId = null) {
    const byId = new Map(launches.map((l) => [l.id, l]));
    const sorted = [...byId.values()].sort((a, b) => b.started - a.started);
    for (const [id, row] of this.rows) {
      if (!byId.has(id)) {
        row.log.stop();
        this.rows.delete(id);
      }
    }
    for (const [i, launch] of sorted.entries()) {
      let row = this.rows.get(launch.id);
      if (!row) {
        // The newest run's log is open from the start; older ones open on demand.
        row = new RunRow(launch, this, launch.id === openId || (i === 0 && !this.rows.size));
        this.rows.set(launch.id, row);
      }
      row.update(launch);
    }
    const elements = sorted.map((l) => this.rows.get(l.id).element);
    // Moving a row would reset its log's scroll position: reorder only when needed.
    if (elements.some((e, i) => this.list.children[i] !== e)) this.list.replaceChildren(...elements);
    this.note.hidden = sorted.length > 0;
    this.note.textContent = 'Nothing launched yet: pick a job above.';
  }
}

class RunRow {
  constructor(launch, owner, open) {
    this.launch = launch;
    this.owner = owner; // the LaunchedRuns
    this.badge = el('span', { class: 'launch-badge' });
    this.exit = el('span', { class: 'launch-exit' });
    this.started = el('span', { class: 'launch-started muted' });
    this.duration = el('span', { class: 'launch-duration muted' });
    this.stopButton = el('button', { type: 'button', class: 'launch-stop',
      onclick: () => this.stop() }, 'Stop');
    this.error = el('span', { class: 'launch-row-error' });
    this.log = new LogViewer(launch.id, owner.isShown);
    const details = el('details', { class: 'launch-log-box', open,
      ontoggle: () => (details.open ? this.log.start() : this.log.stop()) },
    el('summary', {}, 'Log'), this.log.pre);
    this.details = details;
    this.element = el('div', { class: 'launch-run', dataset: { id: launch.id, run: launch.run } },
      el('div', { class: 'launch-run-head' },
        this.badge,
        el('span', { class: 'launch-run-name', title: launch.run }, launch.run),
        el('span', { class: 'launch-run-job muted' }, launch.job),
        this.started, this.duration, this.exit, this.error,
        el('span', { class: 'launch-run-actions' },
          el('button', { type: 'button', class: 'link launch-curves',
            onclick: () => this.showCurves() }, 'Show curves'),
          this.stopButton)),
      details);
  }

  update(launch) {
    this.launch = launch;
    const { status } = launch;
    this.element.dataset.status = status;
    this.badge.className = `launch-badge ${status}`;
    this.badge.textContent = status;
    this.exit.textContent = launch.exit_code == null ? '' : `exit ${launch.exit_code}`;
    this.exit.hidden = launch.exit_code == null;
    this.started.textContent = launch.started
      ? `started ${new Date(launch.started * 1000).toLocaleString()}` : '';
    const end = launch.ended ?? (status === 'running' ? Date.now() / 1000 : null);
    this.duration.textContent = end && launch.started
      ? formatDuration(end - launch.started) : '';
    this.stopButton.hidden = status !== 'running';
    if (this.details.open) this.log.start();
  }

  async stop() {
    if (!window.confirm(`Stop the run ${this.launch.run}?`)) return;
    this.stopButton.disabled = true;
    this.error.textContent = '';
    try {
      this.update(await api.launchStop(this.launch.id, this.owner.token.value));
    } catch (err) {
      this.error.textContent = err.message;
      this.owner.token.onError(err);
    } finally {
      this.stopButton.disabled = false;
      this.owner.refresh();
    }
  }

  /** The Scalars tab with only this run: filtered by an exact pattern, and selected. */
  showCurves() {
    const run = this.launch.run;
    const runs = this.owner.model;
    if (runs.byName.has(run) && !isSelected(run)) setSelected([run], true, runs.names());
    update({ tab: 'scalars', runFilter: exactRunPattern(run) });
  }
}

/** A process's output, fetched from the offset reached so far, every second until done. */
class LogViewer {
  constructor(id, isShown) {
    this.id = id;
    this.isShown = isShown;
    this.pre = el('pre', { class: 'launch-log', tabindex: '0' });
    this.text = '';
    this.offset = 0;
    this.done = false;
    this.timer = null;
    this.fetching = false;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    if (!this.timer && !this.fetching && !this.done) this.poll();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
  }

  async poll() {
    this.timer = null;
    this.fetching = true;
    try {
      const chunk = await api.launchLog(this.id, this.offset);
      this.offset = chunk.offset;
      this.done = chunk.done;
      if (chunk.text) this.append(chunk.text);
    } catch (err) {
      this.done = true; // the log is gone (a lost run): say so once, do not retry
      this.append(`[log unavailable: ${err.message}]\n`);
    } finally {
      this.fetching = false;
    }
    if (!this.done && !this.stopped && this.isShown()) {
      this.timer = setTimeout(() => this.poll(), LOG_POLL_MS);
    }
  }

  append(chunk) {
    const pre = this.pre;
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    this.text = keepLastLines(this.text + chunk, LOG_MAX_LINES);
    pre.textContent = this.text;
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }
}
