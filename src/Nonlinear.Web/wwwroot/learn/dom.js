// Building the Learn page's elements. Text always goes in as text (names, posts, answers, error details);
// `trusted` is only for HTML the server made from the course's own content (lessons, prompts, feedback).

/**
 * An element: `h('a', { href: '/learn', class: 'x', dataset: { view: 'm' }, onclick: fn }, 'text', child, ...)`.
 * Strings among the children become text nodes; null, undefined and false are skipped.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }

    if (key === 'class') {
      element.className = value;
    } else if (key === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2), value);
    } else if (value === true) {
      element.setAttribute(key, '');
    } else {
      element.setAttribute(key, String(value));
    }
  }

  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }

    if (Array.isArray(child)) {
      append(element, child);
    } else {
      element.append(child instanceof Node ? child : String(child));
    }
  }
}

/** An element holding server-made HTML from the course (lesson, prompt, feedback, hint, solution). */
export function trusted(tag, html, attributes = {}) {
  const element = h(tag, attributes);
  element.innerHTML = html || '';
  if (element.querySelector('math')) {
    tidyMath(element);
  }

  return element;
}

const tall = 'mfrac, mtable, munderover, munder, mover, msqrt, mroot';
const opens = new Set(['(', '[', '{', '⟨']);
const closes = new Set([')', ']', '}', '⟩']);

/**
 * Server MathML drawn the way print draws it, whatever font the browser has. MathML stretches every bracket to the
 * height of its row, so in `σ(z) = 1/(1 + e^−z)` the brackets around z grow to the fraction's height, and
 * `[0.5, −1.2]` beside a superscript grows too (worst with fonts that have no math table): a pair of brackets whose
 * content has nothing tall (a fraction, a matrix, a root) is made not to stretch; an author's explicit `stretchy`
 * wins. Primes, prefix signs and words inside formulas are tidied too (below).
 */
export function tidyMath(root) {
  tidyPrimes(root);
  // Words inside a formula ("for every") run into the symbols around them unless the author padded them.
  for (const words of root.querySelectorAll('mtext')) {
    if (/\S\s+\S/.test(words.textContent)) {
      words.classList.add('learn-words');
    }
  }

  for (const row of root.querySelectorAll('math, mrow, mtd, mstyle, mpadded, msqrt, menclose, mphantom')) {
    const kids = [...row.children];
    tidySigns(kids);
    const stack = [];
    const settle = (from, to) => {
      const inner = kids.slice(from + 1, to);
      const grows = inner.some((k) => k.matches(tall) || k.querySelector(tall));
      if (!grows) {
        kids[from].setAttribute('stretchy', 'false');
        kids[to].setAttribute('stretchy', 'false');
      }
    };
    kids.forEach((kid, i) => {
      if (kid.localName !== 'mo' || kid.hasAttribute('stretchy')) {
        return;
      }

      const text = kid.textContent.trim();
      if (opens.has(text)) {
        stack.push(i);
      } else if (closes.has(text)) {
        if (stack.length) {
          settle(stack.pop(), i);
        } else {
          kid.setAttribute('stretchy', 'false');
        }
      }
    });
    for (const i of stack) {
      kids[i].setAttribute('stretchy', 'false');
    }
  }
}

const primes = new Set(['′', '″', '‴', "'"]);

/**
 * `σ′` written as msup(σ, ′): the prime glyph already sits high, and as a superscript it is shrunk and raised again
 * into a speck. It is drawn as σ followed by the prime instead, as print does.
 */
function tidyPrimes(root) {
  for (const sup of root.querySelectorAll('msup')) {
    const [base, script] = sup.children;
    if (sup.children.length !== 2 || !primes.has(script.textContent.trim()) || !['mo', 'mi'].includes(script.localName)) {
      continue;
    }

    const ns = sup.namespaceURI;
    const row = document.createElementNS(ns, 'mrow');
    const prime = document.createElementNS(ns, 'mo');
    prime.textContent = script.textContent.trim() === "'" ? '′' : script.textContent.trim();
    prime.setAttribute('lspace', '0');
    prime.setAttribute('rspace', '0');
    row.append(base, prime);
    sup.replaceWith(row);
  }
}

const signs = new Set(['−', '-', '+', '±']);

/**
 * A sign right after an opening bracket, a comma or another operator (`σ(−2)`, `= −0.5`) is a prefix sign, not a
 * binary minus with space on both sides; MathML only knows that when the author wrapped it in its own mrow.
 */
function tidySigns(kids) {
  kids.forEach((kid, i) => {
    if (kid.localName !== 'mo' || kid.hasAttribute('form') || !signs.has(kid.textContent.trim())) {
      return;
    }

    const before = kids[i - 1];
    if (before && before.localName === 'mo' && !closes.has(before.textContent.trim())) {
      kid.setAttribute('form', 'prefix');
    }
  });
}

/** An inline error line with the problem's detail (role=alert so a screen reader says it). */
export function errorLine(text) {
  return h('p', { class: 'learn-error', role: 'alert' }, text);
}

/** A quiet line (loading, nothing yet). */
export function noteLine(text) {
  return h('p', { class: 'learn-note' }, text);
}

/** A tick for solved/complete (with its words for screen readers). */
export function tick(done, words) {
  return h('span', { class: `learn-tick${done ? ' done' : ''}`, title: words, 'aria-label': words, role: 'img' }, done ? '✓' : '');
}

/** `count` dots, the first `filled` of them filled: K of N exercises solved. */
export function dots(filled, count) {
  const words = `${filled} of ${count} exercises solved`;
  const box = h('span', { class: 'learn-dots', role: 'img', 'aria-label': words, title: words });
  for (let i = 0; i < count; i++) {
    box.append(h('span', { class: i < filled ? 'dot filled' : 'dot' }));
  }

  return box;
}

/** Adds a short highlight to `element` (a `see` link's target, an exercise named in the address). */
export function flash(element) {
  element.classList.remove('learn-flash');
  // Restarts the animation when the same element is flashed twice in a row.
  void element.offsetWidth;
  element.classList.add('learn-flash');
  setTimeout(() => element.classList.remove('learn-flash'), 2200);
}
