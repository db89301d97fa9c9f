// The chart of the one-call cases: a hand-written SVG of restore → first new decoded video frame,
// one panel per cut kind and browser pairing, one bar per variant.

import type { CallCase, Variant } from './cases.js';
import { isChromiumPair, pairingLabel, pairingName, VARIANTS } from './cases.js';
import { ms, type Summary } from './report';

/** Okabe–Ito colours, readable by colour-blind readers; the library's defaults in blue. */
const COLORS: Record<Variant, string> = {
  a: '#E69F00',
  b: '#D55E00',
  c: '#0072B2',
  d: '#CC79A7',
  e: '#009E73',
};

const SHORT: Record<Variant, string> = {
  a: 'a · MDN naive (iceConnectionState failed)',
  b: 'b · naive (connectionState failed)',
  c: 'c · resilient-peer defaults',
  d: 'd · resilient-peer, LiveKit-like (failed only, delay table)',
  e: 'e · resilient-peer, stall probe off',
};

const TITLES: Record<CallCase['kind'], string> = {
  media: 'Media path cut (signaling up)',
  full: 'Full cut of peer A (signaling too)',
  linkdown: "Peer A's link down (offline, online)",
  readdress: 'Peer A changes address',
  srflx: 'Every path cut, both behind NATs (srflx)',
  relay: 'Every path cut, B behind a symmetric NAT (TURN)',
};

/** One panel: a kind in one pairing. */
interface Panel {
  readonly kind: CallCase['kind'];
  readonly pairing: string;
  readonly title: string;
}

