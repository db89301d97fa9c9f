// Recovery scenarios (browser-recovery.ts) for chromium (a, offers first) ↔ firefox (b).
import { defineBrowserRecovery } from './browser-recovery';

defineBrowserRecovery({ a: 'chromium', b: 'firefox' });
