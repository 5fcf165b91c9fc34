// The course overview (/learn): the nine modules as cards with this learner's ticks, and the ways into the rest.

import { h, dots, errorLine, tick } from './dom.js';
import { moduleHref } from './router.js';

export async function showOverview(page, app) {
  document.title = 'Learn · Nonlinear';
  const learner = app.me && app.me.learner;
  const intro = h('header', { class: 'learn-hero' },
    h('p', { class: 'learn-kicker' }, 'Learn'),
    h('h1', {}, 'Activation functions, by hand and live'),
    h('p', { class: 'learn-lead' },
      'Nine short modules: why a network needs a non-linearity, the classic activations, softmax, vanishing gradients, ' +
      'backpropagation and how to choose. Each has a lesson, widgets whose numbers come from the engine, exercises ' +
      'the server checks, and the same idea in C#, on the command line and in PyTorch.'));
  if (learner) {
    intro.append(h('p', { class: 'learn-greeting' }, 'Welcome, ', h('strong', { 'data-learner-name': '' }, learner.name), '.'));
  }

  page.append(intro);
  const summary = h('p', { class: 'learn-course-summary' });
  const grid = h('ol', { class: 'learn-cards', 'aria-label': 'Modules' });
  page.append(summary, grid);
  page.append(h('nav', { class: 'learn-more', 'aria-label': 'More' },
    more('/learn/glossary', 'Glossary', 'Every term in one line, with where it is shown live.'),
    more('/learn/questions', 'Common questions', 'The questions learners ask most, answered.'),
    more('/learn/progress', 'Your progress', 'What you solved, and your progress as a file to keep.'),
    more('/learn/discuss', 'Discuss', 'Ask and answer on the general board.')));

  let course;
  try {
    course = await app.course();
  } catch (e) {
    grid.replaceWith(errorLine(e.message));
    return;
  }

  const draw = (c) => {
    grid.replaceChildren(...c.modules.map((m) => card(m)));
    const solved = c.modules.reduce((s, m) => s + (m.solved || 0), 0);
    const total = c.modules.reduce((s, m) => s + (m.exercises || 0), 0);
    const complete = c.modules.filter((m) => m.complete).length;
    summary.textContent = learner
      ? `${solved} of ${total} exercises solved · ${complete} of ${c.modules.length} modules complete`
      : `${c.modules.length} modules · ${total} exercises`;
    summary.dataset.solved = String(solved);
  };
  draw(course);
  app.onProgress(draw);
}

function card(m) {
  return h('li', { class: `learn-card${m.complete ? ' complete' : ''}`, 'data-module': m.id },
    h('a', { href: moduleHref(m.id), class: 'learn-card-link' },
      h('span', { class: 'learn-card-number', 'aria-hidden': 'true' }, String(m.number)),
      h('span', { class: 'learn-card-body' },
        h('span', { class: 'learn-card-title' }, h('span', { class: 'learn-visually-hidden' }, `Module ${m.number}: `), m.title),
        h('span', { class: 'learn-card-summary' }, m.summary),
        h('span', { class: 'learn-card-progress' },
          dots(m.solved || 0, m.exercises || 0),
          h('span', { class: 'learn-card-count' }, `${m.solved || 0}/${m.exercises || 0}`),
          m.complete ? h('span', { class: 'learn-complete-label' }, tick(true, 'module complete'), 'complete') : null))));
}

function more(href, title, text) {
  return h('a', { href, class: 'learn-more-link' }, h('strong', {}, title), h('span', {}, text));
}
