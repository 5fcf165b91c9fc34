// "Inside the network, live": per hidden layer the gradient flow, the dead and saturated shares and the histogram of
// the activation's inputs under the activation's own curve; the advisor's warnings; the card of the chosen
// activation; and, when every hidden activation is the identity, the single affine map the network equals.
// Every number comes from the server: the frames' diagnostics (docs/web-api.md "Frames"), the catalog cards and the
// curves f and f′ (GET /api/activations/...), all computed by the engine. This module only lays them out.

import { activationLabel } from './controls.js';

const SVG = 'http://www.w3.org/2000/svg';

/** Curves at most this often (requests per second), however fast the frames come. */
const CURVE_REQUESTS_PER_SECOND = 5;

/** Redraw at most every this many milliseconds: the measures change per epoch, up to 60 times a second. */
const DRAW_INTERVAL_MS = 150;

/** How long a new warning stays highlighted. */
const FRESH_MS = 4000;

/** The page's names of the input features (TF Playground's X₁, X₂), as the network drawing shows them. */
const FEATURE_NAMES = {
  x: 'x₁',
  y: 'x₂',
  xSquared: 'x₁²',
  ySquared: 'x₂²',
  xTimesY: 'x₁x₂',
  sinX: 'sin(x₁)',
  sinY: 'sin(x₂)',
  cosX: 'cos(x₁)',
  cosY: 'cos(x₂)',
};

const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';
const SUPERSCRIPTS = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

const MEASURES = {
  dead: {
    label: 'Dead units',
    field: 'deadShare',
    what: 'Share of this layer\'s units whose output was 0 on every sample of the last epoch: f′ = 0 there, so no gradient reaches their weights and they stop learning for good.',
    missing: (name) => `Not measured for ${name}: a unit can only die where f′ is exactly 0 on a whole stretch of inputs (ReLU, ReLU6, hard tanh, hard sigmoid, hard swish). ${name}'s f′ is never exactly 0 there, so its units keep a gradient.`,
  },
  saturated: {
    label: 'Saturated',
    field: 'saturatedShare',
    what: 'Share of the inputs to the activation (over all units and samples of the last epoch) where f′ was below 1% of its peak: the activation is flat there and almost no gradient passes.',
    missing: (name) => `Not measured for ${name}: saturation is measured for the squashing activations (sigmoid, tanh, softsign, hard tanh, hard sigmoid, log-sigmoid), whose f′ fades to 0 for large inputs. ${name} is not one of them.`,
  },
  negative: {
    label: 'Negative side only',
    field: 'negativeShare',
    what: 'Share of units whose input was ≤ 0 on every sample of the last epoch: they only ever used the activation\'s negative side, where a rectifier passes little (for ReLU this is the dead share).',
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Small helpers (DOM, formatting)

function el(tag, className, parent, text) {
  const e = document.createElement(tag);
  if (className) {
    e.className = className;
  }

  if (text !== undefined) {
    e.textContent = text;
  }

  if (parent) {
    parent.appendChild(e);
  }

  return e;
}

function svgEl(tag, attrs, parent) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    e.setAttribute(k, String(v));
  }

  if (parent) {
    parent.appendChild(e);
  }

  return e;
}

function svgText(parent, x, y, text, attrs = {}) {
  const t = svgEl('text', { x, y, ...attrs }, parent);
  t.textContent = text;
  return t;
}

function isNumber(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

function superscript(n) {
  return String(n).split('').map((c) => SUPERSCRIPTS[c] || c).join('');
}

function subscript(n) {
  return String(n).split('').map((c) => SUBSCRIPTS[c] || c).join('');
}

/** A number for people: 3 significant digits, powers of ten (3.2×10⁻⁴) when very small or large. */
function fmt(v, digits = 3) {
  if (!isNumber(v)) {
    return '—';
  }

  if (v === 0) {
    return '0';
  }

  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) {
    const e = Math.floor(Math.log10(a));
    const m = v / 10 ** e;
    const ms = Number(m.toPrecision(2));
    return `${ms === 1 ? '' : `${ms}×`}10${superscript(e)}`;
  }

  return String(Number(v.toPrecision(digits)));
}

function percent(v) {
  if (!isNumber(v)) {
    return '—';
  }

  if (v > 0 && v < 0.01) {
    return '<1%';
  }

  return `${Math.round(v * 100)}%`;
}

/** "ReLU", "Leaky ReLU (0.1)" for a spec such as "leaky_relu:0.1". */
function specLabel(spec) {
  if (!spec) {
    return '';
  }

  const [name, ...args] = spec.split(':');
  const label = name === 'softmax' ? 'Softmax' : activationLabel(name);
  return args.length ? `${label} (${args.join(', ')})` : label;
}

/** A step of 1, 2, 2.5 or 5 × 10^k near `span / count`, for axis ticks and for rounding curve ranges. */
function niceStep(span, count) {
  const raw = span / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * p >= raw) {
      return m * p;
    }
  }

  return 10 * p;
}

/** [from, to] covering [lo, hi] on a round grid: the x range of a histogram's plot (and its cached curve). */
function niceRange(lo, hi) {
  if (!(hi > lo)) {
    const c = isNumber(lo) ? lo : 0;
    return [c - 1, c + 1];
  }

  const step = niceStep(hi - lo, 6);
  return [Math.floor(lo / step) * step, Math.ceil(hi / step) * step];
}

/**
 * The x range to ask the engine's curve for: the plot's range widened onto a coarser grid, so that the histogram's
 * range, which moves every epoch, mostly stays inside a curve already fetched.
 */
function curveRange(lo, hi) {
  const [from, to] = niceRange(lo, hi);
  const step = niceStep(to - from, 2);
  return [Math.floor(from / step) * step, Math.ceil(to / step) * step];
}

function roundKey(v) {
  return Number(v.toPrecision(6));
}

// ---------------------------------------------------------------------------------------------------------------
// Server data: curves and cards, cached

