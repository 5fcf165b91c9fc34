// "Inside the network, live": per hidden layer the gradient flow, the dead and saturated shares and the histogram of
// the activation's inputs under the activation's own curve; the advisor's warnings; the card of the chosen
// activation; and, when every hidden activation is the identity, the single affine map the network equals.
// Every number comes from the server: the frames' diagnostics (docs/web-api.md "Frames"), the catalog cards and the
// curves f and f′ (GET /api/activations/...), all computed by the engine. This module only lays them out.

import { linkStylesheet } from '../common/styles.js';
import { activationLabel } from './controls.js';
import {
  curveRange,
  drawCardPlot,
  drawGradientFlow,
  drawHistogram,
  fmt,
  isNumber,
  percent,
  subscript,
  svgEl,
  svgText,
} from './inside-plots.js';

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

const MEASURES = {
  dead: {
    label: 'Dead units',
    what: 'Share of this layer\'s units whose output was 0 on every sample of the last epoch: f′ = 0 there, so no gradient reaches their weights and they stop learning for good.',
    missing: (name) => `Not measured for ${name}: a unit can only die where f′ is exactly 0 on a whole stretch of inputs (ReLU, ReLU6, hard tanh, hard sigmoid, hard swish). ${name}'s f′ is never exactly 0 there, so its units keep a gradient.`,
  },
  saturated: {
    label: 'Saturated',
    what: 'Share of the inputs to the activation (over all units and samples of the last epoch) where f′ was below 1% of its peak: the activation is flat there and almost no gradient passes.',
    missing: (name) => `Not measured for ${name}: saturation is measured for the squashing activations (sigmoid, tanh, softsign, hard tanh, hard sigmoid, log-sigmoid), whose f′ fades to 0 for large inputs. ${name} is not one of them.`,
  },
  negative: {
    label: 'Negative side only',
    what: 'Share of units whose input was ≤ 0 on every sample of the last epoch: they only ever used the activation\'s negative side, where a rectifier passes little (for ReLU this is the dead share).',
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

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

/** "ReLU", "Leaky ReLU (0.1)" for a spec such as "leaky_relu:0.1". */
function specLabel(spec) {
  if (!spec) {
    return '';
  }

  const [name, ...args] = spec.split(':');
  const label = name === 'softmax' ? 'Softmax' : activationLabel(name);
  return args.length ? `${label} (${args.join(', ')})` : label;
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
    let wasShown = false;
    new ResizeObserver(() => {
      const shown = Boolean(this.element.offsetParent);
      if (shown && !wasShown) {
        this.schedule();
      }

      wasShown = shown;
    }).observe(this.element);
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

    // Hidden (a classroom link's inside_hide, or another tab): drawn when it shows again (see the observer).
    if (!view || !this.element.offsetParent) {
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

    if (!d || !d.preActivation || !isNumber(d.preActivation.lo) || !isNumber(d.preActivation.hi)) {
      card.root.classList.add('waiting');
      card.svg.replaceChildren();
      card.svg.setAttribute('viewBox', '0 0 300 150');
      const [line1, line2] = d ? ['No finite inputs to show:', 'the values overflowed'] : ['Run or step one epoch', 'to see inside this layer'];
      svgText(card.svg, 150, 72, line1, { class: 'axis-note', 'text-anchor': 'middle' });
      svgText(card.svg, 150, 90, line2, { class: 'axis-note', 'text-anchor': 'middle' });
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
  linkStylesheet('/static/playground/inside.css');
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
