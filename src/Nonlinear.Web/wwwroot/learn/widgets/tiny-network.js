// The 2-2-1 network of forward221 and backprop221: a diagram whose inputs, weights and biases are number fields on the
// drawing, and whose nodes show the z and a the engine computed. Edges are coloured by the sign of their weight
// (blue positive, orange negative) and drawn thicker for larger weights, as in the playground.
import { divergingCss } from '../../common/colors.js';
import { fmt, h, num, numberInput, numbers, number, s, setNum } from './widget.js';

const W = 720;
const H = 300;
const COL = { in: 70, hidden: 320, out: 560 };
const ROW = { top: 80, bottom: 220, mid: 150 };
const R = 28;

/** The parameters a lesson sets with data-* (x, w1, b1, w2, b2), or the default example. */
export function readParameters(element) {
  const w1 = numbers(element, 'w1', 4, [0.4, -0.6, 0.8, 0.3]);
  return {
    x: numbers(element, 'x', 2, [0.5, -1]),
    w1: [[w1[0], w1[1]], [w1[2], w1[3]]],
    b1: numbers(element, 'b1', 2, [0.1, -0.2]),
    w2: numbers(element, 'w2', 2, [1.2, -0.7]),
    b2: number(element, 'b2', 0.05),
  };
}

/** The activations offered for the hidden and the output layer (the lesson's own choice is added when missing). */
export function activationChoices(current) {
  const list = ['sigmoid', 'tanh', 'relu', 'leaky_relu:0.1', 'identity', 'softplus', 'elu', 'gelu'];
  return list.includes(current) ? list : [current, ...list];
}

/**
 * The diagram. `params` is changed in place by the fields; `onChange()` follows every valid edit. `update(answer)`
 * writes the engine's z and a onto the nodes; `highlight(path)` marks the edges and nodes of a chain-rule path.
 */
export function networkDiagram(params, onChange) {
  const root = h('div', { class: 'w-net' });
  const svg = s('svg', { class: 'w-net-svg', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'A 2-2-1 network' });
  const layer = h('div', { class: 'w-net-fields' });
  root.append(svg, layer);

  const nodes = {
    x1: { cx: COL.in, cy: ROW.top, label: 'x₁' },
    x2: { cx: COL.in, cy: ROW.bottom, label: 'x₂' },
    h1: { cx: COL.hidden, cy: ROW.top, label: 'h₁' },
    h2: { cx: COL.hidden, cy: ROW.bottom, label: 'h₂' },
    out: { cx: COL.out, cy: ROW.mid, label: 'ŷ' },
  };
  const edges = [
    { id: 'w11', from: 'x1', to: 'h1', get: () => params.w1[0][0], set: (v) => { params.w1[0][0] = v; }, f: 0.5 },
    { id: 'w12', from: 'x2', to: 'h1', get: () => params.w1[0][1], set: (v) => { params.w1[0][1] = v; }, f: 0.3 },
    { id: 'w21', from: 'x1', to: 'h2', get: () => params.w1[1][0], set: (v) => { params.w1[1][0] = v; }, f: 0.3 },
    { id: 'w22', from: 'x2', to: 'h2', get: () => params.w1[1][1], set: (v) => { params.w1[1][1] = v; }, f: 0.5 },
    { id: 'v1', from: 'h1', to: 'out', get: () => params.w2[0], set: (v) => { params.w2[0] = v; }, f: 0.5 },
    { id: 'v2', from: 'h2', to: 'out', get: () => params.w2[1], set: (v) => { params.w2[1] = v; }, f: 0.5 },
  ];

  const edgeGroup = s('g');
  const nodeGroup = s('g');
  svg.append(
    s('text', { class: 'w-net-col', x: COL.in, y: 22, 'text-anchor': 'middle', text: 'input' }),
    s('text', { class: 'w-net-col', x: COL.hidden, y: 22, 'text-anchor': 'middle', text: 'hidden' }),
    s('text', { class: 'w-net-col', x: COL.out, y: 22, 'text-anchor': 'middle', text: 'output' }),
    edgeGroup,
    nodeGroup,
  );

  for (const e of edges) {
    const a = nodes[e.from];
    const b = nodes[e.to];
    e.line = s('line', { class: 'w-edge', x1: a.cx, y1: a.cy, x2: b.cx, y2: b.cy });
    edgeGroup.append(e.line);
    // Each weight's field sits on its edge, a fraction f of the way from the input; the crossing edges nearer
    // their inputs, so that no two fields overlap.
    const px = a.cx + (b.cx - a.cx) * e.f;
    const py = a.cy + (b.cy - a.cy) * e.f;
    layer.append(field(e.id, e.get(), (v) => { e.set(v); styleEdges(); onChange(); }, px, py, e.id));
  }

  const values = {};
  for (const [id, n] of Object.entries(nodes)) {
    n.circle = s('circle', { class: `w-node w-node-${id.startsWith('x') ? 'in' : 'unit'}`, cx: n.cx, cy: n.cy, r: R });
    nodeGroup.append(n.circle, s('text', { class: 'w-node-label', x: n.cx, y: n.cy - R - 8, 'text-anchor': 'middle', text: n.label }));
  }

  // Inputs: fields inside the input nodes; biases: fields under the units; values: beside the units.
  layer.append(field('x1', params.x[0], (v) => { params.x[0] = v; onChange(); }, COL.in, ROW.top, 'x₁', 'w-in-field'));
  layer.append(field('x2', params.x[1], (v) => { params.x[1] = v; onChange(); }, COL.in, ROW.bottom, 'x₂', 'w-in-field'));
  layer.append(field('b1', params.b1[0], (v) => { params.b1[0] = v; onChange(); }, COL.hidden, ROW.top + R + 20, 'b₁', 'w-bias', 'b₁'));
  layer.append(field('b2', params.b1[1], (v) => { params.b1[1] = v; onChange(); }, COL.hidden, ROW.bottom + R + 20, 'b₂', 'w-bias', 'b₂'));
  layer.append(field('c', params.b2, (v) => { params.b2 = v; onChange(); }, COL.out, ROW.mid + R + 20, 'c', 'w-bias', 'c'));
  for (const [id, label] of [['h1', ['z₁', 'a₁']], ['h2', ['z₂', 'a₂']], ['out', ['z_out', 'ŷ']]]) {
    const n = nodes[id];
    const z = num(null, id === 'out' ? 'z-out' : `z-${id}`, 4);
    const a = num(null, id === 'out' ? 'y-hat' : `a-${id}`, 4);
    values[id] = { z, a };
    const box = h('div', { class: 'w-node-values' },
      h('div', {}, h('span', { class: 'w-label', text: `${label[0]} = ` }), z),
      h('div', { class: 'w-node-a' }, h('span', { class: 'w-label', text: `${label[1]} = ` }), a));
    place(box, n.cx + R + 8, n.cy, 'left');
    layer.append(box);
  }

  function field(id, value, onInput, x, y, label, className = '', prefix = '') {
    const input = numberInput({ value, field: id, label, onInput, className });
    const wrap = h('label', { class: `w-net-field ${className}`.trim() }, prefix ? h('span', { class: 'w-label', text: `${prefix} ` }) : null, input);
    if (!prefix && !className) {
      wrap.title = `weight ${id}`;
    }

    place(wrap, x, y, 'center');
    return wrap;
  }

  function place(el, x, y, anchor) {
    el.style.left = `${(x / W) * 100}%`;
    el.style.top = `${(y / H) * 100}%`;
    el.classList.add(anchor === 'left' ? 'w-anchor-left' : 'w-anchor-center');
  }

  function styleEdges() {
    for (const e of edges) {
      const v = e.get();
      e.line.style.strokeWidth = String(1.2 + Math.min(5, Math.abs(v) * 2.2));
      e.line.classList.toggle('w-neg', v < 0);
    }
  }

  styleEdges();
  return {
    root,
    update(answer) {
      setNum(values.h1.z, answer.zHidden[0], 4);
      setNum(values.h1.a, answer.aHidden[0], 4);
      setNum(values.h2.z, answer.zHidden[1], 4);
      setNum(values.h2.a, answer.aHidden[1], 4);
      setNum(values.out.z, answer.zOut, 4);
      setNum(values.out.a, answer.yHat, 4);
      // Each unit tinted by its output, on the playground's scale (orange negative, blue positive).
      nodes.h1.circle.style.fill = tint(answer.aHidden[0]);
      nodes.h2.circle.style.fill = tint(answer.aHidden[1]);
      nodes.out.circle.style.fill = tint(answer.yHat);
    },
    highlight(ids) {
      for (const e of edges) {
        e.line.classList.toggle('w-on-path', ids.includes(e.id));
      }

      for (const [id, n] of Object.entries(nodes)) {
        n.circle.classList.toggle('w-on-path', ids.includes(id));
      }
    },
  };
}