/**
 * Curves f and f′ from GET /api/activations/curve, cached by (spec, range, points). A missing curve is requested at
 * most CURVE_REQUESTS_PER_SECOND times a second; until it arrives, the latest curve of that spec stands in (drawn
 * only where its range overlaps).
 */
class CurveStore {
  constructor(api, onLoad) {
    this.api = api;
    this.onLoad = onLoad;
    this.cache = new Map();
    this.latest = new Map();
    this.pending = new Set();
    this.failed = new Set();
    this.sent = [];
    this.retry = null;
  }

  /** The curve over exactly [from, to], or null until it has arrived. */
  exact(spec, from, to, n) {
    const key = `${spec}|${roundKey(from)}|${roundKey(to)}|${n}`;
    const hit = this.cache.get(key);
    if (!hit) {
      this.request(key, spec, from, to, n);
    }

    return hit || null;
  }

  /** The curve over [from, to], or meanwhile another of the same spec (drawn only where it overlaps), or null. */
  get(spec, from, to, n) {
    const hit = this.exact(spec, from, to, n);
    if (hit) {
      return hit;
    }

    // f is the same function whatever the range: a cached curve of the spec that covers [from, to] serves as well.
    let best = null;
    for (const [k, curve] of this.cache) {
      const x = curve.x;
      if (k.startsWith(`${spec}|`) && x[0] <= from && x[x.length - 1] >= to && (!best || x[x.length - 1] - x[0] < best.x[best.x.length - 1] - best.x[0])) {
        best = curve;
      }
    }

    return best || this.latest.get(spec) || null;
  }

  request(key, spec, from, to, n) {
    if (this.pending.has(key) || this.failed.has(key)) {
      return;
    }

    const now = performance.now();
    this.sent = this.sent.filter((t) => now - t < 1000);
    if (this.sent.length >= CURVE_REQUESTS_PER_SECOND) {
      if (!this.retry) {
        this.retry = setTimeout(() => {
          this.retry = null;
          this.onLoad();
        }, 1000 - (now - this.sent[0]) + 10);
      }

      return;
    }

    this.sent.push(now);
    this.pending.add(key);
    const url = `/api/activations/curve?spec=${encodeURIComponent(spec)}&from=${from}&to=${to}&n=${n}`;
    this.api.get(url).then((curve) => {
      if (this.cache.size > 300) {
        this.cache.delete(this.cache.keys().next().value);
      }

      this.cache.set(key, curve);
      this.latest.set(spec, curve);
      this.onLoad();
    }).catch((e) => {
      this.failed.add(key);
      console.warn(`No curve for ${spec}:`, e.message);
    }).finally(() => this.pending.delete(key));
  }
}

/** Activation cards from GET /api/activations/{spec}, one request per spec. */
class CardStore {
  constructor(api, onLoad) {
    this.api = api;
    this.onLoad = onLoad;
    this.cards = new Map();
    this.errors = new Map();
    this.pending = new Set();
  }

  get(spec) {
    if (this.cards.has(spec)) {
      return this.cards.get(spec);
    }

    if (!this.pending.has(spec) && !this.errors.has(spec)) {
      this.pending.add(spec);
      this.api.get(`/api/activations/${encodeURIComponent(spec)}`).then((card) => {
        this.cards.set(spec, card);
      }).catch((e) => {
        this.errors.set(spec, e.message);
      }).finally(() => {
        this.pending.delete(spec);
        this.onLoad();
      });
    }

    return null;
  }

