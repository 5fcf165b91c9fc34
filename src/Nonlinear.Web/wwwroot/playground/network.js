// The network drawing between the Data and Output columns: input features (click to switch on or off), hidden
// layers with their controls, every neuron as a heatmap from the frame, and the weights as links whose width and
// colour follow the engine's values (hover to read one, click to type a new one).

import { byteTable, classColor, divergingCss } from '../common/colors.js';
import { ActivationPicker, activationLabel } from './controls.js';
import { paintGrid } from './heatmap.js';

const SVG = 'http://www.w3.org/2000/svg';
const FEATURE_LABELS = {
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
export const FEATURES = Object.keys(FEATURE_LABELS);
const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
const FEATURE_LEFT = 58;
const OUTPUT_SIZE = 18;

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
  for (const [k, v] of Object.entries(attrs)) {
    e.setAttribute(k, v);
  }

  if (parent) {
    parent.appendChild(e);
  }

  return e;
}

function base64Bytes(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    bytes[i] = raw.charCodeAt(i);
  }

  return bytes;
}

function formatWeight(v) {
  if (!Number.isFinite(v)) {
    return String(v);
  }

  const a = Math.abs(v);
  return a !== 0 && (a < 0.001 || a >= 1000) ? v.toExponential(2) : v.toFixed(3);
}

/** Link width from |weight|: 1 px at 0, growing to 7 px at |w| = 5 and beyond (TF Playground's idea, a bit finer). */
function linkWidth(w) {
  return 1 + Math.min(Math.abs(w), 5) * 1.2;
}

export class NetworkView {
  /**
   * @param {HTMLElement} root the #network section
   * @param {object} handlers
   * @param {object[]} handlers.catalog the activation catalog
   * @param {(partial: object) => void} handlers.change a config change
   * @param {(layer: number, to: number, from: number, value: number) => Promise<void>} handlers.editWeight
   * @param {(hover: object|null) => void} handlers.hoverNode shows a node's picture large (null: the output)
   * @param {(text: string, kind: string) => void} handlers.message
   */
  constructor(root, { catalog, change, editWeight, hoverNode, message }) {
    this.root = root;
    this.catalog = catalog;
    this.change = change;
    this.editWeight = editWeight;
    this.hoverNode = hoverNode;
    this.message = message;
    this.view = null;
    this.frame = null;
    this.featureThumbs = new Map();
    this.nodes = new Map();
    this.links = [];
    this.biases = [];
    this.hovered = null;
    this.editing = null;

    this.head = el('div', 'net-head', root);
    const featuresHead = el('div', 'features-head', this.head);
    el('h4', '', featuresHead).textContent = 'Features';
    el('p', '', featuresHead).textContent = 'Which properties do you want to feed in?';
    featuresHead.lastChild.dataset.control = 'features';
    this.layersHead = el('div', 'layers-head', this.head);
    this.addLayer = this.roundButton(this.layersHead, '+', 'Add a hidden layer', 'add-layer');
    this.removeLayer = this.roundButton(this.layersHead, '−', 'Remove the last hidden layer', 'remove-layer');
    this.addLayer.dataset.control = 'numHiddenLayers';
    this.removeLayer.dataset.control = 'numHiddenLayers';
    this.layersTitle = el('h4', '', this.layersHead);
    this.layersTitle.id = 'num-layers';
    this.body = el('div', 'net-body', root);
    this.svg = svg('svg', { class: 'net-links' }, this.body);
    this.card = el('div', 'hovercard', this.body);
    this.card.id = 'hovercard';
    this.card.hidden = true;

    this.addLayer.addEventListener('click', () => {
      const layers = this.layers();
      if (layers.length < 6) {
        layers.push({ units: 2 });
        this.change({ layers });
      }
    });
    this.removeLayer.addEventListener('click', () => {
      const layers = this.layers();
      if (layers.length > 0) {
        layers.pop();
        this.change({ layers });
      }
    });
    document.addEventListener('mousedown', (e) => {
      if (this.editing && !this.card.contains(e.target)) {
        this.closeCard();
      }
    });
    new ResizeObserver(() => {
      // A hidden tab has no width: lay out again when it is shown.
      if (this.view && this.root.clientWidth > 0 && Math.abs(this.root.clientWidth - this.width) > 1) {
        this.render(this.view);
      }
    }).observe(root);
  }

