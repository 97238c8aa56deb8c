// plotly.js loads asynchronously (see index.html) so the app fetches data meanwhile; every
// chart goes through `plot()`, which waits for it.

const script = document.getElementById('plotly-script');

export const plotlyReady = new Promise((resolve, reject) => {
  if (window.Plotly) {
    resolve(window.Plotly);
    return;
  }
  script.addEventListener('load', () => resolve(window.Plotly));
  script.addEventListener('error', () => reject(new Error('could not load /vendor/plotly.min.js')));
});

/** Plotly.react once plotly is there; resolves with the graph div. */
export async function plot(div, traces, layout, config) {
  const Plotly = window.Plotly ?? await plotlyReady;
  return Plotly.react(div, traces, layout, config);
}
