// The playground page: creates the session from the link, keeps the controls, the drawing and the URL in step with
// the server's view, draws the live frames, and mounts the optional modules (inside, upload, images) by dynamic
// import. Every number drawn comes from the server (docs/web-api.md); this module computes none.

import { api, ApiError } from '../common/api.js';
import { classColor } from '../common/colors.js';
import { DataColumn, TopBar } from './controls.js';
import { LossCurve } from './curve.js';
import { FrameStream } from './frames.js';
import { OutputHeatmap } from './heatmap.js';
import { NetworkView } from './network.js';

const state = {
  view: null,
  status: 'paused',
  queue: Promise.resolve(),
  viewListeners: [],
  frameListeners: [],
  lastFrame: null,
  drawnTimes: [],
  recreating: null,
};

// ---------------------------------------------------------------------------------------------------------------
// Messages

class MessageBar {
  constructor(element) {
    this.element = element;
    this.keyed = new Map();
  }

  /** Shows a message; a `key` replaces the earlier message of that key. Info fades after a while, the rest stays. */
  show(text, kind = 'info', key = null) {
    if (key && this.keyed.has(key)) {
      this.keyed.get(key).remove();
    }

    const box = document.createElement('div');
    box.className = `message ${kind}`;
    box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    box.dataset.kind = kind;
    const span = document.createElement('span');
    span.className = 'message-text';
    span.textContent = text;
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '×';
    close.addEventListener('click', () => box.remove());
    box.append(span, close);
    this.element.appendChild(box);
    while (this.element.children.length > 4) {
      this.element.firstElementChild.remove();
    }

    if (key) {
      this.keyed.set(key, box);
    }

    if (kind === 'info') {
      setTimeout(() => box.remove(), 7000);
    }

    return box;
  }

  clear(key) {
    const box = this.keyed.get(key);
    if (box) {
      box.remove();
      this.keyed.delete(key);
    }
  }
}

// Controls wait for the first session: a click during the page's first moments applies once it exists.
let sessionReady;
const ready = new Promise((resolve) => {
  sessionReady = resolve;
});

const messages = new MessageBar(document.getElementById('message-bar'));

function showMessage(text, kind = 'info') {
  messages.show(String(text), kind);
}

// ---------------------------------------------------------------------------------------------------------------
// Session calls

function sessionUrl(path = '') {
  return `/api/sessions/${encodeURIComponent(state.view.id)}${path}`;
}

/** Starts a new session from `config` after the old one ended (idle sweep, server restart). */
function recreate(config) {
  if (!state.recreating) {
    state.recreating = (async () => {
      try {
        const view = await api.post('/api/sessions', { config });
        applyView(view);
        stream.connect();
        showMessage('The previous session had ended on the server, so a new one was started from this page\'s settings.', 'info');
        return view;
      } finally {
        state.recreating = null;
      }
    })();
  }

  return state.recreating;
}

/** Runs a request on the session; if the session is gone (404), starts a new one and tries once more. */
async function onSession(request, config) {
  try {
    return await request();
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && e.url && e.url.startsWith('/api/sessions/')) {
      await recreate(config || state.view.config);
      return request();
    }

    throw e;
  }
}

/** Merges `partial` into the config and sends it; resolves to the new view (refusals reject, and are shown). */
function setConfig(partial) {
  const run = async () => {
    await ready;
    const config = { ...state.view.config, ...partial };
    try {
      const view = await onSession(() => api.put(sessionUrl('/config'), config), config);
      applyView(view);
      return view;
    } catch (e) {
      showMessage(e.message, 'error');
      // The controls go back to what the server holds.
      applyView(state.view);
      throw e;
    }
  };
  const result = state.queue.then(run, run);
  state.queue = result.catch(() => {});
  return result;
}

function change(partial) {
  setConfig(partial).catch(() => {});
}

async function command(name) {
  await ready;
  try {
    if (name === 'regenerate') {
      const view = await onSession(() => api.post(sessionUrl('/regenerate')));
      applyView(view);
      return;
    }

    const answer = await onSession(() => api.post(sessionUrl(`/${name}`)));
    if (answer && answer.status) {
      showStatus(answer.status);
    }
  } catch (e) {
    showMessage(e.message, 'error');
  }
}

