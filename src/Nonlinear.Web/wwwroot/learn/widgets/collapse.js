// The collapse widget: two linear layers W₂(W₁x + b₁) + b₂ and the single layer W′x + b′ (W′ = W₂W₁, b′ = W₂b₁ + b₂)
// computed by the engine, both run on the same points to show they agree; and XOR with a linear activation in the
// playground, where no number of layers bends the boundary. Optional data-w1 ("w11,w12,w21,w22"), data-b1, data-w2,
// data-b2, data-hash (the playground experiment).
import { fmt, frame, h, num, numberInput, numbers, number, requester, setNum } from './widget.js';

const XOR_LINEAR = 'activation=linear&dataset=xor&networkShape=4,4&learningRate=0.03&noise=0&x=true&y=true';

export async function mount(element, ctx) {
  const ui = frame(element, 'Two linear layers are one', 'W′ and b′ and both outputs computed by the engine');
  const w1 = numbers(element, 'w1', 4, [0.5, -1, 2, 0.25]);
  const params = {
    w1: [[w1[0], w1[1]], [w1[2], w1[3]]],
    b1: numbers(element, 'b1', 2, [0.5, -1]),
    w2: numbers(element, 'w2', 2, [1.5, -2]),
    b2: number(element, 'b2', 0.25),
  };

  const go = () => update(structuredClone(params));
  const cell = (get, set, field) => numberInput({ value: get(), field, label: field, onInput: (v) => { set(v); go(); } });
  const w1Box = matrix([
    [cell(() => params.w1[0][0], (v) => { params.w1[0][0] = v; }, 'w1-00'), cell(() => params.w1[0][1], (v) => { params.w1[0][1] = v; }, 'w1-01')],
    [cell(() => params.w1[1][0], (v) => { params.w1[1][0] = v; }, 'w1-10'), cell(() => params.w1[1][1], (v) => { params.w1[1][1] = v; }, 'w1-11')],
  ]);
  const b1Box = matrix([
    [cell(() => params.b1[0], (v) => { params.b1[0] = v; }, 'b1-0')],
    [cell(() => params.b1[1], (v) => { params.b1[1] = v; }, 'b1-1')],
  ]);
  const w2Box = matrix([[cell(() => params.w2[0], (v) => { params.w2[0] = v; }, 'w2-0'), cell(() => params.w2[1], (v) => { params.w2[1] = v; }, 'w2-1')]]);
  const b2Box = matrix([[cell(() => params.b2, (v) => { params.b2 = v; }, 'b2')]]);

  const wPrime = [num(null, 'w-prime-0'), num(null, 'w-prime-1')];
  const bPrime = num(null, 'b-prime');
  const table = h('tbody');
  const verdict = h('p', { class: 'w-caption' });
  const hash = element.dataset.hash || XOR_LINEAR;

  ui.body.append(
    h('div', { class: 'w-eq' },
      h('span', { class: 'w-eq-label', text: 'Two layers' }),
      h('span', { class: 'w-eq-text', text: 'y =' }), w2Box, h('span', { class: 'w-paren', text: '(' }), w1Box,
      h('span', { class: 'w-eq-text', text: 'x +' }), b1Box, h('span', { class: 'w-paren', text: ')' }),
      h('span', { class: 'w-eq-text', text: '+' }), b2Box),
    h('div', { class: 'w-eq w-eq-result' },
      h('span', { class: 'w-eq-label', text: 'One layer' }),
      h('span', { class: 'w-eq-text', text: 'y =' }), matrix([[wPrime[0], wPrime[1]]]),
      h('span', { class: 'w-eq-text', text: 'x +' }), matrix([[bPrime]]),
      h('span', { class: 'w-eq-note', text: 'W′ = W₂W₁,  b′ = W₂b₁ + b₂' })),
    h('div', { class: 'w-scroll' }, h('table', { class: 'w-table' },
      h('thead', {}, h('tr', {},
        ['x₁', 'x₂', 'W₁x + b₁', 'two layers', 'one layer', '|difference|'].map((t) => h('th', { text: t })))),
      table)),
    verdict,
    h('div', { class: 'w-row' },
      h('button', { type: 'button', class: 'w-button w-primary', text: 'Open XOR with a linear activation in the playground', on: { click: () => ctx.openPlayground(hash) } }),
      h('span', { class: 'w-caption', text: 'However many layers you add, the boundary stays a straight line.' })),
  );

  const update = requester(element, ui, (p) => ctx.api.post('/api/learn/widgets/collapse', p), (a) => {
    setNum(wPrime[0], a.wPrime[0]);
    setNum(wPrime[1], a.wPrime[1]);
    setNum(bPrime, a.bPrime);
    table.replaceChildren(...a.points.map((r, i) => h('tr', { dataset: { row: i } },
      h('td', {}, num(r.x[0], 'x1', 4)),
      h('td', {}, num(r.x[1], 'x2', 4)),
      h('td', { class: 'w-muted' }, `(${fmt(r.hidden[0], 4)}, ${fmt(r.hidden[1], 4)})`),
      h('td', {}, num(r.twoLayers, 'two-layers')),
      h('td', {}, num(r.oneLayer, 'one-layer')),
      h('td', { class: 'w-ok' }, num(r.difference, 'difference', 2)))));
    verdict.textContent = `On every point the two agree to ${fmt(a.maxDifference, 2)}: float32 rounding, nothing more. `
      + `The engine's collapse: ${a.equation.replace(/-/g, '−')}.`;
  });

  go();
}

/** A matrix of cells between brackets. */
function matrix(rows) {
  return h('span', { class: 'w-matrix', style: `grid-template-columns: repeat(${rows[0].length}, auto)` }, rows.flat());
}
