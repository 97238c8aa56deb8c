// plotly.js is downloaded early (a preload in index.html) but only run when `loadPlotly()`
// is first called: running it blocks the page for a second or more, so the first chart
// card sends its data request first (see scalar_card.js) and the server works meanwhile.
// Every chart goes through `plot()`, which loads plotly if nothing has yet.

const PLOTLY_URL = '/vendor/plotly.min.js';
// After this long past the load event plotly runs anyway, so the preload is always used.
const LOAD_ANYWAY_MS = 1000;
let loading = null;

/** Runs plotly.js (once); resolves with window.Plotly. */
export function loadPlotly() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      if (window.Plotly) {
        resolve(window.Plotly);
        return;
      }
      const script = document.createElement('script');
      script.src = PLOTLY_URL;
      script.addEventListener('load', () => resolve(window.Plotly));
      script.addEventListener('error', () => reject(new Error(`could not load ${PLOTLY_URL}`)));
      document.head.append(script);
    });
  }
  return loading;
}

if (document.readyState === 'complete') {
  setTimeout(loadPlotly, LOAD_ANYWAY_MS);
} else {
  window.addEventListener('load', () => setTimeout(loadPlotly, LOAD_ANYWAY_MS));
}

/** Plotly.react once plotly is there; resolves with the graph div. */
export async function plot(div, traces, layout, config) {
  const Plotly = window.Plotly ?? await loadPlotly();
  return Plotly.react(div, traces, layout, config);
}
