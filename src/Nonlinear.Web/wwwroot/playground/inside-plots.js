// The drawings of the inside panel (playground/inside.js): the gradient flow, a layer's histogram under its
// activation's curve, the activation card's plot of f and f′, as SVG; and the number formats they share. They draw
// the numbers they are given (from the server) and compute none of the network's maths.

const SVG = 'http://www.w3.org/2000/svg';

const SUPERSCRIPTS = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
const SUBSCRIPTS = '₀₁₂₃₄₅₆₇₈₉';

export function svgEl(tag, attrs, parent) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    e.setAttribute(k, String(v));
  }

  if (parent) {
    parent.appendChild(e);
  }

  return e;
}

export function svgText(parent, x, y, text, attrs = {}) {
  const t = svgEl('text', { x, y, ...attrs }, parent);
  t.textContent = text;
  return t;
}

export function isNumber(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

export function superscript(n) {
  return String(n).split('').map((c) => SUPERSCRIPTS[c] || c).join('');
}

export function subscript(n) {
  return String(n).split('').map((c) => SUBSCRIPTS[c] || c).join('');
}

/** A number for people: 3 significant digits, powers of ten (3.2×10⁻⁴) when very small or large. */
export function fmt(v, digits = 3) {
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

export function percent(v) {
  if (!isNumber(v)) {
    return '—';
  }

  if (v > 0 && v < 0.01) {
    return '<1%';
  }

  return `${Math.round(v * 100)}%`;
}

/** A step of 1, 2, 2.5 or 5 × 10^k near `span / count`, for axis ticks and for rounding curve ranges. */
export function niceStep(span, count) {
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
export function niceRange(lo, hi) {
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
export function curveRange(lo, hi) {
  const [from, to] = niceRange(lo, hi);
  const step = niceStep(to - from, 2);
  return [Math.floor(from / step) * step, Math.ceil(to / step) * step];
}

/**
 * The gradient-flow chart: one bar per layer with weights (hidden layers, then the output layer), the height on a
 * log scale of its weight-gradient norm.
 */
export function drawGradientFlow(svg, bars) {
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
export function drawHistogram(svg, pre, curve, derivativeMax, spec) {
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
    const constant = !(fHi > fLo);
    if (constant) {
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
    for (const v of constant ? [] : [fHi - pad, fLo + pad]) {
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
export function drawCardPlot(svg, curve) {
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
