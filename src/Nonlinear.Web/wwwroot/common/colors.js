// TF Playground's colours: orange for negative values and class 0, blue for positive values and class 1, a light
// grey at 0; more classes get a categorical palette. Values are shown on a fixed [-1, 1] scale.

export const NEGATIVE = '#f59322';
export const NEUTRAL = '#e8eaeb';
export const POSITIVE = '#0877bd';
export const CLASS_COLORS = ['#f59322', '#0877bd', '#2a9d55', '#8b56b3', '#d9434f'];

/** How much of a heatmap's colour is laid over white (TF Playground draws its heatmaps translucent). */
export const HEATMAP_STRENGTH = 0.72;

export function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const neg = rgb(NEGATIVE);
const mid = rgb(NEUTRAL);
const pos = rgb(POSITIVE);
const classRgb = CLASS_COLORS.map(rgb);

function mix(a, b, t) {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

function toward(c, strength) {
  return [255 - (255 - c[0]) * strength, 255 - (255 - c[1]) * strength, 255 - (255 - c[2]) * strength];
}

/** The colour of v on the [-1, 1] scale, as [r, g, b] (clamped outside). */
export function diverging(v) {
  if (!(v === v)) {
    return mid;
  }

  const t = Math.max(-1, Math.min(1, v));
  return t < 0 ? mix(mid, neg, -t) : mix(mid, pos, t);
}

/** A CSS colour for v on the [-1, 1] scale. */
export function divergingCss(v) {
  const [r, g, b] = diverging(v);
  return `rgb(${r | 0},${g | 0},${b | 0})`;
}

/** The colour of class k (cycling beyond the palette). */
export function classColor(k) {
  return CLASS_COLORS[((k % CLASS_COLORS.length) + CLASS_COLORS.length) % CLASS_COLORS.length];
}

/**
 * A byte-to-colour table (256 × RGBA) for a grid quantised over [lo, hi]: byte b stands for lo + (hi - lo) b / 255,
 * which `toScale` maps onto [-1, 1]. With `discretize` only the sign counts (TF Playground's "discretize output").
 */
export function byteTable(lo, hi, { toScale = (v) => v, discretize = false, strength = HEATMAP_STRENGTH } = {}) {
  const table = new Uint8ClampedArray(256 * 4);
  for (let b = 0; b < 256; b++) {
    let v = toScale(lo + ((hi - lo) * b) / 255);
    if (discretize) {
      // Only the sign counts; an exact 0 (a ReLU that is off) stays neutral rather than looking "on".
      v = v > 0 ? 1 : v < 0 ? -1 : 0;
    }

    const c = toward(diverging(v), strength);
    table.set([c[0], c[1], c[2], 255], b * 4);
  }

  return table;
}

/**
 * Colours of a multiclass grid: for each class k, 256 entries from "unsure" (probability 1/K, light) to "sure"
 * (probability 1, the class colour).
 */
export function classTables(classes, { discretize = false, strength = HEATMAP_STRENGTH } = {}) {
  const tables = [];
  for (let k = 0; k < classes; k++) {
    const table = new Uint8ClampedArray(256 * 4);
    const base = classRgb[k % classRgb.length];
    for (let b = 0; b < 256; b++) {
      const p = b / 255;
      const sure = discretize ? 1 : Math.max(0, Math.min(1, (p - 1 / classes) / (1 - 1 / classes)));
      const c = toward(mix(mid, base, sure), strength);
      table.set([c[0], c[1], c[2], 255], b * 4);
    }

    tables.push(table);
  }

  return tables;
}