  error(spec) {
    return this.errors.get(spec) || null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Drawings

/**
 * The gradient-flow chart: one bar per layer with weights (hidden layers, then the output layer), the height on a
 * log scale of its weight-gradient norm.
 */
function drawGradientFlow(svg, bars) {
  svg.replaceChildren();

  // Drawn at its pixel size (not scaled), so its text stays the size of the page's.
  const W = Math.round(Math.max(360, Math.min(960, (svg.parentElement ? svg.parentElement.clientWidth : 560) - 28)));
  const H = 210;
  const left = 52;
  const right = 12;
  const top = 24;
  const bottom = 62;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('width', W);
  svg.setAttribute('height', H);
  const positives = bars.map((b) => b.norm).filter((v) => isNumber(v) && v > 0);
  if (!bars.some((b) => isNumber(b.norm))) {
    svgText(svg, W / 2, H / 2 - 10, 'Measured after the first epoch: press run or step.', { class: 'axis-note', 'text-anchor': 'middle' });
    return;
  }

  // Every gradient 0 (all units dead): an axis anyway, with the zeros marked.
  let lowExp = positives.length ? Math.floor(Math.log10(Math.min(...positives))) : -4;
  let highExp = positives.length ? Math.ceil(Math.log10(Math.max(...positives))) : 0;
  if (highExp - lowExp < 2) {
    lowExp = highExp - 2;
  }

  const plotH = H - top - bottom;
  const yOf = (v) => top + plotH - ((Math.log10(v) - lowExp) / (highExp - lowExp)) * plotH;
  const stepExp = Math.max(1, Math.ceil((highExp - lowExp) / 5));
  for (let e = lowExp; e <= highExp; e += stepExp) {
    const y = yOf(10 ** e);
    svgEl('line', { x1: left, x2: W - right, y1: y, y2: y, class: 'grid' }, svg);
    svgText(svg, left - 6, y + 4, `10${superscript(e)}`, { class: 'axis', 'text-anchor': 'end' });
  }

  const slot = (W - left - right) / bars.length;
  const barW = Math.min(56, slot * 0.56);
  bars.forEach((b, i) => {
    const cx = left + slot * (i + 0.5);
    const g = svgEl('g', { class: `flow-bar${b.output ? ' output' : ''}`, 'data-layer': b.output ? 'output' : b.layer, 'data-norm': isNumber(b.norm) ? b.norm : '' }, svg);
    const title = svgEl('title', {}, g);
    title.textContent = `${b.name}: ‖∂L/∂W‖ = ${isNumber(b.norm) ? b.norm.toPrecision(4) : 'not measured'}`;
    if (isNumber(b.norm) && b.norm > 0) {
      const y = yOf(b.norm);
      svgEl('rect', { x: cx - barW / 2, y, width: barW, height: Math.max(2, top + plotH - y), rx: 2 }, g);
      svgText(g, cx, y - 5, fmt(b.norm, 2), { class: 'value', 'text-anchor': 'middle' });
    } else {
      svgText(g, cx, top + plotH - 6, b.norm === 0 ? '0' : '—', { class: 'value zero', 'text-anchor': 'middle' });
    }

    svgText(g, cx, H - bottom + 16, b.name, { class: 'axis name', 'text-anchor': 'middle' });
    if (b.sub) {
      svgText(g, cx, H - bottom + 29, b.sub, { class: 'axis sub', 'text-anchor': 'middle' });
    }
  });

  svgEl('line', { x1: left, x2: W - right, y1: top + plotH, y2: top + plotH, class: 'baseline' }, svg);
  if (!positives.length) {
    svgText(svg, (left + W - right) / 2, top + plotH / 2, 'No gradient reaches any layer: the weights no longer change.', { class: 'axis-note alarm', 'text-anchor': 'middle' });
  }

  // Backpropagation runs from the loss (right) to the first layer (left).
  const ay = H - 10;
  const label = 'backpropagation: from the loss back to the first layer';
  const mid = (left + W - right) / 2;
  const gap = label.length * 3.1 + 10;
  svgEl('line', { x1: W - right - 4, x2: mid + gap, y1: ay, y2: ay, class: 'arrow' }, svg);
  svgEl('line', { x1: mid - gap, x2: left + 18, y1: ay, y2: ay, class: 'arrow' }, svg);
  svgEl('path', { d: `M${left + 10},${ay} l9,-4 v8 z`, class: 'arrow-head' }, svg);
  svgText(svg, mid, ay + 4, label, { class: 'axis-note', 'text-anchor': 'middle' });
  svgText(svg, 6, 12, '‖∂L/∂W‖ (log scale)', { class: 'axis-title' });
}

/**
 * One hidden layer's plot: the histogram of the activation's inputs over [pre.lo, pre.hi], the activation f over the
 * same x range (from the engine), and shaded where f′ is below 1% of its peak.
 */
function drawHistogram(svg, pre, curve, derivativeMax, spec) {
  svg.replaceChildren();
  const W = 300;
  const H = 150;
  const left = 8;
  const right = 34;
  const top = 10;
  const bottom = 22;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const [from, to] = niceRange(pre.lo, pre.hi);
  const xOf = (x) => left + ((x - from) / (to - from)) * plotW;
  const clipId = `clip-${Math.random().toString(36).slice(2)}`;
  const defs = svgEl('defs', {}, svg);
  const clip = svgEl('clipPath', { id: clipId }, defs);
  svgEl('rect', { x: left, y: top - 2, width: plotW, height: plotH + 4 }, clip);
  svg.dataset.from = from;
  svg.dataset.to = to;
  svg.dataset.spec = spec;

  // Where f′ is nearly 0 (the advisor's saturation threshold, 1% of the peak): little gradient passes there.
  if (curve && isNumber(derivativeMax) && derivativeMax > 0) {
    const limit = 0.01 * derivativeMax;
    const xs = curve.x;
    let start = null;
    const flush = (end) => {
      const x0 = Math.max(from, start);
      const x1 = Math.min(to, end);
      if (x1 > x0) {
        svgEl('rect', { x: xOf(x0), y: top, width: xOf(x1) - xOf(x0), height: plotH, class: 'flat-zone' }, svg);
      }
    };
    for (let i = 0; i < xs.length; i++) {
      const flat = Math.abs(curve.df[i]) < limit;
      const half = i + 1 < xs.length ? (xs[i + 1] - xs[i]) / 2 : 0;
      if (flat && start === null) {
        start = i === 0 ? xs[0] : xs[i] - half;
      } else if (!flat && start !== null) {
        flush(xs[i] - half);
        start = null;
      }
    }

    if (start !== null) {
      flush(xs[xs.length - 1]);
    }
  }

  // The histogram: counts in equal bins over [lo, hi].
  const counts = pre.counts || [];
  const max = Math.max(1, ...counts);
  const bins = svgEl('g', { class: 'bins', 'data-bins': counts.length, 'data-total': counts.reduce((a, b) => a + b, 0) }, svg);
  const width = (pre.hi - pre.lo) / Math.max(1, counts.length);
  counts.forEach((c, i) => {
    if (c <= 0) {
      return;
    }

    const x0 = xOf(pre.lo + i * width);
    const x1 = xOf(pre.lo + (i + 1) * width);
    const h = (c / max) * (plotH * 0.92);
    svgEl('rect', { x: x0 + 0.5, y: top + plotH - h, width: Math.max(1, x1 - x0 - 1), height: h }, bins);
  });

  // The activation over the same x range, on its own vertical scale (right axis).
  if (curve) {
    const points = [];
    for (let i = 0; i < curve.x.length; i++) {
      if (isNumber(curve.f[i])) {
        points.push([curve.x[i], curve.f[i]]);
      }
    }

    const visible = points.filter(([x]) => x >= from && x <= to);
    const fs = (visible.length ? visible : points).map((p) => p[1]);
    let fLo = Math.min(0, ...fs);
    let fHi = Math.max(0, ...fs);
    if (!(fHi > fLo)) {
      fHi = fLo + 1;
    }

    const pad = (fHi - fLo) * 0.06;
    fLo -= pad;
    fHi += pad;
    const yOf = (f) => top + plotH - ((f - fLo) / (fHi - fLo)) * plotH;
    const zeroY = yOf(0);
    svgEl('line', { x1: left, x2: left + plotW, y1: zeroY, y2: zeroY, class: 'zero-line' }, svg);
    const d = points.map(([x, f], i) => `${i ? 'L' : 'M'}${xOf(x).toFixed(1)},${yOf(f).toFixed(1)}`).join('');
    svgEl('path', { d, class: 'curve', 'clip-path': `url(#${clipId})`, 'data-points': points.length, 'data-spec': curve.spec || spec }, svg);
    // The right axis: f's largest and smallest values over the plot and 0, without labels on top of each other.
    const labels = [[0, zeroY]];
    for (const v of [fHi - pad, fLo + pad]) {
      const y = yOf(v);
      if (labels.every(([, y0]) => Math.abs(y - y0) > 11)) {
        labels.push([v, y]);
      }
    }

    for (const [v, y] of labels) {
      svgText(svg, W - right + 4, y + 4, fmt(v, 2), { class: 'axis f' });
    }

  }

  // x axis: the round range, and 0 when it is inside.
  const base = top + plotH;
  svgEl('line', { x1: left, x2: left + plotW, y1: base, y2: base, class: 'baseline' }, svg);
  const ticks = [from, to];
  if (from < 0 && to > 0) {
    ticks.push(0);
  }

  for (const t of ticks) {
    const x = xOf(t);
    svgEl('line', { x1: x, x2: x, y1: base, y2: base + 3, class: 'tick' }, svg);
    const anchor = t === from ? 'start' : t === to ? 'end' : 'middle';
    svgText(svg, x, base + 14, fmt(t, 2), { class: 'axis', 'text-anchor': anchor });
  }

  if (from < 0 && to > 0) {
    svgEl('line', { x1: xOf(0), x2: xOf(0), y1: top, y2: base, class: 'zero-line vertical' }, svg);
  }
}

/** The card's small plot: f and f′ over [-5, 5]. */
function drawCardPlot(svg, curve) {
  svg.replaceChildren();
  const W = 320;
  const H = 170;
  const left = 30;
  const right = 10;
  const top = 10;
  const bottom = 22;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  if (!curve) {
    svgText(svg, W / 2, H / 2, 'Loading the curve…', { class: 'axis-note', 'text-anchor': 'middle' });
    return;
  }

  const values = [...curve.f, ...curve.df].filter(isNumber);
  let lo = Math.min(0, ...values);
  let hi = Math.max(1, ...values);
  const pad = (hi - lo) * 0.06;
  lo -= pad;
  hi += pad;
  const from = curve.x[0];
  const to = curve.x[curve.x.length - 1];
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const xOf = (x) => left + ((x - from) / (to - from)) * plotW;
  const yOf = (y) => top + plotH - ((y - lo) / (hi - lo)) * plotH;
  const step = niceStep(hi - lo, 4);
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) {
    const y = yOf(t);
    svgEl('line', { x1: left, x2: W - right, y1: y, y2: y, class: Math.abs(t) < 1e-9 ? 'zero-line' : 'grid' }, svg);
    svgText(svg, left - 4, y + 3.5, fmt(Number(t.toPrecision(6)), 2), { class: 'axis', 'text-anchor': 'end' });
  }

  for (let t = Math.ceil(from); t <= to; t++) {
    const x = xOf(t);
    if (t === 0) {
      svgEl('line', { x1: x, x2: x, y1: top, y2: top + plotH, class: 'zero-line vertical' }, svg);
    }

    if (t % 5 === 0) {
      svgText(svg, x, H - 6, String(t), { class: 'axis', 'text-anchor': 'middle' });
    }
  }

  const path = (ys, cls) => {
    let d = '';
    let open = false;
    curve.x.forEach((x, i) => {
      if (!isNumber(ys[i])) {
        open = false;
        return;
      }

      d += `${open ? 'L' : 'M'}${xOf(x).toFixed(1)},${yOf(ys[i]).toFixed(1)}`;
      open = true;
    });
    svgEl('path', { d, class: cls, 'data-points': ys.filter(isNumber).length }, svg);
  };
  path(curve.df, 'curve derivative');
  path(curve.f, 'curve');
}

// ---------------------------------------------------------------------------------------------------------------
// The panel

class InsidePanel {
  constructor(element, ctx) {
    this.element = element;
    this.ctx = ctx;
    this.view = null;
    this.frame = null;
    this.drawTimer = null;
    this.lastDraw = 0;
    this.chosen = { source: 'default', layer: null };
    this.seenAdvice = new Map();
    this.curves = new CurveStore(ctx.api, () => this.schedule());
    this.cards = new CardStore(ctx.api, () => this.schedule());
    this.build();
  }

