// Learn: the nine-module course on activation functions. This module keeps who is learning, the Learn bar (sections,
// search, the learner's name) and the router; each view lives in its own module. Every number on these pages comes
// from the server (docs/learn-api.md): the page draws, collects answers and links, and computes no maths.

import { linkStylesheet } from '../common/styles.js';
import { h, errorLine, flash } from './dom.js';
import { whoBar, whoPanel } from './profile.js';
import { followLinks, isLearnPath, parseRoute } from './router.js';

const views = {
  overview: () => import('./overview.js').then((m) => m.showOverview),
  module: () => import('./module.js').then((m) => m.showModule),
  glossary: () => import('./glossary.js').then((m) => m.showGlossary),
  questions: () => import('./glossary.js').then((m) => m.showQuestions),
  search: () => import('./search.js').then((m) => m.showSearch),
  progress: () => import('./progress.js').then((m) => m.showProgress),
  discuss: () => import('./discussion.js').then((m) => m.showBoard),
  thread: () => import('./discussion.js').then((m) => m.showThread),
  classroom: () => import('./discussion.js').then((m) => m.showClassroom),
  missing: () => Promise.resolve(showMissing),
};

const sections = [
  ['overview', '/learn', 'Course'],
  ['glossary', '/learn/glossary', 'Glossary'],
  ['questions', '/learn/questions', 'Questions'],
  ['progress', '/learn/progress', 'Progress'],
  ['discuss', '/learn/discuss', 'Discuss'],
];

/** Mounts Learn into `element` (the Learn tab) and shows the view of the current address. */
export async function mountLearn(element, ctx) {
  loadStyles();
  const app = new LearnApp(element, ctx);
  await app.start();
  return app;
}

function loadStyles() {
  linkStylesheet('/static/learn/learn.css');
}

/** The Learn tab's state: who is learning, the course (cached), the current address and its view. */
class LearnApp {
  constructor(element, ctx) {
    this.element = element;
    this.ctx = ctx;
    this.api = ctx.api;
    this.me = null;
    this.key = null;
    this.renders = 0;
    this.whoOpen = false;
    this.coursePromise = null;
    this.progressListeners = [];
    element.classList.add('learn');
    followLinks(element, { navigate: (url) => this.navigate(url), openPlayground: (hash) => this.openPlayground(hash) });
    window.addEventListener('popstate', () => this.route());
    window.addEventListener('learn:route', () => this.route());
  }

  async start() {
    await this.loadMe();
    await this.route({ force: true });
  }

