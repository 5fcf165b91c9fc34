// Your own data: upload a CSV file (POST /api/uploads), choose its label column and either two columns for the 2-D
// views or every column as an input, and train on it (config dataset/regDataset 'csv'). While a table is in use
// this module also shows its test confusion matrix, which the server counts in every frame. The server reads the
// file (header, separators, string labels) and names any problem with its line and column; this module only sends
// the file and shows the answers.

import { csrfHeaders } from '../common/api.js';
import { wireFileDrop } from '../common/filedrop.js';

const STYLE = `
.upload-box { border-top: 1px solid var(--line, #e3e6e8); padding-top: 12px; }
.upload-box h5 { margin: 0 0 6px; font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.07em; color: #4a555b; }
.upload-drop { display: block; border: 1.5px dashed #b9c1c5; border-radius: 6px; padding: 10px 8px; text-align: center;
  font-size: 12px; color: var(--ink-soft, #5f6b72); cursor: pointer; background: #fff; }
.upload-drop:hover, .upload-drop:focus-visible, .upload-drop.over { border-color: var(--brand, #183d4e); color: var(--ink, #2b3338); }
.upload-drop.busy { opacity: 0.6; cursor: progress; }
.upload-drop u { text-underline-offset: 2px; }
.upload-box.active .upload-drop { border-style: solid; border-color: var(--ink, #2b3338); }
.upload-info { margin: 8px 0 4px; font-size: 12px; color: var(--ink-soft, #5f6b72); overflow-wrap: anywhere; }
.upload-info b { color: var(--ink, #2b3338); font-weight: 600; }
.upload-field { display: block; margin: 6px 0; font-size: 12px; color: var(--ink-soft, #5f6b72); }
.upload-field select { display: block; width: 100%; margin-top: 2px; font-size: 12.5px; padding: 2px 4px; }
.upload-pair { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; }
.upload-use { margin-top: 6px; width: 100%; }
.upload-confusion { margin-top: 12px; font-size: 11px; color: var(--ink-soft, #5f6b72); }
.upload-confusion table { border-collapse: collapse; margin-top: 4px; table-layout: fixed; width: 100%; }
.upload-confusion td, .upload-confusion th { border: 1px solid #fff; text-align: center; padding: 0; height: 20px;
  font-variant-numeric: tabular-nums; font-weight: 400; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.upload-confusion th { color: var(--ink-faint, #8d979d); font-size: 10px; }
.upload-confusion .axis { font-size: 10.5px; color: var(--ink-faint, #8d979d); }
`;

const ALL = '';

function element(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') {
      e.className = v;
    } else if (k === 'text') {
      e.textContent = v;
    } else if (k.startsWith('data-')) {
      e.setAttribute(k, v);
    } else {
      e[k] = v;
    }
  }

  e.append(...children);
  return e;
}

function fill(select, options, selected) {
  select.replaceChildren(...options.map(([value, text]) => element('option', { value, text })));
  select.value = selected;
}

/** POSTs the file's bytes as the body; the server's refusal comes back as an Error with its detail. */
async function sendFile(file, label) {
  const query = new URLSearchParams({ name: file.name });
  if (label) {
    query.set('label', label);
  }

  let response;
  try {
    response = await fetch(`/api/uploads?${query}`, { method: 'POST', headers: { 'Content-Type': 'text/csv', Accept: 'application/json', ...csrfHeaders() }, body: file });
  } catch (e) {
    throw new Error(`The upload did not reach the server (${e.message}).`);
  }

  let json = null;
  try {
    json = await response.json();
  } catch {
    json = null;
  }

  if (!response.ok) {
    throw new Error(json && typeof json.detail === 'string' ? json.detail : `The upload was refused (${response.status}).`);
  }

  return json;
}

