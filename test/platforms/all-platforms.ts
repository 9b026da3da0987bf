import type { PlatformFixture } from './platform-fixture.js';

/** Every platform's emulator fixture, for the tests that run them all. */
export const PLATFORM_FIXTURES: PlatformFixture[] = [];
