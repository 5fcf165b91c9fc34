// The learner's progress (/learn/progress): per module the exercises solved and tried, the complete ticks, and the
// progress as a file: export downloads it, import merges one back (the server says what is wrong with a bad file).

import { h, dots, errorLine, noteLine, tick } from './dom.js';
import { moduleHref } from './router.js';

export async function showProgress(page, app) {
  document.title = 'Progress · Learn · Nonlinear';
  page.append(h('h1', {}, 'Your progress'));
  if (!app.me || !app.me.learner) {
    page.append(noteLine('Choose your name at the top of the page: progress is kept per name.'));
    return;
  }

  const body = h('div', { class: 'learn-progress-body' });
  page.append(body, fileBox(app, () => draw(body, app)));
  await draw(body, app);
}

async function draw(body, app) {
  let progress;
  try {
    progress = await app.api.get('/api/learn/progress');
  } catch (e) {
    body.replaceChildren(errorLine(e.message));
    return;
  }

  const modules = progress.modules || [];
  const complete = modules.filter((m) => m.complete).length;
  const name = progress.learner && typeof progress.learner === 'object' ? progress.learner.name : progress.learner;
  const summary = h('p', { class: 'learn-progress-summary', 'data-solved': String(progress.solved), 'data-total': String(progress.total) },
    name ? h('strong', {}, name) : null, name ? ': ' : null,
    `${progress.solved} of ${progress.total} exercises solved · ${complete} of ${modules.length} modules complete`);
  const list = h('ol', { class: 'learn-progress-modules' });
  for (const m of modules) {
    const exercises = m.exercises || [];
    const solved = exercises.filter((e) => e.solved).length;
    const rows = h('tbody', {});
    for (const e of exercises) {
      rows.append(h('tr', { 'data-exercise': e.id, 'data-solved': String(!!e.solved), 'data-attempts': String(e.attempts || 0) },
        h('td', {}, tick(!!e.solved, e.solved ? 'solved' : 'not solved yet')),
        h('td', {}, h('a', { href: moduleHref(m.id, `ex-${e.id}`) }, e.title)),
        h('td', { class: 'learn-num' }, String(e.attempts || 0))));
    }

    list.append(h('li', { class: `learn-progress-module${m.complete ? ' complete' : ''}`, 'data-module': m.id, 'data-complete': String(!!m.complete) },
      h('div', { class: 'learn-progress-head' },
        h('h2', {}, h('a', { href: moduleHref(m.id) }, m.title)),
        dots(solved, exercises.length),
        h('span', { class: 'learn-progress-count' }, `${solved} of ${exercises.length} solved`),
        m.complete ? h('span', { class: 'learn-complete-label' }, tick(true, 'module complete'), 'complete') : null),
      exercises.length
        ? h('table', { class: 'learn-progress-table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, h('span', { class: 'learn-visually-hidden' }, 'Solved')), h('th', { scope: 'col' }, 'Exercise'), h('th', { scope: 'col', class: 'learn-num' }, 'Attempts'))),
          rows)
        : noteLine('No exercises.')));
  }

  body.replaceChildren(summary, list);
}

function fileBox(app, redraw) {
  const result = h('div', { class: 'learn-import-result', 'aria-live': 'polite' });
  const input = h('input', { type: 'file', id: 'learn-import-file', class: 'learn-visually-hidden', accept: '.json,application/json' });
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) {
      return;
    }

    result.replaceChildren(noteLine(`Reading ${file.name}…`));
    let json;
    try {
      json = JSON.parse(await file.text());
    } catch (e) {
      result.replaceChildren(errorLine(`${file.name} is not a progress file: it is not JSON (${e.message}).`));
      input.value = '';
      return;
    }

    try {
      const answer = await app.api.post('/api/learn/progress/import', json);
      result.replaceChildren(h('p', { class: 'learn-good', role: 'status' }, `Imported ${file.name}.`, importSummary(answer)));
      app.progressChanged();
      await redraw();
    } catch (e) {
      result.replaceChildren(errorLine(e.message));
    }

    input.value = '';
  });

  return h('section', { class: 'learn-panel learn-progress-file', 'aria-labelledby': 'learn-file-heading' },
    h('h2', { id: 'learn-file-heading' }, 'Keep your progress'),
    h('p', {}, 'Download your progress as a file, and import it on another machine or after a fresh start: importing adds to what is here and never removes anything.'),
    h('div', { class: 'learn-file-actions' },
      h('a', { href: '/api/learn/progress/export', download: 'nonlinear-progress.json', class: 'learn-button', 'data-action': 'export' }, 'Export progress'),
      h('label', { for: 'learn-import-file', class: 'learn-button' }, 'Import a progress file…'),
      input),
    result);
}

/** The import's answer in words: its numeric fields (e.g. attempts and completions added). */
function importSummary(answer) {
  if (!answer || typeof answer !== 'object') {
    return '';
  }

  const parts = Object.entries(answer).filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k}: ${v}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
