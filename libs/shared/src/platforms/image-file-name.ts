/** The extension each stored image type is uploaded with (see IMAGE_MIME_TYPES). */
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/**
 * A file name for an image sent as a multipart upload. Platforms check the name's extension against
 * the contents (Mastodon's Paperclip) or show it (Discord), so it follows the sniffed type.
 */
export function imageFileName(mimeType: string, stem: string): string {
  const extension = EXTENSIONS[mimeType];
  if (!extension) throw new Error(`No file extension known for ${mimeType} images`);
  return `${stem}.${extension}`;
}