  build() {
    const root = this.element;
    root.replaceChildren();
    root.classList.add('inside');
    const head = el('div', 'inside-head', root);
    const title = el('h3', 'inside-title', head, 'Inside the network, live');
    title.id = 'inside-title';
    root.setAttribute('aria-labelledby', title.id);
    this.epochNote = el('span', 'inside-epoch', head);
    el('p', 'inside-lede', root, 'What each hidden layer does while the network trains, measured by the engine over the last epoch: how much gradient reaches it, how many of its units still work, and which part of its activation it uses.');

    const grid = el('div', 'inside-grid', root);
    const main = el('div', 'inside-main', grid);
    const side = el('aside', 'inside-side', grid);

    this.collapseBox = el('div', 'inside-box collapse', main);
    this.collapseBox.hidden = true;

    const flow = el('div', 'inside-box flow', main);
    const flowHead = el('div', 'box-head', flow);
    el('h4', null, flowHead, 'Gradient flow, input → output');
    this.ratioNote = el('span', 'ratio', flowHead);
    this.flowSvg = svgEl('svg', { class: 'flow-chart', role: 'img', 'aria-label': 'Weight-gradient norm per layer, log scale' }, flow);
    el('p', 'explain', flow, 'Each bar is the size of a layer\'s weight gradient ‖∂L/∂W‖, averaged over the last epoch\'s batches. The gradient starts at the loss (right) and is multiplied by every layer\'s f′ and weights on its way back: bars shrinking to the left by orders of magnitude mean vanishing gradients (the first layers hardly learn); bars growing mean exploding gradients.');

    const layers = el('div', 'inside-box layers', main);
    const layersHead = el('div', 'box-head', layers);
    el('h4', null, layersHead, 'Per hidden layer: what goes into the activation');
    const legend = el('div', 'hist-legend', layers);
    this.histLegend = legend;
    legend.innerHTML = '<span><i class="sw bins"></i>how often each input value z occurred (last epoch)</span>'
      + '<span><i class="sw curve"></i>the activation f(z) over the same range</span>'
      + '<span><i class="sw flat"></i>f′ &lt; 1% of its peak: little gradient passes</span>';
    this.layerGrid = el('div', 'layer-grid', layers);
    this.layerCards = [];

    const advice = el('div', 'inside-box advice', side);
    const adviceHead = el('div', 'box-head', advice);
    el('h4', null, adviceHead, 'The advisor');
    this.adviceCount = el('span', 'count', adviceHead);
    this.adviceList = el('ul', 'advice-list', advice);
    this.adviceItems = new Map();
    this.adviceEmpty = el('p', 'empty', advice, 'No warnings. The advisor checks the network when it is built and after every epoch: dead units, saturation, vanishing or exploding gradients, a network that is linear after all.');

    this.cardBox = el('div', 'inside-box card', side);
    this.cardBox.dataset.role = 'activation-card';
  }

