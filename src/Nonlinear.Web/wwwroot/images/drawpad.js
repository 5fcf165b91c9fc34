// A 280x280 drawing pad (mouse, pen or touch): white ink on black like Fashion-MNIST. What the network sees is the
// pad shrunk to 28x28 by averaging each 10x10 block (input preparation, no network maths), shown beside it.

import { paintGrey } from './gallery.js';

const PAD = 280;
const SIDE = 28;
const SCALE = PAD / SIDE;

export class DrawPad {
  /**
   * @param {HTMLCanvasElement} canvas the pad (its backing store is set to 280x280)
   * @param {HTMLCanvasElement} preview a 28x28 canvas showing what is sent
   * @param {{onChange: (final: boolean) => void}} options called while drawing and once when a stroke ends
   */
  constructor(canvas, preview, { onChange }) {
    this.canvas = canvas;
    this.preview = preview;
    this.onChange = onChange;
    canvas.width = PAD;
    canvas.height = PAD;
    preview.width = SIDE;
    preview.height = SIDE;
    this.g = canvas.getContext('2d', { willReadFrequently: true });
    this.brush = 24;
    this.last = null;
    this.inked = false;
    this.clear();
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', (e) => this.up(e));
    canvas.addEventListener('pointercancel', (e) => this.up(e));
  }

  /** Whether anything has been drawn since the last clear. */
  get hasInk() {
    return this.inked;
  }

  clear() {
    this.g.fillStyle = '#000';
    this.g.fillRect(0, 0, PAD, PAD);
    this.inked = false;
    this.updatePreview();
  }

  /** Puts a 28x28 image (bytes, 0 black to 255 white) on the pad, each pixel a 10x10 block. */
  setImage(pixels) {
    for (let r = 0; r < SIDE; r++) {
      for (let c = 0; c < SIDE; c++) {
        const v = pixels[r * SIDE + c];
        this.g.fillStyle = `rgb(${v},${v},${v})`;
        this.g.fillRect(c * SCALE, r * SCALE, SCALE, SCALE);
      }
    }

    this.inked = true;
    this.updatePreview();
    this.onChange(true);
  }

  /** The 784 values in [0, 1] the server classifies: the mean brightness of each 10x10 block, row by row. */
  pixels() {
    const data = this.g.getImageData(0, 0, PAD, PAD).data;
    const out = new Array(SIDE * SIDE).fill(0);
    for (let y = 0; y < PAD; y++) {
      const row = ((y / SCALE) | 0) * SIDE;
      for (let x = 0; x < PAD; x++) {
        out[row + ((x / SCALE) | 0)] += data[4 * (y * PAD + x)];
      }
    }

    const norm = 255 * SCALE * SCALE;
    for (let i = 0; i < out.length; i++) {
      out[i] = Math.min(1, out[i] / norm);
    }

    return out;
  }

  updatePreview() {
    const values = this.pixels();
    const bytes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) {
      bytes[i] = Math.round(values[i] * 255);
    }

    paintGrey(this.preview, bytes, SIDE);
    return values;
  }

  point(e) {
    const rect = this.canvas.getBoundingClientRect();
    return [((e.clientX - rect.left) * PAD) / rect.width, ((e.clientY - rect.top) * PAD) / rect.height];
  }

  down(e) {
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.last = this.point(e);
    this.stroke(this.last, this.last);
  }

  move(e) {
    if (!this.last) {
      return;
    }

    e.preventDefault();
    const p = this.point(e);
    this.stroke(this.last, p);
    this.last = p;
  }

  up(e) {
    if (!this.last) {
      return;
    }

    this.last = null;
    if (this.canvas.hasPointerCapture(e.pointerId)) {
      this.canvas.releasePointerCapture(e.pointerId);
    }

    this.updatePreview();
    this.onChange(true);
  }

  stroke(from, to) {
    const g = this.g;
    g.strokeStyle = '#fff';
    g.lineWidth = this.brush;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.beginPath();
    g.moveTo(from[0], from[1]);
    g.lineTo(to[0], to[1]);
    g.stroke();
    this.inked = true;
    this.onChange(false);
  }
}
