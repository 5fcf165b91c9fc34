// The softmax widget: 3-5 logits and a temperature; the engine's probabilities as bars, and beside them the textbook
// formula in float32 (e^z overflows to ∞ above z ≈ 88.7, then ∞/∞ = NaN) and the max-subtracted exponentials the
// engine's stable softmax uses. data-logits ("2,1,0.1"), optional data-temperature.
import { CLASS_COLORS } from '../../common/colors.js';
import { fmt, frame, h, num, number, numberInput, requester, slider } from './widget.js';

const MIN_LOGITS = 3;
const MAX_LOGITS = 5;

export async function mount(element, ctx) {
  const ui = frame(element, 'Softmax', 'probabilities, overflow and the max trick, computed by the engine');
  let logits = (element.dataset.logits || '2,1,0.1').split(',').map((t) => Number(t.trim())).filter(Number.isFinite);
  if (logits.length < MIN_LOGITS || logits.length > MAX_LOGITS) {
    logits = [2, 1, 0.1];
  }

  const state = { logits, temperature: Math.max(0.1, Math.min(10, number(element, 'temperature', 1))) };
  const go = () => update({ logits: state.logits.slice(), temperature: state.temperature });

  const logitBox = h('div', { class: 'w-logits' });
  const bars = h('div', { class: 'w-bars' });
  // The slider moves log10(T), so 0.1-1 gets as much room as 1-10.
  const tSlider = slider({
    label: 'temperature T', min: -1, max: 1, step: 0.01, value: Math.log10(state.temperature), field: 'temperature',
    format: (v) => fmt(10 ** v, 3),
    onInput: (v) => { state.temperature = Number((10 ** v).toPrecision(3)); go(); },
  });
  const addButton = h('button', { type: 'button', class: 'w-button', text: '+ logit', on: { click: () => { state.logits.push(0); build(); go(); } } });
  const removeButton = h('button', { type: 'button', class: 'w-button', text: '− logit', on: { click: () => { state.logits.pop(); build(); go(); } } });
  const bigButton = h('button', {
    type: 'button', class: 'w-button', text: 'Try 1000, 999, 998',
    on: { click: () => { state.logits = [1000, 999, 998]; build(); go(); } },
  });
  const table = h('tbody');
  const foot = h('tfoot');
  const note = h('p', { class: 'w-caption' });

  ui.body.append(
    h('div', { class: 'w-softmax-top' },
      h('div', { class: 'w-softmax-inputs' }, logitBox, h('div', { class: 'w-row' }, addButton, removeButton, bigButton), tSlider.root),
      bars),
    h('div', { class: 'w-scroll' }, h('table', { class: 'w-table w-softmax-table' },
      h('thead', {},
        h('tr', {}, h('th', {}), h('th', {}), h('th', { colspan: 2, class: 'w-group w-group-bad', text: 'textbook: e^z / Σ e^z' }),
          h('th', { colspan: 3, class: 'w-group w-group-good', text: 'stable: subtract the max first' })),
        h('tr', {}, ['', 'z / T', 'e^(z/T)', 'p', 'z/T − max', 'e^(z/T − max)', 'p (engine)'].map((t) => h('th', { text: t })))),
      table, foot)),
    note,
  );

  function build() {
    logitBox.replaceChildren(...state.logits.map((z, i) => {
      const input = numberInput({ value: z, field: `logit-${i}`, label: `logit ${i + 1}`, onInput: (v) => { state.logits[i] = v; range.value = v; go(); } });
      const range = h('input', { type: 'range', min: -10, max: 10, step: 0.1, value: z, 'aria-label': `logit ${i + 1}`, dataset: { field: `logit-slider-${i}` } });
      range.addEventListener('input', () => { state.logits[i] = Number(range.value); input.value = range.value; go(); });
      return h('div', { class: 'w-logit' }, h('span', { class: 'w-swatch', style: `background:${CLASS_COLORS[i % CLASS_COLORS.length]}` }),
        h('span', { class: 'w-label', text: `z${'₁₂₃₄₅'[i]}` }), range, input);
    }));
    addButton.disabled = state.logits.length >= MAX_LOGITS;
    removeButton.disabled = state.logits.length <= MIN_LOGITS;
  }

  const update = requester(element, ui, (p) => ctx.api.post('/api/learn/widgets/softmax', p), (a) => {
    bars.replaceChildren(...a.probabilities.map((p, i) => h('div', { class: 'w-bar-row' },
      h('span', { class: 'w-label', text: `p${'₁₂₃₄₅'[i]}` }),
      h('span', { class: 'w-bar-track' }, h('span', { class: 'w-bar', style: `width:${(100 * p).toFixed(2)}%;background:${CLASS_COLORS[i % CLASS_COLORS.length]}` })),
      num(p, `p-${i}`, 4))));
    table.replaceChildren(...a.scaled.map((z, i) => h('tr', {},
      h('td', { class: 'w-label', text: `z${'₁₂₃₄₅'[i]}` }),
      h('td', {}, num(z, `scaled-${i}`)),
      h('td', { class: 'w-bad-col' }, num(a.naive.exps[i], `naive-exp-${i}`)),
      h('td', { class: 'w-bad-col' }, num(a.naive.probabilities[i], `naive-p-${i}`)),
      h('td', {}, num(a.stable.shifted[i], `shifted-${i}`)),
      h('td', {}, num(a.stable.exps[i], `stable-exp-${i}`)),
      h('td', { class: 'w-strong' }, num(a.probabilities[i], `p-engine-${i}`)))));
    foot.replaceChildren(h('tr', {},
      h('td', { class: 'w-label', text: 'Σ' }), h('td', {}),
      h('td', { class: 'w-bad-col' }, num(a.naive.sum, 'naive-sum')), h('td', {}),
      h('td', { class: 'w-label', text: `max = ${fmt(a.stable.max)}` }),
      h('td', {}, num(a.stable.sum, 'stable-sum')),
      h('td', { class: 'w-strong' }, num(a.sum, 'p-sum', 6))));
    note.replaceChildren(a.naive.fails
      ? h('span', { class: 'w-bad', text: 'The textbook formula fails: e^z overflows float32 above z ≈ 88.7 and gives ∞, and ∞ / ∞ is NaN. ' })
      : h('span', { text: 'Both forms agree here. ' }),
    `Subtracting the largest logit (${fmt(a.stable.max)}) changes nothing in the result, since softmax(z − c) = softmax(z), `
      + 'but makes the largest exponent e⁰ = 1, so nothing can overflow.'
      + (a.temperature !== 1 ? ` T = ${fmt(a.temperature, 3)} ${a.temperature < 1 ? 'sharpens' : 'flattens'} the distribution.` : ''));
  });

  build();
  go();
}
