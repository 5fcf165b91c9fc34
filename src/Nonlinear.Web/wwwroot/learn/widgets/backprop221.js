// The backprop221 widget: the chain rule for one parameter of a 2-2-1 network, factor by factor, next to the gradient
// the engine's backward pass computed and a finite difference of the engine's loss: three numbers that agree.
// data-hidden, data-output (specs); optional data-x, data-w1, data-b1, data-w2, data-b2 (as forward221),
// data-target (y) and data-parameter (w11, w12, w21, w22, b1, b2, v1, v2, c).
import { fmt, frame, h, num, number, numberInput, requester, select } from './widget.js';
import { activationChoices, body, networkDiagram, readParameters } from './tiny-network.js';

/** Each parameter: where it is (layer, the unit it feeds, the input it reads; -1 a bias) and its path in the drawing. */
const PARAMETERS = {
  w11: { layer: 1, to: 0, from: 0, path: ['w11', 'v1', 'x1', 'h1', 'out'] },
  w12: { layer: 1, to: 0, from: 1, path: ['w12', 'v1', 'x2', 'h1', 'out'] },
  w21: { layer: 1, to: 1, from: 0, path: ['w21', 'v2', 'x1', 'h2', 'out'] },
  w22: { layer: 1, to: 1, from: 1, path: ['w22', 'v2', 'x2', 'h2', 'out'] },
  b1: { layer: 1, to: 0, from: -1, path: ['v1', 'h1', 'out'] },
  b2: { layer: 1, to: 1, from: -1, path: ['v2', 'h2', 'out'] },
  v1: { layer: 2, to: 0, from: 0, path: ['v1', 'h1', 'out'] },
  v2: { layer: 2, to: 0, from: 1, path: ['v2', 'h2', 'out'] },
  c: { layer: 2, to: 0, from: -1, path: ['out'] },
};

const LABELS = {
  w11: 'w₁₁ (x₁ → h₁)', w12: 'w₁₂ (x₂ → h₁)', w21: 'w₂₁ (x₁ → h₂)', w22: 'w₂₂ (x₂ → h₂)',
  b1: 'b₁ (bias of h₁)', b2: 'b₂ (bias of h₂)', v1: 'v₁ (h₁ → ŷ)', v2: 'v₂ (h₂ → ŷ)', c: 'c (bias of ŷ)',
};

export async function mount(element, ctx) {
  const ui = frame(element, 'Backpropagation, one weight', 'the chain rule against the engine’s own gradient');
  const params = readParameters(element);
  params.hidden = element.dataset.hidden || 'sigmoid';
  params.output = element.dataset.output || 'sigmoid';
  params.target = number(element, 'target', 1);
  params.parameter = PARAMETERS[element.dataset.parameter] ? element.dataset.parameter : 'w12';
  const go = () => update(structuredClone(params));

  const diagram = networkDiagram(params, go);
  const controls = h('div', { class: 'w-row' },
    select({ label: 'Hidden activation g', options: activationChoices(params.hidden), value: params.hidden, field: 'hidden', onChange: (v) => { params.hidden = v; go(); } }).root,
    select({ label: 'Output activation f', options: activationChoices(params.output), value: params.output, field: 'output', onChange: (v) => { params.output = v; go(); } }).root,
    h('label', { class: 'w-field' }, 'Target y', numberInput({ value: params.target, field: 'target', label: 'target y', onInput: (v) => { params.target = v; go(); } })),
    select({
      label: 'Gradient of', options: Object.keys(PARAMETERS).map((k) => [k, LABELS[k]]), value: params.parameter, field: 'parameter',
      onChange: (v) => { params.parameter = v; go(); },
    }).root);
  const lossLine = h('p', { class: 'w-caption' });
  const chain = h('div', { class: 'w-chain' });
  const agree = h('div', { class: 'w-agree' });
  ui.body.append(controls, diagram.root, lossLine, chain, agree);

  const update = requester(element, ui, (p) => {
    const where = PARAMETERS[p.parameter];
    return ctx.api.post('/api/learn/widgets/backprop221', { ...body(p), target: p.target, layer: where.layer, to: where.to, from: where.from });
  }, (a, p) => {
    diagram.update(a);
    diagram.highlight(PARAMETERS[p.parameter].path);
    lossLine.replaceChildren('Loss (the engine’s mean squared error): L = (ŷ − y)² = (', num(a.yHat, 'loss-y-hat', 5), ' − ', fmt(a.target, 4), ')² = ', num(a.loss, 'loss'), '.');
    const name = LABELS[p.parameter].split(' ')[0];
    chain.replaceChildren(...[
      h('span', { class: 'w-chain-lhs', text: `∂L/∂${name} =` }),
      ...a.factors.flatMap((f, i) => [
        i > 0 ? h('span', { class: 'w-times', text: '×' }) : null,
        h('span', { class: 'w-factor', title: f.label, dataset: { factor: i } },
          h('span', { class: 'w-factor-symbol', text: symbol(f.symbol) }),
          num(f.value, `factor-${i}`, 5)),
      ]),
      h('span', { class: 'w-times', text: '=' }),
      h('span', { class: 'w-factor w-factor-product' }, h('span', { class: 'w-factor-symbol', text: 'product' }), num(a.product, 'product', 6)),
    ].filter(Boolean));
    agree.replaceChildren(
      card('Chain rule, factor by factor', num(a.product, 'chain', 6), 'the product above'),
      card('The engine’s backward pass', num(a.engineGradient, 'engine', 6), 'Sequential.Backward, the weight’s gradient'),
      card('Finite difference', num(a.finiteDifference, 'finite-difference', 6), `(L(${name} + h) − L(${name} − h)) / 2h, h = ${a.step}`),
    );
  });

  go();
}

function card(title, value, note) {
  return h('div', { class: 'w-agree-card' }, h('div', { class: 'w-agree-title', text: title }), h('div', { class: 'w-agree-value' }, value), h('div', { class: 'w-agree-note', text: note }));
}

/** The server's plain symbols ("g'(z1)", "dL/dŷ") with primes and subscripts for reading. */
function symbol(text) {
  return text
    .replace("dL/dŷ", '∂L/∂ŷ')
    .replace(/'/g, '′')
    .replace(/([a-z])([12])/g, (_, l, d) => l + '₀₁₂'[Number(d)]);
}
