// The controls of the top bar and the Data column: each shows the config's value and, when changed, asks for a
// new config through `change(partial)`. Nothing here knows how the network works.

import { classColor, divergingCss } from '../common/colors.js';

export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const REGULARIZATION_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8, 16, 0];
export const DATASETS = {
  classification: [
    ['circle', 'Circle'],
    ['xor', 'Exclusive or'],
    ['gauss', 'Gaussian clusters'],
    ['spiral', 'Spiral'],
    ['sine', 'Above or below y = sin x'],
    ['cubic', 'Above or below y = x³ − x'],
    ['abs', 'Above or below y = |x|'],
  ],
  regression: [
    ['reg-plane', 'Plane'],
    ['reg-gauss', 'Multiple Gaussians'],
  ],
};
export const MULTICLASS_DATASETS = ['spiral', 'gauss'];

const ACTIVATION_NAMES = {
  identity: 'Linear',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  relu: 'ReLU',
  leaky_relu: 'Leaky ReLU',
  elu: 'ELU',
  selu: 'SELU',
  gelu: 'GELU',
  silu: 'SiLU (swish)',
  mish: 'Mish',
  softplus: 'Softplus',
  softsign: 'Softsign',
  hardsigmoid: 'Hard sigmoid',
  hardswish: 'Hard swish',
  relu6: 'ReLU6',
  hardtanh: 'Hard tanh',
  log_sigmoid: 'Log-sigmoid',
};

const LOSS_NAMES = {
  bce_logits: 'binary cross-entropy',
  cross_entropy: 'cross-entropy',
  mse: 'mean squared error',
};

export function activationLabel(name) {
  return ACTIVATION_NAMES[name] || name;
}

export function lossLabel(name) {
  return LOSS_NAMES[name] || name;
}

function option(select, value, text) {
  const o = document.createElement('option');
  o.value = String(value);
  o.textContent = text;
  select.appendChild(o);
  return o;
}

/** Selects `value` in a select of numbers, adding it (sorted in) when the list lacks it (a value from a link). */
function selectNumber(select, value, format = String) {
  const found = [...select.options].find((o) => Number(o.value) === Number(value));
  if (found) {
    select.value = found.value;
    return;
  }

  const o = document.createElement('option');
  o.value = String(value);
  o.textContent = format(value);
  const after = [...select.options].find((x) => Number(x.value) > Number(value) && Number(x.value) !== 0);
  select.insertBefore(o, after || null);
  select.value = o.value;
}

/** Reads a spec such as "leaky_relu:0.1", "gelu:tanh" or "hardtanh:min=-2:max=2" into a name and parameter texts. */
export function parseSpec(spec, catalog) {
  const parts = String(spec || '').split(':');
  const name = parts[0].trim().toLowerCase().replace(/-/g, '_');
  const card = catalog.find((c) => c.name === name || (c.aliases || []).includes(name));
  const values = {};
  if (!card) {
    return { name, card: null, values };
  }

  parts.slice(1).forEach((token, i) => {
    const eq = token.indexOf('=');
    if (eq >= 0) {
      values[token.slice(0, eq).trim().toLowerCase()] = token.slice(eq + 1).trim();
    } else if (card.parameters[i]) {
      values[card.parameters[i].name] = token.trim();
    }
  });
  return { name: card.name, card, values };
}

function defaultText(parameter) {
  return parameter.choices ? parameter.choices[parameter.default] ?? String(parameter.default) : String(parameter.default);
}

/** A spec from a name and parameter texts; parameters left at their default are left out. */
export function formatSpec(name, card, values) {
  let spec = name;
  for (const p of (card && card.parameters) || []) {
    const v = values[p.name];
    if (v !== undefined && v !== '' && v !== defaultText(p)) {
      spec += `:${p.name}=${v}`;
    }
  }

  return spec;
}

/**
 * A select of the catalog's elementwise activations with an editor per parameter (e.g. leaky ReLU's alpha).
 * `allowDefault` adds a first choice that means "the network's default" (the value null).
 */
export class ActivationPicker {
  constructor(container, { catalog, onChange, allowDefault = false, shortDefault = false, selectId = null, selectClass = '', title = '' }) {
    this.shortDefault = shortDefault;
    this.container = container;
    this.catalog = catalog.filter((c) => !c.rowWise);
    this.onChange = onChange;
    this.allowDefault = allowDefault;
    this.root = document.createElement('div');
    this.root.className = 'activation-picker';
    this.select = document.createElement('select');
    if (selectId) {
      this.select.id = selectId;
    }

    if (selectClass) {
      this.select.className = selectClass;
    }

    if (title) {
      this.select.title = title;
    }

    if (allowDefault) {
      this.defaultOption = option(this.select, '', 'default');
    }

    for (const card of this.catalog) {
      const o = option(this.select, card.name, activationLabel(card.name));
      o.title = card.formula ? `${card.name}: ${card.formula}` : card.name;
    }

    this.params = document.createElement('div');
    this.params.className = 'params';
    this.root.append(this.select, this.params);
    container.replaceChildren(this.root);
    this.spec = null;
    // Switching activation keeps no parameters: each activation's parameters mean something else.
    this.select.addEventListener('change', () => this.onChange(this.select.value === '' ? null : this.select.value));
  }

