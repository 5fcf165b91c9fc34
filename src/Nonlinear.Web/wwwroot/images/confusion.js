// The confusion matrix of the test images as the server counted it: row = true class, column = predicted class.
// Correct answers (the diagonal) are shaded blue, mistakes orange, each by its share of the row.

export class ConfusionTable {
  /**
   * @param {HTMLElement} container
   * @param {string[]} classNames the ten class names, in label order
   */
  constructor(container, classNames) {
    this.classNames = classNames;
    const k = classNames.length;
    const table = document.createElement('table');
    table.className = 'confusion';
    const head = table.createTHead().insertRow();
    const corner = document.createElement('th');
    corner.className = 'corner';
    corner.innerHTML = '<span>true ↓</span><span>predicted →</span>';
    head.appendChild(corner);
    for (const name of classNames) {
      const th = document.createElement('th');
      th.className = 'predicted';
      th.scope = 'col';
      th.innerHTML = `<span>${escapeHtml(name)}</span>`;
      head.appendChild(th);
    }

    const recallHead = document.createElement('th');
    recallHead.className = 'recall';
    recallHead.scope = 'col';
    recallHead.title = 'Share of the class found (recall)';
    recallHead.innerHTML = '<span>right</span>';
    head.appendChild(recallHead);
    const body = table.createTBody();
    this.cells = [];
    this.recall = [];
    for (let a = 0; a < k; a++) {
      const row = body.insertRow();
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = classNames[a];
      row.appendChild(th);
      const cells = [];
      for (let p = 0; p < k; p++) {
        const td = row.insertCell();
        td.className = a === p ? 'hit' : 'miss';
        cells.push(td);
      }

      this.cells.push(cells);
      const r = row.insertCell();
      r.className = 'recall';
      this.recall.push(r);
    }

    container.replaceChildren(table);
    this.table = table;
  }

  /** @param {number[][]} matrix counts, [true][predicted] */
  update(matrix) {
    if (!Array.isArray(matrix)) {
      return;
    }

    let total = 0;
    for (let a = 0; a < this.cells.length; a++) {
      const row = matrix[a] || [];
      const rowTotal = row.reduce((s, c) => s + c, 0);
      total += rowTotal;
      for (let p = 0; p < this.cells[a].length; p++) {
        const count = row[p] || 0;
        const share = rowTotal > 0 ? count / rowTotal : 0;
        const td = this.cells[a][p];
        td.textContent = count > 0 ? String(count) : '';
        // Mistakes are rarer than hits: their shade is doubled so that a 10% confusion is visible.
        const alpha = a === p ? share : Math.min(1, share * 2);
        td.style.backgroundColor = a === p ? `rgba(8, 119, 189, ${alpha.toFixed(3)})` : `rgba(245, 147, 34, ${alpha.toFixed(3)})`;
        td.classList.toggle('strong', alpha > 0.55);
        td.title = `${count} of the ${rowTotal} ${this.classNames[a]} images predicted as ${this.classNames[p]} (${(share * 100).toFixed(0)}%)`;
      }

      const right = rowTotal > 0 ? row[a] / rowTotal : NaN;
      this.recall[a].textContent = Number.isFinite(right) ? `${(right * 100).toFixed(0)}%` : '–';
    }

    this.table.dataset.total = String(total);
  }
}

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}
