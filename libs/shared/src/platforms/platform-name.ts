export const PLATFORM_NAMES = [
  'x',
  'mastodon',
  'bluesky',
  'linkedin',
  'facebook',
  'instagram',
  'threads',
  'telegram',
  'discord',
] as const;
export type PlatformName = (typeof PLATFORM_NAMES)[number];
