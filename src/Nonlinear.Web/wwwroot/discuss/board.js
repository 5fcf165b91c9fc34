// The discussion board: a board's threads with a "new thread" form (mountBoard), and one thread's posts with a reply
// form (mountThread). Posts arrive as HTML the server rendered from Markdown with raw HTML off and every link checked
// (docs/learn-api.md, Discussion), so only that HTML goes in with innerHTML; titles, names and messages are text.

import { linkStylesheet } from '../common/styles.js';

const TITLE_MAX = 120;
const BODY_MAX = 8000;
const HIDDEN_POST = 'This post was hidden by the instructor.';

/**
 * A board's threads, newest first, with "Older threads" and a form for a new thread.
 * @param {HTMLElement} element where the board goes (emptied)
 * @param {{api: object, showMessage?: Function, openPlayground?: Function}} ctx the page's context
 * @param {{board?: string, heading?: string}} options the board ("general" or m1..m9) and an optional heading
 */
export async function mountBoard(element, ctx, { board = 'general', heading } = {}) {
  addStyles();
  element.replaceChildren();
  const root = el('section', 'discuss discuss-board');
  root.dataset.board = board;
  root.append(el('h2', 'discuss-heading', heading || boardName(board)));
  const error = errorBox();
  const list = el('ol', 'discuss-threads');
  const more = button('Older threads', 'basic-button discuss-more');
  more.hidden = true;
  root.append(error, list, more);
  element.append(root);

  // One page ahead is fetched, so "Older threads" shows only when there are some.
  let next = null;
  const page = (before) => ctx.api.get(`/api/discuss/threads?board=${encodeURIComponent(board)}${before ? `&before=${before}` : ''}`);
  const show = async (threads, first) => {
    if (first) {
      list.replaceChildren();
      if (threads.length === 0) {
        list.append(el('li', 'discuss-empty', 'No threads yet: ask the first question.'));
      }
    }

    list.append(...threads.map((thread) => threadItem(thread, ctx)));
    next = threads.length ? await page(threads[threads.length - 1].id) : [];
    more.hidden = next.length === 0;
  };
  const load = async () => show(await page(null), true);

  more.addEventListener('click', () => show(next, false).catch((e) => showError(error, e)));

  try {
    await load();
  } catch (e) {
    showError(error, e);
    if (e.status === 401) {
      return;
    }
  }

  root.append(composer(ctx, {
    legend: 'New thread',
    withTitle: true,
    submitLabel: 'Post thread',
    submit: async ({ title, body }) => {
      await ctx.api.post('/api/discuss/threads', { board, title, body });
      // The thread is saved, so the form empties even if the list fails to refresh.
      load().catch((e) => showError(error, e));
    },
  }));
}

/**
 * One thread: its posts (a playground link in a post can open inline), instructor controls, a reply form.
 * @param {HTMLElement} element where the thread goes (emptied)
 * @param {{api: object, showMessage?: Function, openPlayground?: Function}} ctx the page's context
 * @param {{id: number|string}} options the thread's id
 */
export async function mountThread(element, ctx, { id }) {
  addStyles();
  element.replaceChildren();
  const root = el('article', 'discuss discuss-thread');
  root.dataset.thread = String(id);
  const error = errorBox();
  element.append(root);

  // Learn passes who is signed in; mounted elsewhere, the board asks.
  let me = null;
  if ('learner' in ctx) {
    me = ctx.learner;
  } else {
    try {
      me = (await ctx.api.get('/api/learn/me')).learner;
    } catch {
      me = null;
    }
  }

  const instructor = !!me && me.role === 'instructor';
  let thread;
  try {
    thread = await ctx.api.get(`/api/discuss/threads/${encodeURIComponent(id)}`);
  } catch (e) {
    root.append(backLink('general', ctx), error);
    showError(error, e);
    return;
  }

  const title = el('h2', 'discuss-heading');
  const showTitle = (t) => {
    title.replaceChildren(t.title);
    if (t.hidden) {
      title.append(' ', badge('hidden'));
    }
  };
  showTitle(thread);

  const meta = el('p', 'discuss-meta', `${boardName(thread.board)} · opened by ${thread.author}`);
  const posts = el('ol', 'discuss-posts');
  root.append(backLink(thread.board, ctx), title, meta, error, posts);

  const render = (items) => {
    posts.replaceChildren(...items.map((post, index) => postItem(post, index === 0, { ctx, instructor, error, reload, gone })));
  };

  async function reload() {
    const fresh = await ctx.api.get(`/api/discuss/threads/${encodeURIComponent(id)}`);
    showTitle(fresh);
    render(fresh.posts);
  }

  function gone() {
    root.replaceChildren(backLink(thread.board, ctx), el('p', 'discuss-empty', 'The instructor deleted this thread.'));
  }

  render(thread.posts);
  root.append(composer(ctx, {
    legend: 'Reply',
    withTitle: false,
    submitLabel: 'Post reply',
    submit: async ({ body }) => {
      const post = await ctx.api.post(`/api/discuss/threads/${encodeURIComponent(id)}/posts`, { body });
      posts.append(postItem(post, false, { ctx, instructor, error, reload, gone }));
    },
  }));
}

