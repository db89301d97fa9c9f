// @ts-check
// Media for the test pages: a canvas video track that keeps drawing, the fake camera, and the
// one definition of "a new decoded video frame" (a stream of the current connection decoded more).

/**
 * A canvas video track that keeps drawing, so frames flow; `stopDrawing()` ends the drawing.
 * @param {string} [label] drawn on every frame
 * @param {{ width?: number, height?: number, fps?: number }} [size] default 160×120 at 30 fps
 * @returns {MediaStreamTrack & { stopDrawing: () => void }}
 */
export function canvasTrack(label = '', { width = 160, height = 120, fps = 30 } = {}) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  let n = 0;
  const draw = () => {
    ctx.fillStyle = `hsl(${(n += 7) % 360} 80% 50%)`;
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = '#000';
    ctx.fillText(`${label} ${n}`, 10, height / 2);
  };
  draw();
  const interval = setInterval(draw, Math.round(1000 / fps));
  const track = /** @type {MediaStreamTrack} */ (canvas.captureStream(fps).getVideoTracks()[0]);
  track.addEventListener('ended', () => clearInterval(interval));
  return Object.assign(track, { stopDrawing: () => clearInterval(interval) });
}

/**
 * The fake camera (Chromium's --use-fake-device-for-media-stream). Asked for even when a page
 * sends no video: without a media permission (and with no default route), Chromium gathers no
 * host candidates.
 * @param {{ width: number, height: number, frameRate?: number }} video
 */
export function fakeCamera(video) {
  return navigator.mediaDevices.getUserMedia({ video });
}

/**
 * Frames `pc` decoded so far, over all its inbound video.
 * @param {RTCPeerConnection} pc
 */
export async function framesDecoded(pc) {
  let count = 0;
  for (const frames of (await decodedByStream(pc)).values()) count += frames;
  return count;
}

/**
 * framesDecoded of each inbound video stream of `pc`, by stats id.
 * @param {RTCPeerConnection} pc
 * @returns {Promise<Map<string, number>>}
 */
async function decodedByStream(pc) {
  const byStream = new Map();
  (await pc.getStats()).forEach((stats) => {
    if (stats.type === 'inbound-rtp' && stats.kind === 'video') {
      byStream.set(stats.id, stats.framesDecoded ?? 0);
    }
  });
  return byStream;
}

/**
 * Frames decoded between two looks at the same connection. A stream's counter can start again
 * from 0: Chromium re-creates a receive stream when a renegotiation changes it (seen after an ICE
 * restart whose offers crossed: every counter of the stream went back to 1), and the frames it
 * decodes then are new frames although the connection's total went down.
 * @param {ReadonlyMap<string, number>} before
 * @param {ReadonlyMap<string, number>} now
 */
export function newFrames(before, now) {
  let frames = 0;
  for (const [id, count] of now) {
    const previous = before.get(id) ?? 0;
    frames += count >= previous ? count - previous : count;
  }
  return frames;
}

/**
 * A poll's finding: the current connection decoded more frames than at the last look.
 * @typedef {object} FrameEvent
 * @property {number} at when the poll saw it, Date.now()
 * @property {number} framesDecoded frames counted on this connection so far (restarted stream counters included)
 * @property {boolean} newConnection the first frames of a connection (the first, or a new one)
 * @property {number | null} sinceLastMs time since the previous poll that saw new frames; null
 *   before the first
 */

/**
 * Watches the decoded video of `currentPc()` (re-read at every poll, so a replaced connection is
 * followed): one getStats every `everyMs`, never two at once; `onFrames` whenever the count grew.
 * Returns a function that stops watching.
 * @param {() => RTCPeerConnection | null | undefined} currentPc
 * @param {{ everyMs: number, onFrames: (event: FrameEvent) => void, onError?: (error: unknown) => void }} options
 */
export function watchFrames(currentPc, { everyMs, onFrames, onError }) {
  /** @type {RTCPeerConnection | null} */
  let watched = null;
  /** @type {Map<string, number>} */
  let decoded = new Map();
  let total = 0;
  let lastAt = 0;
  /**
   * The connection a getStats is in flight for. Only a poll of that same connection waits for
   * it: Firefox may never settle a getStats on a connection closed meanwhile (a replaced one),
   * which must not stop the watching of its successor.
   * @type {RTCPeerConnection | null}
   */
  let polling = null;
  const timer = setInterval(async () => {
    const pc = currentPc();
    if (!pc || pc === polling || pc.connectionState === 'closed') return;
    polling = pc;
    try {
      const byStream = await decodedByStream(pc);
      if (pc !== currentPc()) return; // replaced while getStats ran
      const newConnection = pc !== watched;
      if (newConnection) {
        watched = pc;
        decoded = new Map();
        total = 0;
      }
      const frames = newFrames(decoded, byStream);
      decoded = byStream;
      if (frames > 0) {
        const at = Date.now();
        const first = newConnection || total === 0;
        total += frames;
        onFrames({
          at,
          framesDecoded: total,
          newConnection: first,
          sinceLastMs: lastAt === 0 ? null : at - lastAt,
        });
        lastAt = at;
      }
    } catch (error) {
      onError?.(error);
    } finally {
      if (polling === pc) polling = null;
    }
  }, everyMs);
  return () => clearInterval(timer);
}
