// plotly.js loads asynchronously (see index.html) so the app fetches data meanwhile; every
// chart goes through `plot()`, which waits for it.
//
// Draws run one at a time, in the order asked, with a turn of the event loop between them.
// Several cards' data often lands while plotly.js is still being evaluated; drawing them all
// in one go would keep the first card's promise (and the page's paint) waiting behind the
// later cards' work. One card per task keeps the page responsive and the first chart first.

const script = document.getElementById('plotly-script');

export const plotlyReady = new Promise((resolve, reject) => {
  if (window.Plotly) {
    resolve(window.Plotly);
    return;
  }
  script.addEventListener('load', () => resolve(window.Plotly));
  script.addEventListener('error', () => reject(new Error('could not load /vendor/plotly.min.js')));
});

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
let queue = plotlyReady;

/** Plotly.react once plotly is there and earlier draws are done; resolves with the div. */
export function plot(div, traces, layout, config) {
  const drawn = queue.then(() => window.Plotly.react(div, traces, layout, config));
  queue = drawn.then(nextTask, nextTask);
  return drawn;
}
