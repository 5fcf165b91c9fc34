// The instructor's view of the class (/learn/classroom): who finished which module, and how each exercise went
// (GET /api/classroom/progress, docs/learn-api.md "Classroom progress"). Without the instructor's session it offers
// the instructor-code form. Every name is a learner's own text, so everything is built with textContent.

import { linkStylesheet } from '../common/styles.js';

function ensureStylesheet() {
  linkStylesheet('/static/learn/classroom.css');
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }

  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }

  return node;
}

function percent(rate) {
  return rate === null || rate === undefined ? '–' : `${Math.round(rate * 100)}%`;
}

function when(iso) {
  if (!iso) {
    return '–';
  }

  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function learnersTable(report) {
  const table = el('table', 'classroom-table classroom-learners');
  table.dataset.table = 'learners';
  const head = table.createTHead().insertRow();
  head.append(el('th', 'classroom-name', 'Learner'));
  for (const module of report.modules) {
    const th = el('th', 'classroom-module', `M${module.number}`);
    th.title = `${module.title} (${module.exercises} exercises)`;
    th.scope = 'col';
    head.append(th);
  }

  head.append(el('th', 'classroom-number', 'Solved'), el('th', 'classroom-when', 'Last seen'));
  const total = report.modules.reduce((sum, m) => sum + m.exercises, 0);
  const body = table.createTBody();
  for (const learner of report.learners) {
    const row = body.insertRow();
    row.dataset.learner = learner.name;
    const name = el('th', 'classroom-name', learner.name);
    name.scope = 'row';
    row.append(name);
    for (const module of report.modules) {
      const done = learner.modules[module.id] === true;
      const solved = learner.moduleSolved[module.id] || 0;
      const cell = el('td', done ? 'classroom-cell done' : solved > 0 ? 'classroom-cell started' : 'classroom-cell', done ? '✓' : solved > 0 ? `${solved}/${module.exercises}` : '·');
      cell.dataset.module = module.id;
      cell.dataset.complete = String(done);
      cell.title = done ? `${module.title}: complete` : `${module.title}: ${solved} of ${module.exercises} solved`;
      row.append(cell);
    }

    row.append(el('td', 'classroom-number', `${learner.solved}/${total}`), el('td', 'classroom-when', when(learner.lastSeen)));
  }

  return table;
}

function exercisesTable(report) {
  const titles = new Map(report.modules.map((m) => [m.id, `M${m.number}`]));
  const table = el('table', 'classroom-table classroom-exercises');
  table.dataset.table = 'exercises';
  const head = table.createTHead().insertRow();
  for (const [text, className] of [['Module', 'classroom-module'], ['Exercise', 'classroom-name'], ['Tried', 'classroom-number'],
    ['Solved by', 'classroom-number'], ['Success rate', 'classroom-rate'], ['Right answers', 'classroom-number']]) {
    head.append(el('th', className, text));
  }

  const body = table.createTBody();
  for (const exercise of report.exercises) {
    const row = body.insertRow();
    row.dataset.exercise = exercise.id;
    row.append(el('td', 'classroom-module', titles.get(exercise.module) || exercise.module), el('td', 'classroom-name', exercise.title));
    row.append(el('td', 'classroom-number', exercise.learners), el('td', 'classroom-number', exercise.solvedBy));
    const rate = el('td', 'classroom-rate');
    rate.dataset.rate = exercise.successRate === null ? '' : String(exercise.successRate);
    const track = el('span', 'classroom-bar');
    const fill = el('span', 'classroom-bar-fill');
    fill.style.width = `${Math.round((exercise.successRate || 0) * 100)}%`;
    track.append(fill);
    rate.append(track, el('span', 'classroom-rate-text', percent(exercise.successRate)));
    rate.title = exercise.learners === 0 ? 'Nobody has tried it yet' : `${exercise.solvedBy} of the ${exercise.learners} learners who tried solved it`;
    row.append(rate);
    const answers = el('td', 'classroom-number', exercise.attempts === 0 ? '–' : `${exercise.correct}/${exercise.attempts}`);
    answers.title = 'Correct answers / all answers sent';
    row.append(answers);
  }

  return table;
}

function signInForm(ctx, reason, onSignedIn) {
  const form = el('form', 'classroom-signin');
  form.append(el('p', 'classroom-reason', reason));
  const label = el('label', null, 'Instructor code ');
  const input = el('input');
  input.type = 'password';
  input.name = 'code';
  input.autocomplete = 'off';
  input.required = true;
  label.append(input);
  const button = el('button', 'classroom-button', 'Sign in as instructor');
  button.type = 'submit';
  const error = el('p', 'classroom-error');
  error.setAttribute('role', 'alert');
  form.append(label, button, error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    error.textContent = '';
    try {
      await ctx.api.post('/api/classroom/instructor', { code: input.value });
      onSignedIn();
    } catch (e) {
      error.textContent = e.message;
      button.disabled = false;
    }
  });
  return form;
}

/** Mounts the class's progress into `element`; `ctx` is Learn's `{ api, showMessage }`. */
export async function mountClassroom(element, ctx) {
  ensureStylesheet();
  element.replaceChildren();
  const root = el('section', 'classroom');
  const header = el('div', 'classroom-header');
  const title = el('h2', null, 'Class progress');
  const refresh = el('button', 'classroom-button', 'Refresh');
  refresh.type = 'button';
  refresh.dataset.action = 'refresh';
  const status = el('span', 'classroom-status');
  header.append(title, refresh, status);
  const content = el('div', 'classroom-content');
  root.append(header, content);
  element.append(root);

  async function load() {
    refresh.disabled = true;
    status.textContent = 'Loading…';
    try {
      const report = await ctx.api.get('/api/classroom/progress');
      const parts = [];
      if (report.learners.length === 0) {
        parts.push(el('p', 'classroom-empty', 'No learner has joined yet: they open the Learn tab and enter the join code.'));
      } else {
        parts.push(el('h3', null, `Learners (${report.learners.length})`), el('div', 'classroom-scroll'));
        parts[1].append(learnersTable(report));
      }

      const note = el('p', 'classroom-note', 'Success rate: of the learners who tried an exercise, the share who solved it. Right answers: correct answers out of all answers sent.');
      const scroll = el('div', 'classroom-scroll');
      scroll.append(exercisesTable(report));
      parts.push(el('h3', null, 'Exercises'), note, scroll);
      content.replaceChildren(...parts);
      refresh.hidden = false;
      status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      root.dataset.ready = 'true';
    } catch (e) {
      root.dataset.ready = 'false';
      status.textContent = '';
      if (e.status === 401 || e.status === 403) {
        refresh.hidden = true;
        content.replaceChildren(signInForm(ctx, e.status === 403 ? `${e.message} Sign in with the instructor code to see the class.` : e.message, load));
      } else {
        content.replaceChildren(el('p', 'classroom-error', e.message));
        if (ctx.showMessage) {
          ctx.showMessage(e.message, 'error');
        }
      }
    } finally {
      refresh.disabled = false;
    }
  }

  refresh.addEventListener('click', load);
  await load();
}
