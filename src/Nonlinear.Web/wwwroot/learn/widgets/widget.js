// What the lesson widgets share: the style sheet, building DOM and SVG, showing the server's numbers, sending one
// request at a time, sliders and a plot frame. No maths on the network's numbers here: the widgets draw what
// POST /api/learn/widgets/<name> computed with the engine; this file only places and formats it.

import { linkStylesheet } from '../../common/styles.js';

/** Links widgets.css once per page (a lesson with several widgets links it once). */
export function ensureStyles() {
  linkStylesheet('/static/learn/widgets/widgets.css');
}

/**
 * An element: `h('div', { class: 'x', text: 'label', title: '...', on: { click: f } }, child, ...)`. Text is set with
 * textContent, so no user text is ever read as HTML.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  apply(el, props);
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element, with the same props as `h`. */
export function s(tag, props = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, props);
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

function apply(el, props) {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }

    if (key === 'text') {
      el.textContent = value;
    } else if (key === 'on') {
      for (const [event, fn] of Object.entries(value)) {
        el.addEventListener(event, fn);
      }
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

/**
 * A number the server sent, for reading: about `digits` significant digits, exponent form for the very small and
 * the very large, a true minus sign; "NaN", "Infinity" and "-Infinity" (how the widgets' JSON writes a non-finite
 * float) as NaN, ∞ and −∞.
 */
export function fmt(value, digits = 5) {
  if (value === null || value === undefined) {
    return '–';
  }

  if (typeof value === 'string') {
    return value === 'Infinity' ? '∞' : value === '-Infinity' ? '−∞' : value;
  }

  if (value === 0) {
    return '0';
  }

  const abs = Math.abs(value);
  let text;
  if (abs >= 1e-4 && abs < 1e6) {
    text = String(Number(value.toPrecision(digits)));
  } else {
    const [mantissa, exponent] = value.toExponential(Math.max(0, digits - 2)).split('e');
    text = `${String(Number(mantissa))}e${Number(exponent)}`;
  }

  return text.replace(/-/g, '−');
}

/** A span showing a server number: its text formatted, the exact value in data-value (tests and tooltips read it). */
export function num(value, field, digits = 5) {
  const el = h('span', { class: 'w-num', dataset: { field } });
  setNum(el, value, digits);
  return el;
}

/** Updates a span made by `num`. */
export function setNum(el, value, digits = 5) {
  el.textContent = fmt(value, digits);
  el.dataset.value = value === null || value === undefined ? '' : String(value);
  el.title = typeof value === 'number' ? String(value) : '';
  el.classList.toggle('w-nonfinite', typeof value === 'string');
}

/** Whether a server number is finite (the JSON of a non-finite one is a string). */
export function finite(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Numbers from a data-* attribute ("0.5,-1"); `fallback` when absent or not `count` finite numbers. */
export function numbers(element, name, count, fallback) {
  const text = element.dataset[name];
  if (!text) {
    return fallback.slice();
  }

  const values = text.split(',').map((t) => Number(t.trim()));
  return values.length === count && values.every(Number.isFinite) ? values : fallback.slice();
}

/** One number from a data-* attribute, or `fallback`. */
export function number(element, name, fallback) {
  const v = Number(element.dataset[name]);
  return element.dataset[name] !== undefined && element.dataset[name] !== '' && Number.isFinite(v) ? v : fallback;
}

/**
 * The frame of a widget: a title, a body, a line for the server's refusals. The element's data-state says what the
 * widget shows: "loading" while an answer is awaited, "ready" once drawn, "error" when refused.
 */
export function frame(element, title, subtitle) {
  ensureStyles();
  element.replaceChildren();
  element.classList.add('w-widget');
  element.dataset.state = 'loading';
  const body = h('div', { class: 'w-body' });
  const error = h('p', { class: 'w-error', role: 'alert', hidden: true });
  element.append(
    h('div', { class: 'w-head' }, h('span', { class: 'w-title', text: title }), subtitle ? h('span', { class: 'w-sub', text: subtitle }) : null),
    body,
    error,
  );
  return {
    body,
    showError(message) {
      error.textContent = message;
      error.hidden = false;
      element.dataset.state = 'error';
    },
    clearError() {
      error.hidden = true;
      error.textContent = '';
    },
  };
}

/**
 * Sends the widget's request at most once at a time: while one is on its way, newer inputs wait and only the latest
 * is sent next, so dragging a slider never floods the server and the drawing always ends on the last value.
 */
export function requester(element, ui, send, draw) {
  let running = false;
  let queued = null;

  async function run(params) {
    running = true;
    try {
      const answer = await send(params);
      if (queued === null) {
        ui.clearError();
        draw(answer, params);
      }
    } catch (e) {
      if (queued === null) {
        ui.showError(e.message);
      }
    } finally {
      running = false;
    }

    if (queued !== null) {
      const next = queued;
      queued = null;
      run(next);
    } else if (element.dataset.state !== 'error') {
      element.dataset.state = 'ready';
    }
  }

  return (params) => {
    element.dataset.state = 'loading';
    if (running) {
      queued = params;
    } else {
      run(params);
    }
  };
}

let sliderCount = 0;

/** A labelled range input with its value shown beside the label. */
export function slider({ label, min, max, step, value, field, onInput, format = (v) => fmt(v, 4) }) {
  const id = `w-slider-${++sliderCount}`;
  const shown = h('span', { class: 'w-slider-value', text: format(value) });
  const input = h('input', { type: 'range', id, min, max, step, value, dataset: { field } });
  input.addEventListener('input', () => {
    shown.textContent = format(Number(input.value));
    onInput(Number(input.value));
  });
  const root = h('div', { class: 'w-slider' }, h('label', { for: id }, h('span', { text: label }), shown), input);
  return {
    root,
    input,
    set(v) {
      input.value = v;
      shown.textContent = format(Number(input.value));
    },
  };
}

/** A labelled select of `options` ([value, text] pairs, or plain values). */
export function select({ label, options, value, field, onChange }) {
  const id = `w-select-${++sliderCount}`;
  const el = h('select', { id, dataset: { field } }, options.map((o) => {
    const [v, t] = Array.isArray(o) ? o : [o, o];
    return h('option', { value: v, text: t });
  }));
  el.value = value;
  el.addEventListener('change', () => onChange(el.value));
  return { root: h('div', { class: 'w-field' }, h('label', { for: id, text: label }), el), select: el };
}

/** A small number input that reports finite values (an empty or partial entry is ignored until it parses). */
export function numberInput({ value, field, label, onInput, step = 0.1, className = '' }) {
  const el = h('input', { type: 'number', class: `w-input ${className}`.trim(), step, value, 'aria-label': label, dataset: { field } });
  el.addEventListener('input', () => {
    const v = el.value === '' ? NaN : Number(el.value);
    el.classList.toggle('w-invalid', !Number.isFinite(v));
    if (Number.isFinite(v)) {
      onInput(v);
    }
  });
  return el;
}

/**
 * A plot area: maps data coordinates onto an SVG of `width` × `height` with margins. `x` and `y` are [min, max];
 * `log` makes y logarithmic (base 10). Returns the svg and the scale functions.
 */
export function plotFrame({ width, height, x, y, margin = { top: 12, right: 12, bottom: 28, left: 46 }, log = false, className = '' }) {
  const root = s('svg', { class: `w-plot ${className}`.trim(), viewBox: `0 0 ${width} ${height}`, width, height, role: 'img' });
  const iw = width - margin.left - margin.right;
  const ih = height - margin.top - margin.bottom;
  const ty = log ? (v) => Math.log10(v) : (v) => v;
  const [y0, y1] = log ? [Math.log10(y[0]), Math.log10(y[1])] : y;
  const sx = (v) => margin.left + ((v - x[0]) / (x[1] - x[0])) * iw;
  const sy = (v) => margin.top + (1 - (ty(v) - y0) / (y1 - y0)) * ih;
  return { root, sx, sy, margin, iw, ih, width, height };
}

/** "Nice" tick values covering [lo, hi] (about `count` of them). */
export function ticks(lo, hi, count = 5) {
  const span = hi - lo;
  if (!(span > 0)) {
    return [lo];
  }

  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((m) => m >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }

  return out;
}

/** Axes with grid lines and tick labels for a plotFrame. */
export function axes(p, xTicks, yTicks, { xLabel = '', yLabel = '', yFormat = (v) => fmt(v, 3), xFormat = (v) => fmt(v, 3) } = {}) {
  const g = s('g', { class: 'w-axes' });
  const left = p.margin.left;
  const right = p.width - p.margin.right;
  const top = p.margin.top;
  const bottom = p.height - p.margin.bottom;
  for (const t of yTicks) {
    const y = p.sy(t);
    g.append(s('line', { class: t === 0 ? 'w-zero' : 'w-grid', x1: left, x2: right, y1: y, y2: y }));
    g.append(s('text', { class: 'w-tick', x: left - 6, y: y + 3.5, 'text-anchor': 'end', text: yFormat(t) }));
  }

  for (const t of xTicks) {
    const x = p.sx(t);
    g.append(s('line', { class: t === 0 ? 'w-zero' : 'w-grid', x1: x, x2: x, y1: top, y2: bottom }));
    g.append(s('text', { class: 'w-tick', x, y: bottom + 14, 'text-anchor': 'middle', text: xFormat(t) }));
  }

  g.append(s('rect', { class: 'w-box', x: left, y: top, width: right - left, height: bottom - top }));
  if (xLabel) {
    g.append(s('text', { class: 'w-axis-label', x: right, y: bottom + 26, 'text-anchor': 'end', text: xLabel }));
  }

  if (yLabel) {
    g.append(s('text', { class: 'w-axis-label', x: left, y: top - 3, text: yLabel }));
  }

  return g;
}

/** An SVG path through the points (x[i], y[i]); a null or non-finite y breaks the line. */
export function path(p, xs, ys, clampY) {
  let d = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const v = ys[i];
    if (!finite(v)) {
      pen = false;
      continue;
    }

    const y = clampY ? Math.max(clampY[0], Math.min(clampY[1], v)) : v;
    d += `${pen ? 'L' : 'M'}${p.sx(xs[i]).toFixed(2)},${p.sy(y).toFixed(2)}`;
    pen = true;
  }

  return d;
}
