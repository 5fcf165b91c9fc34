// The playground widget: an experiment of the playground inside the lesson (an iframe of /?embed=1#hash), made only
// when the learner asks, so a lesson page does not start several training sessions at once; and a button that opens
// the same experiment in the playground tab. data-hash, data-caption.
import { frame, h } from './widget.js';

export async function mount(element, ctx) {
  const hash = (element.dataset.hash || '').replace(/^#/, '');
  const ui = frame(element, 'Playground', 'a live experiment, trained by the engine');
  const holder = h('div', { class: 'w-frame-holder' });
  const run = h('button', { type: 'button', class: 'w-button w-primary', text: 'Run this experiment here', dataset: { field: 'run' } });
  const open = h('button', { type: 'button', class: 'w-button', text: 'Open in the playground', dataset: { field: 'open' } });
  ui.body.append(
    element.dataset.caption ? h('p', { class: 'w-caption', text: element.dataset.caption }) : null,
    h('div', { class: 'w-row' }, run, open),
    holder,
  );

  run.addEventListener('click', () => {
    const existing = holder.querySelector('iframe');
    if (existing) {
      // Removing the frame ends its page, and with it the training session on the server.
      existing.remove();
      run.textContent = 'Run this experiment here';
      return;
    }

    holder.append(h('iframe', {
      class: 'w-frame', src: `/?embed=1#${hash}`, title: element.dataset.caption || 'Playground experiment', loading: 'lazy',
    }));
    run.textContent = 'Close the experiment';
  });
  open.addEventListener('click', () => ctx.openPlayground(hash));
  element.dataset.state = 'ready';
}