/** Mounts the upload box into `root`; `ctx` is the page's context (page-contract.md). */
export function mountUpload(root, ctx) {
  document.head.appendChild(element('style', { text: STYLE }));
  const input = element('input', { type: 'file', accept: '.csv,.tsv,.txt,text/csv,text/tab-separated-values', hidden: true });
  const drop = element('label', { class: 'upload-drop', tabIndex: 0, title: 'A CSV file: one row per example, numeric input columns and a label column' },
    'Drop a CSV file here or ', element('u', { text: 'choose one' }), input);
  const info = element('div', { class: 'upload-info', hidden: true });
  const label = element('select', { 'data-upload': 'label' });
  const x = element('select', { 'data-upload': 'x' });
  const y = element('select', { 'data-upload': 'y' });
  const pair = element('div', { class: 'upload-pair' },
    element('label', { class: 'upload-field' }, 'x₁', x),
    element('label', { class: 'upload-field' }, 'x₂', y));
  const plane = element('select', { 'data-upload': 'plane' });
  const choices = element('div', { hidden: true },
    element('label', { class: 'upload-field' }, 'Label column (what to predict)', label),
    element('label', { class: 'upload-field' }, 'Inputs', plane),
    pair);
  const use = element('button', { type: 'button', class: 'basic-button upload-use', text: 'Train on this table', hidden: true });
  const confusion = element('div', { class: 'upload-confusion', hidden: true });
  const box = element('div', { class: 'upload-box', 'data-control': 'dataset' },
    element('h5', { text: 'Your own data' }), drop, info, choices, use, confusion);
  root.replaceChildren(box);

  // The table this page works with: the last upload's answer, or the one the session trains on (after a reload).
  let file = null;
  let table = null;
  let busy = false;
  let lastConfusion = null;

  function activeCsv(view) {
    const c = view && view.config;
    return !!c && (c.problem === 'regression' ? c.regDataset : c.dataset) === 'csv';
  }

  function columnsOf(t) {
    return t.columns || [];
  }

  /** The config that trains on the current choices. */
  function configFor(t) {
    const twoD = plane.value === 'two' && x.value && y.value && x.value !== y.value;
    const regression = t.task === 'regression';
    return {
      problem: regression ? 'regression' : 'classification',
      ...(regression ? { regDataset: 'csv' } : { dataset: 'csv' }),
      csvId: t.id,
      csvFeatures: twoD ? [x.value, y.value] : null,
    };
  }

  function showTable(t, csvFeatures) {
    table = t;
    const columns = columnsOf(t);
    const kind = t.task === 'regression' ? 'a number to predict (regression)'
      : `${t.classes} classes${t.classNames ? ': ' + t.classNames.slice(0, 6).join(', ') + (t.classNames.length > 6 ? ', …' : '') : ''}`;
    info.replaceChildren(element('b', { text: t.name || 'table' }), ` · ${t.rows} rows · ${columns.length} input column${columns.length === 1 ? '' : 's'}; label ‘${t.label}’: ${kind}`);
    info.hidden = false;
    // The label choice lists every column; changing it sends the file again (the server reads the labels).
    fill(label, [...columns, t.label].map((c) => [c, c]), t.label);
    label.disabled = !file;
    label.title = file ? '' : 'Upload the file again to choose another label column.';
    const canPlane = columns.length >= 2;
    fill(plane, [['two', 'two columns (2-D view)'], ['all', `all ${columns.length} columns`]].filter(([v]) => canPlane || v === 'all'),
      canPlane && (csvFeatures === undefined || csvFeatures) ? 'two' : 'all');
    const options = columns.map((c) => [c, c]);
    const chosen = csvFeatures && csvFeatures.length === 2 ? csvFeatures : columns.slice(0, 2);
    fill(x, options, chosen[0] || '');
    fill(y, options, chosen[1] || '');
    pair.hidden = plane.value !== 'two';
    choices.hidden = false;
  }

  async function apply() {
    if (!table) {
      return;
    }

    pair.hidden = plane.value !== 'two';
    if (plane.value === 'two' && x.value === y.value) {
      ctx.showMessage('Choose two different columns for x₁ and x₂.', 'warning');
      return;
    }

    try {
      await ctx.setConfig(configFor(table));
    } catch {
      // setConfig has shown the server's message.
    }
  }

  async function upload(chosen, labelColumn) {
    if (busy) {
      return;
    }

    busy = true;
    drop.classList.add('busy');
    try {
      const answer = await sendFile(chosen, labelColumn);
      const previous = table && table.id;
      file = chosen;
      showTable(answer, undefined);
      await apply();
      if (previous && previous !== answer.id) {
        // The old table is no longer needed by this page (a session still training on it keeps its own copy).
        ctx.api.del(`/api/uploads/${encodeURIComponent(previous)}`).catch(() => {});
      }
    } catch (e) {
      ctx.showMessage(e.message, 'error');
    } finally {
      busy = false;
      drop.classList.remove('busy');
      input.value = '';
    }
  }

  wireFileDrop(drop, input, (picked) => upload(picked, null));
  label.addEventListener('change', () => {
    if (file && table && label.value !== table.label) {
      upload(file, label.value);
    }
  });
  plane.addEventListener('change', apply);
  x.addEventListener('change', apply);
  y.addEventListener('change', apply);
  use.addEventListener('click', apply);

  function onView(view) {
    const active = activeCsv(view);
    box.classList.toggle('active', active);
    if (active && view.csv && (!table || table.id !== view.csv.id)) {
      // A link or a reload opened a table this page has not uploaded: show it from the session's view.
      file = null;
      showTable({
        id: view.csv.id, name: view.csv.name, rows: view.csv.rows, columns: view.csv.columns, label: view.csv.label,
        task: view.task, classes: view.classNames ? view.classNames.length : 0, classNames: view.classNames,
      }, view.config.csvFeatures);
    } else if (active && table) {
      const f = view.config.csvFeatures;
      plane.value = f ? 'two' : 'all';
      if (f) {
        x.value = f[0];
        y.value = f[1];
      }

      pair.hidden = plane.value !== 'two';
    }

    use.hidden = active || !table;
    confusion.hidden = !active || view.task === 'regression';
    if (confusion.hidden) {
      confusion.replaceChildren();
    } else if (lastConfusion && view.classNames && lastConfusion.length === view.classNames.length) {
      // The first frame of a new config can arrive before its view: draw it now (a paused session sends no other).
      drawConfusion(confusion, lastConfusion, view.classNames);
    }
  }

  ctx.onView(onView);
  if (ctx.getView()) {
    onView(ctx.getView());
  }

  ctx.onFrame((frame) => {
    const view = ctx.getView();
    lastConfusion = frame.header.confusion || null;
    // A frame of the previous config can still arrive after a new view: only a matrix of this table's classes is drawn.
    if (confusion.hidden || !lastConfusion || !view || !view.classNames || lastConfusion.length !== view.classNames.length) {
      return;
    }

    drawConfusion(confusion, frame.header.confusion, view.classNames || []);
  });
}

