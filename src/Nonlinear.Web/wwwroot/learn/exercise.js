// An exercise card: the server's prompt, the answer fields, and the tutor's answer (right/wrong per field, the
// mistake it recognised, hints in steps, the worked solution, the reason, where to see it live, a training run's
// results). The server makes the numbers and checks the answers (docs/learn-api.md, "Exercises"); the card only
// reads what was typed, sends it as JSON numbers, and shows what came back.

import { h, trusted, errorLine } from './dom.js';
import { seeHref } from './router.js';

const kindNames = {
  forward: 'Forward pass',
  derivative: 'Derivative',
  collapse: 'Collapse',
  'softmax-large': 'Softmax by hand',
  'gradient-product': 'Through depth',
  backprop: 'Backpropagation',
  concept: 'Concept check',
  'make-it-learn': 'Make it learn',
  'fix-network': 'Fix this network',
};

const trainingKinds = new Set(['make-it-learn', 'fix-network']);

// A number as people type it: 0.5, -1e-3, .25, +3, 1E4 (a typographic minus and a decimal comma are read too).
const numberPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** Reads a typed number; null when it is not one. */
export function readNumber(text) {
  let s = String(text).trim().replace(/\u2212/g, '-');
  if (!s.includes('.') && (s.match(/,/g) || []).length === 1) {
    s = s.replace(',', '.');
  }

  return numberPattern.test(s) ? Number(s) : null;
}

/**
 * The card for the exercise `summary` ({id, title, kind, solved}) of a module; `ready` settles when its first
 * content is drawn (so an address like /learn/m2#ex-m2-forward-sigmoid can scroll to it).
 */
export function exerciseCard(app, summary) {
  const card = new ExerciseCard(app, summary);
  return { element: card.element, ready: card.start() };
}

class ExerciseCard {
  constructor(app, summary) {
    this.app = app;
    this.summary = summary;
    this.exercise = null;
    this.hints = [];
    this.busy = false;
    this.element = h('section', {
      class: 'learn-exercise', id: `ex-${summary.id}`, 'data-exercise': summary.id, 'data-kind': summary.kind,
      'data-solved': String(!!summary.solved), 'aria-labelledby': `ex-${summary.id}-title`,
    });
  }

  async start() {
    if (!this.app.me || !this.app.me.learner) {
      this.drawHead();
      this.element.append(h('p', { class: 'learn-note' }, 'Choose your name at the top of the page to try this exercise: your answers are saved under it. ',
        h('button', { type: 'button', class: 'learn-link-button', onclick: () => this.app.showWho(true) }, 'Choose your name')));
      this.element.dataset.state = 'signed-out';
      return;
    }

    await this.load();
  }

  async load(message) {
    try {
      const exercise = await this.app.api.get(`/api/learn/exercises/${encodeURIComponent(this.summary.id)}`);
      this.draw(exercise, message);
    } catch (e) {
      this.element.replaceChildren();
      this.drawHead();
      this.element.append(errorLine(e.message));
      // Worth another go when the server was busy or unreachable, not when it said the exercise is not here.
      if (!e.status || e.status === 429 || e.status >= 500) {
        this.element.append(h('button', { type: 'button', class: 'learn-button', onclick: () => this.load() }, 'Try again'));
      }

      this.element.dataset.state = 'error';
    }
  }

  drawHead(exercise) {
    const e = exercise || this.summary;
    const solved = !!(exercise ? exercise.solved : this.summary.solved);
    this.solvedBadge = h('span', { class: 'learn-solved-badge', hidden: !solved }, '✓ Solved');
    this.attemptsLine = h('span', { class: 'learn-attempts' });
    if (exercise) {
      this.showAttempts(exercise.attempts || 0);
    }

    this.element.append(h('header', { class: 'learn-exercise-head' },
      h('span', { class: 'learn-badge', 'data-kind': e.kind }, kindNames[e.kind] || e.kind),
      h('h3', { id: `ex-${this.summary.id}-title` }, e.title),
      this.solvedBadge,
      this.attemptsLine));
  }

