// The depth widget: a deep network built by the engine, one forward and backward pass on a batch, and the size of
// each layer's weight gradient on a log scale: vanishing with sigmoid, steady with ReLU and He, exploding with a large
// init. data-activation, data-layers (2-20), optional data-init (xavier, he, normal) and data-sigma.
import { fmt, frame, h, num, number, plotFrame, requester, s, select, slider } from './widget.js';

const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky_relu:0.1', 'elu', 'gelu', 'silu', 'identity'];

export async function mount(element, ctx) {
  const ui = frame(element, 'Gradients through depth', 'one backward pass of a deep network, by the engine');
  const activation = element.dataset.activation || 'sigmoid';
  const state = {
    activation,
    layers: Math.round(Math.max(2, Math.min(20, number(element, 'layers', 10)))),
    init: ['xavier', 'he', 'normal'].includes(element.dataset.init) ? element.dataset.init : 'xavier',
    sigma: Math.max(0.01, Math.min(3, number(element, 'sigma', 1))),
    seed: 1,
  };
  const go = () => update({ ...state });

  const actSelect = select({
    label: 'Activation', options: ACTIVATIONS.includes(activation) ? ACTIVATIONS : [activation, ...ACTIVATIONS],
    value: state.activation, field: 'activation', onChange: (v) => { state.activation = v; go(); },
  });
  const initSelect = select({
    label: 'Initialisation',
    options: [['xavier', 'Xavier (Glorot)'], ['he', 'He (Kaiming)'], ['normal', 'normal(0, σ)']],
    value: state.init, field: 'init',
    onChange: (v) => { state.init = v; sigmaSlider.root.hidden = v !== 'normal'; go(); },
  });
  const layerSlider = slider({
    label: 'hidden layers', min: 2, max: 20, step: 1, value: state.layers, field: 'layers', format: (v) => String(v),
    onInput: (v) => { state.layers = v; go(); },
  });
  // σ moves on a log scale: 0.01 to 3.
  const sigmaSlider = slider({
    label: 'σ', min: -2, max: Math.log10(3), step: 0.01, value: Math.log10(state.sigma), field: 'sigma', format: (v) => fmt(10 ** v, 3),
    onInput: (v) => { state.sigma = Number((10 ** v).toPrecision(3)); go(); },
  });
  sigmaSlider.root.hidden = state.init !== 'normal';
  const batchButton = h('button', { type: 'button', class: 'w-button', text: 'New batch', title: 'Another random batch and new initial weights', on: { click: () => { state.seed += 1; go(); } } });
  const chart = h('div', { class: 'w-depth-chart' });
  const caption = h('p', { class: 'w-caption' });

  ui.body.append(
    h('div', { class: 'w-controls' }, actSelect.root, initSelect.root, layerSlider.root, sigmaSlider.root, batchButton),
    chart,
    caption,
  );

  const update = requester(element, ui, (p) => ctx.api.post('/api/learn/widgets/depth', p), (a) => {
    chart.replaceChildren(draw(a));
    const first = a.gradients[0].gradientNorm;
    const last = a.gradients[a.gradients.length - 1].gradientNorm;
    caption.replaceChildren(
      'Layer 1 (next to the input) gets a gradient of ', num(first, 'first'), ', the output layer ', num(last, 'last'),
      ': a ratio of ', num(a.ratio, 'ratio', 3), '. ',
      verdict(a),
      ` (${a.layers} hidden layers of ${a.width} units, ${a.samples} random inputs; mean |f′| under each bar.)`,
    );
  });

  go();
}

function verdict(a) {
  const values = a.gradients.map((g) => g.gradientNorm);
  if (values.some((v) => typeof v === 'string') || values.some((v) => v > 1e6)) {
    return h('b', { class: 'w-bad', text: 'The gradients explode.' });
  }

  if (a.ratio < 1e-3) {
    return h('b', { class: 'w-bad', text: 'The gradient vanishes on its way back: the first layers barely learn.' });
  }

  if (a.ratio > 1e3) {
    return h('b', { class: 'w-bad', text: 'The gradient grows on its way back: the first layers take huge steps.' });
  }

  return h('b', { class: 'w-good', text: 'The gradient keeps its size through the layers.' });
}

