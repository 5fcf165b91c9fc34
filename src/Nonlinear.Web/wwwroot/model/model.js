// The Model tab: open a model file (.nlm, or .onnx where the server can import it) and see inside it. The server reads
// the file with the library and answers its layers, the advisor's findings, and, for a Fashion-MNIST classifier, its
// results on the 500 test images with the diagnostics of one pass over them. The API is docs/web-api.md, "Model
// files"; what a learner sees is docs/model-view.md. Every number comes from the engine: this module only renders
// (percentages and rounding for display, bar lengths from the server's counts).

import { linkStylesheet } from '../common/styles.js';
import { csrfHeaders } from '../common/api.js';
import { wireFileDrop } from '../common/filedrop.js';
import { ConfusionTable, escapeHtml } from '../images/confusion.js';
import { paintGrey } from '../images/gallery.js';

/** Mounts the Model view into `element` (the page's <main id="model-view">). */
export async function mountModel(element, ctx) {
  linkStylesheet('/static/images/images.css');
  linkStylesheet('/static/model/model.css');
  const view = new ModelView(element, ctx);
  const id = new URLSearchParams(location.search).get('model');
  if (id) {
    await view.reopen(id);
  }

  return view;
}

const TEMPLATE = `
  <div class="model-top">
    <div class="model-top-inner">
      <label class="model-drop" tabindex="0" data-out="drop" title="A model file saved by 'nonlinear train --save' (.nlm), or an ONNX file">
        <input type="file" accept=".nlm,.onnx,application/octet-stream" hidden data-out="file">
        <b>Open a model file</b>: drop it here or <u>choose one</u>
        <span class="model-drop-sub">.nlm from <code>nonlinear train --save</code>; .onnx exported by PyTorch (<code>torch.onnx.export</code>)</span>
      </label>
      <div class="model-summary" data-out="summary" hidden></div>
    </div>
  </div>
  <div class="images-message" data-out="message" aria-live="polite" hidden></div>
  <div class="model-empty" data-out="empty">
    <p>Train a network anywhere, then look inside it here. For example:</p>
    <pre>nonlinear train --data fashion-mnist --model mlp --epochs 5 --save fm.nlm</pre>
    <p>and open <code>fm.nlm</code>. You will see its layers and their shapes, what the advisor thinks of the architecture,
      and, for a classifier of 28×28 images into ten classes, how it does on the 500 Fashion-MNIST test images this
      server holds: accuracy, the confusion matrix, its worst mistakes, and what happens inside each layer.</p>
  </div>
  <div class="model-main" data-out="main" hidden>
    <section class="img-panel model-layers" aria-labelledby="model-layers-heading">
      <h4 id="model-layers-heading">Layers <span class="img-sub" data-out="layersSub"></span></h4>
      <div data-out="layers"></div>
    </section>
    <section class="img-panel model-advice" aria-labelledby="model-advice-heading">
      <h4 id="model-advice-heading">Advice on the architecture <span class="img-sub">the advisor's checks, as <code>nonlinear advise --model</code></span></h4>
      <div data-out="advice"></div>
    </section>
  </div>
  <section class="model-results" data-out="results" hidden>
    <h3 class="model-section-title">On Fashion-MNIST <span class="img-sub" data-out="dataInfo"></span></h3>
    <p class="model-status" data-out="status"></p>
    <div class="model-eval" data-out="eval" hidden>
      <section class="img-panel" aria-labelledby="model-score-heading">
        <h4 id="model-score-heading">Score</h4>
        <div class="img-stats">
          <div><span class="img-stat-label">Test accuracy</span><span class="img-stat-value test" data-out="accuracy">–</span></div>
          <div><span class="img-stat-label" data-out="lossLabel">Test loss</span><span class="img-stat-value" data-out="loss">–</span></div>
        </div>
        <p class="img-hint" data-out="mistake"></p>
        <p class="img-hint" data-out="notes"></p>
        <table class="model-classes" data-out="classes"></table>
      </section>
      <section class="img-panel img-confusion" aria-labelledby="model-confusion-heading">
        <h4 id="model-confusion-heading">Confusion matrix <span class="img-sub">500 test images</span></h4>
        <div data-out="confusion"></div>
        <p class="img-hint">Each row is a true class, each column what the network answered. The diagonal (blue) is right;
          orange cells are mistakes.</p>
      </section>
    </div>
    <section class="img-panel img-gallery model-examples" data-out="examplesPanel" hidden aria-labelledby="model-examples-heading">
      <h4 id="model-examples-heading">Test images <span class="img-sub">the network's answer and its probability (green: right, red: wrong), the true class below; hover an image for the top three</span></h4>
      <div data-out="examples"></div>
    </section>
    <section class="img-panel model-inside" data-out="insidePanel" hidden aria-labelledby="model-inside-heading">
      <h4 id="model-inside-heading">Inside the network <span class="img-sub" data-out="insideSub"></span></h4>
      <div data-out="diagnostics"></div>
      <div data-out="runtimeAdvice"></div>
    </section>
  </section>
`;