function tint(value) {
  return typeof value === 'number' ? divergingCss(value * 0.6) : '#fff';
}

/** "(0.4)(0.5)": a product of two numbers as substituted into a formula. */
export function times(a, b) {
  return `(${fmt(a, 4)})(${fmt(b, 4)})`;
}

/** The request body for a 2-2-1 network (forward221 and backprop221). */
export function body(p) {
  return { x: p.x, w1: p.w1, b1: p.b1, w2: p.w2, b2: p.b2, hidden: p.hidden, output: p.output };
}

/** The forward pass written out: each formula, the typed numbers put in, and the engine's result. */
export function steps(a, p) {
  const rows = [];
  for (let j = 0; j < 2; j++) {
    const k = j + 1;
    rows.push(step(
      `z${sub(k)} = w${sub(k)}${sub(1)}x${sub(1)} + w${sub(k)}${sub(2)}x${sub(2)} + b${sub(k)}`,
      `${times(p.w1[j][0], p.x[0])} + ${times(p.w1[j][1], p.x[1])} + ${paren(p.b1[j])}`,
      num(a.zHidden[j], `step-z${k}`)));
    rows.push(step(`a${sub(k)} = g(z${sub(k)})`, `${a.hidden}(${fmt(a.zHidden[j], 5)})`, num(a.aHidden[j], `step-a${k}`)));
  }

  rows.push(step(
    'z_out = v₁a₁ + v₂a₂ + c',
    `${times(p.w2[0], a.aHidden[0])} + ${times(p.w2[1], a.aHidden[1])} + ${paren(p.b2)}`,
    num(a.zOut, 'step-z-out')));
  rows.push(step('ŷ = f(z_out)', `${a.output}(${fmt(a.zOut, 5)})`, num(a.yHat, 'step-y-hat')));
  return rows;
}

function step(formula, substituted, result) {
  return h('div', { class: 'w-step' },
    h('span', { class: 'w-step-formula', text: formula }),
    h('span', { class: 'w-step-sub', text: `= ${substituted}` }),
    h('span', { class: 'w-step-result' }, '= ', result));
}

function paren(v) {
  return v < 0 ? `(${fmt(v, 4)})` : fmt(v, 4);
}

function sub(k) {
  return '₀₁₂₃₄₅₆₇₈₉'[k];
}
