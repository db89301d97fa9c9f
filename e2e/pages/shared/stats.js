// @ts-check
// Reading the test pages' getStats reports: the selected candidate pair's two candidates. The
// `transport` report names the pair; a pair marked `selected` stands in where it does not.

/**
 * The local and remote candidate stats of the selected pair in `report` (undefined without one).
 * @param {RTCStatsReport} report
 * @returns {{ local: any, remote: any }}
 */
export function selectedCandidates(report) {
  /** @type {Map<string, any>} */
  const stats = new Map();
  report.forEach((s) => stats.set(s.id, s));
  const transport = [...stats.values()].find((s) => s.type === 'transport');
  const pair =
    stats.get(transport?.selectedCandidatePairId) ??
    [...stats.values()].find((s) => s.type === 'candidate-pair' && s.selected);
  return { local: stats.get(pair?.localCandidateId), remote: stats.get(pair?.remoteCandidateId) };
}
