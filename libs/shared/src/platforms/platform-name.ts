import { PLATFORMS } from './platform.registry.js';

/** Every platform's name, in the order of the registry. */
export const PLATFORM_NAMES = PLATFORMS.map((definition) => definition.name);
export type PlatformName = (typeof PLATFORMS)[number]['name'];