  setView(view) {
    const previous = this.view;
    this.view = view;
    if (previous && previous.id !== view.id) {
      this.frame = null;
    }

    // The card follows the top bar's default unless a layer was chosen and still exists.
    const layers = (view.network && view.network.layers) || [];
    if (this.chosen.source === 'layer' && this.chosen.layer >= layers.length) {
      this.chosen = { source: 'default', layer: null };
    }

    this.draw();
  }

  setFrame(frame) {
    this.frame = frame;
    this.schedule();
  }

  /** Draws soon, at most every DRAW_INTERVAL_MS (frames can come 60 times a second). */
  schedule() {
    if (this.drawTimer) {
      return;
    }

    const wait = Math.max(0, DRAW_INTERVAL_MS - (performance.now() - this.lastDraw));
    this.drawTimer = setTimeout(() => {
      this.drawTimer = null;
      requestAnimationFrame(() => this.draw());
    }, wait);
  }

  draw() {
    this.lastDraw = performance.now();
    const view = this.view;
    if (!view) {
      return;
    }

    const header = this.frame ? this.frame.header : null;
    const layers = (view.network && view.network.layers) || [];

    // A frame of the network before a change can arrive just before the new view: its layers would not match.
    const all = header && Array.isArray(header.diagnostics) ? header.diagnostics : [];
    const diagnostics = all.length === layers.length && all.every((d, i) => d.activation === layers[i].activation) ? all : [];
    this.epochNote.textContent = header ? `epoch ${header.epoch.toLocaleString('en-US')}` : '';
    this.element.dataset.epoch = header ? header.epoch : '';
    this.drawCollapse(header, view);
    this.drawFlow(header, diagnostics, layers);
    this.drawLayers(header, diagnostics, layers);
    this.drawAdvice(header, view);
    this.drawCard(view);
  }

  // --- collapse --------------------------------------------------------------------------------------------

  drawCollapse(header, view) {
    const collapse = header ? header.collapse : null;
    const box = this.collapseBox;
    box.hidden = !collapse;
    if (!collapse) {
      box.replaceChildren();
      return;
    }

    const features = (view.network && view.network.features) || view.config.features || [];
    const names = features.map((f) => FEATURE_NAMES[f] || f);
    const rows = Array.isArray(collapse.rows) && collapse.rows.length ? collapse.rows : [{ weights: collapse.weights, bias: collapse.bias }];
    const task = view.task;
    const hidden = (view.network.layers || []).length;
    const key = JSON.stringify([task, names, hidden, rows.length]);
    if (box.dataset.key !== key) {
      box.dataset.key = key;
      box.replaceChildren();
      const head = el('div', 'box-head', box);
      el('h4', null, head, hidden ? 'Collapsed: the whole network is one affine map' : 'No hidden layer: one affine map');
      el('span', 'tag', head, hidden ? 'every hidden activation is the identity' : task === 'regression' ? 'linear regression' : 'logistic regression');
      this.collapseLede = el('p', 'lede', box);
      this.collapseFormula = el('div', 'formula-block', box);
      this.collapseBoundary = el('p', 'boundary', box);
      this.collapseWeights = el('table', 'weights', box);
    }

    const paramCount = view.network.parameters;
    const output = task === 'regression' ? 'ŷ' : 'z';
    const outName = (r) => (rows.length > 1 ? `${output}${subscript(r + 1)}` : output);
    this.collapseLede.textContent = hidden
      ? `With the identity between its layers, the network's ${hidden} hidden layer${hidden === 1 ? '' : 's'} and ${paramCount} parameters multiply out into a single map W·x + b of the features, computed by the engine from the current weights. Extra layers add no bends.`
      : 'Without hidden layers the output is an affine map of the features, W·x + b.';

    this.collapseFormula.replaceChildren();
    rows.forEach((row, r) => {
      const line = el('div', 'formula', this.collapseFormula);
      line.dataset.output = r;
      let text = `${outName(r)} = ${fmt(row.bias, 4)}`;
      row.weights.forEach((w, j) => {
        text += ` ${w < 0 ? '−' : '+'} ${fmt(Math.abs(w), 4)}·${names[j] || `x${subscript(j + 1)}`}`;
      });
      line.textContent = text;
    });
    if (task === 'binary') {
      el('div', 'formula note', this.collapseFormula, 'p(class 1) = sigmoid(z)');
    } else if (task === 'multiclass') {
      el('div', 'formula note', this.collapseFormula, `p = softmax(${rows.map((_, r) => outName(r)).join(', ')})`);
    }

    const plain = names.length === 2 && features[0] === 'x' && features[1] === 'y';
    const k = names.length;
    const list = names.join(', ');

    // What "straight" means with k features: a threshold, a line, a plane, a hyperplane.
    const flat = k === 1 ? `a single threshold on ${names[0]}`
      : k === 2 ? `a straight line in the (${list}) plane`
        : `a flat ${k === 3 ? 'plane' : 'hyperplane'} in the ${k}-dimensional space of the chosen features (${list})`;
    let boundary;
    if (task === 'regression') {
      boundary = `The prediction is a flat ${k === 1 ? 'line' : k === 2 ? 'plane' : 'hyperplane'} over the features (${list}): it can tilt, but never bend.`;
    } else if (task === 'multiclass') {
      boundary = `Between two classes the boundary is where their logits are equal, zᵢ = zⱼ: ${flat}, so each class gets a convex region with straight edges.`;
    } else {
      boundary = `The decision boundary (p = 0.5) is where z = 0: ${flat}.`;
    }

    if (!plain && task !== 'regression') {
      boundary += ' Drawn in the x₁, x₂ plane it can curve only because the features themselves are curved (x₁², sin x₁, …): the bend comes from the inputs, not from the network.';
    } else if (task !== 'regression') {
      boundary += ` No training can bend it: a circle or a spiral needs ${hidden ? 'a nonlinear activation' : 'a hidden layer with a nonlinear activation'} (or nonlinear features).`;
    }

    this.collapseBoundary.textContent = boundary;
    this.collapseWeights.replaceChildren();
    const thead = el('tr', null, el('thead', null, this.collapseWeights));
    el('th', null, thead, '');
    names.forEach((n) => el('th', null, thead, `w · ${n}`));
    el('th', null, thead, 'b');
    const tbody = el('tbody', null, this.collapseWeights);
    rows.forEach((row, r) => {
      const tr = el('tr', null, tbody);
      el('th', null, tr, outName(r));
      row.weights.forEach((w) => el('td', w < 0 ? 'neg' : 'pos', tr, fmt(w, 3)));
      el('td', row.bias < 0 ? 'neg' : 'pos', tr, fmt(row.bias, 3));
    });
  }