  showAttempts(n) {
    this.attemptsLine.textContent = n === 1 ? '1 attempt' : `${n} attempts`;
    this.element.dataset.attempts = String(n);
  }

  markSolved(solved) {
    this.element.dataset.solved = String(!!solved);
    this.element.classList.toggle('solved', !!solved);
    this.solvedBadge.hidden = !solved;
    this.offerAnother(solved);
  }

  /**
   * "New numbers" (a new variant) is offered once the exercise is solved, and once the worked solution was shown:
   * copying a shown solution does not count, so a fresh variant is the way to solve it.
   */
  offerAnother(offered) {
    this.anotherButton.hidden = !offered;
  }

  /** Draws a (new) variant: prompt, fields, the solution if the server already gives it. */
  draw(exercise, message) {
    this.exercise = exercise;
    this.hints = [];
    this.element.replaceChildren();
    this.element.dataset.variant = String(exercise.variant);
    this.element.dataset.result = '';
    this.element.dataset.mistake = '';
    this.drawHead(exercise);
    this.element.append(trusted('div', exercise.prompt, { class: 'learn-prompt' }));

    this.fields = (exercise.fields || []).map((field) => this.field(field));
    this.submitButton = h('button', { type: 'submit', class: 'learn-button primary', 'data-action': 'check' }, trainingKinds.has(exercise.kind) ? 'Train and check' : 'Check');
    this.anotherButton = h('button', { type: 'button', class: 'learn-button', 'data-action': 'another', hidden: true, onclick: () => this.another() }, trainingKinds.has(exercise.kind) ? 'Another one' : 'New numbers');
    this.status = h('div', { class: 'learn-status', role: 'status', 'aria-live': 'polite' });
    const form = h('form', { class: 'learn-answer', novalidate: true, 'aria-label': `Your answer: ${exercise.title}` },
      ...this.fields.map((f) => f.element),
      h('div', { class: 'learn-actions' }, this.submitButton, this.anotherButton, this.status));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    form.addEventListener('keydown', (event) => {
      // Enter checks the answer from any field (a radio button too, which has no implicit submission).
      if (event.key === 'Enter' && event.target.matches('input') && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.form = form;
    this.verdictBox = h('div', { class: 'learn-verdict-box', 'aria-live': 'polite' });
    this.element.append(form, this.verdictBox);
    this.markSolved(exercise.solved);
    this.element.dataset.state = 'ready';
    if (message) {
      this.setStatus(message, 'info');
    }

    if (exercise.solution) {
      this.verdictBox.append(solutionBox(exercise.solution));
      this.offerAnother(true);
    }
  }

  field(field) {
    const id = `ex-${this.summary.id}-f-${field.name}`;
    const mark = h('span', { class: 'learn-mark', 'aria-live': 'polite' });
    const problem = h('span', { class: 'learn-field-problem', role: 'alert' });
    const label = (tag, attrs) => trusted(tag, field.label || field.name, { class: 'learn-field-label', ...attrs });
    const made = { field, mark, problem };

    if (field.type === 'choice') {
      const group = h('div', { class: 'learn-options' });
      for (const [i, option] of (field.options || []).entries()) {
        const input = h('input', { type: 'radio', name: id, id: `${id}-${i}`, value: option.value, checked: field.preset !== undefined && field.preset === option.value });
        group.append(h('label', { class: 'learn-option', for: `${id}-${i}`, 'data-option': option.value }, input, trusted('span', option.label)));
      }

      made.element = h('fieldset', { class: 'learn-field', 'data-field': field.name, 'data-type': 'choice' }, label('legend'), group, mark, problem);
      made.read = () => {
        const checked = group.querySelector('input:checked');
        return checked ? { value: checked.value } : { error: 'Choose one of the options.' };
      };
      made.focus = () => (group.querySelector('input:checked') || group.querySelector('input'))?.focus();
      made.inputs = () => [...group.querySelectorAll('input')];
      return made;
    }

    if (field.type === 'playground') {
      return this.playgroundField(field, id, made);
    }

    if (field.type === 'text') {
      const input = h('input', { type: 'text', id, class: 'learn-text-answer learn-mono', autocomplete: 'off', spellcheck: 'false', value: field.preset || '' });
      const reset = h('button', { type: 'button', class: 'learn-link-button', 'data-action': 'reset-text' }, 'reset');
      reset.addEventListener('click', () => {
        input.value = field.preset || '';
        input.focus();
      });
      made.element = h('div', { class: 'learn-field learn-field-wide', 'data-field': field.name, 'data-type': 'text' },
        label('label', { for: id }), h('span', { class: 'learn-input-row' }, input, field.preset ? reset : null, mark), problem);
      made.read = () => (input.value.trim() ? { value: input.value.trim() } : { error: 'Type your answer.' });
      made.focus = () => input.focus();
      made.inputs = () => [input];
      return made;
    }

    // number (and anything unknown, read as text the server will judge)
    const number = field.type === 'number';
    const tolerance = number && Number.isFinite(field.tolerance) ? h('span', { class: 'learn-tolerance', id: `${id}-tol` }, `± ${field.tolerance}`) : null;
    const input = h('input', {
      type: 'text', id, class: 'learn-number', inputmode: number ? 'decimal' : null, autocomplete: 'off', spellcheck: 'false',
      'aria-describedby': tolerance ? `${id}-tol` : null, placeholder: number ? 'e.g. 0.5' : null,
    });
    made.element = h('div', { class: 'learn-field', 'data-field': field.name, 'data-type': field.type },
      label('label', { for: id }), h('span', { class: 'learn-input-row' }, input, tolerance, mark), problem);
    made.read = () => {
      if (!number) {
        return input.value.trim() ? { value: input.value.trim() } : { error: 'Type your answer.' };
      }

      if (!input.value.trim()) {
        return { error: 'Type a number.' };
      }

      const value = readNumber(input.value);
      return value === null ? { error: `“${input.value.trim()}” is not a number: type e.g. 0.5 or -1e-3.` } : { value };
    };
    made.focus = () => input.focus();
    made.inputs = () => [input];
    return made;
  }

  /** A playground to configure: created when asked (each one is a live session on the server). */
  playgroundField(field, id, made) {
    const preset = field.preset || '';
    const box = h('div', { class: 'learn-playground-box' });
    let frame = null;
    const reset = h('button', { type: 'button', class: 'learn-button', 'data-action': 'reset-playground', hidden: true }, 'Reset to the preset');
    const open = h('button', { type: 'button', class: 'learn-button', 'data-action': 'open-playground' }, 'Open the playground here');
    const create = () => {
      if (frame) {
        return;
      }

      frame = h('iframe', { class: 'learn-playground-frame', src: `/?embed=1#${preset}`, title: `Playground for “${this.exercise.title}”`, loading: 'eager' });
      box.replaceChildren(frame);
      made.element.dataset.open = 'true';
      reset.hidden = false;
    };
    open.addEventListener('click', create);
    box.append(h('p', { class: 'learn-note' }, 'Configure the network in a live playground; checking reads its settings.'), open);
    reset.addEventListener('click', () => {
      if (frame && frame.contentWindow) {
        // The embedded playground follows its hash (it loads a pasted link into the same session).
        frame.contentWindow.location.hash = preset;
      }
    });
    const full = h('button', { type: 'button', class: 'learn-link-button', 'data-action': 'full-playground' }, 'open in the Playground tab');
    full.addEventListener('click', () => this.app.openPlayground(made.current()));
    made.current = () => {
      if (frame && frame.contentWindow) {
        try {
          const hash = frame.contentWindow.location.hash.replace(/^#/, '');
          if (hash) {
            return hash;
          }
        } catch (e) {
          console.warn('The playground frame could not be read:', e);
        }
      }

      return preset;
    };
    made.element = h('div', { class: 'learn-field learn-field-wide learn-playground-field', 'data-field': field.name, 'data-type': 'playground' },
      trusted('div', field.label || field.name, { class: 'learn-field-label', id: `${id}-label` }),
      box,
      h('div', { class: 'learn-playground-actions' }, reset, full, made.mark),
      made.problem);
    made.read = () => ({ value: made.current() });
    made.focus = () => (frame || open).focus();
    made.inputs = () => [];
    made.open = create;
    return made;
  }

  setStatus(text, kind, action) {
    this.status.replaceChildren();
    if (text) {
      this.status.append(h('span', { class: `learn-status-text ${kind || ''}` }, text));
    }

    if (action) {
      this.status.append(' ', action);
    }
  }

  async submit() {
    if (this.busy || !this.exercise) {
      return;
    }

    const answers = {};
    let first = null;
    for (const f of this.fields) {
      f.problem.textContent = '';
      const read = f.read();
      if (read.error) {
        f.problem.textContent = read.error;
        first = first || f;
      } else {
        answers[f.field.name] = read.value;
      }
    }

    if (first) {
      first.focus();
      return;
    }

    await this.send(answers);
  }

  async send(answers) {
    const exercise = this.exercise;
    this.busy = true;
    this.submitButton.disabled = true;
    this.element.dataset.state = 'checking';
    this.setStatus(trainingKinds.has(exercise.kind) ? 'Training your network on the server…' : 'Checking…', 'info');
    let verdict;
    try {
      verdict = await this.app.api.post(`/api/learn/exercises/${encodeURIComponent(exercise.id)}/answers`, { variant: exercise.variant, answers });
    } catch (e) {
      this.busy = false;
      this.submitButton.disabled = false;
      this.element.dataset.state = 'ready';
      if (e.status === 409) {
        await this.load(`${e.message} This is the exercise as it stands now.`);
      } else if (e.status === 429) {
        const retry = h('button', { type: 'button', class: 'learn-button', 'data-action': 'retry' }, 'Try again');
        retry.addEventListener('click', () => this.send(answers));
        this.setStatus(e.message, 'error', retry);
      } else {
        this.setStatus(e.message, 'error');
      }

      return;
    }

    this.busy = false;
    this.submitButton.disabled = false;
    this.element.dataset.state = 'ready';
    this.setStatus('');
    this.showVerdict(verdict);
    this.app.progressChanged();
  }

  showVerdict(v) {
    for (const f of this.fields) {
      const right = v.fields ? v.fields[f.field.name] : undefined;
      f.element.dataset.mark = right === undefined ? '' : right ? 'right' : 'wrong';
      f.mark.textContent = right === undefined ? '' : right ? '✓' : '✗';
      f.mark.setAttribute('aria-label', right === undefined ? '' : right ? 'right' : 'wrong');
      for (const input of f.inputs()) {
        if (right === false) {
          input.setAttribute('aria-invalid', 'true');
        } else {
          input.removeAttribute('aria-invalid');
        }
      }
    }

    if (v.hint && !this.hints.includes(v.hint)) {
      this.hints.push(v.hint);
    }

    this.showAttempts(v.attempts || 0);
    this.markSolved(v.solved);
    this.element.dataset.result = v.correct ? 'right' : 'wrong';
    this.element.dataset.mistake = v.mistake || '';

    const box = h('div', { class: `learn-verdict ${v.correct ? 'right' : 'wrong'}` },
      h('p', { class: 'learn-verdict-title' }, v.correct ? '✓ Correct' : '✗ Try again'));
    if (v.feedback) {
      box.append(trusted('div', v.feedback, { class: 'learn-feedback' }));
    }

    if (v.reason) {
      box.append(h('div', { class: 'learn-reason' }, h('h4', {}, 'Why'), trusted('div', v.reason)));
    }

    if (v.training) {
      box.append(trainingBox(v.training));
    }

    if (!v.correct && this.hints.length) {
      const list = h('ol', { class: 'learn-hint-list' });
      this.hints.forEach((hint, i) => list.append(trusted('li', hint, { 'data-hint': String(i + 1) })));
      box.append(h('div', { class: 'learn-hint' }, h('h4', {}, this.hints.length > 1 ? 'Hints' : 'Hint'), list));
    }

    if (v.solution) {
      box.append(solutionBox(v.solution));
      this.offerAnother(true);
    }

    if (v.see && v.see.module) {
      box.append(h('p', { class: 'learn-see' }, 'See it live: ', h('a', { href: seeHref(v.see), class: 'learn-see-link' }, v.see.label || 'in the lesson')));
    }

    if (v.moduleComplete) {
      box.append(h('p', { class: 'learn-module-complete', role: 'status' }, '✓ Module complete: every exercise of this module is solved.'));
    }

    this.verdictBox.replaceChildren(box);
  }

  async another() {
    if (this.busy) {
      return;
    }

    this.busy = true;
    this.anotherButton.disabled = true;
    try {
      const exercise = await this.app.api.post(`/api/learn/exercises/${encodeURIComponent(this.summary.id)}/next`);
      this.busy = false;
      this.draw(exercise, 'New numbers: try this one.');
      this.fields[0]?.focus();
    } catch (e) {
      this.busy = false;
      this.anotherButton.disabled = false;
      this.setStatus(e.message, 'error');
    }
  }
}

function solutionBox(html) {
  return h('details', { class: 'learn-solution', open: true }, h('summary', {}, 'Worked solution'), trusted('div', html));
}

function percent(a) {
  return Number.isFinite(a) ? (a <= 1 ? `${(a * 100).toFixed(1)}%` : String(a)) : '–';
}

/**
 * A training run's results (docs/learn-api.md, training kinds): epochs trained of the most allowed, accuracies against
 * the target (null when not trained or diverged), the settings the exercise replaced, the advisor's advice by stage.
 */
function trainingBox(t) {
  const trained = Number.isFinite(t.epochs) && t.epochs > 0;
  const measured = Number.isFinite(t.testAccuracy);
  const reached = measured && Number.isFinite(t.target) ? t.testAccuracy >= t.target : null;
  const epochs = !Number.isFinite(t.epochs) ? '–' : Number.isFinite(t.maxEpochs) ? `${t.epochs} of at most ${t.maxEpochs}` : String(t.epochs);
  const rows = [
    ['Epochs', epochs],
    ['Training accuracy', percent(t.trainAccuracy)],
    ['Test accuracy', percent(t.testAccuracy)],
    ['Target (test)', percent(t.target)],
  ];
  const table = h('table', { class: 'learn-training-table' },
    h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)))));
  const box = h('div', { class: 'learn-training', 'data-reached': reached === null ? '' : String(reached) },
    h('h4', {}, 'Trained on the server'), table);
  if (reached !== null) {
    box.append(h('p', { class: reached ? 'learn-good' : 'learn-bad' }, reached ? 'The test accuracy reached the target.' : 'The test accuracy stayed below the target.'));
  } else if (!trained) {
    box.append(h('p', { class: 'learn-bad' }, 'The network was not trained: see the advice below.'));
  } else if (!measured) {
    box.append(h('p', { class: 'learn-bad' }, 'Training diverged: a loss or a weight became infinite or NaN, so there is no accuracy.'));
  }

