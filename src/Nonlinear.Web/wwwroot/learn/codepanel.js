// A module's code panel: the same idea as C# with Nonlinear, as a `nonlinear` command and as PyTorch, in three tabs
// with a copy button each. The code is text from the server (shown with textContent, never as HTML).

import { h } from './dom.js';

const languages = [
  ['csharp', 'C#', 'C# with Nonlinear'],
  ['cli', 'nonlinear', 'The nonlinear command'],
  ['pytorch', 'PyTorch', 'PyTorch'],
];

let panels = 0;

/** The panel for `code` = {csharp, cli, pytorch}. */
export function codePanel(code) {
  const id = `learn-code-${++panels}`;
  const tabs = h('div', { class: 'learn-code-tabs', role: 'tablist', 'aria-label': 'The same idea in code' });
  const box = h('section', { class: 'learn-code', 'aria-label': 'Code' }, tabs);
  const buttons = [];
  const bodies = [];
  languages.forEach(([key, label, long], i) => {
    const text = (code && code[key]) || '';
    const tab = h('button', {
      type: 'button', role: 'tab', class: 'learn-code-tab', id: `${id}-tab-${key}`, 'data-code': key,
      'aria-controls': `${id}-panel-${key}`, 'aria-selected': String(i === 0), tabindex: i === 0 ? '0' : '-1', title: long,
    }, label);
    const copy = h('button', { type: 'button', class: 'learn-button learn-copy', 'data-copy': key, disabled: !text }, 'Copy');
    const pre = h('pre', { class: 'learn-code-text' }, h('code', {}, text || 'Not written yet.'));
    copy.addEventListener('click', () => copyText(text, copy));
    const body = h('div', {
      role: 'tabpanel', class: 'learn-code-panel', id: `${id}-panel-${key}`, 'data-code': key, 'aria-labelledby': tab.id, hidden: i !== 0,
    }, h('div', { class: 'learn-code-head' }, h('span', {}, long), copy), pre);
    tab.addEventListener('click', () => select(i));
    tab.addEventListener('keydown', (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) {
        event.preventDefault();
        const next = (i + step + languages.length) % languages.length;
        select(next);
        buttons[next].focus();
      }
    });
    buttons.push(tab);
    bodies.push(body);
    tabs.append(tab);
    box.append(body);
  });

  function select(index) {
    buttons.forEach((b, i) => {
      b.setAttribute('aria-selected', String(i === index));
      b.tabIndex = i === index ? 0 : -1;
    });
    bodies.forEach((b, i) => {
      b.hidden = i !== index;
    });
    box.dataset.selected = languages[index][0];
  }

  box.dataset.selected = languages[0][0];
  return box;
}

async function copyText(text, button) {
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    // No clipboard permission (an http page other than localhost): the old way, through a selected text area.
    const area = h('textarea', { class: 'learn-visually-hidden', readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }

    area.remove();
  }

  button.textContent = ok ? 'Copied ✓' : 'Select and copy by hand';
  setTimeout(() => {
    button.textContent = 'Copy';
  }, 1800);
}
