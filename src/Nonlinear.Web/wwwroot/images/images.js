// The Images tab: a network (an MLP or a CNN) learns Fashion-MNIST on the server while this page draws what the
// engine reports: loss and accuracy curves, the confusion matrix of the 500 test images, the predictions for a
// gallery of test images, and the class probabilities of what you draw. The API is docs/web-api.md, "Images";
// the module contract is notes/page-contract.md (mountImages(element, ctx)). No network maths here.

import { linkStylesheet } from '../common/styles.js';
import { CurvePoints, Curve } from './curves.js';
import { ConfusionTable, escapeHtml } from './confusion.js';
import { Gallery } from './gallery.js';
import { DrawPad } from './drawpad.js';

const MODELS = [
  ['mlp', 'MLP', 'flatten, dense 256, dense 128, dense 10'],
  ['cnn', 'CNN', 'conv 32×3, pool, conv 64×3, pool, dense 128, dense 10'],
];
const OPTIMIZERS = [['sgd', 'SGD'], ['momentum', 'Momentum'], ['adam', 'Adam']];
const LEARNING_RATES = [0.00001, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
const BATCH_SIZES = [1, 8, 16, 32, 64, 128, 256];
const CLASSIFY_INTERVAL = 120; // ms between drawing-pad requests while drawing
const RECLASSIFY_INTERVAL = 1000; // ms between re-asks of a finished drawing while the network trains

/** Mounts the Images view into `element` (the page's <main id="images-view">). */
export async function mountImages(element, ctx) {
  addStyles();
  const view = new ImagesView(element, ctx);
  await view.start();
  return view;
}

function addStyles() {
  linkStylesheet('/static/images/images.css');
}

const ICONS = {
  reset: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 5V1L7 6l5 5V7c3.31 0 6 2.69 6 6s-2.69 6-6 6-6-2.69-6-6H4c0 4.42 3.58 8 8 8s8-3.58 8-8-3.58-8-8-8z"/></svg>',
  play: '<svg class="icon-play" viewBox="0 0 24 24" aria-hidden="true"><path d="M8 5v14l11-7z"/></svg>'
    + '<svg class="icon-pause" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 19h4V5H6v14zm8-14v14h4V5h-4z"/></svg>',
  step: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 18l8.5-6L6 6v12zM16 6v12h2V6h-2z"/></svg>',
};

const TEMPLATE = `
  <div class="images-top">
    <div class="images-top-inner">
      <div class="images-run">
        <button type="button" class="img-icon-button" data-action="reset" data-control="resetButton" title="Reset: new weights from the seed, epoch 0" aria-label="Reset">${ICONS.reset}</button>
        <button type="button" class="img-play-button" data-action="play" data-control="playButton" title="Train / pause" aria-label="Train">${ICONS.play}</button>
        <button type="button" class="img-icon-button" data-action="step" data-control="stepButton" title="Train one epoch (every training image once)" aria-label="Step">${ICONS.step}</button>
      </div>
      <div class="img-control img-progress">
        <span class="img-label">Epoch</span>
        <span class="img-value" data-out="epoch">0.0</span>
        <span class="img-rate" data-out="rate">&nbsp;</span>
      </div>
      <div class="img-control" data-control="model"><label for="img-model">Network</label><select id="img-model" data-field="model"></select></div>
      <div class="img-control" data-control="activation"><label for="img-activation">Activation</label><select id="img-activation" data-field="activation"></select></div>
      <div class="img-control" data-control="optimizer"><label for="img-optimizer">Optimizer</label><select id="img-optimizer" data-field="optimizer"></select></div>
      <div class="img-control" data-control="learningRate"><label for="img-learning-rate">Learning rate</label><select id="img-learning-rate" data-field="learningRate"></select></div>
      <div class="img-control" data-control="batchSize"><label for="img-batch-size">Batch size</label><select id="img-batch-size" data-field="batchSize"></select></div>
      <div class="img-control img-network-info"><span class="img-label">Parameters · output · loss</span><span class="img-value small" data-out="network">&nbsp;</span></div>
    </div>
  </div>
  <div class="images-message" data-out="message" aria-live="polite" hidden></div>
  <div class="images-main">
    <section class="img-panel img-metrics" aria-labelledby="img-metrics-heading">
      <h4 id="img-metrics-heading">Learning</h4>
      <div class="img-stats">
        <div><span class="img-stat-label">Test accuracy</span><span class="img-stat-value test" data-out="testAccuracy">–</span></div>
        <div><span class="img-stat-label">Training accuracy</span><span class="img-stat-value" data-out="trainAccuracy">–</span></div>
        <div><span class="img-stat-label">Test loss</span><span class="img-stat-value test small" data-out="testLoss">–</span></div>
        <div><span class="img-stat-label">Training loss</span><span class="img-stat-value small" data-out="trainLoss">–</span></div>
      </div>
      <div class="img-chart-title">Accuracy <span class="img-key"><i class="train"></i>training <i class="test"></i>test</span></div>
      <canvas class="img-chart" data-chart="accuracy" title="Accuracy: on the batches trained since the last point (dark) and on the 500 test images (blue)"></canvas>
      <div class="img-chart-title">Loss (cross-entropy)</div>
      <canvas class="img-chart" data-chart="loss" title="Loss: on the batches trained since the last point (dark) and on the 500 test images (blue)"></canvas>
      <p class="img-hint" data-out="dataInfo">&nbsp;</p>
    </section>
    <section class="img-panel img-confusion" aria-labelledby="img-confusion-heading">
      <h4 id="img-confusion-heading">Confusion matrix <span class="img-sub">500 test images</span></h4>
      <div data-out="confusion"></div>
      <p class="img-hint">Each row is a true class, each column what the network answered. The diagonal (blue) is right;
        orange cells are mistakes: which clothes does it mix up?</p>
    </section>
    <section class="img-panel img-draw" aria-labelledby="img-draw-heading">
      <h4 id="img-draw-heading">Draw something</h4>
      <div class="img-pad-row">
        <canvas class="img-pad" data-out="pad" aria-label="Drawing pad: draw a piece of clothing, white on black"></canvas>
        <div class="img-pad-side">
          <canvas class="img-preview" data-out="preview" title="What the network sees: your drawing shrunk to 28×28 pixels"></canvas>
          <span class="img-preview-label">28×28, as sent</span>
          <button type="button" class="img-basic-button" data-action="clear">Clear</button>
        </div>
      </div>
      <div class="img-answer" data-out="answer"><span class="img-answer-text">Draw a shoe, a bag, trousers… big, filling the square.</span></div>
      <div class="img-bars" data-out="bars"></div>
    </section>
  </div>
  <section class="img-panel img-gallery" aria-labelledby="img-gallery-heading">
    <h4 id="img-gallery-heading">Test images <span class="img-sub">the network's answer (green: right, red: wrong) and the true class; click one to draw on it</span></h4>
    <div data-out="gallery"></div>
  </section>
`;

class ImagesView {
  constructor(element, ctx) {
    this.element = element;
    this.api = ctx.api;
    this.ctx = ctx;
    this.session = null;
    this.config = null;
    this.status = 'paused';
    this.socket = null;
    this.pending = [];
    this.scheduled = false;
    this.retries = 0;
    this.retryTimer = 0;
    this.classifying = false;
    this.classifyAgain = false;
    this.lastClassify = 0;
    this.classifyTimer = 0;
    element.classList.add('images-view');
    element.innerHTML = TEMPLATE;
    this.out = (name) => element.querySelector(`[data-out="${name}"]`);
    this.points = new CurvePoints();
    const percent = (v) => `${Math.round(v * 100)}%`;
    this.charts = [
      new Curve(element.querySelector('[data-chart="accuracy"]'), this.points, { train: 3, test: 4, fixed: [0, 1], format: percent }),
      new Curve(element.querySelector('[data-chart="loss"]'), this.points, { train: 1, test: 2, format: (v) => v.toFixed(v >= 10 ? 0 : 2) }),
    ];
    this.gallery = new Gallery(this.out('gallery'), {
      onPick: (pixels) => {
        this.pad.setImage(pixels);
        this.element.querySelector('.img-draw').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      },
    });
    this.pad = new DrawPad(this.out('pad'), this.out('preview'), { onChange: (final) => this.drawingChanged(final) });
    this.bindControls();
    this.setEnabled(false); // until the session exists
    // A hidden tab does not train: the server's cores are shared, and nobody is watching.
    new MutationObserver(() => {
      if (element.hidden && this.status === 'running') {
        this.command('pause');
      }
    }).observe(element, { attributes: true, attributeFilter: ['hidden'] });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Start, session, commands

  async start() {
    const [catalog, gallery] = await Promise.all([
      this.api.get('/api/activations').catch(() => []),
      this.api.get('/api/images/gallery').catch((e) => {
        this.showMessage(e.message, 'error');
        return null;
      }),
    ]);
    this.fillSelects(catalog);
    if (!gallery) {
      this.setEnabled(false);
      return;
    }

    this.classNames = gallery.classNames;
    this.gallery.setImages(gallery);
    this.confusion = new ConfusionTable(this.out('confusion'), gallery.classNames);
    this.renderBars(null);
    await this.create({});
  }

  async create(config) {
    try {
      this.showView(await this.api.post('/api/images/sessions', { config }));
      this.setEnabled(true);
      this.connect();
    } catch (e) {
      this.showMessage(e.message, 'error');
      this.setEnabled(false);
    }
  }

  sessionUrl(path) {
    return `/api/images/sessions/${encodeURIComponent(this.session)}${path}`;
  }

  showView(view) {
    const changed = this.session !== view.id;
    this.session = view.id;
    this.config = view.config;
    this.points.clear();
    this.setSelects(view.config);
    const n = view.network;
    this.out('network').textContent = `${n.parameters.toLocaleString('en-US')} · ${n.outputActivation} · ${n.loss}`;
    this.out('network').title = `${n.spec}\n${n.optimizer}`;
    this.out('dataInfo').textContent = `${view.data.train.toLocaleString('en-US')} training and ${view.data.test} test images of Fashion-MNIST, `
      + `standardised with the training images' mean ${view.data.mean.toFixed(3)} and standard deviation ${view.data.std.toFixed(3)}; `
      + `${view.batchesPerEpoch} batches per epoch.`;
    this.element.dataset.model = view.config.model;
    this.setStatus('paused');
    this.clearMessage();
    if (!changed) {
      this.redraw();
    }
  }

  async command(name, query = '') {
    try {
      const answer = await this.api.post(this.sessionUrl(`/${name}${query}`));
      this.setStatus(answer.status, answer.error);
      this.showNumbers(answer);
      return answer;
    } catch (e) {
      await this.failed(e);
      return null;
    }
  }

  async changeConfig(partial) {
    const config = { ...this.config, ...partial };
    try {
      this.showView(await this.api.put(this.sessionUrl('/config'), config));
      this.classifyDrawing();
    } catch (e) {
      this.setSelects(this.config);
      await this.failed(e);
    }
  }

  /** A refusal is shown; a session that has ended (404) is replaced by a new one with the same settings. */
  async failed(error) {
    if (error && error.status === 404 && this.session) {
      this.showMessage('The session had ended; a new one was started.', 'warning');
      this.disconnect();
      await this.create(this.config || {});
      return;
    }

    this.showMessage(error.message, 'error');
  }

  // -------------------------------------------------------------------------------------------------------------
  // Controls

  fillSelects(catalog) {
    const options = (select, items) => {
      select.replaceChildren(...items.map(([value, text, title]) => {
        const o = document.createElement('option');
        o.value = String(value);
        o.textContent = text;
        if (title) {
          o.title = title;
        }

        return o;
      }));
    };
    const field = (name) => this.element.querySelector(`[data-field="${name}"]`);
    options(field('model'), MODELS);
    const names = catalog.filter((c) => !c.rowWise).map((c) => c.name);
    options(field('activation'), (names.length ? names : ['relu', 'tanh', 'sigmoid']).map((n) => [n, n]));
    options(field('optimizer'), OPTIMIZERS);
    options(field('learningRate'), LEARNING_RATES.map((r) => [r, String(r)]));
    options(field('batchSize'), BATCH_SIZES.map((b) => [b, String(b)]));
  }

  setSelects(config) {
    for (const select of this.element.querySelectorAll('[data-field]')) {
      const value = String(config[select.dataset.field]);
      if (![...select.options].some((o) => o.value === value)) {
        const o = document.createElement('option');
        o.value = value;
        o.textContent = value;
        select.appendChild(o);
      }

      select.value = value;
    }
  }

  bindControls() {
    for (const select of this.element.querySelectorAll('[data-field]')) {
      select.addEventListener('change', () => {
        const name = select.dataset.field;
        const value = name === 'learningRate' || name === 'batchSize' ? Number(select.value) : select.value;
        this.changeConfig({ [name]: value });
      });
    }

    const on = (action, fn) => this.element.querySelector(`[data-action="${action}"]`).addEventListener('click', fn);
    on('play', () => this.command(this.status === 'running' ? 'pause' : 'play'));
    on('step', () => this.command('step'));
    on('reset', async () => {
      const answer = await this.command('reset');
      if (answer) {
        this.points.clear();
        this.redraw();
        this.classifyDrawing();
      }
    });
    on('clear', () => {
      this.pad.clear();
      this.renderBars(null);
    });
  }

  setEnabled(enabled) {
    for (const el of this.element.querySelectorAll('.images-top button, .images-top select, [data-action="clear"]')) {
      el.disabled = !enabled;
    }
  }

  setStatus(status, error) {
    if (!status) {
      return;
    }

    this.status = status;
    this.element.dataset.status = status;
    const play = this.element.querySelector('[data-action="play"]');
    play.classList.toggle('playing', status === 'running');
    play.setAttribute('aria-label', status === 'running' ? 'Pause' : 'Train');
    if (status === 'diverged' || status === 'error') {
      this.showMessage(error || 'Training stopped: a value became infinite or NaN. Lower the learning rate and press reset.', 'error');
    }
  }

  showMessage(text, kind = 'info') {
    const bar = this.out('message');
    bar.textContent = String(text);
    bar.dataset.kind = kind;
    bar.hidden = false;
  }

  clearMessage() {
    this.out('message').hidden = true;
  }

  // -------------------------------------------------------------------------------------------------------------
  // The stream: JSON headers only (no grids), drawn once per animation frame, then acknowledged

  connect() {
    this.disconnect();
    const id = this.session;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/api/images/sessions/${encodeURIComponent(id)}/stream`);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      this.retries = 0;
    };
    socket.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) {
        const length = new DataView(event.data).getUint32(0, true);
        this.pending.push(JSON.parse(new TextDecoder().decode(new Uint8Array(event.data, 4, length))));
        this.schedule();
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) {
        return;
      }

      this.socket = null;
      this.retries++;
      // A closed stream is retried; after a few failures a command tells whether the session still exists.
      this.retryTimer = setTimeout(async () => {
        if (this.retries >= 3) {
          try {
            await this.api.post(this.sessionUrl('/pause'));
          } catch (e) {
            await this.failed(e);
            return;
          }
        }

        if (this.session === id) {
          this.connect();
        }
      }, Math.min(8000, 250 * 2 ** Math.min(this.retries, 5)));
    };
    this.socket = socket;
  }

  disconnect() {
    clearTimeout(this.retryTimer);
    this.pending = [];
    if (this.socket) {
      const s = this.socket;
      this.socket = null;
      s.onclose = null;
      s.close();
    }
  }

  schedule() {
    if (this.scheduled) {
      return;
    }

    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      const frames = this.pending;
      this.pending = [];
      if (frames.length === 0) {
        return;
      }

      for (const h of frames) {
        this.points.add(h.curve);
      }

      this.drawFrame(frames[frames.length - 1]);
      for (const h of frames) {
        if (this.socket && this.socket.readyState === WebSocket.OPEN) {
          this.socket.send(JSON.stringify({ ack: h.frame }));
        }
      }
    });
  }

  drawFrame(h) {
    this.setStatus(h.status, h.error);
    this.showNumbers(h);
    const rate = h.updatesPerSecond > 0 ? `${Math.round(h.updatesPerSecond).toLocaleString('en-US')} batches/s` : '';
    this.out('rate').textContent = `${h.batches.toLocaleString('en-US')} batches${rate ? ' · ' + rate : ''}`;
    if (this.confusion) {
      this.confusion.update(h.confusion);
    }

    this.gallery.update(h.gallery);
    this.redraw();
    this.element.dataset.frame = String(h.frame);
    // A finished drawing is asked again as the network learns, so its answer follows the training.
    if (h.status === 'running' && this.pad.hasInk && performance.now() - this.lastClassify > RECLASSIFY_INTERVAL) {
      this.classifyDrawing();
    }
  }

  showNumbers(h) {
    const pct = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '–');
    const num = (v) => (Number.isFinite(v) ? v.toFixed(3) : '–');
    this.out('epoch').textContent = Number.isFinite(h.epoch) ? h.epoch.toFixed(h.epoch >= 100 ? 0 : 2) : '–';
    this.out('testAccuracy').textContent = pct(h.testAccuracy);
    this.out('trainAccuracy').textContent = pct(h.trainAccuracy);
    this.out('testLoss').textContent = num(h.testLoss);
    this.out('trainLoss').textContent = num(h.trainLoss);
    this.element.dataset.testAccuracy = Number.isFinite(h.testAccuracy) ? String(h.testAccuracy) : '';
    this.element.dataset.batches = String(h.batches ?? '');
  }

  redraw() {
    for (const chart of this.charts) {
      chart.draw();
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Drawing pad: asks the server (throttled, one request at a time) for the class probabilities

  drawingChanged(final) {
    if (final) {
      this.classifyDrawing();
      return;
    }

    if (!this.classifyTimer) {
      const wait = Math.max(0, CLASSIFY_INTERVAL - (performance.now() - this.lastClassify));
      this.classifyTimer = setTimeout(() => {
        this.classifyTimer = 0;
        this.classifyDrawing();
      }, wait);
    }
  }

  async classifyDrawing() {
    if (!this.session || !this.pad.hasInk) {
      return;
    }

    if (this.classifying) {
      this.classifyAgain = true;
      return;
    }

    this.classifying = true;
    this.lastClassify = performance.now();
    try {
      const pixels = this.pad.updatePreview();
      const answer = await this.api.post(this.sessionUrl('/classify'), { pixels });
      this.renderBars(answer);
    } catch (e) {
      if (e.status === 404) {
        await this.failed(e);
      } else {
        this.out('answer').innerHTML = `<span class="img-answer-text">${escapeHtml(e.message)}</span>`;
      }
    } finally {
      this.classifying = false;
    }

    if (this.classifyAgain) {
      this.classifyAgain = false;
      this.classifyDrawing();
    }
  }

  /** The server's probabilities as one bar per class, in class order, the most likely one highlighted. */
  renderBars(answer) {
    const bars = this.out('bars');
    const names = this.classNames || [];
    if (!answer) {
      this.out('answer').innerHTML = '<span class="img-answer-text">Draw a shoe, a bag, trousers… big, filling the square.</span>';
      bars.innerHTML = names.map((n) => `<div class="img-bar"><span class="img-bar-name">${escapeHtml(n)}</span><span class="img-bar-track"><span class="img-bar-fill" style="width:0%"></span></span><span class="img-bar-value"></span></div>`).join('');
      delete bars.dataset.predicted;
      return;
    }

    const p = answer.probabilities;
    this.out('answer').innerHTML = `<span class="img-answer-class">${escapeHtml(answer.className)}</span>`
      + `<span class="img-answer-p">${(p[answer.predicted] * 100).toFixed(0)}%</span>`;
    bars.innerHTML = names.map((n, k) => `<div class="img-bar${k === answer.predicted ? ' top' : ''}">`
      + `<span class="img-bar-name">${escapeHtml(n)}</span>`
      + `<span class="img-bar-track"><span class="img-bar-fill" style="width:${(p[k] * 100).toFixed(1)}%"></span></span>`
      + `<span class="img-bar-value">${(p[k] * 100).toFixed(p[k] < 0.1 ? 1 : 0)}%</span></div>`).join('');
    bars.dataset.predicted = String(answer.predicted);
  }
}
