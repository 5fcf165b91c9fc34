// Search over the lessons, the glossary and the questions (/learn/search?q=...); the box is in the Learn bar.

import { h, errorLine, noteLine } from './dom.js';

const kindNames = { lesson: 'Lesson', glossary: 'Glossary', question: 'Question' };

export async function showSearch(page, app, route) {
  const q = (route.q || '').trim();
  document.title = q ? `“${q}” · Search · Learn · Nonlinear` : 'Search · Learn · Nonlinear';
  page.append(h('h1', {}, 'Search'));
  if (q.length < 2 || q.length > 100) {
    page.append(noteLine(q.length > 100 ? 'Search for at most 100 characters.' : 'Type at least two characters in the search box above, e.g. “sigmoid” or “vanishing”.'));
    focusSearchBox(app);
    return;
  }

  let results;
  try {
    results = await app.api.get(`/api/learn/search?q=${encodeURIComponent(q)}`);
  } catch (e) {
    page.append(errorLine(e.message));
    return;
  }

  const count = h('p', { class: 'learn-search-count', 'data-count': String(results.length) },
    results.length === 1 ? '1 result for ' : `${results.length} results for `, h('q', {}, q));
  page.append(count);
  if (!results.length) {
    page.append(noteLine('Nothing matched. Try a shorter word, or browse the glossary.'));
    return;
  }

  const list = h('ol', { class: 'learn-results' });
  for (const r of results) {
    list.append(h('li', { class: 'learn-result', 'data-kind': r.kind },
      h('span', { class: 'learn-badge', 'data-kind': r.kind }, kindNames[r.kind] || r.kind),
      h('a', { href: r.link, class: 'learn-result-title' }, r.title),
      r.snippet ? h('p', { class: 'learn-result-snippet' }, highlighted(r.snippet, q)) : null));
  }

  page.append(list);
}

/** The snippet (plain text) with each occurrence of the query marked; built from text nodes, never as HTML. */
function highlighted(text, q) {
  const parts = [];
  const lower = text.toLowerCase();
  const needle = q.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(needle); i >= 0 && needle; i = lower.indexOf(needle, at)) {
    parts.push(text.slice(at, i), h('mark', {}, text.slice(i, i + needle.length)));
    at = i + needle.length;
  }

  parts.push(text.slice(at));
  return parts;
}

function focusSearchBox(app) {
  const input = app.element.querySelector('.learn-search-input');
  if (input) {
    input.focus();
  }
}
