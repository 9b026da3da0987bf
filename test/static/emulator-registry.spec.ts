/**
 * emulators/registry.ts against the production platform registry: every platform Herald publishes to
 * has one emulated fixture (so the end-to-end suite and `npm start` cover it without being told), and
 * the emulators can all run side by side.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EMULATED_PLATFORMS, EMULATORS } from '../../emulators/registry.js';
import { PLATFORM_NAMES } from '@app/shared';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('emulators/registry.ts', () => {
  it('emulates every platform of the platform registry, once', () => {
    const emulated = EMULATED_PLATFORMS.map(({ fixture }) => fixture.platform);
    expect([...emulated].sort()).toEqual([...PLATFORM_NAMES].sort());
  });

  it('gives every emulator its own port, clear of the API', () => {
    const ports = EMULATORS.map((entry) => entry.port);
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports).not.toContain(3000);
  });

  it("runs each emulator's main.ts through the shared helper, by its folder", () => {
    for (const { folder } of EMULATORS) {
      const main = readFileSync(`${ROOT}emulators/${folder}/main.ts`, 'utf8');
      expect([folder, main]).toEqual([folder, expect.stringContaining(`await runEmulatorMain('${folder}');`)]);
    }
  });
});
