// The Launch tab: a card per registered job with a form built from its parameter schema,
// then the runs launched from this board with their status and live logs. Everything the
// server sends (titles, help, run names, logs) is inserted as text.

import { el } from '../dom.js';
import { defaultRunName, fieldOfMessage, parseParam, runNameError } from '../launch_params.js';
import { api } from '../model.js';
import { LaunchedRuns } from './launch_runs.js';
import { LaunchToken } from './launch_token.js';

export class LaunchView {
  constructor(root, runsModel) {
    this.root = root;
    this.jobs = el('div', { class: 'launch-jobs', 'data-testid': 'launch-jobs' },
      el('p', { class: 'placeholder-note' }, 'Loading jobs…'));
    this.token = new LaunchToken();
    this.runs = new LaunchedRuns(runsModel, () => !root.hidden, this.token);
    this.jobsLoaded = false;
    root.replaceChildren(
      this.token.element,
      el('section', { class: 'launch-section' }, el('h2', { class: 'launch-h' }, 'Jobs'),
        this.jobs),
      el('section', { class: 'launch-section' }, el('h2', { class: 'launch-h' }, 'Launched runs'),
        this.runs.element));
  }

  render() {
    if (!this.jobsLoaded) this.loadJobs();
    this.runs.refresh();
  }

  async loadJobs() {
    this.jobsLoaded = true;
    try {
      const jobs = await api.launchJobs();
      this.jobs.replaceChildren(...jobs.map((job) => new JobCard(job, this.token,
        (launch) => this.runs.added(launch)).element));
      if (!jobs.length) {
        this.jobs.append(el('p', { class: 'placeholder-note' },
          'No jobs are registered with this board.'));
      }
    } catch (err) {
      this.jobsLoaded = false; // try again when the tab is shown again
      this.jobs.replaceChildren(el('p', { class: 'launch-error' },
        `Could not load the jobs: ${err.message}`));
    }
  }
}

/** One parameter's labelled input with its hint and error line. */
function paramField(param) {
  const id = `launch-${Math.random().toString(36).slice(2)}`;
  const common = { id, name: param.name, class: 'launch-input' };
  let input;
  if (param.type === 'bool') {
    input = el('input', { ...common, type: 'checkbox', checked: Boolean(param.default) });
  } else if (param.type === 'choice') {
    const choices = param.choices ?? [];
    input = el('select', common, choices.map((choice, i) => el('option', {
      value: String(i), selected: choice === param.default }, String(choice))));
  } else if (param.type === 'int' || param.type === 'float') {
    input = el('input', { ...common, type: 'number', value: param.default == null ? ''
      : String(param.default), min: param.min, max: param.max,
    step: param.step ?? (param.type === 'int' ? 1 : 'any') });
  } else {
    input = el('input', { ...common, type: 'text', value: param.default ?? '',
      spellcheck: 'false' });
  }
  const raw = () => (param.type === 'bool' ? input.checked : input.value);
  return labelled(param.name, input, param.help, param.type, () => parseParam(param, raw()));
}

function labelled(name, input, help, type, parse) {
  const error = el('div', { class: 'launch-field-error', role: 'alert' });
  const field = el('div', { class: type ? `launch-field launch-field-${type}` : 'launch-field',
    dataset: { field: name } },
    el('label', { for: input.id, class: 'launch-label' }, name,
      type && el('span', { class: 'launch-type' }, type)),
    input,
    help && el('div', { class: 'launch-hint' }, help),
    error);
  const setError = (message) => {
    error.textContent = message ?? '';
    field.classList.toggle('invalid', Boolean(message));
    input.setAttribute('aria-invalid', String(Boolean(message)));
  };
  const check = () => {
    const parsed = parse();
    setError(parsed.error);
    return parsed;
  };
  input.addEventListener(input.type === 'checkbox' || input.tagName === 'SELECT'
    ? 'change' : 'input', check);
  return { name, field, input, check, setError };
}

class JobCard {
  constructor(job, token, onLaunched) {
    this.job = job;
    this.token = token;
    this.onLaunched = onLaunched;
    this.params = (job.params ?? []).map(paramField);
    const runInput = el('input', { type: 'text', id: `launch-run-${job.name}`, name: 'run',
      class: 'launch-input', value: defaultRunName(job.name), spellcheck: 'false' });
    this.run = labelled('run', runInput, 'the run\'s directory under the log directory', null,
      () => {
        const error = runNameError(runInput.value.trim());
        return error ? { error } : { value: runInput.value.trim() };
      });
    this.message = el('div', { class: 'launch-message', role: 'status' });
    this.button = el('button', { type: 'submit', class: 'launch-button' }, 'Launch');
    const form = el('form', { class: 'launch-form', novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        this.submit();
      } },
    el('div', { class: 'launch-fields' }, this.params.map((p) => p.field)),
    el('div', { class: 'launch-run-row' }, this.run.field,
      el('div', { class: 'launch-actions' }, this.button)),
    this.message);
    this.element = el('article', { class: 'launch-card', dataset: { job: job.name } },
      el('div', { class: 'launch-card-head' },
        el('h3', { class: 'launch-title' }, job.title || job.name),
        el('code', { class: 'launch-job-name' }, job.name)),
      job.description && el('p', { class: 'launch-description muted' }, job.description),
      form);
  }

  fields() {
    return [...this.params, this.run];
  }

  showMessage(text, kind) {
    this.message.textContent = text ?? '';
    this.message.className = `launch-message ${kind ?? ''}`;
  }

  async submit() {
    this.showMessage('');
    const params = {};
    let valid = true;
    for (const field of this.fields()) {
      const parsed = field.check();
      if (parsed.error) valid = false;
      else if (field !== this.run) params[field.name] = parsed.value;
    }
    if (!valid) {
      this.showMessage('Fix the marked fields first.', 'error');
      return;
    }
    const run = this.run.check().value;
    this.button.disabled = true;
    this.showMessage('Launching…');
    try {
      const launch = await api.launch(this.job.name, run, params, this.token.value);
      this.showMessage(`Launched ${launch.run}.`, 'ok');
      this.run.input.value = defaultRunName(this.job.name);
      this.onLaunched(launch);
    } catch (err) {
      this.showServerError(err);
    } finally {
      this.button.disabled = false;
    }
  }

  /** A 409/422 about one field goes next to it; anything else (403, 404, ...) on the card. */
  showServerError(err) {
    this.token.onError(err);
    const names = this.params.map((p) => p.name);
    const target = err.status === 409 || err.status === 422
      ? fieldOfMessage(err.message, names) : null;
    const field = this.fields().find((f) => f.name === target);
    if (field) {
      field.setError(err.message);
      field.input.focus();
      this.showMessage('The server refused this launch.', 'error');
    } else {
      this.showMessage(err.message, 'error');
    }
  }
}
