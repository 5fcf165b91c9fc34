// The activation widget: f and f′ over [-6, 6] (the engine's curves), a slider for x and one per parameter, f(x) and
// f′(x) from the engine with their float64 reference, saturation and the largest f′. data-activation (spec), data-x.
import { axes, finite, fmt, frame, h, num, number, path, plotFrame, requester, s, select, setNum, slider, ticks } from './widget.js';

const RANGE = [-6, 6];
const POINTS = 241;

export async function mount(element, ctx) {
  const ui = frame(element, 'Activation', 'f and its derivative f′, computed by the engine');
  const state = {
    name: (element.dataset.activation || 'sigmoid').split(':')[0],
    spec: element.dataset.activation || 'sigmoid',
    params: null,
    x: Math.max(RANGE[0], Math.min(RANGE[1], number(element, 'x', 1))),
  };
  let curve = null;

  const title = element.querySelector('.w-title');
  const plots = h('div', { class: 'w-plots' });
  const xSlider = slider({
    label: 'x', min: RANGE[0], max: RANGE[1], step: 0.05, value: state.x, field: 'x',
    onInput: (v) => { state.x = v; go(); },
  });
  const paramBox = h('div', { class: 'w-params' });
  const readout = {
    x: num(state.x, 'x'),
    value: num(null, 'value'),
    derivative: num(null, 'derivative'),
    refValue: num(null, 'reference-value', 10),
    refDerivative: num(null, 'reference-derivative', 10),
  };
  const refLine = h('div', { class: 'w-ref' }, 'float64 reference: f = ', readout.refValue, ', f′ = ', readout.refDerivative);
  const notes = h('ul', { class: 'w-notes' });
  const formula = h('div', { class: 'w-formula' });
  ui.body.append(
    plots,
    h('div', { class: 'w-controls' }, xSlider.root, paramBox),
    h('div', { class: 'w-readout' },
      h('div', { class: 'w-big' }, h('span', { class: 'w-label', text: 'f(' }), readout.x, h('span', { class: 'w-label', text: ') = ' }), readout.value),
      h('div', { class: 'w-big' }, h('span', { class: 'w-label', text: 'f′(x) = ' }), readout.derivative),
      refLine),
    formula,
    notes,
  );

  const send = async (params) => {
    const needCurve = !curve || curve.spec !== params.spec;
    const [point, newCurve] = await Promise.all([
      ctx.api.post('/api/learn/widgets/activation', { spec: params.spec, x: params.x, from: RANGE[0], to: RANGE[1] }),
      needCurve
        ? ctx.api.get(`/api/activations/curve?spec=${encodeURIComponent(params.spec)}&from=${RANGE[0]}&to=${RANGE[1]}&n=${POINTS}`)
        : Promise.resolve(curve),
    ]);
    return { point, curve: { ...newCurve, spec: params.spec } };
  };

  const update = requester(element, ui, send, (answer) => {
    curve = answer.curve;
    draw(answer.point);
  });

  function draw(a) {
    title.textContent = a.spec;
    state.name = a.name;
    if (!state.params) {
      buildParams(a.parameters);
    }

    setNum(readout.x, a.x, 4);
    setNum(readout.value, a.value);
    setNum(readout.derivative, a.derivative);
    refLine.hidden = !a.reference;
    if (a.reference) {
      setNum(readout.refValue, a.reference.value, 10);
      setNum(readout.refDerivative, a.reference.derivative, 10);
    }

    formula.replaceChildren(
      h('span', { text: `f(x) = ${a.formula}` }),
      h('span', { text: `f′(x) = ${a.derivativeFormula}` }),
    );
    notes.replaceChildren(
      a.saturated
        ? h('li', { class: 'w-warn', dataset: { field: 'saturated' } },
          `Saturated: |f′(x)| < ${a.saturationThreshold}, so almost no gradient passes this unit at x = ${fmt(a.x, 4)}.`)
        : h('li', { dataset: { field: 'saturated' } }, `Not saturated: |f′(x)| ≥ ${a.saturationThreshold}, the gradient passes.`),
      h('li', { dataset: { field: 'derivative-max' } },
        'Largest f′ on [−6, 6]: ', num(a.derivativeMax.value, 'derivative-max'), ` (${a.derivativeMax.where}).`),
    );

    plots.replaceChildren(
      plot(curve.x, curve.f, a.x, a.value, 'f(x)', 'w-f', null),
      plot(curve.x, curve.df, a.x, a.derivative, 'f′(x)', 'w-df', a),
    );
  }

  function plot(xs, ys, px, py, label, className, info) {
    const finiteYs = ys.filter((v) => typeof v === 'number');
    let lo = Math.min(0, ...finiteYs);
    let hi = Math.max(info ? 0.3 : 1, ...finiteYs);
    if (finite(py)) {
      lo = Math.min(lo, py);
      hi = Math.max(hi, py);
    }

    const pad = (hi - lo) * 0.08 || 1;
    lo -= pad;
    hi += pad;
    const p = plotFrame({ width: 340, height: 220, x: RANGE, y: [lo, hi], className });
    p.root.append(axes(p, ticks(RANGE[0], RANGE[1], 6), ticks(lo, hi, 4), { xLabel: 'x', yLabel: label }));
    if (info) {
      // Where the unit saturates (|f′| below the threshold): shaded, so the flat tails stand out.
      for (let i = 0; i < xs.length - 1; i++) {
        if (typeof ys[i] === 'number' && Math.abs(ys[i]) < info.saturationThreshold) {
          p.root.append(s('rect', { class: 'w-saturated', x: p.sx(xs[i]), y: p.margin.top, width: p.sx(xs[i + 1]) - p.sx(xs[i]) + 0.5, height: p.ih }));
        }
      }
    }

    p.root.append(s('path', { class: 'w-curve', d: path(p, xs, ys) }));
    if (finite(py)) {
      const cx = p.sx(px);
      const cy = p.sy(py);
      p.root.append(
        s('line', { class: 'w-guide', x1: cx, x2: cx, y1: p.sy(0), y2: cy }),
        s('line', { class: 'w-guide', x1: p.margin.left, x2: cx, y1: cy, y2: cy }),
        s('circle', { class: 'w-point', cx, cy, r: 5 }),
      );
    }

    if (info && finite(info.derivativeMax.value)) {
      const my = p.sy(info.derivativeMax.value);
      p.root.append(
        s('line', { class: 'w-max', x1: p.margin.left, x2: p.width - p.margin.right, y1: my, y2: my }),
        s('text', { class: 'w-max-label', x: p.width - p.margin.right - 4, y: my - 4, 'text-anchor': 'end', text: `max ${fmt(info.derivativeMax.value, 3)}` }),
      );
    }

    return h('figure', { class: 'w-figure' }, p.root);
  }

  function buildParams(parameters) {
    state.params = {};
    paramBox.replaceChildren();
    for (const p of parameters) {
      state.params[p.name] = p.value;
      if (p.choices) {
        paramBox.append(select({
          label: p.name, options: p.choices, value: p.value, field: `param-${p.name}`,
          onChange: (v) => { state.params[p.name] = v; respec(); },
        }).root);
      } else {
        const sl = slider({
          label: p.name, min: p.min, max: p.max, step: p.step, value: p.value, field: `param-${p.name}`,
          onInput: (v) => { state.params[p.name] = v; respec(); },
        });
        sl.root.title = p.description;
        paramBox.append(sl.root);
      }
    }
  }

  // The spec the sliders describe, by parameter name ("leaky_relu:alpha=0.2"); the server answers its canonical form.
  function respec() {
    state.spec = state.name + Object.entries(state.params).map(([k, v]) => `:${k}=${v}`).join('');
    go();
  }

  function go() {
    update({ spec: state.spec, x: state.x });
  }

  go();
}
