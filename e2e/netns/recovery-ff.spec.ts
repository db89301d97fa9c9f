// Recovery scenarios (browser-recovery.ts) for firefox (a, offers first) ↔ firefox (b).
import { defineBrowserRecovery } from './browser-recovery';

defineBrowserRecovery({ a: 'firefox', b: 'firefox' });