  /** A message in the corner (the app's message bar lives in the playground tab, hidden here); info fades. */
  showMessage(text, kind = 'info') {
    let box = document.querySelector('.learn-toasts');
    if (!box) {
      box = h('div', { class: 'learn-toasts', 'aria-live': 'polite' });
      document.body.append(box);
    }

    const toast = h('div', { class: `learn-toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
      h('span', {}, String(text)),
      h('button', { type: 'button', 'aria-label': 'Dismiss', onclick: () => toast.remove() }, '×'));
    box.append(toast);
    while (box.children.length > 3) {
      box.firstElementChild.remove();
    }

    if (kind === 'info') {
      setTimeout(() => toast.remove(), 6000);
    }
  }

  openPlayground(hash) {
    if (this.ctx.openPlayground) {
      this.ctx.openPlayground(hash);
    } else {
      location.href = `/#${hash}`;
    }
  }

  /** What a widget, a board or the classroom dashboard gets: the app's ctx plus Learn's navigation and learner. */
  widgetContext() {
    return {
      ...this.ctx,
      api: this.api,
      showMessage: (text, kind) => this.showMessage(text, kind),
      openPlayground: (hash) => this.openPlayground(hash),
      navigate: (url) => this.navigate(url),
      learner: this.me ? this.me.learner : null,
      classroom: !!(this.me && this.me.classroom),
    };
  }

  async loadMe() {
    try {
      this.me = await this.api.get('/api/learn/me');
      this.meError = null;
    } catch (e) {
      this.me = { learner: null, classroom: false, profiles: [] };
      this.meError = e.message;
    }
  }

  /** After choosing a name, joining or signing out: everything on the page may change. */
  async reloadMe() {
    await this.loadMe();
    this.whoOpen = false;
    this.coursePromise = null;
    await this.route({ force: true });
  }

  /** Opens or closes the "who is learning" panel (the bar's "switch" / "choose your name"). */
  showWho(open) {
    this.whoOpen = open;
    this.placeWho();
    const panel = this.element.querySelector('.learn-who-panel');
    if (open && panel) {
      panel.scrollIntoView({ block: 'nearest' });
      const first = panel.querySelector('input, button');
      if (first) {
        first.focus({ preventScroll: true });
      }
    }
  }

  /** The course with this learner's ticks (`GET /api/learn/course`), fetched once per change of progress. */
  course() {
    if (!this.coursePromise) {
      this.coursePromise = this.api.get('/api/learn/course');
      this.coursePromise.catch(() => {
        this.coursePromise = null;
      });
    }

    return this.coursePromise;
  }

  /** Called by an exercise card after an answer: the course's ticks are fetched again and listeners redraw. */
  async progressChanged() {
    this.coursePromise = null;
    try {
      const course = await this.course();
      for (const fn of this.progressListeners) {
        fn(course);
      }
    } catch (e) {
      console.warn('The course could not be reloaded:', e.message);
    }
  }

  onProgress(fn) {
    this.progressListeners.push(fn);
  }

  /** Goes to a Learn address without loading the page. */
  navigate(url) {
    const target = new URL(url, location.href);
    const same = target.pathname + target.search + target.hash === location.pathname + location.search + location.hash;
    if (!same) {
      history.pushState(null, '', target.pathname + target.search + target.hash);
    }

    return this.route({ force: false });
  }

  /** Shows the view of the current address; the same address again only scrolls to its #anchor. */
  async route({ force = false } = {}) {
    if (!isLearnPath()) {
      return;
    }

    const key = location.pathname + location.search;
    if (key === this.key && !force) {
      this.showAnchor();
      return;
    }

    this.key = key;
    await this.render();
  }

  async render() {
    const number = ++this.renders;
    const route = parseRoute();
    this.progressListeners = [];
    const element = this.element;
    element.dataset.learnView = route.view;
    element.dataset.learnState = 'loading';

    const bar = this.bar(route);
    this.whoSlot = h('div', { class: 'learn-who-slot' });
    const page = h('div', { class: 'learn-page', 'data-view': route.view });
    element.replaceChildren(bar, this.whoSlot, page);
    this.placeWho();
    if (this.meError) {
      page.append(errorLine(this.meError));
    }

    const signedIn = this.me && this.me.learner;
    // In a classroom every call but /me needs a session, so nothing loads before joining: the join form is the page.
    const blocked = !signedIn && this.me && this.me.classroom;
    try {
      if (blocked) {
        document.title = 'Join the class · Learn · Nonlinear';
      } else {
        const show = await views[route.view]();
        await show(page, this, route);
      }
    } catch (e) {
      console.warn('A Learn view failed:', e);
      page.append(errorLine(e.message || String(e)));
    }

    if (number !== this.renders) {
      return;
    }

    element.dataset.learnState = 'ready';
    if (location.hash) {
      this.showAnchor();
    } else {
      window.scrollTo(0, 0);
    }

    document.body.dataset.learnReady = 'true';
  }

  placeWho() {
    if (!this.whoSlot) {
      return;
    }

    const signedIn = this.me && this.me.learner;
    this.whoSlot.replaceChildren();
    if (!signedIn || this.whoOpen) {
      this.whoSlot.append(whoPanel(this, { closable: !!signedIn }));
    }
  }

  bar(route) {
    const active = route.view === 'thread' ? 'discuss' : route.view;
    const nav = h('nav', { class: 'learn-sections', 'aria-label': 'Learn' });
    for (const [view, href, label] of sections) {
      nav.append(h('a', { href, class: 'learn-section', 'data-section': view, 'aria-current': view === active ? 'page' : null }, label));
    }

    if (this.me && this.me.learner && this.me.learner.role === 'instructor') {
      nav.append(h('a', { href: '/learn/classroom', class: 'learn-section', 'data-section': 'classroom', 'aria-current': active === 'classroom' ? 'page' : null }, 'Classroom'));
    }

    const input = h('input', {
      type: 'search', name: 'q', class: 'learn-search-input', placeholder: 'Search lessons, glossary, questions',
      'aria-label': 'Search the course', maxlength: '100', value: route.view === 'search' ? route.q : null,
    });
    const form = h('form', { class: 'learn-search-form', role: 'search' }, input, h('button', { type: 'submit', class: 'learn-button' }, 'Search'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const q = input.value.trim();
      this.navigate(`/learn/search?q=${encodeURIComponent(q)}`);
    });

    return h('div', { class: 'learn-bar' }, h('div', { class: 'learn-bar-inner' }, nav, form, whoBar(this)));
  }

  /** Scrolls to the element the address's #anchor names (a widget, an exercise card, a term) and flashes it. */
  showAnchor() {
    if (!location.hash || location.hash.length < 2) {
      return;
    }

    let id;
    try {
      id = decodeURIComponent(location.hash.slice(1));
    } catch {
      return;
    }

    const target = document.getElementById(id);
    if (!target || !this.element.contains(target)) {
      return;
    }

    if (target.tagName === 'DETAILS') {
      target.open = true;
    }

    target.scrollIntoView({ block: 'start', behavior: 'auto' });
    flash(target);
  }
}

function showMissing(page) {
  document.title = 'Not found · Learn · Nonlinear';
  page.append(
    h('h1', {}, 'No such page in the course'),
    h('p', {}, 'This address is not part of Learn. ', h('a', { href: '/learn' }, 'Back to the course'), '.'));
}
