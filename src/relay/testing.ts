// The relay with the hooks the test server needs (scripts/serve.mjs --test-hooks): silence a
// client id as if its path were blackholed, and drop everything between trials. Built to
// dist/relay/testing.js for the repository's own tests; not part of the package's API.

import type { Server } from 'node:http';
import { createRelay, type Relay, type RelayOptions } from './relay.js';

/** A relay that tests can blackhole clients of and reset. */
export interface TestRelay extends Relay {
  /** Drops every socket and forgets every room and silenced id. */
  reset(): void;
  /** While on, nothing from or to `id` gets through, as on a blackholed path. */
  setSilent(id: string, on: boolean): void;
}

/** `attachRelay` plus the test hooks. */
export function attachTestRelay(server: Server, options: RelayOptions = {}): TestRelay {
  const silent = new Set<string>();
  const core = createRelay(server, options, (id) => silent.has(id));
  return {
    close: () => {
      silent.clear();
      return core.close();
    },
    rooms: core.rooms,
    reset() {
      core.dropAll();
      silent.clear();
    },
    setSilent(id, on) {
      if (on) silent.add(id);
      else silent.delete(id);
    },
  };
}
