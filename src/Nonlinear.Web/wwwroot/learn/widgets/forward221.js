// The forward221 widget: a 2-2-1 network with editable inputs, weights and biases, and the engine's forward pass:
// every z and a on the diagram and in the formulas with the numbers put in. data-hidden, data-output (specs);
// optional data-x ("x1,x2"), data-w1 ("w11,w12,w21,w22"), data-b1, data-w2 ("v1,v2"), data-b2 ("c").
import { frame, h, requester, select } from './widget.js';
import { activationChoices, body, networkDiagram, readParameters, steps } from './tiny-network.js';

export async function mount(element, ctx) {
  const ui = frame(element, 'Forward pass of a 2-2-1 network', 'every number below the fields is computed by the engine');
  const params = readParameters(element);
  params.hidden = element.dataset.hidden || 'sigmoid';
  params.output = element.dataset.output || 'sigmoid';

  const diagram = networkDiagram(params, () => go());
  const hiddenSelect = select({
    label: 'Hidden activation g', options: activationChoices(params.hidden), value: params.hidden, field: 'hidden',
    onChange: (v) => { params.hidden = v; go(); },
  });
  const outputSelect = select({
    label: 'Output activation f', options: activationChoices(params.output), value: params.output, field: 'output',
    onChange: (v) => { params.output = v; go(); },
  });
  const formulas = h('div', { class: 'w-steps' });
  ui.body.append(h('div', { class: 'w-row' }, hiddenSelect.root, outputSelect.root), diagram.root, formulas);

  const update = requester(element, ui, (p) => ctx.api.post('/api/learn/widgets/forward221', body(p)), (a, p) => {
    diagram.update(a);
    formulas.replaceChildren(...steps(a, p));
  });

  function go() {
    update(structuredClone(params));
  }

  go();
}