class ModelView {
  constructor(element, ctx) {
    this.element = element;
    this.api = ctx.api;
    this.model = null;
    this.busy = false;
    element.classList.add('images-view', 'model-view');
    element.innerHTML = TEMPLATE;
    this.out = (name) => element.querySelector(`[data-out="${name}"]`);
    const drop = this.out('drop');
    const input = this.out('file');
    wireFileDrop(drop, input, (file) => this.open(file));
  }

  /** Sends the file's bytes; the server's refusal (damaged, too big, ONNX unavailable) is shown as it is. */
  async open(file) {
    if (this.busy) {
      return;
    }

    this.busy = true;
    const drop = this.out('drop');
    drop.classList.add('busy');
    this.element.dataset.state = 'uploading';
    this.clearMessage();
    try {
      const view = await sendFile(file);
      const previous = this.model && this.model.id;
      this.show(view);
      if (previous && previous !== view.id) {
        this.api.del(`/api/models/${encodeURIComponent(previous)}`).catch(() => {});
      }
    } catch (e) {
      this.element.dataset.state = 'refused';
      this.showMessage(e.message, 'error');
    } finally {
      this.busy = false;
      drop.classList.remove('busy');
      this.out('file').value = '';
    }
  }

  /** Opens a model file the server still keeps (a /?model=<id> link). */
  async reopen(id) {
    try {
      this.show(await this.api.get(`/api/models/${encodeURIComponent(id)}`));
    } catch (e) {
      this.element.dataset.state = 'refused';
      this.showMessage(e.message, 'error');
    }
  }

  show(view) {
    this.model = view;
    this.element.dataset.model = view.id;
    this.out('empty').hidden = true;
    this.out('main').hidden = false;
    this.renderSummary(view);
    this.renderLayers(view);
    this.renderAdvice(this.out('advice'), view.advice, 'The advisor found nothing to warn about in this architecture.');
    this.out('results').hidden = false;
    this.out('eval').hidden = true;
    this.out('examplesPanel').hidden = true;
    this.out('insidePanel').hidden = true;
    if (!view.fashionMnist.fits) {
      this.out('dataInfo').textContent = '';
      this.out('status').textContent = `Not evaluated: ${view.fashionMnist.reason}`;
      this.element.dataset.state = 'described';
      return;
    }

    this.out('status').textContent = 'Evaluating on the 500 test images…';
    this.element.dataset.state = 'evaluating';
    this.evaluate(view);
  }