/** The test confusion matrix as a table: rows the true class, columns the predicted one, shaded by row share. */
function drawConfusion(container, counts, names) {
  const k = counts.length;
  const total = counts.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  const table = element('table');
  const head = element('tr', {}, element('th', { text: '' }));
  for (let j = 0; j < k; j++) {
    head.appendChild(element('th', { text: k <= 6 ? (names[j] || String(j)) : String(j), title: `predicted ${names[j] || j}` }));
  }

  table.appendChild(head);
  for (let i = 0; i < k; i++) {
    const rowTotal = counts[i].reduce((a, b) => a + b, 0);
    const row = element('tr', {}, element('th', { text: k <= 6 ? (names[i] || String(i)) : String(i), title: `true ${names[i] || i}` }));
    for (let j = 0; j < k; j++) {
      const share = rowTotal ? counts[i][j] / rowTotal : 0;
      // Correct answers in the brand blue, mistakes in orange; the stronger, the larger the share of the true class.
      const rgb = i === j ? '8,119,189' : '245,147,34';
      const cell = element('td', {
        text: k <= 10 ? String(counts[i][j]) : '',
        title: `true ${names[i] || i}, predicted ${names[j] || j}: ${counts[i][j]} of ${rowTotal}`,
      });
      cell.style.background = `rgba(${rgb},${(0.08 + 0.8 * share).toFixed(3)})`;
      cell.style.color = share > 0.55 ? '#fff' : 'inherit';
      row.appendChild(cell);
    }

    table.appendChild(row);
  }

  container.replaceChildren(
    element('div', { text: `Test confusion matrix (${total} points)` }),
    element('div', { class: 'axis', text: 'rows: true class · columns: predicted' }),
    table);
}
