// The parts of Learn that other modules draw: the discussion (wwwroot/discuss/board.js: mountBoard, mountThread)
// and the instructor's class dashboard (learn/classroom.js: mountClassroom). Each is imported when needed; a build
// without one says so in a line instead of failing.

import { h, noteLine } from './dom.js';

async function importOptional(url, name) {
  try {
    const module = await import(url);
    return typeof module[name] === 'function' ? module[name] : null;
  } catch (e) {
    console.warn(`${url} was not loaded:`, e);
    return null;
  }
}

async function mountInto(element, app, url, name, args, missingText) {
  const mount = await importOptional(url, name);
  if (!mount) {
    element.replaceChildren(noteLine(missingText));
    element.dataset.mounted = 'missing';
    return;
  }

  try {
    await mount(element, app.widgetContext(), args);
    element.dataset.mounted = 'true';
  } catch (e) {
    console.warn(`${name} failed:`, e);
    element.append(h('p', { class: 'learn-error', role: 'alert' }, e && e.message ? e.message : String(e)));
    element.dataset.mounted = 'failed';
  }
}

function signedOut(element, app, text) {
  if (app.me && app.me.learner) {
    return false;
  }

  element.replaceChildren(noteLine(text));
  return true;
}

/** The module's own board under its lesson. */
export function mountModuleBoard(element, app, moduleId) {
  if (signedOut(element, app, 'Choose your name at the top of the page to read and write in this module’s discussion.')) {
    return Promise.resolve();
  }

  return mountInto(element, app, '/static/discuss/board.js', 'mountBoard', { board: moduleId }, 'The discussion board is not part of this build.');
}

/** /learn/discuss: the general board. */
export async function showBoard(page, app) {
  document.title = 'Discuss · Learn · Nonlinear';
  const box = h('div', { class: 'learn-board' });
  page.append(h('h1', {}, 'Discuss'), h('p', { class: 'learn-lead' }, 'Questions, answers and experiments about the course. Each module has its own board under its lesson.'), box);
  if (signedOut(box, app, 'Choose your name at the top of the page to read and write in the discussion.')) {
    return;
  }

  await mountInto(box, app, '/static/discuss/board.js', 'mountBoard', { board: 'general' }, 'The discussion board is not part of this build.');
}

/** /learn/discuss/ID: one thread. */
export async function showThread(page, app, route) {
  document.title = 'Discussion · Learn · Nonlinear';
  const box = h('div', { class: 'learn-board' });
  // The thread draws its own way back (to the general board or to its module).
  page.append(box);
  if (signedOut(box, app, 'Choose your name at the top of the page to read this discussion.')) {
    return;
  }

  await mountInto(box, app, '/static/discuss/board.js', 'mountThread', { id: route.id }, 'The discussion board is not part of this build.');
}

/** /learn/classroom: the instructor's view of the class. */
export async function showClassroom(page, app) {
  document.title = 'Classroom · Learn · Nonlinear';
  const learner = app.me && app.me.learner;
  page.append(h('h1', {}, 'Classroom'));
  if (!learner || learner.role !== 'instructor') {
    page.append(noteLine(app.me && app.me.classroom
      ? 'The class dashboard is for the instructor: sign out, then sign in with the instructor code (“I am the instructor”).'
      : 'The class dashboard exists when the server runs as a classroom (nonlinear serve --classroom); here you learn on your own.'));
    return;
  }

  const box = h('div', { class: 'learn-classroom' });
  page.append(box);
  await mountInto(box, app, '/static/learn/classroom.js', 'mountClassroom', undefined, 'The class dashboard is not part of this build.');
}
