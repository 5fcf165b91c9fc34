// Line charts of the training run as the server reported it: one point per evaluation of the test images,
// [epoch, trainLoss, testLoss, trainAccuracy, testAccuracy] (docs/web-api.md, "Images"). Only drawing here.

const MAX_POINTS = 1200;

/** The points of both charts, shared: a reset (epochs going back) starts them over. */
export class CurvePoints {
  constructor() {
    this.points = [];
    this.version = 0;
  }

  clear() {
    this.points = [];
    this.version++;
  }

  add(curve) {
    if (!Array.isArray(curve) || curve.length === 0) {
      return;
    }

    for (const point of curve) {
      const last = this.points[this.points.length - 1];
      if (last && point[0] < last[0]) {
        this.points = [];
      } else if (last && point[0] === last[0]) {
        this.points.pop();
      }

      this.points.push(point);
    }

    if (this.points.length > MAX_POINTS) {
      // Every second point, first and last kept: the shape stays and drawing stays cheap on long runs.
      this.points = this.points.filter((_, i) => i % 2 === 0 || i === this.points.length - 1);
    }

    this.version++;
  }
}

/** One chart: two series (training dark, test blue) of the shared points, with a few labelled grid lines. */
export class Curve {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {CurvePoints} source
   * @param {{train: number, test: number, fixed?: [number, number], format: (v: number) => string}} options
   */
  constructor(canvas, source, { train, test, fixed = null, format }) {
    this.canvas = canvas;
    this.source = source;
    this.train = train;
    this.test = test;
    this.fixed = fixed;
    this.format = format;
    this.drawn = -1;
    new ResizeObserver(() => {
      this.drawn = -1;
      this.draw();
    }).observe(canvas);
  }

  draw() {
    if (this.drawn === this.source.version) {
      return;
    }

    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const w = Math.round(canvas.clientWidth * ratio);
    const h = Math.round(canvas.clientHeight * ratio);
    if (!w || !h) {
      return;
    }

    this.drawn = this.source.version;
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }

    const g = canvas.getContext('2d');
    g.clearRect(0, 0, w, h);
    const pts = this.source.points;
    canvas.dataset.points = String(pts.length);
    let [lo, hi] = this.fixed || [0, 0];
    if (!this.fixed) {
      for (const p of pts) {
        for (const j of [this.train, this.test]) {
          if (Number.isFinite(p[j]) && p[j] > hi) {
            hi = p[j];
          }
        }
      }

      hi = hi > 0 ? hi * 1.05 : 1;
    }

    const left = 34 * ratio;
    const pad = 6 * ratio;
    const bottom = 16 * ratio;
    const first = pts.length ? pts[0][0] : 0;
    const lastEpoch = pts.length ? pts[pts.length - 1][0] : 1;
    const span = Math.max(1e-9, lastEpoch - first) || 1;
    const x = (epoch) => left + ((epoch - first) / span) * (w - left - pad);
    const y = (v) => h - bottom - ((v - lo) / (hi - lo)) * (h - bottom - pad);

    g.font = `${10 * ratio}px system-ui, sans-serif`;
    g.fillStyle = '#8d979d';
    g.strokeStyle = '#e3e6e8';
    g.lineWidth = ratio;
    g.textBaseline = 'middle';
    g.textAlign = 'right';
    for (let i = 0; i <= 4; i++) {
      const v = lo + ((hi - lo) * i) / 4;
      const yy = Math.round(y(v)) + 0.5;
      g.beginPath();
      g.moveTo(left, yy);
      g.lineTo(w - pad, yy);
      g.stroke();
      g.fillText(this.format(v), left - 4 * ratio, yy);
    }

    g.textAlign = 'left';
    g.textBaseline = 'bottom';
    g.fillText(`epoch ${formatEpoch(first)}`, left, h);
    g.textAlign = 'right';
    g.fillText(formatEpoch(lastEpoch), w - pad, h);
    if (pts.length === 0) {
      return;
    }

    const line = (j, colour) => {
      g.strokeStyle = colour;
      g.fillStyle = colour;
      g.lineWidth = 1.75 * ratio;
      g.lineJoin = 'round';
      // Runs of finite values are lines; a value alone (the first evaluation, or between gaps) is a dot.
      let run = [];
      const flush = () => {
        if (run.length === 1) {
          g.beginPath();
          g.arc(run[0][0], run[0][1], 2.5 * ratio, 0, 2 * Math.PI);
          g.fill();
        } else if (run.length > 1) {
          g.beginPath();
          run.forEach(([px, py], i) => (i === 0 ? g.moveTo(px, py) : g.lineTo(px, py)));
          g.stroke();
        }

        run = [];
      };
      for (const p of pts) {
        if (Number.isFinite(p[j])) {
          run.push([x(p[0]), y(Math.min(hi, Math.max(lo, p[j])))]);
        } else {
          flush();
        }
      }

      flush();
    };

    line(this.train, '#1d2a30');
    line(this.test, '#0877bd');
  }
}

function formatEpoch(e) {
  return e >= 10 ? e.toFixed(0) : e.toFixed(1);
}
