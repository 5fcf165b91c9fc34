// The small loss chart of the output panel: training and test loss per epoch, as the server reported them.

const MAX_POINTS = 1500;

export class LossCurve {
  constructor(canvas) {
    this.canvas = canvas;
    this.points = []; // [epoch, train, test]
    this.dirty = true;
    new ResizeObserver(() => {
      this.dirty = true;
      this.draw();
    }).observe(canvas);
  }

  clear() {
    this.points = [];
    this.dirty = true;
  }

  /** Adds a frame's new points; a curve that goes back in epochs (a reset, a new config) starts over. */
  add(curve) {
    if (!Array.isArray(curve) || curve.length === 0) {
      return;
    }

    for (const point of curve) {
      const last = this.points[this.points.length - 1];
      if (last && point[0] < last[0]) {
        this.points = [];
      } else if (last && point[0] === last[0]) {
        // The same epoch again (a weight was edited while paused): the new losses replace the old.
        this.points.pop();
      }

      this.points.push(point);
    }

    if (this.points.length > MAX_POINTS) {
      // Keep the first and last points and every second one between: the shape stays, the cost stays bounded.
      const kept = this.points.filter((_, i) => i % 2 === 0 || i === this.points.length - 1);
      this.points = kept;
    }

    this.dirty = true;
  }

  draw() {
    if (!this.dirty) {
      return;
    }

    this.dirty = false;
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const w = Math.round(canvas.clientWidth * ratio);
    const h = Math.round(canvas.clientHeight * ratio);
    if (!w || !h) {
      return;
    }

    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }

    const context = canvas.getContext('2d');
    context.clearRect(0, 0, w, h);
    const pts = this.points;
    canvas.dataset.points = String(pts.length);
    if (pts.length === 0) {
      return;
    }

    let max = 0;
    for (const p of pts) {
      for (let j = 1; j <= 2; j++) {
        if (Number.isFinite(p[j]) && p[j] > max) {
          max = p[j];
        }
      }
    }

    if (!(max > 0)) {
      max = 1;
    }

    const first = pts[0][0];
    const span = Math.max(1, pts[pts.length - 1][0] - first);
    const pad = 2 * ratio;
    const x = (epoch) => pad + ((epoch - first) / span) * (w - 2 * pad);
    const y = (loss) => h - pad - (loss / max) * (h - 2 * pad);
    const line = (j, colour, width) => {
      context.beginPath();
      let started = false;
      for (const p of pts) {
        if (!Number.isFinite(p[j])) {
          started = false;
          continue;
        }

        if (started) {
          context.lineTo(x(p[0]), y(p[j]));
        } else {
          context.moveTo(x(p[0]), y(p[j]));
          started = true;
        }
      }

      context.strokeStyle = colour;
      context.lineWidth = width * ratio;
      context.lineJoin = 'round';
      context.stroke();
    };

    line(2, '#9aa3a8', 1.5);
    line(1, '#1d2a30', 1.5);
  }
}
