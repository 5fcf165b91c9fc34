// A module's page (/learn/mN): the nine modules beside it with this learner's ticks, the lesson (server HTML with
// MathML and live widgets), the code panel, the exercise cards, the module's discussion, previous and next.

import { codePanel } from './codepanel.js';
import { mountModuleBoard } from './discussion.js';
import { h, trusted, dots, errorLine, noteLine, tick } from './dom.js';
import { exerciseCard } from './exercise.js';
import { moduleHref } from './router.js';
import { mountWidgets } from './widgets.js';

export async function showModule(page, app, route) {
  const layout = h('div', { class: 'learn-module-layout' });
  const aside = h('nav', { class: 'learn-module-list', 'aria-label': 'Modules' });
  const article = h('article', { class: 'learn-module', 'data-module': route.module });
  layout.append(aside, article);
  page.append(layout);

  const [module, course] = await Promise.all([
    app.api.get(`/api/learn/modules/${encodeURIComponent(route.module)}`).catch((e) => ({ error: e })),
    app.course().catch(() => null),
  ]);

  const drawList = (c) => aside.replaceChildren(moduleList(c, route.module));
  if (course) {
    drawList(course);
    app.onProgress(drawList);
  }

  if (module.error) {
    document.title = 'Module · Learn · Nonlinear';
    article.append(h('h1', {}, 'This module could not be shown'), errorLine(module.error.message), h('p', {}, h('a', { href: '/learn' }, 'Back to the course')));
    return;
  }

  document.title = `${module.number}. ${module.title} · Learn · Nonlinear`;
  const lesson = trusted('div', module.html, { class: 'learn-lesson' });
  article.append(
    h('header', { class: 'learn-module-head' },
      h('p', { class: 'learn-kicker' }, `Module ${module.number} of ${course ? course.modules.length : 9}`),
      h('h1', {}, module.title),
      h('p', { class: 'learn-lead' }, module.summary)),
    lesson);
  mountWidgets(lesson, app.widgetContext());

  article.append(h('section', { class: 'learn-section-block', 'aria-labelledby': 'learn-code-heading' },
    h('h2', { id: 'learn-code-heading' }, 'In code'),
    h('p', { class: 'learn-small' }, 'The same idea with Nonlinear in C#, as a nonlinear command, and in PyTorch.'),
    codePanel(module.code)));

  const exercises = module.exercises || [];
  const cards = exercises.map((e) => exerciseCard(app, e));
  const exerciseHead = h('div', { class: 'learn-exercises-head' }, h('h2', { id: 'learn-exercises-heading' }, 'Exercises'));
  const completion = h('p', { class: 'learn-small learn-module-status' });
  const drawCompletion = (c) => {
    const m = c && c.modules.find((x) => x.id === module.id);
    if (!m) {
      return;
    }

    completion.replaceChildren(dots(m.solved || 0, m.exercises || 0), ` ${m.solved || 0} of ${m.exercises || 0} solved`, m.complete ? h('span', { class: 'learn-complete-label' }, tick(true, 'module complete'), 'module complete') : '');
    article.dataset.complete = String(!!m.complete);
  };
  if (course) {
    drawCompletion(course);
    app.onProgress(drawCompletion);
  }

  exerciseHead.append(completion);
  article.append(h('section', { class: 'learn-section-block learn-exercises', 'aria-labelledby': 'learn-exercises-heading' },
    exerciseHead,
    h('p', { class: 'learn-small' }, 'Your numbers are your own: the server makes them from your name and checks your answers. Press Enter to check.'),
    exercises.length ? cards.map((c) => c.element) : noteLine('This module has no exercises.')));

  // The board draws its own heading ("Module 2 discussion").
  const discussion = h('section', { class: 'learn-section-block learn-discussion', 'aria-label': 'Discussion' });
  const board = h('div', { class: 'learn-board' });
  discussion.append(board);
  article.append(discussion, previousNext(module, course));

  // The discussion loads on its own; the page is ready when the cards are (an address may point at one).
  mountModuleBoard(board, app, module.id);
  await Promise.all(cards.map((c) => c.ready));
}

function moduleList(course, current) {
  const list = h('ol', {});
  for (const m of course.modules) {
    list.append(h('li', { 'data-module': m.id, class: m.complete ? 'complete' : '' },
      h('a', { href: moduleHref(m.id), 'aria-current': m.id === current ? 'page' : null },
        h('span', { class: 'learn-list-number' }, String(m.number)),
        h('span', { class: 'learn-list-title' }, m.title),
        m.complete ? tick(true, 'complete') : h('span', { class: 'learn-list-count', title: `${m.solved || 0} of ${m.exercises || 0} exercises solved` }, `${m.solved || 0}/${m.exercises || 0}`))));
  }

  return h('div', {}, h('p', { class: 'learn-module-list-title' }, h('a', { href: '/learn' }, 'Course')), list);
}

/** previous/next may be a module id or {id, title}; null at the ends. */
function neighbour(value, course) {
  if (!value) {
    return null;
  }

  const id = typeof value === 'string' ? value : value.id;
  const known = course && course.modules.find((m) => m.id === id);
  return { id, title: (typeof value === 'object' && value.title) || (known && known.title) || id, number: known ? known.number : null };
}

function previousNext(module, course) {
  const previous = neighbour(module.previous, course);
  const next = neighbour(module.next, course);
  const nav = h('nav', { class: 'learn-prevnext', 'aria-label': 'Previous and next module' });
  nav.append(previous
    ? h('a', { href: moduleHref(previous.id), rel: 'prev', class: 'learn-prev' }, h('span', { class: 'learn-small' }, '← Previous'), h('span', {}, previous.title))
    : h('a', { href: '/learn', class: 'learn-prev' }, h('span', { class: 'learn-small' }, '← Back to'), h('span', {}, 'the course')));
  nav.append(next
    ? h('a', { href: moduleHref(next.id), rel: 'next', class: 'learn-next' }, h('span', { class: 'learn-small' }, 'Next →'), h('span', {}, next.title))
    : h('a', { href: '/learn/progress', class: 'learn-next' }, h('span', { class: 'learn-small' }, 'Done? →'), h('span', {}, 'Your progress')));
  return nav;
}
