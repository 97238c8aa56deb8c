// Pure helpers of the Launch tab: the job form's values checked as the server checks them
// (so most mistakes are caught before a request), run names, durations and the log buffer.

// As the server's supervisor: no segment starts with '.', so no '..' and no '.board'.
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_RUN_NAME = 200;
const MAX_STRING = 4096; // a str parameter's limit

const pad = (n) => String(n).padStart(2, '0');

/** `<job>/<yyyymmdd-hhmmss>` in local time: a fresh directory for every launch. */
export function defaultRunName(job, date = new Date()) {
  const day = `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
  return `${job}/${day}-${time}`;
}

/** Why the server would refuse `name` as a run directory, or null when it is fine. */
export function runNameError(name) {
  if (!name || name.length > MAX_RUN_NAME) {
    return `run name must be 1 to ${MAX_RUN_NAME} characters`;
  }
  const bad = name.split('/').find((segment) => !SEGMENT.test(segment));
  if (bad === '') return 'no empty segments (a leading, trailing or double "/")';
  if (bad != null) {
    return `segment "${bad}" must be letters, digits, ".", "_" or "-" and not start with "."`;
  }
  return null;
}

function numberError(param, value) {
  if (param.min != null && value < param.min) return `must be >= ${param.min}`;
  if (param.max != null && value > param.max) return `must be <= ${param.max}`;
  return null;
}

/**
 * A form field's raw value (string from an input, boolean from a checkbox, index string from
 * a select) as the parameter's typed value: `{ value }` or `{ error }`.
 */
export function parseParam(param, raw) {
  switch (param.type) {
    case 'bool':
      return { value: Boolean(raw) };
    case 'choice': {
      const choices = param.choices ?? [];
      const index = Number(raw);
      if (!Number.isInteger(index) || index < 0 || index >= choices.length) {
        return { error: `must be one of ${choices.join(', ')}` };
      }
      return { value: choices[index] };
    }
    case 'int':
    case 'float': {
      const text = String(raw).trim();
      if (!text) return { error: 'a value is required' };
      const value = Number(text);
      if (!Number.isFinite(value)) return { error: 'must be a finite number' };
      if (param.type === 'int' && !Number.isInteger(value)) return { error: 'must be an integer' };
      const error = numberError(param, value);
      return error ? { error } : { value };
    }
    default: {
      const value = String(raw);
      if (value.length > MAX_STRING || value.includes('\0')) {
        return { error: `must be at most ${MAX_STRING} characters, without NUL` };
      }
      return { value };
    }
  }
}

/**
 * Which form field a server message is about: the parameter it names ("parameter 'lr' must
 * be ..."), 'run' for the run name ("run 'x' already exists", "bad run name ..."), else null.
 */
export function fieldOfMessage(message, paramNames) {
  const param = /\bparameter '([A-Za-z_][A-Za-z0-9_]*)'/.exec(message);
  if (param) return paramNames.includes(param[1]) ? param[1] : null;
  return /^(bad )?run\b/i.test(message) ? 'run' : null;
}

export function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regex matching exactly this run name (for the runs filter). */
export function exactRunPattern(run) {
  return `^${escapeRegex(run)}$`;
}

export function formatDuration(seconds) {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor(s / 60) % 60)}m`;
}

/** `text` without its oldest lines, keeping at most `maxLines` (a partial last line counts). */
export function keepLastLines(text, maxLines) {
  let cut = text.length;
  const end = text.endsWith('\n') ? text.length - 1 : text.length;
  let seen = 0;
  for (let i = end - 1; i >= 0; i -= 1) {
    if (text[i] !== '\n') continue;
    seen += 1;
    if (seen === maxLines) {
      cut = i + 1;
      break;
    }
  }
  return seen === maxLines ? text.slice(cut) : text;
}
