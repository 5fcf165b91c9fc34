// The advisor widget: a model spec and a task checked by Nonlinear's advisor on the server; each piece of advice with
// its code, what is wrong, why it matters and the fix. A spec that does not parse shows the parser's message.
// data-spec, data-task (binary, multiclass, regression).
import { frame, h, requester, select } from './widget.js';

const TASKS = [['', 'task unknown'], ['binary', 'binary classification'], ['multiclass', 'multi-class classification'], ['regression', 'regression']];

export async function mount(element, ctx) {
  const ui = frame(element, 'Ask the advisor', 'Nonlinear’s Advisor.Check on your model');
  const state = {
    spec: element.dataset.spec || 'dense:8,dense:4,relu,dense:1',
    task: TASKS.some(([v]) => v === element.dataset.task) ? element.dataset.task : '',
  };
  const input = h('input', { type: 'text', class: 'w-text', value: state.spec, spellcheck: 'false', autocomplete: 'off', 'aria-label': 'Model spec', dataset: { field: 'spec' } });
  const taskSelect = select({ label: 'Task', options: TASKS, value: state.task, field: 'task', onChange: (v) => { state.task = v; go(); } });
  const check = h('button', { type: 'button', class: 'w-button w-primary', text: 'Check', dataset: { field: 'check' } });
  const list = h('div', { class: 'w-advice-list' });
  ui.body.append(
    h('div', { class: 'w-row w-advisor-form' }, h('label', { class: 'w-field w-grow' }, 'Model spec', input), taskSelect.root, check),
    list,
  );

  const go = () => {
    state.spec = input.value;
    update({ ...state });
  };
  check.addEventListener('click', go);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      go();
    }
  });

  const update = requester(element, ui, (p) => ctx.api.post('/api/learn/widgets/advisor', { spec: p.spec, task: p.task || null }), (a) => {
    list.replaceChildren();
    if (a.advice.length === 0) {
      list.append(h('p', { class: 'w-advice-none', dataset: { field: 'silent' }, text: `The advisor is silent: nothing to fix in ${a.spec}.` }));
      return;
    }

    for (const advice of a.advice) {
      list.append(h('div', { class: `w-advice w-advice-${advice.severity}`, dataset: { code: advice.code } },
        h('div', { class: 'w-advice-head' },
          h('span', { class: 'w-badge', text: advice.severity }),
          h('code', { text: advice.code }),
          advice.layer ? h('span', { class: 'w-label', text: `layer ${advice.layer}` }) : null),
        h('p', { class: 'w-advice-message', text: advice.message }),
        h('p', { class: 'w-advice-fix' }, h('b', { text: 'Fix: ' }), advice.fix),
        h('details', {}, h('summary', { text: 'Why it matters' }), h('p', { text: advice.reason }))));
    }
  });

  go();
}