async function editWeight(layer, to, from, value) {
  await ready;
  try {
    await onSession(() => api.post(sessionUrl('/weight'), { layer, to, from, value }));
  } catch (e) {
    showMessage(e.message, 'error');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The view: controls, drawing, URL

let topBar;
let dataColumn;
let network;
let heatmap;
let curve;
const hiddenStyle = document.createElement('style');
document.head.appendChild(hiddenStyle);

function applyView(view) {
  const previous = state.view;
  state.view = view;
  if (typeof view.hash === 'string') {
    history.replaceState(null, '', `#${view.hash}`);
  }

  document.body.dataset.session = view.id;
  const config = view.config;
  // Classroom links hide controls by name (TF Playground's "<control>_hide=true").
  hiddenStyle.textContent = (config.hidden || []).map((n) => `[data-control="${CSS.escape(n)}"] { display: none !important; }`).join('\n');
  document.getElementById('article').hidden = !!config.hideText;
  topBar.show(view);
  dataColumn.show(view);
  document.getElementById('show-test-data').checked = !!config.showTestData;
  document.getElementById('discretize').checked = !!config.discretize;
  heatmap.setView(view);
  network.render(view);
  showLegend(view);
  if (!previous || previous.id !== view.id) {
    curve.clear();
  }

  for (const fn of state.viewListeners) {
    try {
      fn(view);
    } catch (e) {
      console.warn('A view listener failed:', e);
    }
  }
}

function showLegend(view) {
  const legend = document.getElementById('legend');
  legend.replaceChildren();
  const text = document.createElement('div');
  text.className = 'legend-text';
  const bar = document.createElement('div');
  bar.className = 'bar';
  const gradient = document.createElement('div');
  gradient.className = 'gradient';
  const ticks = document.createElement('div');
  ticks.className = 'ticks';
  for (const t of ['−1', '0', '1']) {
    const s = document.createElement('span');
    s.textContent = t;
    ticks.appendChild(s);
  }

  bar.append(gradient, ticks);
  if (view.task === 'multiclass') {
    legend.classList.add('multiclass');
    text.textContent = 'Neurons and weights:';
    const swatches = document.createElement('div');
    swatches.className = 'swatches';
    const k = view.classNames ? view.classNames.length : view.config.classes;
    for (let c = 0; c < k; c++) {
      const s = document.createElement('span');
      s.className = 'swatch';
      const dot = document.createElement('i');
      dot.style.background = classColor(c);
      s.append(dot, (view.classNames && view.classNames[c]) || `class ${c}`);
      swatches.appendChild(s);
    }

    const classes = document.createElement('div');
    classes.className = 'legend-row';
    const classText = document.createElement('div');
    classText.className = 'legend-text';
    classText.textContent = 'The output shows each point\'s most likely class:';
    classes.append(classText, swatches);
    const scale = document.createElement('div');
    scale.className = 'legend-row';
    scale.append(text, bar);
    legend.append(classes, scale);
    return;
  }

  legend.classList.remove('multiclass');
  text.textContent = view.task === 'regression' ? 'Colours show values, from −1 to 1.' : 'Colours show data, neuron and weight values.';
  legend.append(text, bar);
}

function showStatus(status) {
  state.status = status;
  topBar.showStatus(status);
  document.body.dataset.status = status;
}

function formatLoss(v) {
  return Number.isFinite(v) ? v.toFixed(3) : '–';
}

function setStat(id, value, text) {
  const e = document.getElementById(id);
  e.textContent = text;
  e.dataset.value = value === null || value === undefined ? '' : String(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Frames

function drawFrames(frames) {
  for (const frame of frames) {
    curve.add(frame.header.curve);
    for (const fn of state.frameListeners) {
      try {
        fn(frame);
      } catch (e) {
        console.warn('A frame listener failed:', e);
      }
    }
  }

  const frame = frames[frames.length - 1];
  state.lastFrame = frame;
  const h = frame.header;
  heatmap.drawFrame(frame);
  network.update(frame);
  curve.draw();
  topBar.showEpoch(h.epoch);
  showStatus(h.status);
  setStat('loss-train', h.trainLoss, formatLoss(h.trainLoss));
  setStat('loss-test', h.testLoss, formatLoss(h.testLoss));
  const accuracy = (a) => (Number.isFinite(a) ? `${(a * 100).toFixed(1)}% accurate` : '');
  setStat('accuracy-train', h.trainAccuracy, accuracy(h.trainAccuracy));
  setStat('accuracy-test', h.testAccuracy, accuracy(h.testAccuracy));
  document.body.dataset.frame = String(h.frame);
  document.body.dataset.epoch = String(h.epoch);

  const now = performance.now();
  state.drawnTimes.push(now);
  while (state.drawnTimes.length && now - state.drawnTimes[0] > 1000) {
    state.drawnTimes.shift();
  }

  topBar.showRates(h.status === 'running' ? h.updatesPerSecond : 0, h.status === 'running' ? state.drawnTimes.length : 0);

  if (h.status === 'diverged') {
    const error = h.error || 'Training diverged: a loss or a weight became infinite or NaN.';
    heatmap.showDiverged(error);
    if (!messages.keyed.has('diverged')) {
      messages.show(/diverge/i.test(error) ? error : `Training diverged: ${error}`, 'error', 'diverged');
    }
  } else {
    heatmap.showDiverged(null);
    messages.clear('diverged');
  }
}

const connection = document.getElementById('connection');
const stream = new FrameStream({
  session: () => state.view,
  draw: drawFrames,
  onState: (s) => {
    connection.dataset.state = s;
    connection.textContent = { open: 'live', retrying: 'reconnecting…', closed: 'disconnected' }[s] || s;
  },
  isGone: async (id) => {
    try {
      await api.get(`/api/sessions/${encodeURIComponent(id)}`);
      return false;
    } catch (e) {
      return e instanceof ApiError && e.status === 404;
    }
  },
  onGone: () => {
    recreate(state.view.config).catch((e) => showMessage(e.message, 'error'));
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Optional modules, tabs, start

const ctx = {
  api,
  getConfig: () => state.view && state.view.config,
  getView: () => state.view,
  setConfig,
  showMessage,
  onView: (fn) => state.viewListeners.push(fn),
  // A module mounted after the stream opened gets the latest frame at once: a paused session sends no other.
  openPlayground,
  onFrame: (fn) => {
    state.frameListeners.push(fn);
    if (state.lastFrame) {
      fn(state.lastFrame);
    }
  },
};

/** Imports an optional module and mounts it; a module that is missing or fails is skipped with a warning. */
async function mount(url, exportName, element) {
  try {
    const module = await import(url);
    await module[exportName](element, ctx);
    return true;
  } catch (e) {
    console.warn(`Optional module ${url} was not mounted:`, e);
    return false;
  }
}

// The tabs. Learn lives at /learn/... (its own routes; the playground owns the hash), the playground and Images at /.
// The playground's session starts when its tab is first shown, so a learner who only opens Learn costs no session.
const views = {
  playground: document.getElementById('playground-view'),
  images: document.getElementById('images-view'),
  model: document.getElementById('model-view'),
  learn: document.getElementById('learn-view'),
};
const mounted = {};
let playgroundStarted = null;

// The Learn page last shown, so the Learn tab returns to it (a lesson, a thread) rather than to the overview.
let lastLearnPath = '/learn';

function isLearnPath() {
  return location.pathname === '/learn' || location.pathname.startsWith('/learn/');
}

/** Shows the tab `name`; `push` records the move in the history (a tab click, not a back button). */
async function showTab(name, push) {
  for (const t of document.querySelectorAll('.tab[data-tab]')) {
    t.setAttribute('aria-selected', String(t.dataset.tab === name));
  }

  for (const [key, el] of Object.entries(views)) {
    if (el) {
      el.hidden = key !== name;
    }
  }

  if (push) {
    if (name === 'learn' && !isLearnPath()) {
      history.pushState(null, '', lastLearnPath);
    } else if (name !== 'learn' && isLearnPath()) {
      lastLearnPath = location.pathname + location.search + location.hash;
      history.pushState(null, '', state.view ? `/#${state.view.hash}` : '/');
    }
  }

  // The live-stream indicator speaks of the playground's session: none exists until its tab is first shown.
  const connection = document.getElementById('connection');
  if (connection) {
    connection.hidden = !playgroundStarted && name !== 'playground';
  }

  if (name === 'playground' && !playgroundStarted) {
    playgroundStarted = startPlayground();
  }

  if (name === 'images' && !mounted.images) {
    mounted.images = mount('/static/images/images.js', 'mountImages', views.images).then((ok) => {
      if (!ok) {
        views.images.innerHTML = '<p class="hint">The Images view is not part of this build.</p>';
      }
    });
  }

  if (name === 'model' && !mounted.model && views.model) {
    mounted.model = mount('/static/model/model.js', 'mountModel', views.model).then((ok) => {
      if (!ok) {
        views.model.innerHTML = '<p class="hint">The Model view is not part of this build.</p>';
      }
    });
  }

  if (name === 'learn' && !mounted.learn) {
    mounted.learn = mount('/static/learn/learn.js', 'mountLearn', views.learn).then((ok) => {
      if (!ok) {
        views.learn.innerHTML = '<p class="hint">The Learn view is not part of this build.</p>';
      }
    });
  }

  if (name === 'learn') {
    // Learn follows the address (e.g. /learn/m3 after a back button); it listens for this event.
    window.dispatchEvent(new CustomEvent('learn:route'));
  }
}

function setupTabs() {
  for (const tab of document.querySelectorAll('.tab[data-tab]')) {
    tab.addEventListener('click', () => showTab(tab.dataset.tab, true));
  }

  window.addEventListener('popstate', () => {
    if (isLearnPath()) {
      showTab('learn', false);
    } else if (views.learn && !views.learn.hidden) {
      showTab('playground', false);
    }
  });
}

/** Opens `hash` (a playground link's state, without '#') in the playground tab: Learn's presets and posts use it. */
async function openPlayground(hash) {
  history.pushState(null, '', `/#${hash}`);
  await showTab('playground', false);
  await playgroundStarted;
  await onHashChange();
}

/** A link pasted into the address bar of an open page loads that experiment into the same session. */
async function onHashChange() {
  if (!state.view || location.hash === `#${state.view.hash}`) {
    return;
  }

  try {
    const parsed = await api.post('/api/state/parse', { hash: location.hash });
    await setConfig(parsed.config);
    if (parsed.warnings && parsed.warnings.length) {
      showMessage(parsed.warnings.join('\n'), 'warning');
    }
  } catch (e) {
    showMessage(e.message, 'error');
  }
}

async function startPlayground() {
  let catalog = [];
  try {
    catalog = await api.get('/api/activations');
  } catch (e) {
    showMessage(e.message, 'error');
  }

  topBar = new TopBar({ catalog, change, command });
  dataColumn = new DataColumn({ api, change, command });
  heatmap = new OutputHeatmap(document.getElementById('heatmap'));
  curve = new LossCurve(document.getElementById('loss-curve'));
  for (const [id, key] of [['show-test-data', 'showTestData'], ['discretize', 'discretize']]) {
    const box = document.getElementById(id);
    box.addEventListener('change', () => change({ [key]: box.checked }));
  }

  network = new NetworkView(document.getElementById('network'), {
    catalog,
    change,
    editWeight,
    hoverNode: (hover) => heatmap.showNode(hover),
    message: showMessage,
  });
  api.get('/api/features/thumbs').then((c) => network.setFeatureCatalog(c)).catch((e) => console.warn('No feature pictures:', e.message));

  let view;
  try {
    view = await api.post('/api/sessions', { hash: location.hash });
  } catch (e) {
    if (!location.hash || location.hash === '#') {
      showMessage(e.message, 'error');
      return;
    }

    showMessage(`This link could not be opened: ${e.message} The default playground is shown instead.`, 'error');
    try {
      view = await api.post('/api/sessions', { hash: '' });
    } catch (e2) {
      showMessage(e2.message, 'error');
      return;
    }
  }

  applyView(view);
  sessionReady();
  if (view.warnings && view.warnings.length) {
    showMessage(`Some of the link's settings were not used:\n${view.warnings.join('\n')}`, 'warning');
  }

  stream.connect();
  window.addEventListener('hashchange', onHashChange);
  window.addEventListener('pagehide', () => stream.stop());
  mount('/static/playground/upload.js', 'mountUpload', document.getElementById('upload'));
  mount('/static/playground/inside.js', 'mountInside', document.getElementById('inside'));
  document.body.dataset.ready = 'true';
}

// A page inside an iframe with ?embed (a playground preset in a lesson, an experiment in a post) shows only the
// playground, without the header.
if (new URLSearchParams(location.search).has('embed')) {
  document.body.classList.add('embed');
}

setupTabs();
// /?model=<id> opens the Model tab on a model file the server keeps (the link the Model tab shows).
showTab(isLearnPath() ? 'learn' : new URLSearchParams(location.search).has('model') ? 'model' : 'playground', false);
