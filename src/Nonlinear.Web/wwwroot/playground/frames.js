// The session's live stream: binary frames over a WebSocket (docs/web-api.md, "Frames"), drawn once per animation
// frame and then acknowledged, so the server sends no faster than the page draws. A lost connection is retried with
// a growing delay; if the session is gone, `onGone` lets the page start a new one.

const decoder = new TextDecoder();

/**
 * Splits one binary message into {header, output, neurons}: a little-endian uint32 header length, the JSON header,
 * then the output grid (two planes for multiclass) and one thumbnail per neuron, in the header's order.
 */
export function decodeFrame(buffer, grid, thumb) {
  const bytes = new Uint8Array(buffer);
  const length = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length)));
  let offset = 4 + length;
  const planes = header.output && header.output.kind === 'multiclass' ? 2 : 1;
  const outputLength = grid > 0 ? grid * grid * planes : 0;
  const output = bytes.subarray(offset, offset + outputLength);
  offset += outputLength;
  const neurons = [];
  const count = Array.isArray(header.neurons) ? header.neurons.length : 0;
  for (let i = 0; i < count && thumb > 0; i++) {
    neurons.push(bytes.subarray(offset, offset + thumb * thumb));
    offset += thumb * thumb;
  }

  return { header, output, neurons };
}

export class FrameStream {
  /**
   * @param {object} options
   * @param {() => {id: string, grid: number, thumb: number}} options.session the current session (read at each connect and frame)
   * @param {(frames: object[]) => void} options.draw draws the frames that arrived since the last animation frame (oldest first)
   * @param {(state: string) => void} options.onState 'open' | 'retrying' | 'closed'
   * @param {(id: string) => Promise<boolean>} options.isGone answers whether the session no longer exists
   * @param {() => void} options.onGone called once when the session is gone
   */
  constructor({ session, draw, onState, isGone, onGone }) {
    this.session = session;
    this.draw = draw;
    this.onState = onState || (() => {});
    this.isGone = isGone;
    this.onGone = onGone;
    this.socket = null;
    this.pending = [];
    this.scheduled = false;
    this.failures = 0;
    this.timer = 0;
    this.stopped = true;
    this.connectedId = null;
  }

  /** Connects to the current session (closing any previous connection). */
  connect() {
    this.stop();
    this.stopped = false;
    const { id } = this.session();
    this.connectedId = id;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/api/sessions/${encodeURIComponent(id)}/stream`);
    socket.binaryType = 'arraybuffer';
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.failures = 0;
      this.onState('open');
    };
    socket.onmessage = (event) => {
      if (!(event.data instanceof ArrayBuffer)) {
        return;
      }

      const { grid, thumb } = this.session();
      try {
        this.pending.push(decodeFrame(event.data, grid, thumb));
      } catch (e) {
        console.warn('A frame could not be decoded:', e);
        this.ack(0);
        return;
      }

      this.schedule();
    };
    socket.onclose = () => {
      if (this.socket !== socket) {
        return;
      }

      this.socket = null;
      if (this.stopped) {
        return;
      }

      if (!opened) {
        this.failures++;
      }

      this.retry();
    };
    this.socket = socket;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.pending = [];
    if (this.socket) {
      const s = this.socket;
      this.socket = null;
      s.onclose = null;
      s.close();
    }
  }

  async retry() {
    this.onState('retrying');
    // After two failed attempts, ask whether the session still exists: a sweep or a server restart ends it.
    if (this.failures >= 2 && this.isGone) {
      let gone = false;
      try {
        gone = await this.isGone(this.connectedId);
      } catch {
        gone = false;
      }

      if (gone) {
        this.stopped = true;
        this.onState('closed');
        this.onGone();
        return;
      }
    }

    const delay = Math.min(8000, 250 * 2 ** Math.min(this.failures, 5));
    this.timer = setTimeout(() => {
      if (!this.stopped) {
        this.connect();
      }
    }, delay);
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

      try {
        this.draw(frames);
      } finally {
        for (const f of frames) {
          this.ack(f.header.frame);
        }
      }
    });
  }

  ack(n) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ ack: n }));
    }
  }
}