  const overridden = Array.isArray(t.overridden) ? t.overridden : [];
  if (overridden.length) {
    box.append(h('p', { class: 'learn-small' }, 'The exercise set these itself:'),
      h('ul', { class: 'learn-overridden' }, overridden.map((o) => h('li', {}, typeof o === 'string' ? o : JSON.stringify(o)))));
  }

  if (Array.isArray(t.advice) && t.advice.length) {
    const list = h('ul', { class: 'learn-advice' });
    for (const a of t.advice) {
      if (typeof a === 'string') {
        list.append(h('li', {}, a));
      } else {
        list.append(h('li', { 'data-severity': a.severity || '', 'data-code': a.code || '' },
          a.stage ? h('span', { class: 'learn-advice-stage' }, `${a.stage}: `) : null,
          h('strong', {}, a.message || a.code || ''),
          a.reason ? h('span', {}, ` ${a.reason}`) : null,
          a.fix ? h('span', { class: 'learn-fix' }, ` Fix: ${a.fix}`) : null));
      }
    }

    box.append(h('p', { class: 'learn-small' }, 'The advisor says:'), list);
  } else if (Array.isArray(t.advice)) {
    box.append(h('p', { class: 'learn-small' }, 'The advisor has nothing to say about this network.'));
  }

  return box;
}

