export const PLATFORM_NAMES = ['x'] as const;
export type PlatformName = (typeof PLATFORM_NAMES)[number];