  // --- gradient flow ---------------------------------------------------------------------------------------

  drawFlow(header, diagnostics, layers) {
    const bars = layers.map((layer, i) => {
      const d = diagnostics[i];
      return { layer: i, name: `Layer ${i + 1}`, sub: specLabel(layer.activation), norm: d ? d.gradientNorm : null };
    });
    bars.push({ output: true, name: 'Output', sub: this.view.network.outputActivation ? specLabel(this.view.network.outputActivation) : '', norm: header ? header.outputGradientNorm : null });
    drawGradientFlow(this.flowSvg, bars);

    const ratio = header ? header.gradientRatio : null;
    const note = this.ratioNote;
    note.className = 'ratio';
    if (!header || header.outputGradientNorm === undefined) {
      note.textContent = 'after the first epoch';
    } else if (!layers.length) {
      note.textContent = 'no hidden layer';
    } else if (isNumber(ratio) && ratio > 0) {
      const times = ratio < 1 ? `${fmt(1 / ratio, 2)}× smaller` : `${fmt(ratio, 2)}× larger`;
      note.textContent = `first layer / output = ${fmt(ratio, 2)}: the first layer's gradient is ${times}`;
      note.title = 'The gradient ratio: below 10⁻³ the gradients vanish on their way back, above 10³ they explode.';
      if (ratio < 1e-3) {
        note.classList.add('bad');
        note.textContent += ' (vanishing)';
      } else if (ratio > 1e3) {
        note.classList.add('bad');
        note.textContent += ' (exploding)';
      }
    } else {
      note.textContent = 'first layer / output: no gradient reaches the first layer';
      note.classList.add('bad');
    }

    this.flowSvg.dataset.ratio = isNumber(ratio) ? ratio : '';
  }

  // --- layers ----------------------------------------------------------------------------------------------

  drawLayers(header, diagnostics, layers) {
    const grid = this.layerGrid;
    this.histLegend.hidden = !layers.length;
    if (!layers.length) {
      grid.replaceChildren();
      this.layerCards = [];
      el('p', 'empty', grid, 'This network has no hidden layer, so there is nothing between the features and the output to look into. Add a hidden layer (+ above the network) to see its activation at work.');
      return;
    }

    if (this.layerCards.length !== layers.length || !grid.contains(this.layerCards[0].root)) {
      grid.replaceChildren();
      this.layerCards = layers.map((_, i) => this.buildLayerCard(i));
    }

    const flagged = new Map();
    for (const a of (header && header.advice) || []) {
      if (a.hiddenLayer !== null && a.hiddenLayer !== undefined) {
        flagged.set(a.hiddenLayer, a.severity);
      }
    }

    layers.forEach((layer, i) => this.fillLayerCard(this.layerCards[i], i, layer, diagnostics[i], flagged.get(i)));
  }

  buildLayerCard(i) {
    const root = el('div', 'layer-card', this.layerGrid);
    root.dataset.layer = i;
    const head = el('div', 'layer-head', root);
    const name = el('span', 'layer-name', head, `Layer ${i + 1}`);
    name.title = `Hidden layer ${i + 1}`;
    const units = el('span', 'layer-units', head);
    const act = el('button', 'activation-chip', head);
    act.type = 'button';
    act.addEventListener('click', () => {
      this.chosen = { source: 'layer', layer: i };
      this.draw();
      this.cardBox.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    });
    const svg = svgEl('svg', { class: 'histogram', role: 'img', 'data-layer': i }, root);
    const stats = el('div', 'pre-stats', root);
    const measures = el('div', 'measures', root);
    const rows = {};
    for (const key of ['dead', 'saturated', 'negative']) {
      const row = el('div', 'measure', measures);
      row.dataset.measure = key;
      row.dataset.layer = i;
      const label = el('span', 'measure-label', row, MEASURES[key].label);
      label.title = MEASURES[key].what;
      const bar = el('span', 'measure-bar', row);
      const fill = el('i', null, bar);
      const value = el('span', 'measure-value', row);
      rows[key] = { row, fill, value };
    }

    const grad = el('div', 'measure gradient', measures);
    grad.dataset.measure = 'gradient';
    const gl = el('span', 'measure-label', grad, '‖∂L/∂W‖');
    gl.title = 'The norm of the gradient of the loss with respect to the weights feeding this layer (last epoch\'s average): how hard this layer is being pushed to change.';
    const gv = el('span', 'measure-value wide', grad);
    return { root, units, act, svg, stats, rows, gradValue: gv };
  }

