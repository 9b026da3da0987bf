import { graphProblem, invalidParameter, MAX_IMAGE_BYTES, sniffImage } from './threads-wire.js';

const FETCH_TIMEOUT_MS = 10_000;

/**
 * Threads pulls an image from `image_url` while it creates the container, and refuses the container
 * (code 1, subcode 2207052 "Media download has failed.") when it cannot; so does the emulator.
 */
export async function fetchImage(imageUrl: string): Promise<{ mimeType: string; bytes: Buffer }> {
  let url: URL;
  try {
    url = new URL(imageUrl);
  } catch {
    throw invalidParameter('Param image_url must be a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidParameter('Param image_url must be an http or https URL');
  }

  let bytes: Buffer;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    bytes = Buffer.from(await response.arrayBuffer());
  } catch {
    throw mediaProblem(
      2207052,
      'Media download has failed.',
      `The media could not be fetched from this URI: ${imageUrl}. Please check the limitations section of our ` +
        'development documents for more details.',
    );
  }
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw mediaProblem(2207004, 'Image is too large', 'The image is larger than the 8 MB Threads accepts.');
  }
  const mimeType = sniffImage(bytes);
  if (!mimeType) {
    throw mediaProblem(2207005, 'Unsupported format', 'The image format is not supported. Use a JPEG or PNG image.');
  }
  return { mimeType, bytes };
}

const mediaProblem = (subcode: number, title: string, message: string) =>
  graphProblem(400, {
    message: 'An unknown error occurred',
    code: 1,
    error_subcode: subcode,
    is_transient: false,
    error_user_title: title,
    error_user_msg: message,
  });
