// The output panel's big heatmap: the engine's prediction over the [-6, 6]² square (a 100 × 100 grid, scaled
// smoothly by the browser), the data points on top, axes, and the large view of a hovered neuron.

import { byteTable, classTables, classColor, divergingCss } from '../common/colors.js';

const SVG = 'http://www.w3.org/2000/svg';

function el(tag, className, parent) {
  const e = document.createElement(tag);
  if (className) {
    e.className = className;
  }

  if (parent) {
    parent.appendChild(e);
  }

  return e;
}

function svg(tag, attrs, parent) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    e.setAttribute(k, v);
  }

  if (parent) {
    parent.appendChild(e);
  }

  return e;
}

/** Draws a grid of bytes into `canvas` (resized to side × side) through a byte-to-RGBA table. */
export function paintGrid(canvas, bytes, side, table) {
  if (canvas.width !== side || canvas.height !== side) {
    canvas.width = side;
    canvas.height = side;
  }

  const context = canvas.getContext('2d');
  const image = context.createImageData(side, side);
  const data = image.data;
  const n = Math.min(side * side, bytes.length);
  for (let i = 0; i < n; i++) {
    const t = bytes[i] * 4;
    const p = i * 4;
    data[p] = table[t];
    data[p + 1] = table[t + 1];
    data[p + 2] = table[t + 2];
    data[p + 3] = 255;
  }

  context.putImageData(image, 0, 0);
}

export class OutputHeatmap {
  constructor(container) {
    this.container = container;
    this.frameBox = el('div', 'heatmap-frame', container);
    this.background = el('canvas', 'heatmap-background', this.frameBox);
    this.background.id = 'output-heatmap';
    this.points = el('canvas', 'heatmap-points', this.frameBox);
    this.caption = el('div', 'heatmap-caption', this.frameBox);
    this.caption.hidden = true;
    this.overlay = el('div', 'heatmap-overlay', this.frameBox);
    this.overlay.id = 'diverged';
    this.overlay.hidden = true;
    this.empty = el('div', 'heatmap-empty', this.frameBox);
    this.empty.hidden = true;
    this.axes = svg('svg', { class: 'heatmap-axes', 'aria-hidden': 'true' }, this.frameBox);
    this.view = null;
    this.config = null;
    this.lastFrame = null;
    this.hover = null;
    this.tables = new Map();
    new ResizeObserver(() => this.resize()).observe(this.frameBox);
  }

  /** New data, task or display settings (after every view). */
  setView(view) {
    this.view = view;
    this.config = view.config;
    this.tables.clear();
    const hasGrid = view.grid > 0;
    this.background.hidden = !hasGrid;
    this.points.hidden = !hasGrid;
    this.axes.style.display = hasGrid ? '' : 'none';
    this.empty.hidden = hasGrid;
    this.empty.textContent = hasGrid ? '' : 'This table has no two columns to draw as x and y: the loss curve, the accuracy and the diagnostics below still show how training goes.';
    this.resize();
    this.render();
  }

  resize() {
    const size = this.background.clientWidth;
    if (!size) {
      return;
    }

    const ratio = window.devicePixelRatio || 1;
    const px = Math.round(size * ratio);
    if (this.points.width !== px || this.points.height !== px) {
      this.points.width = px;
      this.points.height = px;
    }

    this.drawAxes(size);
    this.drawPoints();
  }

  drawAxes(size) {
    this.axes.replaceChildren();
    this.axes.setAttribute('width', size + 30);
    this.axes.setAttribute('height', size + 22);
    const [lo, hi] = (this.view && this.view.domain) || [-6, 6];
    const bottom = svg('g', { class: 'axis', transform: `translate(0, ${size})` }, this.axes);
    const right = svg('g', { class: 'axis', transform: `translate(${size}, 0)` }, this.axes);
    svg('line', { x1: 0, x2: size, y1: 0, y2: 0 }, bottom);
    svg('line', { x1: 0, x2: 0, y1: 0, y2: size }, right);
    for (let v = Math.ceil(lo); v <= hi; v++) {
      const t = ((v - lo) / (hi - lo)) * size;
      const major = v % 2 === 0;
      svg('line', { x1: t, x2: t, y1: 0, y2: major ? 5 : 3 }, bottom);
      svg('line', { x1: 0, x2: major ? 5 : 3, y1: size - t, y2: size - t }, right);
      if (major) {
        svg('text', { x: t, y: 16, 'text-anchor': 'middle' }, bottom).textContent = String(v);
        svg('text', { x: 8, y: size - t + 3.5 }, right).textContent = String(v);
      }
    }
  }

