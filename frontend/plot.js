// plotly.js loads asynchronously (see index.html) so the app fetches data meanwhile; every
// chart goes through `plot()` or `plotWhenIdle()`, which wait for it.
//
// Draws run one at a time, with a turn of the event loop between them. Several cards' data
// often lands while plotly.js is still being evaluated; drawing them all in one go would
// keep the first card's promise (and the page's paint) waiting behind the later cards'
// work. Two queues: `plot` for what the user is waiting to see, in the order asked, and
// `plotWhenIdle` for detail that can wait until no such draw is pending.

const script = document.getElementById('plotly-script');

export const plotlyReady = new Promise((resolve, reject) => {
  if (window.Plotly) {
    resolve(window.Plotly);
    return;
  }
  script.addEventListener('load', () => resolve(window.Plotly));
  script.addEventListener('error', () => reject(new Error('could not load /vendor/plotly.min.js')));
});

const waiting = [];
const idle = [];
let drawing = false;

function enqueue(queue, draw) {
  return new Promise((resolve, reject) => {
    queue.push({ draw, resolve, reject });
    pump();
  });
}

function pump() {
  if (drawing) return;
  const job = waiting.shift() ?? idle.shift();
  if (!job) return;
  drawing = true;
  plotlyReady.then(job.draw).then(job.resolve, job.reject).finally(() => {
    drawing = false;
    setTimeout(pump, 0);
  });
}

/** Plotly.react once plotly is there and earlier draws are done; resolves with the div. */
export function plot(div, traces, layout, config) {
  return enqueue(waiting, (Plotly) => Plotly.react(div, traces, layout, config));
}

/**
 * Plotly.react with the arguments `build()` returns once no `plot()` is waiting; `build`
 * may return null when the draw is no longer wanted (then this resolves with null).
 */
export function plotWhenIdle(div, build) {
  return enqueue(idle, (Plotly) => {
    const args = build();
    return args && Plotly.react(div, ...args);
  });
}
