// The building blocks of a fault: a reversible step, the tagged iptables DROP rule most faults
// are made of, and the sweep that removes every tagged rule a namespace still has.

import { run } from './sh';

/** One reversible part of a fault; a fault applies its steps in order and undoes them in reverse. */
export interface Step {
  apply(): Promise<void>;
  undo(): Promise<void>;
}

/** Every iptables rule a fault adds carries this comment. */
export const RULE_COMMENT = 'rpt-fault';

/** A step made of two `ip` command lines. */
export function ipStep(apply: readonly string[], undo: readonly string[]): Step {
  return {
    apply: async () => {
      await run('ip', apply);
    },
    undo: async () => {
      await run('ip', undo);
    },
  };
}

/** Inserts (and deletes on undo) a tagged `chain ...match -j DROP` rule in namespace `ns`. */
export function dropRule(ns: string, chain: string, ...match: string[]): Step {
  const spec = [chain, ...match, '-m', 'comment', '--comment', RULE_COMMENT, '-j', 'DROP'];
  return ipStep(
    ['netns', 'exec', ns, 'iptables', '-w', '-I', ...spec],
    ['netns', 'exec', ns, 'iptables', '-w', '-D', ...spec],
  );
}

/** Deletes every tagged rule of the filter table in namespace `ns`. */
export async function clearTaggedRules(ns: string): Promise<void> {
  const saved = await run('ip', ['netns', 'exec', ns, 'iptables-save', '-t', 'filter']);
  for (const line of saved.split('\n')) {
    if (!line.startsWith('-A ') || !line.includes(`--comment ${RULE_COMMENT}`)) continue;
    // iptables-save prints the rule as it was added; the same words after -D delete it.
    const words = line.slice(3).split(' ');
    await run('ip', ['netns', 'exec', ns, 'iptables', '-w', '-D', ...words]);
  }
}