  async evaluate(view) {
    try {
      const answer = await this.api.get(`/api/models/${encodeURIComponent(view.id)}/evaluation`);
      if (!this.model || this.model.id !== view.id) {
        return;
      }

      this.renderEvaluation(answer);
      this.element.dataset.state = 'evaluated';
    } catch (e) {
      if (this.model && this.model.id === view.id) {
        this.out('status').textContent = '';
        this.showMessage(e.message, 'error');
        this.element.dataset.state = 'refused';
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // The file: summary, layers, advice

  renderSummary(v) {
    const shape = (s) => `[${s.join(', ')}]`;
    const facts = [
      ['File', `${v.name} · ${v.format === 'onnx' ? 'ONNX' : 'Nonlinear model'} · ${formatBytes(v.bytes)}`],
      ['Input → output', `${shape(v.inputShape)} → ${shape(v.outputShape)}`],
      ['Parameters', v.parameters.toLocaleString('en-US')],
      ['Task', `${v.task} · output ${v.outputActivation} · loss ${v.loss}`],
    ];
    if (v.classNames) {
      facts.push(['Classes', v.classNames.join(', ')]);
    }

    facts.push(['Input scaling', v.normalization
      ? (v.normalization.mean.length <= 3
        ? `minus ${v.normalization.mean.map(round4).join(', ')}, divided by ${v.normalization.std.map(round4).join(', ')}`
        : `one mean and standard deviation per input (${v.normalization.mean.length})`)
      : 'none saved (the model gets its inputs as they are)']);
    const summary = this.out('summary');
    summary.innerHTML = `<div class="model-spec" title="The architecture as a spec (nonlinear train --arch)"><code>${escapeHtml(v.spec)}</code></div>`
      + `<dl>${facts.map(([k, t]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(t)}</dd></div>`).join('')}</dl>`
      + `<p class="model-link"><a href="/?model=${encodeURIComponent(v.id)}">Link to this view</a> (works while the server keeps the file: 4 hours)</p>`;
    summary.hidden = false;
  }

  renderLayers(v) {
    this.out('layersSub').textContent = `${v.layers.length} layers, ${v.parameters.toLocaleString('en-US')} parameters`;
    const advised = new Set((v.advice || []).filter((a) => a.layer != null).map((a) => a.layer));
    const rows = v.layers.map((l) => {
      const tensors = l.tensors.map((t) => `${t.name} [${t.shape.join(', ')}]`).join('\n');
      return `<tr data-layer="${l.layer}"${advised.has(l.layer) ? ' class="advised"' : ''}>`
        + `<td class="num">${l.layer}</td>`
        + `<td><code>${escapeHtml(l.spec)}</code>${advised.has(l.layer) ? ' <span class="model-flag" title="The advisor has a finding on this layer">!</span>' : ''}</td>`
        + `<td class="shape">[${l.outputShape.join(', ')}]</td>`
        + `<td class="num"${tensors ? ` title="${escapeHtml(tensors)}"` : ''}>${l.parameters ? l.parameters.toLocaleString('en-US') : ''}</td></tr>`;
    });
    this.out('layers').innerHTML = '<table class="model-table"><thead><tr><th class="num">#</th><th>layer</th><th>output shape</th><th class="num">parameters</th></tr></thead>'
      + `<tbody><tr class="input"><td></td><td>input</td><td class="shape">[${v.inputShape.join(', ')}]</td><td></td></tr>${rows.join('')}</tbody></table>`
      + '<p class="img-hint">Shapes are per example (a batch adds a first dimension). Hover a parameter count for its weight tensors.</p>';
  }

  renderAdvice(container, advice, none) {
    if (!advice || advice.length === 0) {
      container.innerHTML = `<p class="model-ok">${escapeHtml(none)}</p>`;
      container.dataset.count = '0';
      return;
    }

    container.innerHTML = `<ul class="model-advice-list">${advice.map((a) => `<li class="model-advice-item ${escapeHtml(a.severity)}" data-code="${escapeHtml(a.code)}">`
      + `<div class="advice-top"><span class="severity">${escapeHtml(a.severity)}</span>`
      + `${a.layer != null ? `<span class="where">layer ${a.layer}</span>` : ''}<span class="code">${escapeHtml(a.code)}</span></div>`
      + `<p class="advice-message">${escapeHtml(a.message)}</p>`
      + `<p class="why"><b>Why:</b> ${escapeHtml(a.reason)}</p>`
      + `<p class="fix"><b>Fix:</b> ${escapeHtml(a.fix)}</p></li>`).join('')}</ul>`;
    container.dataset.count = String(advice.length);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Fashion-MNIST: score, confusion, examples, diagnostics

  renderEvaluation(e) {
    this.out('status').textContent = '';
    this.out('dataInfo').textContent = `${e.data.images} test images; inputs ${e.data.input === 'image' ? 'as images [1, 28, 28]'
      : e.data.input === 'pixels' ? 'as 784 pixels in a row' : 'read row by row [28, 28]'}; input scaling: ${e.data.normalization}`;
    this.out('eval').hidden = false;
    this.out('accuracy').textContent = pct(e.accuracy);
    this.out('loss').textContent = Number.isFinite(e.loss) ? e.loss.toFixed(3) : '–';
    this.out('lossLabel').textContent = `Test loss (${e.lossName})`;
    this.element.dataset.accuracy = Number.isFinite(e.accuracy) ? String(e.accuracy) : '';
    this.out('mistake').textContent = e.mistake ? `Most frequent mistake: ${e.mistake.text}.` : 'No mistakes on the test images.';
    this.out('notes').textContent = [e.classNote, e.lossNote].filter(Boolean).join(' ');
    this.out('classes').innerHTML = '<thead><tr><th>class</th><th class="num">precision</th><th class="num">recall</th><th class="num">F1</th><th class="num">images</th></tr></thead><tbody>'
      + e.classes.map((c) => `<tr><th>${escapeHtml(c.name)}</th><td class="num">${pct(c.precision)}</td><td class="num">${pct(c.recall)}</td><td class="num">${pct(c.f1)}</td><td class="num">${c.samples}</td></tr>`).join('')
      + '</tbody>';
    const confusion = new ConfusionTable(this.out('confusion'), e.classNames);
    confusion.update(e.confusion);
    this.renderExamples(e.examples, e.classNames);
    this.renderDiagnostics(e.diagnostics);
  }

  renderExamples(examples, names) {
    const bytes = Uint8Array.from(atob(examples.pixels), (c) => c.charCodeAt(0));
    const side = examples.side;
    const groups = [
      ['first', 'The first test images'],
      ['mistake', 'The mistakes it was surest of'],
    ];
    const parts = [];
    for (const [kind, title] of groups) {
      const grid = document.createElement('div');
      grid.className = 'gallery-grid';
      examples.items.forEach((item, n) => {
        if (item.kind !== kind) {
          return;
        }

        const figure = document.createElement('figure');
        figure.className = `gallery-item ${item.right ? 'right' : 'wrong'}`;
        figure.dataset.index = String(item.index);
        figure.dataset.predicted = String(item.predicted);
        const canvas = document.createElement('canvas');
        canvas.width = side;
        canvas.height = side;
        paintGrey(canvas, bytes.subarray(n * side * side, (n + 1) * side * side), side);
        canvas.title = `Test image ${item.index + 1}. The network's top answers:\n`
          + item.top.map((t) => `${t.name}: ${pct(t.probability)}`).join('\n');
        const caption = document.createElement('figcaption');
        caption.innerHTML = `<span class="predicted">${item.right ? '✓' : '✗'} ${escapeHtml(names[item.predicted])} ${pct0(item.probability)}</span>`
          + `<span class="truth">${escapeHtml(names[item.label])}${item.right ? '' : ` (${pct0(item.labelProbability)})`}</span>`;
        figure.append(canvas, caption);
        grid.appendChild(figure);
      });
      if (grid.childElementCount > 0) {
        const group = document.createElement('div');
        group.className = `model-example-group ${kind}`;
        const heading = document.createElement('h5');
        heading.textContent = title;
        group.append(heading, grid);
        parts.push(group);
      }
    }

    this.out('examples').replaceChildren(...parts);
    this.out('examplesPanel').hidden = false;
  }

  renderDiagnostics(d) {
    this.out('insideSub').textContent = `one pass over the ${d.images} test images: each layer's outputs, and the gradients of the loss (no weight changes)`;
    const share = (v) => (v == null ? '' : pct0(v));
    const rows = d.layers.map((l) => {
      const o = l.output;
      return `<tr data-layer="${l.layer}">`
        + `<td class="num">${l.layer}</td><td><code>${escapeHtml(l.spec)}</code></td>`
        + `<td class="hist">${o ? histogram(o) : ''}</td>`
        + `<td class="num">${o ? fmt(o.mean) : ''}</td><td class="num">${o ? fmt(o.std) : ''}</td>`
        + `<td class="num">${o ? `${fmt(o.min)} … ${fmt(o.max)}` : ''}</td>`
        + `<td class="num${l.deadShare > 0.5 ? ' bad' : ''}">${share(l.deadShare)}</td>`
        + `<td class="num${l.saturatedShare > 0.5 ? ' bad' : ''}">${share(l.saturatedShare)}</td>`
        + `<td class="num">${share(l.negativeShare)}</td>`
        + `<td class="num">${l.gradientNorm == null ? '' : fmt(l.gradientNorm)}</td></tr>`;
    });
    const ratio = d.gradientRatio == null ? '' : `<p class="img-hint">Gradient flow: the first weighted layer's gradient is ${fmt(d.gradientRatio)} times the last one's `
      + '(far below 1: the first layers barely learn; far above 1: they take huge steps).</p>';
    const nonFinite = d.firstNonFinite ? `<p class="model-bad">A NaN or infinity appeared: ${escapeHtml(d.firstNonFinite)}.</p>` : '';
    this.out('diagnostics').innerHTML = '<table class="model-table model-diag"><thead><tr><th class="num">#</th><th>layer</th><th>outputs</th>'
      + '<th class="num">mean</th><th class="num">std</th><th class="num">range</th>'
      + '<th class="num" title="Units whose output was 0 on every test image (ReLU family): they pass no gradient">dead</th>'
      + '<th class="num" title="Pre-activations where the derivative is under 1% of its peak (sigmoid, tanh ...)">saturated</th>'
      + '<th class="num" title="Units whose input was at most 0 on every test image (rectifiers)">never positive</th>'
      + '<th class="num" title="Norm of the loss gradient with respect to the layer\'s weights">gradient</th></tr></thead>'
      + `<tbody>${rows.join('')}</tbody></table>`
      + '<p class="img-hint model-diag-hint"><b>dead</b>: units that output 0 for every test image, so no gradient reaches their weights; '
      + '<b>saturated</b>: inputs in the flat tails of sigmoid or tanh, where the gradient nearly vanishes; '
      + '<b>never positive</b>: units whose input was at most 0 for every image; <b>gradient</b>: how strongly the loss pulls on the layer\'s weights.</p>'
      + `${ratio}${nonFinite}`;
    this.renderAdvice(this.out('runtimeAdvice'), d.advice, 'Healthy: no dead units, saturation or vanishing gradients beyond the advisor\'s thresholds on the test images.');
    this.out('insidePanel').hidden = false;
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
}

