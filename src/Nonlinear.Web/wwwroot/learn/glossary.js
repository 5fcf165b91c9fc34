// The glossary (/learn/glossary: every term in one line, alphabetically, with where it is shown live) and the
// common questions (/learn/questions: an accordion of answers).

import { h, trusted, errorLine, noteLine } from './dom.js';
import { seeHref } from './router.js';

export async function showGlossary(page, app) {
  document.title = 'Glossary · Learn · Nonlinear';
  page.append(h('h1', {}, 'Glossary'), h('p', { class: 'learn-lead' }, 'Each term in one line, with a link to the widget or lesson where you can see it live.'));
  let terms;
  try {
    terms = await app.api.get('/api/learn/glossary');
  } catch (e) {
    page.append(errorLine(e.message));
    return;
  }

  if (!terms.length) {
    page.append(noteLine('The glossary is empty.'));
    return;
  }

  const sorted = [...terms].sort((a, b) => a.term.localeCompare(b.term, 'en', { sensitivity: 'base' }));
  const letters = new Map();
  for (const t of sorted) {
    const letter = t.term.charAt(0).toUpperCase();
    const key = /[A-Z]/.test(letter) ? letter : '#';
    if (!letters.has(key)) {
      letters.set(key, []);
    }

    letters.get(key).push(t);
  }

  const index = h('nav', { class: 'learn-letters', 'aria-label': 'Letters' });
  const list = h('div', { class: 'learn-glossary' });
  for (const [letter, group] of letters) {
    index.append(h('a', { href: `#letter-${letter}` }, letter));
    const dl = h('dl', {});
    for (const t of group) {
      // A div around each term and its definition (allowed in a dl) is the target of /learn/glossary#<term id>.
      dl.append(h('div', { class: 'learn-term', id: t.id || null, 'data-term': t.term },
        h('dt', {}, t.term),
        h('dd', {}, h('span', { class: 'learn-definition' }, t.definition),
          t.see && t.see.module ? h('a', { href: seeHref(t.see), class: 'learn-see-link' }, `see it live${t.see.label ? `: ${t.see.label}` : ''}`) : null)));
    }

    list.append(h('section', { id: `letter-${letter}`, class: 'learn-letter' }, h('h2', {}, letter), dl));
  }

  page.append(index, list);
}

export async function showQuestions(page, app) {
  document.title = 'Common questions · Learn · Nonlinear';
  page.append(h('h1', {}, 'Common questions'), h('p', { class: 'learn-lead' }, 'What learners ask most about activation functions. Open a question to read its answer.'));
  let questions;
  try {
    questions = await app.api.get('/api/learn/questions');
  } catch (e) {
    page.append(errorLine(e.message));
    return;
  }

  if (!questions.length) {
    page.append(noteLine('No questions yet.'));
    return;
  }

  const list = h('div', { class: 'learn-questions' });
  for (const q of questions) {
    list.append(h('details', { id: q.id || null, class: 'learn-question' },
      h('summary', {}, q.question),
      h('div', { class: 'learn-answer-text' },
        trusted('div', q.answerHtml),
        q.see && q.see.module ? h('p', {}, h('a', { href: seeHref(q.see), class: 'learn-see-link' }, `See it live${q.see.label ? `: ${q.see.label}` : ''}`)) : null)));
  }

  page.append(list);
}