/** The panels, in the order their summaries come; the pairing named where it is not Chromium both. */
function panelsOf(summaries: readonly Summary[]): Panel[] {
  const panels = new Map<string, Panel>();
  for (const s of summaries) {
    const pairing = pairingName(s.browsers);
    const title = isChromiumPair(s.browsers)
      ? TITLES[s.kind]
      : `${TITLES[s.kind]} · ${pairingLabel(s.browsers)}`;
    panels.set(`${s.kind}|${pairing}`, { kind: s.kind, pairing, title });
  }
  return [...panels.values()];
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Grouped bars, one panel per cut kind and pairing: outage lengths on x, one bar per variant, the median of
 * restore → first new decoded frame on a log y axis. A run that did not recover counts as slower
 * than any value; a median that is such a run is drawn as a hatched full-height bar marked ✗.
 */
export function renderSvg(
  summaries: readonly Summary[],
  meta: { readonly subtitle: string; readonly observeMs?: number },
): string {
  const observeMs = meta.observeMs ?? 60_000;
  const panels = panelsOf(summaries);
  const variants = (Object.keys(VARIANTS) as Variant[]).filter((v) =>
    summaries.some((s) => s.variant === v),
  );
  const panelW = 470;
  const panelH = 300;
  const left = 78;
  const top = 88;
  const gap = 60;
  const legendH = 22 * Math.ceil(variants.length / 2) + 16;
  const width = Math.max(1080, left + panels.length * panelW + (panels.length - 1) * gap + 24);
  const height = top + panelH + 52 + legendH;
  const yMin = 10;
  const yMax = observeMs;
  const y = (v: number): number => {
    const clamped = Math.min(yMax, Math.max(yMin, v));
    return top + panelH - (Math.log10(clamped / yMin) / Math.log10(yMax / yMin)) * panelH;
  };
  const ticks = [10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 60_000].filter((t) => t <= yMax);
  const tickLabel = (t: number): string => (t < 1000 ? `${t} ms` : `${t / 1000} s`);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#888" stroke-width="3"/></pattern></defs>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="26" font-size="17" font-weight="bold">Time from network restore to the first new decoded video frame (median, both directions)</text>`,
    `<text x="${left}" y="46" fill="#444">${escapeXml(meta.subtitle)} · lower is better · log scale · ✗ = not recovered within ${observeMs / 1000} s</text>`,
  );
  panels.forEach(({ kind, pairing, title }, k) => {
    const x0 = left + k * (panelW + gap);
    const inPanel = summaries.filter((s) => s.kind === kind && pairingName(s.browsers) === pairing);
    const outages = [...new Set(inPanel.map((s) => s.outageMs))].sort((x, y) => x - y);
    out.push(
      `<text x="${x0 + panelW / 2}" y="${top - 14}" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    );
    for (const t of ticks) {
      out.push(
        `<line x1="${x0}" x2="${x0 + panelW}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e3e3e3"/>`,
        `<text x="${x0 - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" fill="#555">${tickLabel(t)}</text>`,
      );
    }
    out.push(
      `<line x1="${x0}" x2="${x0}" y1="${top}" y2="${top + panelH}" stroke="#333"/>`,
      `<line x1="${x0}" x2="${x0 + panelW}" y1="${top + panelH}" y2="${top + panelH}" stroke="#333"/>`,
    );
    if (k === 0) {
      const cy = top + panelH / 2;
      out.push(
        `<text transform="translate(${x0 - 62} ${cy}) rotate(-90)" text-anchor="middle" fill="#333">restore → first new frame</text>`,
      );
    }
    const groupW = panelW / outages.length;
    const barW = Math.min(22, (groupW - 18) / variants.length);
    outages.forEach((outageMs, g) => {
      const gx = x0 + g * groupW + (groupW - barW * variants.length) / 2;
      out.push(
        `<text x="${x0 + g * groupW + groupW / 2}" y="${top + panelH + 18}" text-anchor="middle">${outageMs === 0 ? 'at once' : `${outageMs / 1000} s`}</text>`,
      );
      variants.forEach((variant, i) => {
        const s = inPanel.find((e) => e.outageMs === outageMs && e.variant === variant);
        if (s === undefined || s.runs === 0) return;
        const bx = gx + i * barW;
        const med = s.restoreToFrame.median;
        const failedRuns = s.runs - s.recovered;
        const base = top + panelH;
        if (med === null) {
          out.push(
            `<rect x="${(bx + 1).toFixed(1)}" y="${top}" width="${(barW - 2).toFixed(1)}" height="${panelH}" fill="url(#hatch)" stroke="${COLORS[variant]}" stroke-width="2"><title>${variant} ${kind} ${outageMs / 1000} s: not recovered (${s.recovered}/${s.runs})</title></rect>`,
            `<text x="${(bx + barW / 2).toFixed(1)}" y="${top - 2}" text-anchor="middle" font-size="13" fill="${COLORS[variant]}" font-weight="bold">✗</text>`,
          );
          return;
        }
        const yTop = y(Math.max(med, yMin));
        const label = med < 1000 ? `${med} ms` : `${(med / 1000).toFixed(1)} s`;
        out.push(
          `<rect x="${(bx + 1).toFixed(1)}" y="${yTop.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(base - yTop).toFixed(1)}" fill="${COLORS[variant]}"><title>${variant} ${kind} ${outageMs / 1000} s: median ${ms(med)}, recovered ${s.recovered}/${s.runs}</title></rect>`,
          `<text transform="translate(${(bx + barW / 2 + 4).toFixed(1)} ${(yTop - 4).toFixed(1)}) rotate(-90)" font-size="10" fill="#222">${label}${failedRuns > 0 ? ` (${s.recovered}/${s.runs})` : ''}</text>`,
        );
      });
    });
    out.push(
      `<text x="${x0 + panelW / 2}" y="${top + panelH + 38}" text-anchor="middle" fill="#333">${kind === 'readdress' ? 'no restore: from the change' : 'outage length'}</text>`,
    );
  });
  const ly = top + panelH + 58;
  variants.forEach((variant, i) => {
    const lx = left + (i % 2) * 470;
    const yy = ly + Math.floor(i / 2) * 22;
    out.push(
      `<rect x="${lx}" y="${yy}" width="14" height="14" fill="${COLORS[variant]}"/>`,
      `<text x="${lx + 20}" y="${yy + 11}">${escapeXml(SHORT[variant])}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