// ---------------------------------------------------------------------------------------------------------------

function threadItem(thread, ctx) {
  const item = el('li', 'discuss-thread-item');
  item.dataset.thread = String(thread.id);
  const link = el('a', 'discuss-thread-link', thread.title);
  link.href = `/learn/discuss/${thread.id}`;
  link.addEventListener('click', (event) => route(event, link.href, ctx));
  item.append(link);
  if (thread.hidden) {
    item.append(' ', badge('hidden'));
  }

  const count = thread.posts === 1 ? '1 post' : `${thread.posts} posts`;
  item.append(el('span', 'discuss-meta', `${thread.author} · ${when(thread.created)} · ${count}`));
  return item;
}

function postItem(post, first, { ctx, instructor, error, reload, gone }) {
  const item = el('li', 'discuss-post');
  item.dataset.post = String(post.id);
  const head = el('div', 'discuss-post-head');
  head.append(el('strong', 'discuss-author', post.author), el('span', 'discuss-meta', when(post.created)));
  if (post.hidden && post.html !== null) {
    head.append(badge(instructor ? 'hidden' : 'hidden by the instructor: only you and the instructor see it'));
  }

  if (instructor) {
    const toggle = button(post.hidden ? 'Unhide' : 'Hide', 'basic-button discuss-hide');
    toggle.addEventListener('click', async () => {
      try {
        await ctx.api.put(`/api/discuss/posts/${post.id}/hidden`, { hidden: !post.hidden });
        await reload();
      } catch (e) {
        showError(error, e);
      }
    });
    const remove = button(first ? 'Delete thread' : 'Delete', 'basic-button discuss-delete');
    remove.addEventListener('click', async () => {
      const question = first ? 'Delete this thread with all its posts?' : 'Delete this post?';
      if (!window.confirm(question)) {
        return;
      }

      try {
        const answer = await ctx.api.del(`/api/discuss/posts/${post.id}`);
        if (answer && answer.threadDeleted) {
          gone();
        } else {
          await reload();
        }
      } catch (e) {
        showError(error, e);
      }
    });
    head.append(el('span', 'discuss-tools'));
    head.lastChild.append(toggle, remove);
  }

  item.append(head);
  if (post.html === null) {
    item.classList.add('discuss-post-hidden');
    item.append(el('p', 'discuss-hidden-note', HIDDEN_POST));
    return item;
  }

  if (post.hidden) {
    item.classList.add('discuss-post-hidden');
  }

  const body = el('div', 'discuss-post-body');
  // Server-made HTML: Markdown rendered with raw HTML disabled and links restricted (see PostRenderer).
  body.innerHTML = post.html;
  item.append(body);
  enhance(body, item, ctx);
  return item;
}

/**
 * Wires the links of rendered post HTML: a playground link gets "Open this experiment here" (an iframe under the
 * post) and "Open in the playground"; a link into Learn changes the address without reloading the page.
 */
function enhance(body, container, ctx) {
  const experiments = el('div', 'discuss-experiments');
  container.append(experiments);
  for (const link of body.querySelectorAll('a.playground-link[data-playground]')) {
    const hash = link.dataset.playground;
    link.addEventListener('click', (event) => {
      if (plainClick(event) && ctx.openPlayground) {
        event.preventDefault();
        ctx.openPlayground(hash);
      }
    });
    const here = button('Open this experiment here', 'basic-button discuss-open-here');
    here.addEventListener('click', () => {
      const open = [...experiments.children].find((frame) => frame.dataset.hash === hash);
      if (open) {
        open.remove();
        here.textContent = 'Open this experiment here';
        return;
      }

      const figure = el('figure', 'discuss-experiment');
      figure.dataset.hash = hash;
      const frame = document.createElement('iframe');
      frame.title = 'Playground experiment';
      frame.loading = 'lazy';
      frame.src = `/?embed=1#${hash}`;
      const caption = el('figcaption', 'discuss-meta', link.textContent);
      figure.append(frame, caption);
      experiments.append(figure);
      here.textContent = 'Close the experiment';
    });
    const tools = el('span', 'discuss-link-tools');
    tools.append(here);
    if (ctx.openPlayground) {
      const away = button('Open in the playground', 'basic-button discuss-open-playground');
      away.addEventListener('click', () => ctx.openPlayground(hash));
      tools.append(away);
    }

    link.after(tools);
  }

  for (const link of body.querySelectorAll('a[href^="/learn"]')) {
    link.addEventListener('click', (event) => route(event, link.href, ctx));
  }
}

