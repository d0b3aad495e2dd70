// The backend the config names. Hardware backends are created only when asked for: the dev
// profile (virtual) never touches /sys.
import type { LedsConfig } from './config.js';
import type { BackendDeps, LedBackend } from './led-backend.js';
import { createFileBackend } from './file-backend.js';
import { createGpioBackend } from './gpio-backend.js';
import { createSysfsBackend } from './sysfs-backend.js';
import { createVirtualBackend } from './virtual-backend.js';

export function createLedBackend(cfg: LedsConfig, deps: BackendDeps): LedBackend {
  switch (cfg.backend) {
    case 'gpio': return createGpioBackend(cfg, deps);
    case 'sysfs': return createSysfsBackend(cfg, deps);
    case 'file': return createFileBackend(cfg.path);
    case 'virtual': return createVirtualBackend();
  }
}