  roundButton(parent, text, title, id) {
    const b = el('button', 'round-button', parent);
    b.type = 'button';
    b.textContent = text;
    b.title = title;
    b.setAttribute('aria-label', title);
    if (id) {
      b.id = id;
    }

    return b;
  }

  /** The features' pictures for every feature (active or not), from GET /api/features/thumbs. */
  setFeatureCatalog(catalog) {
    for (const f of catalog.features) {
      this.featureThumbs.set(f.name, { ...f, side: catalog.thumb, bytes: base64Bytes(f.data) });
    }

    if (this.view) {
      this.render(this.view);
    }
  }

  /** A copy of the config's hidden layers, to change and send. */
  layers() {
    return this.view.config.layers.map((l) => ({ ...l }));
  }

  /** Lays the whole drawing out again for a new view (new network, new features or new settings). */
  render(view) {
    this.view = view;
    this.closeCard();
    if (this.hovered) {
      // The hovered node is about to be replaced (and will never see its mouseleave).
      this.hovered = null;
      this.hoverNode(null);
    }

    const config = view.config;
    const hidden = new Set(config.hidden || []);
    const layers = config.layers;
    const net = view.network || { features: config.features, layers: [], outputs: 1 };
    const csv = (config.problem === 'regression' ? config.regDataset : config.dataset) === 'csv';
    const active = net.features || config.features;
    // A classroom link may hide single features (TF Playground's "sinX_hide=true"), or all switching ("features").
    const locked = csv || hidden.has('features');
    const shown = csv ? active : FEATURES.filter((f) => !hidden.has(f) && (!locked || active.includes(f)));
    const width = this.root.clientWidth;
    this.width = width;
    const node = parseFloat(getComputedStyle(this.root).getPropertyValue('--node')) || 34;
    const spacing = node + 12;

    for (const e of this.body.querySelectorAll('.node, .layer-controls, .output-tag')) {
      e.remove();
    }

    this.svg.replaceChildren();
    this.nodes.clear();
    this.links = [];
    this.biases = [];

    // Columns: features at the left, the output at the right edge, hidden layers evenly between.
    const outputX = width - OUTPUT_SIZE - 2;
    const firstX = FEATURE_LEFT + node / 2;
    const columnX = (i) => firstX + ((i + 1) * (outputX + OUTPUT_SIZE / 2 - firstX)) / (layers.length + 1);
    const columnGap = layers.length > 0 ? columnX(0) - firstX : width;
    const hiddenMid = layers.length > 0 ? (columnX(0) + columnX(layers.length - 1)) / 2 : (firstX + outputX) / 2;
    this.layersHead.style.left = `${Math.max(hiddenMid, 250)}px`;
    this.layersTitle.textContent = `${layers.length} hidden layer${layers.length === 1 ? '' : 's'}`;
    this.addLayer.disabled = layers.length >= 6;
    this.removeLayer.disabled = layers.length === 0;

    // Per-layer controls above each hidden column; the nodes start below the tallest.
    let controlsHeight = 0;
    layers.forEach((layer, i) => {
      const block = this.layerControls(layer, i, Math.min(118, columnGap - 10));
      block.style.left = `${columnX(i)}px`;
      block.style.transform = 'translateX(-50%)';
      controlsHeight = Math.max(controlsHeight, block.offsetHeight);
    });
    const top = controlsHeight + 14;

    // Features.
    const positions = new Map();
    // A table's two chosen columns feed x and y: name them as the table does.
    const columns = csv && Array.isArray(config.csvFeatures) && config.csvFeatures.length === active.length ? config.csvFeatures : null;
    shown.forEach((name, j) => {
      const isActive = active.includes(name);
      const text = columns ? columns[active.indexOf(name)] : FEATURE_LABELS[name] || name;
      const box = this.nodeBox(`feature:${name}`, FEATURE_LEFT, top + j * spacing, node, `feature ${isActive ? 'active' : 'inactive'}`);
      box.dataset.feature = name;
      if (!locked) {
        box.title = isActive ? `${text}: click to switch this input off` : `${text}: click to feed this input in`;
      }

      const label = el('span', 'node-label', box);
      label.textContent = text;
      const thumb = this.featureThumb(name);
      if (thumb) {
        paintGrid(box.querySelector('canvas'), thumb.bytes, thumb.side, byteTable(thumb.lo, thumb.hi));
      }

      if (!locked) {
        box.tabIndex = 0;
        box.setAttribute('role', 'switch');
        box.setAttribute('aria-checked', String(isActive));
        box.setAttribute('aria-label', text);
        box.addEventListener('click', () => this.toggleFeature(name));
        box.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            this.toggleFeature(name);
          }
        });
      } else {
        box.classList.add('locked');
      }