  fillLayerCard(card, i, layer, d, flag) {
    const spec = (d && d.activation) || layer.activation;
    const name = specLabel(spec);
    card.units.textContent = `${layer.units} neuron${layer.units === 1 ? '' : 's'}`;
    card.act.textContent = name;
    card.act.title = `Show the card of ${name} (${spec})`;
    card.act.classList.toggle('chosen', this.chosen.source === 'layer' && this.chosen.layer === i);
    card.root.dataset.activation = spec;
    card.root.classList.toggle('flagged', Boolean(flag));
    card.root.dataset.flag = flag || '';

    if (!d || !d.preActivation) {
      card.root.classList.add('waiting');
      card.svg.replaceChildren();
      card.svg.setAttribute('viewBox', '0 0 300 150');
      svgText(card.svg, 150, 72, 'Run or step one epoch', { class: 'axis-note', 'text-anchor': 'middle' });
      svgText(card.svg, 150, 90, 'to see inside this layer', { class: 'axis-note', 'text-anchor': 'middle' });
      card.stats.textContent = '';
      for (const key of Object.keys(card.rows)) {
        this.fillMeasure(card.rows[key], key, null, name, true);
      }

      card.gradValue.textContent = '—';
      return;
    }

    card.root.classList.remove('waiting');
    const pre = d.preActivation;
    const [from, to] = curveRange(pre.lo, pre.hi);
    const curve = this.curves.get(spec, from, to, 151);
    const info = this.cards.get(spec);
    drawHistogram(card.svg, pre, curve, info ? info.derivativeMax : null, spec);
    card.svg.setAttribute('aria-label', `Histogram of the inputs to ${name} in layer ${i + 1}, with the curve of ${name}`);
    card.stats.textContent = `input z: mean ${fmt(pre.mean, 2)}, sd ${fmt(pre.std, 2)}, range ${fmt(pre.lo, 2)} to ${fmt(pre.hi, 2)}`;
    this.fillMeasure(card.rows.dead, 'dead', d.deadShare, name);
    this.fillMeasure(card.rows.saturated, 'saturated', d.saturatedShare, name);

    // The negative-side share says more than the dead share only for rectifiers that never die (leaky ReLU, ELU, ...).
    const showNegative = isNumber(d.negativeShare) && !isNumber(d.deadShare);
    card.rows.negative.row.hidden = !showNegative;
    if (showNegative) {
      this.fillMeasure(card.rows.negative, 'negative', d.negativeShare, name);
    }

    card.gradValue.textContent = fmt(d.gradientNorm, 3);
    card.gradValue.parentElement.dataset.value = isNumber(d.gradientNorm) ? d.gradientNorm : '';
  }

  fillMeasure(parts, key, value, name, waiting = false) {
    const m = MEASURES[key];
    parts.row.dataset.value = isNumber(value) ? value : '';
    parts.row.classList.toggle('na', !isNumber(value));
    parts.fill.style.width = isNumber(value) ? `${Math.max(0, Math.min(1, value)) * 100}%` : '0';
    parts.fill.className = isNumber(value) && value >= 0.5 ? 'high' : isNumber(value) && value >= 0.2 ? 'mid' : '';
    parts.value.textContent = isNumber(value) ? percent(value) : '—';
    if (waiting) {
      parts.row.title = 'Measured after the first epoch.';
      parts.row.hidden = key === 'negative';
    } else {
      parts.row.title = isNumber(value) ? m.what : m.missing ? m.missing(name) : '';
      if (key !== 'negative') {
        parts.row.hidden = false;
      }
    }
  }

  // --- advice ----------------------------------------------------------------------------------------------

  drawAdvice(header, view) {
    const all = [
      ...(view.advice || []).map((a) => ({ ...a, when: 'when built' })),
      ...((header && header.advice) || []).map((a) => ({ ...a, when: `epoch ${header.epoch}` })),
    ];
    const now = performance.now();
    const keep = new Set();
    all.forEach((a) => {
      const key = `${a.when === 'when built' ? 'static' : 'runtime'}|${a.code}|${a.layer}`;
      keep.add(key);
      let item = this.adviceItems.get(key);
      if (!item) {
        item = this.buildAdvice(a);
        this.adviceItems.set(key, item);
        if (!this.seenAdvice.has(key)) {
          this.seenAdvice.set(key, now);
        }
      }

      this.fillAdvice(item, a, now - this.seenAdvice.get(key) < FRESH_MS);
      this.adviceList.appendChild(item.root);
    });

    for (const [key, item] of this.adviceItems) {
      if (!keep.has(key)) {
        item.root.remove();
        this.adviceItems.delete(key);
        this.seenAdvice.delete(key);
      }
    }

    // Paused sessions send no frames: one more draw takes the highlight off.
    if (!this.freshTimer && [...this.seenAdvice.values()].some((t) => now - t < FRESH_MS)) {
      this.freshTimer = setTimeout(() => {
        this.freshTimer = null;
        this.schedule();
      }, FRESH_MS);
    }

    this.adviceEmpty.hidden = all.length > 0;
    this.adviceCount.textContent = all.length ? `${all.length} warning${all.length === 1 ? '' : 's'}` : '';
  }

  buildAdvice(a) {
    const root = el('li', `advice-item ${a.severity}`);
    root.dataset.code = a.code;
    const top = el('div', 'advice-top', root);
    const severity = el('span', 'severity', top);
    const where = el('span', 'where', top);
    const when = el('span', 'when', top);
    const message = el('p', 'advice-message', root);
    const why = el('p', 'why', root);
    el('b', null, why, 'Why: ');
    const whyText = el('span', null, why);
    const fix = el('p', 'fix', root);
    el('b', null, fix, 'Fix: ');
    const fixText = el('span', null, fix);
    return { root, severity, where, when, message, whyText, fixText };
  }