  /** Shows `spec` (null: the default choice), with `defaultSpec` named in the default choice's label. */
  set(spec, defaultSpec) {
    this.spec = spec;
    if (this.defaultOption) {
      const d = parseSpec(defaultSpec, this.catalog);
      // A narrow column shows just "default"; the select's title names the activation in use.
      this.defaultOption.textContent = this.shortDefault ? 'default' : `default (${activationLabel(d.name)})`;
    }

    const parsed = spec == null ? null : parseSpec(spec, this.catalog);
    if (parsed && !parsed.card) {
      // A spec this list lacks (e.g. a row-wise one from a link): show it as it is.
      if (![...this.select.options].some((o) => o.value === parsed.name)) {
        option(this.select, parsed.name, parsed.name);
      }
    }

    this.select.value = parsed ? parsed.name : '';
    this.root.classList.toggle('overridden', !!parsed && this.allowDefault);
    this.renderParams(parsed);
  }

  renderParams(parsed) {
    this.params.replaceChildren();
    if (!parsed || !parsed.card) {
      return;
    }

    for (const p of parsed.card.parameters) {
      const label = document.createElement('label');
      label.className = 'param';
      label.title = `${p.description || p.name} (${p.range || ''})`.trim();
      const caption = document.createElement('span');
      caption.textContent = p.name;
      let input;
      if (p.choices) {
        input = document.createElement('select');
        for (const choice of p.choices) {
          option(input, choice, choice);
        }
      } else {
        input = document.createElement('input');
        input.type = 'number';
        input.step = 'any';
      }

      input.dataset.param = p.name;
      input.value = parsed.values[p.name] ?? defaultText(p);
      input.addEventListener('change', () => {
        const values = { ...parsed.values, [p.name]: input.value.trim() };
        this.onChange(formatSpec(parsed.name, parsed.card, values));
      });
      label.append(caption, input);
      this.params.appendChild(label);
    }
  }
}

/** Wires the top bar; `change(partial)` applies a config change, `command(name)` a session command. */
export class TopBar {
  constructor({ catalog, change, command }) {
    this.change = change;
    this.playButton = document.getElementById('play-pause-button');
    this.epoch = document.getElementById('epoch');
    this.rates = document.getElementById('rates');
    this.learningRate = document.getElementById('learning-rate');
    this.regularization = document.getElementById('regularization');
    this.regularizationRate = document.getElementById('regularization-rate');
    this.problem = document.getElementById('problem');
    this.optimizer = document.getElementById('optimizer');
    this.speed = document.getElementById('speed');
    this.lossInfo = document.getElementById('loss-info');
    for (const lr of LEARNING_RATES) {
      option(this.learningRate, lr, String(lr));
    }

    for (const r of REGULARIZATION_RATES) {
      option(this.regularizationRate, r, String(r));
    }

    for (const s of SPEEDS) {
      option(this.speed, s, s === 0 ? 'max' : `${s}×`);
    }

    this.activation = new ActivationPicker(document.getElementById('activation-picker'), {
      catalog,
      selectId: 'activation',
      title: 'The activation of every hidden layer (a layer may override it)',
      onChange: (spec) => change({ activation: spec }),
    });

    document.getElementById('reset-button').addEventListener('click', () => command('reset'));
    document.getElementById('next-step-button').addEventListener('click', () => command('step'));
    this.playButton.addEventListener('click', () => command(this.playButton.classList.contains('playing') ? 'pause' : 'play'));
    this.learningRate.addEventListener('change', () => change({ learningRate: Number(this.learningRate.value) }));
    this.regularization.addEventListener('change', () => change({ regularization: this.regularization.value }));
    this.regularizationRate.addEventListener('change', () => change({ regularizationRate: Number(this.regularizationRate.value) }));
    this.problem.addEventListener('change', () => change({ problem: this.problem.value }));
    this.optimizer.addEventListener('change', () => change({ optimizer: this.optimizer.value }));
    this.speed.addEventListener('change', () => change({ speed: Number(this.speed.value) }));
  }

  show(view) {
    const c = view.config;
    selectNumber(this.learningRate, c.learningRate);
    this.activation.set(c.activation);
    this.regularization.value = c.regularization;
    selectNumber(this.regularizationRate, c.regularizationRate);
    this.problem.value = c.problem;
    this.optimizer.value = c.optimizer;
    selectNumber(this.speed, c.speed, (s) => (s === 0 ? 'max' : `${s}×`));
    const n = view.network || {};
    this.lossInfo.replaceChildren();
    const out = document.createElement('b');
    out.id = 'output-activation';
    out.textContent = n.outputActivation || '';
    const loss = document.createElement('span');
    loss.id = 'loss-name';
    loss.dataset.value = n.loss || '';
    out.dataset.value = n.outputActivation || '';
    loss.textContent = lossLabel(n.loss || '');
    const first = document.createElement('span');
    first.append(out, ' output');
    loss.append(' loss');
    this.lossInfo.append(first, loss);
    this.lossInfo.title = `Output layer: ${n.outputs || 1} unit${n.outputs > 1 ? 's' : ''} with ${n.outputActivation}; loss: ${n.loss}; ${n.optimizer || ''}; ${n.parameters ?? '?'} parameters. The network: ${n.spec || ''}`;
  }