      box.addEventListener('mouseenter', () => this.hover({ kind: 'feature', name, label: text }));
      box.addEventListener('mouseleave', () => this.hover(null));
      if (isActive) {
        positions.set(`0:${active.indexOf(name)}`, { x: FEATURE_LEFT, y: top + j * spacing, size: node });
      }
    });

    // Hidden neurons.
    let bottom = top + shown.length * spacing;
    layers.forEach((layer, i) => {
      const x = columnX(i) - node / 2;
      for (let u = 0; u < layer.units; u++) {
        const y = top + u * spacing;
        const box = this.nodeBox(`neuron:${i}:${u}`, x, y, node, 'neuron');
        box.dataset.layer = String(i);
        box.dataset.unit = String(u);
        box.addEventListener('mouseenter', () => this.hover({ kind: 'neuron', layer: i, unit: u, label: `Layer ${i + 1}, neuron ${u + 1}` }));
        box.addEventListener('mouseleave', () => this.hover(null));
        this.addBias(box, i, u);
        positions.set(`${i + 1}:${u}`, { x, y, size: node });
      }

      bottom = Math.max(bottom, top + layer.units * spacing);
    });

    // Output units at the right edge, level with the top of the output heatmap when it sits beside us.
    const outputs = net.outputs || 1;
    const heatmap = document.getElementById('heatmap');
    let outputTop = top + node / 2 - OUTPUT_SIZE / 2;
    if (heatmap) {
      const h = heatmap.getBoundingClientRect();
      const b = this.body.getBoundingClientRect();
      if (h.left > b.right - 4 && h.top > b.top) {
        outputTop = Math.max(outputTop, h.top - b.top + 18);
      }
    }

    const outputLayer = layers.length;
    for (let k = 0; k < outputs; k++) {
      const y = outputTop + k * (OUTPUT_SIZE + 8);
      const box = this.nodeBox(`output:${k}`, outputX, y, OUTPUT_SIZE, 'output');
      box.querySelector('canvas').remove();
      box.style.background = outputs > 1 ? classColor(k) : '';
      box.title = outputs > 1 ? `Output for class ${k}` : 'The output';
      this.addBias(box, outputLayer, k);
      positions.set(`${outputLayer + 1}:${k}`, { x: outputX, y, size: OUTPUT_SIZE });
      bottom = Math.max(bottom, y + OUTPUT_SIZE);
    }

    const tag = el('div', 'output-tag', this.body);
    tag.textContent = outputs > 1 ? `softmax, ${outputs} classes` : net.outputActivation || '';
    tag.style.left = `${outputX + OUTPUT_SIZE}px`;
    tag.style.top = `${outputTop + outputs * (OUTPUT_SIZE + 8)}px`;

    // Links: one per weight of each dense layer, from its inputs to its units.
    const sizes = [active.length, ...layers.map((l) => l.units), outputs];
    for (let l = 0; l < sizes.length - 1; l++) {
      for (let to = 0; to < sizes[l + 1]; to++) {
        const dest = positions.get(`${l + 1}:${to}`);
        for (let from = 0; from < sizes[l]; from++) {
          const src = positions.get(`${l}:${from}`);
          if (src && dest) {
            this.addLink(l, to, from, sizes[l], src, dest);
          }
        }
      }
    }

    this.body.style.height = `${bottom + 8}px`;
    this.svg.setAttribute('width', width);
    this.svg.setAttribute('height', bottom + 8);
    if (this.frame) {
      this.update(this.frame);
    }
  }

  featureThumb(name) {
    const fromView = (this.view.featureThumbs || []).find((t) => t.name === name);
    if (fromView) {
      return { ...fromView, side: this.view.thumb, bytes: base64Bytes(fromView.data) };
    }

    return this.featureThumbs.get(name) || null;
  }

  nodeBox(id, x, y, size, className) {
    const box = el('div', `node ${className}`, this.body);
    box.style.left = `${x}px`;
    box.style.top = `${y}px`;
    box.style.width = `${size}px`;
    box.style.height = `${size}px`;
    box.dataset.node = id;
    el('canvas', '', box);
    this.nodes.set(id, box);
    return box;
  }

  addBias(box, layer, unit) {
    const bias = el('div', 'bias', box);
    bias.dataset.bias = `${layer}:${unit}`;
    bias.addEventListener('mouseenter', (e) => {
      e.stopPropagation();
      this.showCard({ layer, to: unit, from: -1 }, bias);
    });
    bias.addEventListener('mouseleave', () => this.leaveCard());
    bias.addEventListener('click', (e) => {
      e.stopPropagation();
      this.editCard({ layer, to: unit, from: -1 }, bias);
    });
    this.biases.push({ el: bias, layer, unit });
  }

  addLink(layer, to, from, fanIn, src, dest) {
    const x1 = src.x + src.size + 2;
    const y1 = src.y + src.size / 2;
    const x2 = dest.x;
    // Links arrive spread over part of the node's side, so each stays visible.
    const y2 = dest.y + dest.size / 2 + (fanIn > 1 ? ((from - (fanIn - 1) / 2) / fanIn) * Math.min(14, dest.size * 0.5) : 0);
    const mx = (x1 + x2) / 2;
    const d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
    const path = svg('path', { d, class: 'link', stroke: '#d0d4d6', 'stroke-width': 1 }, this.svg);
    path.dataset.link = `${layer}:${to}:${from}`;
    const hit = svg('path', { d, class: 'link-hit' }, this.svg);
    hit.dataset.link = path.dataset.link;
    const where = { layer, to, from };
    hit.addEventListener('mouseenter', (e) => {
      path.classList.add('hovered');
      this.showCard(where, null, e);
    });
    hit.addEventListener('mousemove', (e) => {
      if (!this.editing) {
        this.placeCard(e);
      }
    });
    hit.addEventListener('mouseleave', () => {
      path.classList.remove('hovered');
      this.leaveCard();
    });
    hit.addEventListener('click', (e) => this.editCard(where, null, e));
    this.links.push({ path, layer, to, from });
  }

  layerControls(layer, i, width) {
    const block = el('div', 'layer-controls', this.body);
    block.dataset.layer = String(i);
    block.style.width = `${width}px`;
    const buttons = el('div', 'buttons', block);
    const add = this.roundButton(buttons, '+', `Add a neuron to layer ${i + 1}`);
    add.classList.add('small', 'add-neuron');
    const remove = this.roundButton(buttons, '−', `Remove a neuron from layer ${i + 1}`);
    remove.classList.add('small', 'remove-neuron');
    add.disabled = layer.units >= 8;
    remove.disabled = layer.units <= 1;
    add.addEventListener('click', () => this.setLayer(i, { units: Math.min(8, layer.units + 1) }));
    remove.addEventListener('click', () => this.setLayer(i, { units: Math.max(1, layer.units - 1) }));
    const count = el('div', 'count', block);
    count.textContent = `${layer.units} neuron${layer.units === 1 ? '' : 's'}`;

    const act = el('div', 'layer-activation-row', block);
    act.dataset.control = 'activation';
    act.style.width = '100%';
    const picker = new ActivationPicker(act, {
      catalog: this.catalog,
      allowDefault: true,
      shortDefault: width < 104,
      selectClass: 'layer-activation',
      title: `Layer ${i + 1}'s activation ("default" follows the top bar)`,
      onChange: (spec) => this.setLayer(i, { activation: spec }),
    });
    picker.set(layer.activation ?? null, this.view.config.activation);
    picker.select.style.width = '100%';
    const shownActivation = (this.view.network && this.view.network.layers && this.view.network.layers[i]) || null;
    if (shownActivation) {
      picker.select.title = `Layer ${i + 1} uses ${activationLabel(shownActivation.activation)} (${shownActivation.activation})`;
    }

    const extras = el('div', 'extras', block);
    const dropout = el('select', 'layer-dropout', extras);
    dropout.title = 'Dropout after the activation (training only)';
    dropout.dataset.control = 'dropout';
    const options = DROPOUTS.includes(layer.dropout) ? DROPOUTS : [...DROPOUTS, layer.dropout].sort((a, b) => a - b);
    for (const p of options) {
      const o = el('option', '', dropout);
      o.value = String(p);
      o.textContent = p === 0 ? 'no dropout' : `dropout ${p}`;
    }

    dropout.value = String(layer.dropout || 0);
    dropout.addEventListener('change', () => this.setLayer(i, { dropout: Number(dropout.value) }));
    const bn = el('button', 'toggle layer-batchnorm', extras);
    bn.type = 'button';
    bn.textContent = 'BN';
    bn.title = 'Batch normalisation between the weights and the activation';
    bn.dataset.control = 'batchNorm';
    bn.setAttribute('aria-pressed', String(!!layer.batchNorm));
    bn.addEventListener('click', () => this.setLayer(i, { batchNorm: !layer.batchNorm }));
    return block;
  }

  setLayer(i, patch) {
    const layers = this.layers();
    layers[i] = { ...layers[i], ...patch };
    if (patch.activation === null) {
      layers[i].activation = null;
    }

    this.change({ layers });
  }

  toggleFeature(name) {
    const features = [...this.view.config.features];
    const at = features.indexOf(name);
    if (at >= 0) {
      if (features.length === 1) {
        this.message('At least one feature stays on: switch another one on first.', 'info');
        return;
      }

      features.splice(at, 1);
    } else {
      // Keep the display order, so the link stays the same whichever order features were clicked in.
      features.push(name);
      features.sort((a, b) => FEATURES.indexOf(a) - FEATURES.indexOf(b));
    }

    this.change({ features });
  }

  hover(target) {
    for (const n of this.body.querySelectorAll('.node.hovered')) {
      n.classList.remove('hovered');
    }

    this.hovered = target;
    if (!target) {
      this.hoverNode(null);
      return;
    }

    const id = target.kind === 'feature' ? `feature:${target.name}` : `neuron:${target.layer}:${target.unit}`;
    const box = this.nodes.get(id);
    if (box) {
      box.classList.add('hovered');
    }

    this.sendHover();
  }

  sendHover() {
    const target = this.hovered;
    if (!target) {
      return;
    }

    if (target.kind === 'feature') {
      const thumb = this.featureThumb(target.name);
      this.hoverNode(thumb ? { bytes: thumb.bytes, lo: thumb.lo, hi: thumb.hi, side: thumb.side, label: target.label } : null);
      return;
    }

    const frame = this.frame;
    if (!frame) {
      return;
    }

    const index = frame.header.neurons.findIndex((n) => n.layer === target.layer && n.unit === target.unit);
    if (index >= 0 && frame.neurons[index]) {
      const n = frame.header.neurons[index];
      this.hoverNode({ bytes: frame.neurons[index], lo: n.lo, hi: n.hi, side: this.view.thumb, label: target.label });
    }
  }

  /** Draws a frame: every neuron's picture, every weight's link and every bias. */
  update(frame) {
    this.frame = frame;
    const { header, neurons } = frame;
    const thumb = this.view ? this.view.thumb : 0;
    const discretize = !!(this.view && this.view.config.discretize);
    (header.neurons || []).forEach((n, i) => {
      const box = this.nodes.get(`neuron:${n.layer}:${n.unit}`);
      if (box && neurons[i] && thumb > 0) {
        paintGrid(box.querySelector('canvas'), neurons[i], thumb, byteTable(n.lo, n.hi, { discretize }));
      }
    });

    const weights = header.weights || [];
    const offset = -((header.epoch || 0) / 3) % 10;
    for (const link of this.links) {
      const layer = weights[link.layer];
      const w = layer && layer.w[link.to] ? layer.w[link.to][link.from] : undefined;
      if (w === undefined || w === null) {
        continue;
      }

      link.path.setAttribute('stroke', divergingCss(w));
      link.path.setAttribute('stroke-width', linkWidth(w).toFixed(2));
      link.path.setAttribute('stroke-dashoffset', offset.toFixed(1));
      link.path.dataset.weight = String(w);
    }

    for (const bias of this.biases) {
      const layer = weights[bias.layer];
      const b = layer && layer.b ? layer.b[bias.unit] : undefined;
      if (b !== undefined && b !== null) {
        bias.el.style.background = divergingCss(b);
        bias.el.dataset.value = String(b);
      }
    }

    if (this.hovered && this.hovered.kind === 'neuron') {
      this.sendHover();
    }

    if (this.cardTarget && !this.editing) {
      this.fillCard(this.cardTarget);
    }
  }

  valueOf(where) {
    const layer = this.frame && this.frame.header.weights ? this.frame.header.weights[where.layer] : null;
    if (!layer) {
      return null;
    }

    return where.from < 0 ? layer.b[where.to] : layer.w[where.to] ? layer.w[where.to][where.from] : null;
  }

  fillCard(where) {
    const v = this.valueOf(where);
    this.card.replaceChildren();
    const line = el('div', '', this.card);
    line.append(`${where.from < 0 ? 'Bias' : 'Weight'} is `);
    const value = el('span', 'value', line);
    value.textContent = v === null || v === undefined ? '…' : formatWeight(v);
    el('p', 'hint', this.card).textContent = 'Click to edit.';
  }

  showCard(where, anchor, event) {
    if (this.editing) {
      return;
    }

    this.cardTarget = where;
    this.fillCard(where);
    this.card.hidden = false;
    this.card.classList.remove('editing');
    if (anchor) {
      this.placeAt(anchor);
    } else if (event) {
      this.placeCard(event);
    }
  }

  leaveCard() {
    if (!this.editing) {
      this.card.hidden = true;
      this.cardTarget = null;
    }
  }

  placeCard(event) {
    const b = this.body.getBoundingClientRect();
    this.card.style.left = `${event.clientX - b.left + 14}px`;
    this.card.style.top = `${event.clientY - b.top - 10}px`;
  }

  placeAt(anchor) {
    const b = this.body.getBoundingClientRect();
    const a = anchor.getBoundingClientRect();
    this.card.style.left = `${a.right - b.left + 8}px`;
    this.card.style.top = `${a.top - b.top - 8}px`;
  }

  /** Turns the card into an editor of that weight or bias; Enter sends the value, Escape closes. */
  editCard(where, anchor, event) {
    this.editing = null;
    this.showCard(where, anchor, event);
    this.editing = where;
    this.card.classList.add('editing');
    this.card.replaceChildren();
    const label = el('label', '', this.card);
    label.append(`${where.from < 0 ? 'Bias' : 'Weight'} `);
    const input = el('input', '', label);
    input.type = 'number';
    input.step = 'any';
    input.id = 'weight-input';
    const v = this.valueOf(where);
    input.value = v === null || v === undefined ? '' : String(Number(v.toPrecision(4)));
    el('p', 'hint', this.card).textContent = 'Enter to set, Esc to cancel.';
    input.addEventListener('keydown', async (e) => {
      if (e.key === 'Escape') {
        this.closeCard();
      } else if (e.key === 'Enter') {
        const value = Number(input.value);
        if (input.value.trim() === '' || !Number.isFinite(value)) {
          this.message(`'${input.value}' is not a number.`, 'error');
          return;
        }

        this.closeCard();
        await this.editWeight(where.layer, where.to, where.from, value);
      }
    });
    input.focus();
    input.select();
  }

  closeCard() {
    this.editing = null;
    this.cardTarget = null;
    this.card.hidden = true;
    this.card.classList.remove('editing');
  }
}
