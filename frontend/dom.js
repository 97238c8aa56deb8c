// DOM building without innerHTML: every string from the server (run names, tags, logs) is
// inserted as text, so nothing in a log directory can inject markup or script.

const PROPERTIES = new Set(['checked', 'value', 'disabled', 'indeterminate', 'selected']);

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'style') Object.assign(node.style, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (PROPERTIES.has(key)) node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** A RegExp from user input; an invalid pattern is matched literally instead of failing. */
export function userRegex(pattern) {
  if (!pattern) return { test: () => true, valid: true };
  try {
    const re = new RegExp(pattern, 'i');
    return { test: (s) => re.test(s), valid: true };
  } catch {
    const needle = pattern.toLowerCase();
    return { test: (s) => s.toLowerCase().includes(needle), valid: false };
  }
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

export function formatNumber(v) {
  if (v == null || Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return v.toExponential(4);
  return Number(v.toPrecision(6)).toString();
}