function draw(a) {
  const n = a.gradients.length;
  const usable = a.gradients.map((g) => g.gradientNorm).filter((v) => typeof v === 'number' && v > 0);
  const lo = usable.length ? Math.floor(Math.log10(Math.min(...usable))) : -1;
  const hi = usable.length ? Math.ceil(Math.log10(Math.max(...usable))) : 1;
  const y = [10 ** Math.min(lo, hi - 1), 10 ** Math.max(hi, lo + 1)];
  const width = 760;
  const height = 280;
  const p = plotFrame({ width, height, x: [0, n], y, log: true, margin: { top: 14, right: 10, bottom: 52, left: 54 }, className: 'w-depth-plot' });
  const g = s('g', { class: 'w-axes' });
  const decades = Math.round(Math.log10(y[1]) - Math.log10(y[0]));
  const stepDecades = Math.max(1, Math.ceil(decades / 6));
  for (let e = Math.log10(y[0]); e <= Math.log10(y[1]) + 1e-9; e += stepDecades) {
    const yy = p.sy(10 ** e);
    g.append(
      s('line', { class: 'w-grid', x1: p.margin.left, x2: width - p.margin.right, y1: yy, y2: yy }),
      s('text', { class: 'w-tick', x: p.margin.left - 6, y: yy + 3.5, 'text-anchor': 'end', text: `1e${Math.round(e)}` }),
    );
  }

  g.append(s('text', { class: 'w-axis-label', x: p.margin.left, y: 10, text: '‖∂L/∂W‖ per layer (log scale)' }));
  p.root.append(g);

  const slot = p.iw / n;
  const barWidth = Math.max(4, Math.min(34, slot * 0.7));
  a.gradients.forEach((layer, i) => {
    const cx = p.margin.left + slot * (i + 0.5);
    const v = layer.gradientNorm;
    const ok = typeof v === 'number' && v > 0;
    const top = ok ? p.sy(Math.min(v, y[1])) : p.margin.top;
    const bottom = p.sy(y[0]);
    const bar = s('rect', {
      class: `w-depth-bar${layer.output ? ' w-depth-out' : ''}${ok ? '' : ' w-depth-bad'}`,
      x: cx - barWidth / 2, y: top, width: barWidth, height: Math.max(1, bottom - top),
      dataset: { layer: layer.layer, value: String(v) },
    });
    bar.append(s('title', { text: `${layer.output ? 'output layer' : `layer ${layer.layer}`}: ‖∂L/∂W‖ = ${fmt(v, 4)}${layer.derivativeMean !== null ? `, mean |f′| = ${fmt(layer.derivativeMean, 3)}` : ''}` }));
    p.root.append(bar);
    if (!ok) {
      p.root.append(s('text', { class: 'w-depth-nan', x: cx, y: p.margin.top + 12, 'text-anchor': 'middle', text: fmt(v) }));
    }

    const label = layer.output ? 'out' : String(layer.layer);
    if (n <= 12 || i % 2 === 0 || layer.output) {
      p.root.append(s('text', { class: 'w-tick', x: cx, y: bottom + 14, 'text-anchor': 'middle', text: label }));
    }

    if (layer.derivativeMean !== null && (n <= 12 || i % 2 === 0)) {
      p.root.append(s('text', { class: 'w-depth-deriv', x: cx, y: bottom + 30, 'text-anchor': 'middle', text: fmt(layer.derivativeMean, 2) }));
    }
  });

  p.root.append(
    s('text', { class: 'w-axis-label', x: p.margin.left - 6, y: p.sy(y[0]) + 14, 'text-anchor': 'end', text: 'layer' }),
    s('text', { class: 'w-axis-label', x: p.margin.left - 6, y: p.sy(y[0]) + 30, 'text-anchor': 'end', text: 'mean |f′|' }),
  );
  return p.root;
}