/** POSTs the file's bytes as the body; a refusal comes back as an Error with the server's detail. */
async function sendFile(file) {
  let response;
  try {
    response = await fetch(`/api/models?${new URLSearchParams({ name: file.name })}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/json', ...csrfHeaders() },
      body: file,
    });
  } catch (e) {
    throw new Error(`The file did not reach the server (${e.message}).`);
  }

  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }

  if (!response.ok) {
    throw new Error(json && typeof json.detail === 'string' ? json.detail : `The file was refused (${response.status}).`);
  }

  return json;
}

/** The server's histogram counts as bars (heights relative to the largest count), titled with its range. */
function histogram(o) {
  const counts = o.counts || [];
  const max = Math.max(1, ...counts);
  const w = 60;
  const h = 18;
  const bw = w / Math.max(1, counts.length);
  const bars = counts.map((c, i) => {
    const bh = c > 0 ? Math.max(1, (c / max) * h) : 0;
    return `<rect x="${(i * bw).toFixed(2)}" y="${(h - bh).toFixed(2)}" width="${Math.max(0.5, bw - 0.5).toFixed(2)}" height="${bh.toFixed(2)}"></rect>`;
  }).join('');
  return `<svg class="model-hist" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="Histogram of the outputs from ${fmt(o.lo)} to ${fmt(o.hi)}"><title>${counts.length} bins from ${fmt(o.lo)} to ${fmt(o.hi)}</title>${bars}</svg>`;
}

function pct(v) {
  return Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '–';
}

function pct0(v) {
  return Number.isFinite(v) ? `${(v * 100).toFixed(0)}%` : '–';
}

function fmt(v) {
  if (!Number.isFinite(v)) {
    return '–';
  }

  const a = Math.abs(v);
  return a !== 0 && (a < 0.001 || a >= 10000) ? v.toExponential(1) : v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 3);
}

function round4(v) {
  return Number(v).toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
}

function formatBytes(n) {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(0)} KB` : `${n} bytes`;
}
