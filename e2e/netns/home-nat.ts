// Owns one home router's NAT behaviour: the nft table that maps the peer's flows to the router's
// public address (endpoint-independent or symmetric), drops unsolicited packets from outside, and
// loses its state on demand (conntrack flushed) in a way that changes every mapping.

import { run } from './sh';

/** How a home router maps a peer's flows to its public address (RFC 4787 terms). */
export type NatKind =
  /** Endpoint-independent mapping (ports kept where free): a srflx candidate works for any remote. */
  | 'eim'
  /** Address-and-port-dependent mapping with random ports ("symmetric"): only a relay works. */
  | 'symmetric';

/** The nft table every home router's NAT lives in (native nft: iptables cannot shift ports). */
export const NAT_TABLE = 'rpthome';

/** A home router's NAT, installed. */
export interface HomeNat {
  readonly kind: NatKind;
  /**
   * The router loses its NAT state: the mapping rule switches to its next variant, then conntrack
   * is flushed, so every flow (UDP and TCP) gets a mapping it did not have before. Without the
   * switch an EIM router would hand out the very same ports again and nothing would change.
   */
  lose(): Promise<void>;
  /** Back to the first variant (between trials); flushes conntrack only if it was switched. */
  reset(): Promise<void>;
}

/**
 * The mapping variants of each kind, used in turn. All keep the kind's behaviour and differ in
 * every port, so a flush plus a switch changes each mapping:
 * - eim: ports kept (`masquerade`), or every port XOR 0x4000, 0x2000, 0x6000 (bijections, so still
 *   one mapping per internal endpoint whatever the destination; a port already taken is a drop,
 *   not a retry). Source ports at or above 32768, as every ephemeral one is, stay there. Four
 *   variants make a flow's mapping differ from all it had before for three resets in a row.
 * - symmetric: a fresh random port per flow (`fully-random`), from 1024-32767 or from 32768-65535.
 */
const EIM_XOR = [0, 0x4000, 0x2000, 0x6000] as const;
const VARIANTS: Readonly<Record<NatKind, number>> = { eim: EIM_XOR.length, symmetric: 2 };

function mappingRules(kind: NatKind, variant: number, publicAddress: string): string[] {
  if (kind === 'symmetric') {
    const ports = variant === 0 ? '1024-32767' : '32768-65535';
    return [`meta l4proto { tcp, udp } masquerade to :${ports} fully-random`, 'masquerade'];
  }
  const xor = EIM_XOR[variant] ?? 0;
  if (xor === 0) return ['masquerade'];
  const hex = `0x${xor.toString(16)}`;
  return [
    `meta l4proto udp snat ip to ${publicAddress} : udp sport ^ ${hex}`,
    `meta l4proto tcp snat ip to ${publicAddress} : tcp sport ^ ${hex}`,
    'masquerade',
  ];
}

/** Installs the NAT in namespace `ns`, whose interface `wan` faces the public core. */
export async function installHomeNat(
  ns: string,
  wan: string,
  publicAddress: string,
  kind: NatKind,
): Promise<HomeNat> {
  let variant = 0;
  const nft = (script: string[]): Promise<string> =>
    run('ip', ['netns', 'exec', ns, 'nft', script.join('\n')]);
  const setMapping = async (next: number): Promise<void> => {
    // One nft transaction: no packet sees an empty mapping chain in between.
    await nft([
      `flush chain ip ${NAT_TABLE} mapping`,
      ...mappingRules(kind, next, publicAddress).map(
        (r) => `add rule ip ${NAT_TABLE} mapping ${r}`,
      ),
    ]);
    variant = next;
  };
  const flushConntrack = (): Promise<string> => run('ip', ['netns', 'exec', ns, 'conntrack', '-F']);

  await nft([
    `add table ip ${NAT_TABLE}`,
    // A real home router drops what nobody inside asked for. Dropping it here also keeps the
    // conntrack entry of an unsolicited packet unconfirmed: confirmed, it would make the NAT pick
    // another port for the peer's own flow to the same remote, and hole punching would fail.
    `add chain ip ${NAT_TABLE} input { type filter hook input priority filter; policy accept; }`,
    `add rule ip ${NAT_TABLE} input iifname "${wan}" drop`,
    `add chain ip ${NAT_TABLE} postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `add chain ip ${NAT_TABLE} mapping`,
    `add rule ip ${NAT_TABLE} postrouting oifname "${wan}" jump mapping`,
  ]);
  await setMapping(0);

  return {
    kind,
    async lose() {
      // Switch first, then flush: a packet in between cannot recreate a flow with an old mapping.
      await setMapping((variant + 1) % VARIANTS[kind]);
      await flushConntrack();
    },
    async reset() {
      if (variant === 0) return;
      await setMapping(0);
      await flushConntrack();
    },
  };
}
