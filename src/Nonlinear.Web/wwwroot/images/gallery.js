// A grid of test images (sent once by GET /api/images/gallery) with the network's current prediction under each:
// green when it is the true class, red when not. Clicking an image copies it onto the drawing pad.

import { escapeHtml } from './confusion.js';

export class Gallery {
  /**
   * @param {HTMLElement} container
   * @param {{onPick: (pixels: Uint8Array, index: number) => void}} options
   */
  constructor(container, { onPick }) {
    this.container = container;
    this.onPick = onPick;
    this.items = [];
  }

  /** @param {{count: number, side: number, labels: number[], classNames: string[], pixels: string}} gallery */
  setImages(gallery) {
    const { count, side, labels, classNames } = gallery;
    const bytes = Uint8Array.from(atob(gallery.pixels), (c) => c.charCodeAt(0));
    this.classNames = classNames;
    this.items = [];
    const grid = document.createElement('div');
    grid.className = 'gallery-grid';
    for (let i = 0; i < count; i++) {
      const pixels = bytes.subarray(i * side * side, (i + 1) * side * side);
      const figure = document.createElement('figure');
      figure.className = 'gallery-item';
      figure.dataset.index = String(i);
      figure.dataset.label = String(labels[i]);
      const button = document.createElement('button');
      button.type = 'button';
      button.title = `Test image ${i + 1}: a ${classNames[labels[i]]}. Click to put it on the drawing pad.`;
      const canvas = document.createElement('canvas');
      canvas.width = side;
      canvas.height = side;
      paintGrey(canvas, pixels, side);
      button.appendChild(canvas);
      button.addEventListener('click', () => this.onPick(pixels, i));
      const caption = document.createElement('figcaption');
      caption.innerHTML = `<span class="predicted">…</span><span class="truth">${escapeHtml(classNames[labels[i]])}</span>`;
      figure.append(button, caption);
      grid.appendChild(figure);
      this.items.push({ figure, predicted: caption.querySelector('.predicted'), label: labels[i] });
    }

    this.container.replaceChildren(grid);
  }

  /** The frame's predictions: a class and its probability per image. */
  update(gallery) {
    if (!gallery || !Array.isArray(gallery.predicted)) {
      return;
    }

    let right = 0;
    this.items.forEach((item, i) => {
      const p = gallery.predicted[i];
      const probability = gallery.probability[i];
      const ok = p === item.label;
      right += ok ? 1 : 0;
      item.figure.classList.toggle('right', ok);
      item.figure.classList.toggle('wrong', !ok);
      item.figure.dataset.predicted = String(p);
      const pct = Number.isFinite(probability) ? ` ${(probability * 100).toFixed(0)}%` : '';
      item.predicted.textContent = `${ok ? '✓' : '✗'} ${this.classNames[p]}${pct}`;
    });
    this.container.dataset.right = String(right);
  }
}

/** Draws bytes (0 black to 255 white) as a grey image on a canvas of the same size. */
export function paintGrey(canvas, pixels, side) {
  const g = canvas.getContext('2d');
  const image = g.createImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const v = pixels[i];
    image.data[4 * i] = v;
    image.data[4 * i + 1] = v;
    image.data[4 * i + 2] = v;
    image.data[4 * i + 3] = 255;
  }

  g.putImageData(image, 0, 0);
}