/** A form with an optional title, a Markdown body, Preview and Post; an error keeps everything typed. */
function composer(ctx, { legend, withTitle, submitLabel, submit }) {
  const form = el('form', 'discuss-form');
  form.noValidate = true;
  const fieldset = el('fieldset');
  fieldset.append(el('legend', null, legend));
  let title = null;
  if (withTitle) {
    const label = el('label', 'discuss-label', 'Title');
    title = document.createElement('input');
    title.type = 'text';
    title.name = 'title';
    title.className = 'discuss-title-input';
    title.autocomplete = 'off';
    label.append(title);
    fieldset.append(label);
  }

  const bodyLabel = el('label', 'discuss-label', 'Message (Markdown: **bold**, `code`, [link](https://...), a playground link /#... opens inline)');
  const body = document.createElement('textarea');
  body.name = 'body';
  body.rows = 5;
  body.className = 'discuss-body-input';
  bodyLabel.append(body);
  const counter = el('span', 'discuss-counter', `0 / ${BODY_MAX}`);
  const error = errorBox();
  const preview = el('div', 'discuss-preview');
  preview.hidden = true;
  const previewButton = button('Preview', 'basic-button discuss-preview-button');
  const post = button(submitLabel, 'basic-button discuss-submit');
  post.type = 'submit';
  const actions = el('div', 'discuss-actions');
  actions.append(previewButton, post, counter);
  fieldset.append(bodyLabel, actions, error, preview);
  form.append(fieldset);

  // Characters as the server counts them: code points of the trimmed text.
  const count = (text) => [...text.trim()].length;
  body.addEventListener('input', () => {
    const n = count(body.value);
    counter.textContent = `${n} / ${BODY_MAX}`;
    counter.classList.toggle('over', n > BODY_MAX);
  });
  if (title) {
    title.addEventListener('input', () => title.classList.toggle('over', count(title.value) > TITLE_MAX));
  }

  previewButton.addEventListener('click', async () => {
    clearError(error);
    try {
      const answer = await ctx.api.post('/api/discuss/preview', { body: body.value });
      preview.replaceChildren(el('div', 'discuss-preview-label', 'Preview'));
      const shown = el('div', 'discuss-post-body');
      // Server-made HTML, as for a stored post.
      shown.innerHTML = answer.html;
      preview.append(shown);
      enhance(shown, preview, ctx);
      preview.hidden = false;
    } catch (e) {
      showError(error, e);
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearError(error);
    post.disabled = true;
    try {
      await submit({ title: title ? title.value : undefined, body: body.value });
      // Only a post the server kept clears the form; on any refusal the text stays for another try.
      form.reset();
      counter.textContent = `0 / ${BODY_MAX}`;
      preview.hidden = true;
      preview.replaceChildren();
    } catch (e) {
      showError(error, e);
    } finally {
      post.disabled = false;
    }
  });
  return form;
}

function backLink(board, ctx) {
  const link = el('a', 'discuss-back', `← ${boardName(board)}`);
  link.href = board === 'general' ? '/learn/discuss' : `/learn/${board}`;
  link.addEventListener('click', (event) => route(event, link.href, ctx));
  return link;
}

/**
 * Follows an in-app link without reloading: through Learn's ctx.navigate when it gave one, else by changing the
 * address and firing learn:route, which Learn listens to.
 */
function route(event, href, ctx) {
  if (!plainClick(event)) {
    return;
  }

  event.preventDefault();
  const url = new URL(href, location.href);
  const path = url.pathname + url.search + url.hash;
  if (ctx && typeof ctx.navigate === 'function') {
    ctx.navigate(path);
    return;
  }

  history.pushState(null, '', path);
  window.dispatchEvent(new CustomEvent('learn:route'));
}

function plainClick(event) {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
}

function boardName(board) {
  const module = /^m(\d+)$/.exec(board || '');
  return module ? `Module ${module[1]} discussion` : 'General discussion';
}

function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

function errorBox() {
  const box = el('div', 'discuss-error');
  box.setAttribute('role', 'alert');
  box.hidden = true;
  return box;
}

function showError(box, e) {
  // The server's detail (e.g. how long to wait after too many posts), as text.
  box.textContent = e && e.message ? e.message : String(e);
  box.dataset.status = e && e.status !== undefined ? String(e.status) : '';
  box.hidden = false;
}

function clearError(box) {
  box.textContent = '';
  box.hidden = true;
}

function badge(text) {
  return el('span', 'discuss-badge', text);
}

function button(text, className) {
  const b = el('button', className, text);
  b.type = 'button';
  return b;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }

  if (text !== undefined) {
    node.textContent = text;
  }

  return node;
}

function addStyles() {
  linkStylesheet('/static/discuss/discuss.css');
}
