// Recovery scenarios (browser-recovery.ts) for firefox (a, offers first) ↔ chromium (b).
import { defineBrowserRecovery } from './browser-recovery';

defineBrowserRecovery({ a: 'firefox', b: 'chromium' });
