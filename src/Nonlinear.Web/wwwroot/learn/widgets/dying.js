// The dying widget: ReLU and Leaky ReLU networks trained by the engine with a step that is too large (Adam), the
// same data and seed; per epoch the share of dead hidden units and the loss. Optional data-dataset, data-rate,
// data-alpha, data-epochs.
import { axes, fmt, frame, h, num, number, path, plotFrame, requester, s, select, ticks } from './widget.js';

const DATASETS = ['circle', 'xor', 'gauss', 'spiral'];
const RATES = [0.003, 0.01, 0.03, 0.1, 0.3, 1];
const ALPHAS = [0.01, 0.05, 0.1, 0.2, 0.3];

export async function mount(element, ctx) {
  const ui = frame(element, 'Dying ReLU', 'two networks trained by the engine with a large learning rate');
  const state = {
    dataset: DATASETS.includes(element.dataset.dataset) ? element.dataset.dataset : 'circle',
    learningRate: RATES.includes(number(element, 'rate', 0.3)) ? number(element, 'rate', 0.3) : 0.3,
    alpha: ALPHAS.includes(number(element, 'alpha', 0.1)) ? number(element, 'alpha', 0.1) : 0.1,
    epochs: Math.round(Math.max(2, Math.min(30, number(element, 'epochs', 15)))),
  };
  const go = () => update({ ...state });

  const controls = h('div', { class: 'w-controls' },
    select({ label: 'Dataset', options: DATASETS, value: state.dataset, field: 'dataset', onChange: (v) => { state.dataset = v; go(); } }).root,
    select({ label: 'Learning rate (Adam)', options: RATES.map(String), value: String(state.learningRate), field: 'rate', onChange: (v) => { state.learningRate = Number(v); go(); } }).root,
    select({ label: 'Leaky ReLU alpha', options: ALPHAS.map(String), value: String(state.alpha), field: 'alpha', onChange: (v) => { state.alpha = Number(v); go(); } }).root);
  const legend = h('div', { class: 'w-legend' });
  const plots = h('div', { class: 'w-plots' });
  const summary = h('div', { class: 'w-dying-summary' });
  ui.body.append(controls, legend, plots, summary);

  const update = requester(element, ui, (p) => ctx.api.post('/api/learn/widgets/dying', p), (a) => {
    const [relu, leaky] = a.runs;
    legend.replaceChildren(
      h('span', { class: 'w-key w-key-relu' }, h('i'), relu.activation),
      h('span', { class: 'w-key w-key-leaky' }, h('i'), leaky.activation),
    );
    plots.replaceChildren(
      chart(a, (r) => r === relu ? r.deadShare : r.negativeShare, { label: 'hidden units off on every point (%)', percent: true }),
      chart(a, (r) => r.loss, { label: 'training loss' }),
    );
    summary.replaceChildren(
      line(relu, 'relu', a, relu.deadShare, 'dead: their input was ≤ 0 on every training point, so their gradient is 0 and they never recover'),
      line(leaky, 'leaky', a, leaky.negativeShare, `on the negative side, yet still passing ${a.alpha} × the gradient, so they can come back`),
    );
  });

  go();
}

function line(run, key, a, shares, meaning) {
  const last = shares.length - 1;
  const lost = last < 0;
  return h('p', { class: `w-dying-line w-dying-${key}` },
    h('b', { text: run.activation }), ': ',
    lost ? 'diverged in the first epoch. ' : h('span', {}, 'after ', String(shares.length), ' epochs ',
      num(shares[last] * 100, `${key}-share`, 3), `% of its ${a.units} hidden units are ${meaning}; loss `, num(run.loss[last], `${key}-loss`, 3),
      ', accuracy ', num(run.accuracy[last] * 100, `${key}-accuracy`, 3), '%. '),
    run.diverged ? h('span', { class: 'w-bad', text: run.diverged }) : null);
}

function chart(a, series, { label, percent = false }) {
  const all = a.runs.flatMap((r) => series(r)).filter((v) => typeof v === 'number' && Number.isFinite(v));
  const epochs = a.epochs;
  let hi = percent ? 1 : Math.max(0.1, ...all);
  if (!percent && hi > 3) {
    hi = Math.min(hi, 3);
  }

  const p = plotFrame({ width: 360, height: 220, x: [1, epochs], y: [0, hi * 1.05], className: 'w-dying-plot' });
  p.root.append(axes(p, ticks(1, epochs, 6).filter((t) => Number.isInteger(t)), ticks(0, hi, 4), {
    xLabel: 'epoch', yLabel: label, yFormat: (v) => (percent ? `${fmt(v * 100, 3)}%` : fmt(v, 3)),
  }));
  a.runs.forEach((r, i) => {
    const ys = series(r);
    const xs = ys.map((_, k) => k + 1);
    p.root.append(s('path', { class: `w-curve w-run-${i}`, d: path(p, xs, ys, [0, hi * 1.05]) }));
    ys.forEach((v, k) => {
      if (typeof v === 'number' && Number.isFinite(v)) {
        p.root.append(s('circle', { class: `w-dot w-run-${i}`, cx: p.sx(k + 1), cy: p.sy(Math.min(v, hi * 1.05)), r: 2.6 }));
      }
    });
  });
  return h('figure', { class: 'w-figure' }, p.root);
}