  showStatus(status) {
    const running = status === 'running';
    this.playButton.classList.toggle('playing', running);
    this.playButton.setAttribute('aria-label', running ? 'Pause' : 'Run');
    this.playButton.dataset.status = status;
    // A diverged network has non-finite weights: only a reset (or a weight edit) brings it back.
    this.playButton.disabled = status === 'diverged';
    this.playButton.title = status === 'diverged' ? 'Training diverged: press reset to start again' : 'Run / pause';
  }

  showEpoch(epoch) {
    const padded = String(epoch).padStart(6, '0');
    this.epoch.textContent = padded.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    this.epoch.dataset.value = String(epoch);
  }

  showRates(updatesPerSecond, framesPerSecond) {
    const ups = Number.isFinite(updatesPerSecond) ? Math.round(updatesPerSecond).toLocaleString('en-US') : '0';
    this.rates.textContent = `${ups} updates/s · ${framesPerSecond} fps`;
  }
}

/** Draws a dataset's preview points (from the server) into a small canvas. */
function drawPreview(canvas, preview, regression) {
  const size = 96;
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, size, size);
  for (let i = 0; i < preview.x.length; i++) {
    context.fillStyle = regression ? divergingCss(preview.label[i]) : classColor(preview.label[i]);
    const x = ((preview.x[i] + 6) / 12) * size;
    const y = ((6 - preview.y[i]) / 12) * size;
    context.fillRect(x - 2, y - 2, 4, 4);
  }
}

/** Wires the Data column: dataset pictures, classes, the three sliders and "regenerate". */
export class DataColumn {
  constructor({ api, change, command }) {
    this.api = api;
    this.change = change;
    this.list = document.getElementById('dataset-list');
    this.classesRow = document.getElementById('classes-row');
    this.classes = document.getElementById('classes');
    this.previews = new Map();
    this.problem = null;
    this.shownClasses = 0;
    const sliders = [
      ['perc-train-data', 'percTrainData'],
      ['noise', 'noise'],
      ['batch-size', 'batchSize'],
    ];
    this.sliders = sliders.map(([id, key]) => {
      const input = document.getElementById(id);
      const value = document.getElementById(`${id}-value`);
      input.addEventListener('input', () => {
        value.textContent = input.value;
      });
      input.addEventListener('change', () => change({ [key]: Number(input.value) }));
      return { input, value, key };
    });
    this.classes.addEventListener('click', (e) => {
      const b = e.target.closest('button[data-classes]');
      if (b) {
        change({ classes: Number(b.dataset.classes) });
      }
    });
    document.getElementById('regenerate-button').addEventListener('click', () => command('regenerate'));
  }

  show(view) {
    const c = view.config;
    for (const s of this.sliders) {
      s.input.value = c[s.key];
      s.value.textContent = String(c[s.key]);
    }

    const regression = c.problem === 'regression';
    const active = regression ? c.regDataset : c.dataset;
    const classes = MULTICLASS_DATASETS.includes(c.dataset) ? c.classes : 2;
    if (this.problem !== c.problem || this.shownClasses !== classes) {
      this.problem = c.problem;
      this.shownClasses = classes;
      this.renderList(regression, classes);
    }

    for (const b of this.list.querySelectorAll('.dataset')) {
      b.classList.toggle('selected', b.dataset.dataset === active);
      b.setAttribute('aria-pressed', String(b.dataset.dataset === active));
    }

    this.classesRow.classList.toggle('unused', regression || !MULTICLASS_DATASETS.includes(c.dataset));
    for (const b of this.classes.querySelectorAll('button')) {
      b.setAttribute('aria-checked', String(Number(b.dataset.classes) === c.classes));
    }
  }

  renderList(regression, classes) {
    const entries = DATASETS[regression ? 'regression' : 'classification'];
    this.list.replaceChildren();
    for (const [name, title] of entries) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'dataset';
      button.title = title;
      button.dataset.dataset = name;
      button.setAttribute('aria-label', title);
      const canvas = document.createElement('canvas');
      canvas.className = 'data-thumbnail';
      button.appendChild(canvas);
      button.addEventListener('click', () => this.change(regression ? { regDataset: name } : { dataset: name, ...(MULTICLASS_DATASETS.includes(name) ? {} : { classes: 2 }) }));
      this.list.appendChild(button);
      const k = MULTICLASS_DATASETS.includes(name) ? classes : 2;
      this.preview(name, k).then((p) => drawPreview(canvas, p, regression)).catch((e) => console.warn(`No preview of ${name}:`, e.message));
    }
  }

  preview(name, classes) {
    const key = `${name}/${classes}`;
    if (!this.previews.has(key)) {
      this.previews.set(key, this.api.get(`/api/datasets/preview?name=${encodeURIComponent(name)}&classes=${classes}`));
    }

    return this.previews.get(key);
  }
}
