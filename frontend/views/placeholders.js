// The empty state (no runs yet): how to write event files, or launch a job from the board.

import { el } from '../dom.js';

const EXAMPLE = `summary = tf.scalar_summary("loss", loss)
writer = tf.train.SummaryWriter("runs/my_run", sess.graph_def)
writer.add_summary(sess.run(summary), step)`;

export function emptyState(onLaunch) {
  return el('div', { class: 'empty-state', 'data-testid': 'empty-state' },
    el('h2', {}, 'No runs yet'),
    el('p', {}, 'The board shows every directory under the log directory that holds event ',
      'files. Write some from your training script with scopeflow:'),
    el('pre', { class: 'code' }, el('code', {}, EXAMPLE)),
    el('p', {}, 'Runs appear here as soon as their first event is written; no reload needed.'),
    el('p', {}, 'Or start the built-in MNIST example from the ',
      el('button', { type: 'button', class: 'link', onclick: onLaunch }, 'Launch tab'), '.'));
}