  fillAdvice(item, a, fresh) {
    item.root.className = `advice-item ${a.severity}${fresh ? ' fresh' : ''}`;
    item.root.dataset.hiddenLayer = a.hiddenLayer ?? '';
    item.severity.textContent = a.severity;
    item.where.textContent = a.hiddenLayer !== null && a.hiddenLayer !== undefined ? `Layer ${a.hiddenLayer + 1}` : a.layer ? 'Network' : '';
    item.when.textContent = a.when;
    item.message.textContent = a.message;
    item.whyText.textContent = a.reason;
    item.fixText.textContent = a.fix;
  }

  // --- activation card -------------------------------------------------------------------------------------

  chosenSpec(view) {
    const layers = view.network.layers || [];
    if (this.chosen.source === 'layer' && layers[this.chosen.layer]) {
      return { spec: layers[this.chosen.layer].activation, why: `layer ${this.chosen.layer + 1}'s activation` };
    }

    return { spec: view.config.activation, why: 'the default activation (top bar)' };
  }

  drawCard(view) {
    const { spec, why } = this.chosenSpec(view);
    const box = this.cardBox;
    const card = this.cards.get(spec);
    const curve = this.curves.exact(spec, -5, 5, 201);
    const state = `${spec}|${why}|${Boolean(card)}|${Boolean(curve)}`;
    if (box.dataset.state === state) {
      return;
    }

    box.dataset.state = state;
    box.dataset.spec = spec;
    box.replaceChildren();
    const head = el('div', 'box-head', box);
    el('h4', null, head, `Activation: ${specLabel(spec)}`);
    const source = el('span', 'source', head, why);
    if (this.chosen.source === 'layer') {
      const back = el('button', 'link', source, 'show the default');
      back.type = 'button';
      back.addEventListener('click', () => {
        this.chosen = { source: 'default', layer: null };
        this.draw();
      });
    }

    if (!card) {
      const error = this.cards.error(spec);
      el('p', error ? 'empty error' : 'empty', box, error || 'Loading the card…');
      return;
    }

    const formulas = el('div', 'card-formulas', box);
    const f = el('div', 'formula', formulas);
    f.dataset.role = 'formula';
    f.textContent = `f(x) = ${card.formula}`;
    const df = el('div', 'formula', formulas);
    df.dataset.role = 'derivative';
    df.textContent = `f′(x) = ${card.derivative}`;

    const plot = el('div', 'card-plot', box);
    const svg = svgEl('svg', { role: 'img', 'aria-label': `${specLabel(spec)} and its derivative from −5 to 5` }, plot);
    drawCardPlot(svg, curve);
    const legend = el('div', 'card-legend', plot);
    legend.innerHTML = '<span><i class="sw curve"></i>f(x)</span><span><i class="sw derivative"></i>f′(x)</span><span class="muted">x from −5 to 5, computed by the engine</span>';

    const facts = el('dl', 'facts', box);
    const fact = (term, value, title) => {
      if (value === null || value === undefined || value === '') {
        return;
      }

      const dt = el('dt', null, facts, term);
      const dd = el('dd', null, facts, value);
      if (title) {
        dt.title = title;
        dd.title = title;
      }
    };
    const yes = (b) => (b ? 'yes' : 'no');
    fact('Range', card.range, 'The values f can output.');
    fact('Zero-centred', yes(card.zeroCentred), 'Whether outputs of both signs average out near 0: it keeps the next layer\'s updates balanced.');
    fact('Monotonic', yes(card.monotonic), 'Whether f only ever increases.');
    fact('f′ range', card.derivativeRange, 'The values the derivative takes: gradients are multiplied by them on the way back.');
    if (isNumber(card.derivativeMax)) {
      fact('Largest f′', `${fmt(card.derivativeMax, 3)}${card.derivativePeak ? `, ${card.derivativePeak}` : ''}`, 'Below 1, every layer shrinks the gradient: deep stacks then vanish.');
    }

    fact('Convention', card.convention, 'What the engine does at kinks and at the limits.');
    if (card.parameters && card.parameters.length) {
      fact('Parameters', card.parameters.map((p) => `${p.name} (default ${p.default}${p.range ? `, ${p.range}` : ''})`).join('; '));
    }

    const text = el('div', 'card-text', box);
    const para = (label, value) => {
      if (!value) {
        return;
      }

      const p = el('p', null, text);
      el('b', null, p, `${label} `);
      el('span', null, p, value);
    };
    para('Used in:', card.usedIn);
    para('Why it works:', card.whyItWorks);
    if (card.limitations && card.limitations.length) {
      const p = el('p', 'limits-title', text);
      el('b', null, p, 'Limits:');
      const ul = el('ul', 'limits', text);
      card.limitations.forEach((l) => el('li', null, ul, l));
    }

    if (card.pytorch) {
      const p = el('p', 'pytorch', text);
      el('b', null, p, 'PyTorch: ');
      el('code', null, p, card.pytorch);
    }
  }
}

function injectStyles() {
  if (document.querySelector('link[data-inside-css]')) {
    return;
  }

  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/static/playground/inside.css';
  link.dataset.insideCss = 'true';
  document.head.appendChild(link);
}

/**
 * Mounts the panel into `element` (the page's <section id="inside">); `ctx` is the page contract's
 * (docs: notes/page-contract.md): it gets every session view and every frame.
 */
export async function mountInside(element, ctx) {
  injectStyles();
  const panel = new InsidePanel(element, ctx);
  ctx.onView((view) => panel.setView(view));
  ctx.onFrame((frame) => panel.setFrame(frame));
  const view = ctx.getView();
  if (view) {
    panel.setView(view);
  }

  return panel;
}