  drawPoints() {
    const view = this.view;
    const context = this.points.getContext('2d');
    context.clearRect(0, 0, this.points.width, this.points.height);
    if (!view || !view.points || this.hover) {
      return;
    }

    const size = this.points.width;
    const ratio = window.devicePixelRatio || 1;
    const [lo, hi] = view.domain || [-6, 6];
    const scale = size / (hi - lo);
    const radius = 3 * ratio;
    const regression = view.task === 'regression';
    const draw = (set, stroke) => {
      if (!set) {
        return;
      }

      context.lineWidth = ratio;
      context.strokeStyle = stroke;
      for (let i = 0; i < set.x.length; i++) {
        const x = (set.x[i] - lo) * scale;
        const y = (hi - set.y[i]) * scale;
        context.beginPath();
        context.arc(x, y, radius, 0, 2 * Math.PI);
        context.fillStyle = regression ? divergingCss(set.label[i]) : classColor(set.label[i]);
        context.fill();
        context.stroke();
      }
    };

    draw(view.points.train, '#ffffff');
    if (this.config && this.config.showTestData) {
      draw(view.points.test, '#1b1b1b');
    }
  }

  /** Keeps the frame and draws it (unless a neuron is shown large). */
  drawFrame(frame) {
    this.lastFrame = frame;
    this.background.dataset.frame = String(frame.header.frame);
    if (!this.hover) {
      this.render();
    }
  }

  /** Shows one neuron's (or feature's) thumbnail large, or the output again when `hover` is null. */
  showNode(hover) {
    this.hover = hover;
    this.caption.hidden = !hover;
    this.caption.textContent = hover ? hover.label : '';
    this.frameBox.classList.toggle('showing-node', !!hover);
    this.drawPoints();
    this.render();
  }

  table(key, make) {
    let t = this.tables.get(key);
    if (!t) {
      if (this.tables.size > 64) {
        this.tables.clear();
      }

      t = make();
      this.tables.set(key, t);
    }

    return t;
  }

  render() {
    const view = this.view;
    if (!view || view.grid <= 0) {
      return;
    }

    const discretize = !!(this.config && this.config.discretize);
    if (this.hover) {
      const { bytes, lo, hi, side } = this.hover;
      paintGrid(this.background, bytes, side, this.table(`n${lo},${hi},${discretize}`, () => byteTable(lo, hi, { discretize })));
      return;
    }

    const frame = this.lastFrame;
    if (!frame || !frame.output || frame.output.length === 0) {
      return;
    }

    const side = view.grid;
    const out = frame.header.output || { kind: 'binary', lo: 0, hi: 1 };
    if (out.kind === 'multiclass') {
      const classes = (this.config && this.config.classes) || 3;
      const tables = this.table(`m${classes},${discretize}`, () => classTables(classes, { discretize }));
      const n = side * side;
      const merged = new Uint8ClampedArray(n * 4);
      for (let i = 0; i < n; i++) {
        const t = tables[Math.min(frame.output[i], tables.length - 1)];
        const b = frame.output[n + i] * 4;
        merged[i * 4] = t[b];
        merged[i * 4 + 1] = t[b + 1];
        merged[i * 4 + 2] = t[b + 2];
        merged[i * 4 + 3] = 255;
      }

      if (this.background.width !== side) {
        this.background.width = side;
        this.background.height = side;
      }

      this.background.getContext('2d').putImageData(new ImageData(merged, side, side), 0, 0);
      return;
    }

    const toScale = out.kind === 'binary' ? (p) => 2 * p - 1 : (v) => v;
    paintGrid(this.background, frame.output, side, this.table(`${out.kind}${out.lo},${out.hi},${discretize}`, () => byteTable(out.lo, out.hi, { toScale, discretize })));
  }

  /** Shows (or hides, with null) the divergence notice over the heatmap. */
  showDiverged(error) {
    this.overlay.hidden = !error;
    this.overlay.replaceChildren();
    if (error) {
      el('strong', '', this.overlay).textContent = 'Training diverged';
      // The first sentence says where; the whole message is in the message bar.
      const end = error.indexOf('. ');
      el('p', '', this.overlay).textContent = end > 0 ? error.slice(0, end + 1) : error;
      el('p', 'hint', this.overlay).textContent = 'Lower the learning rate or change the activation, then press reset.';
    }
  }
}
