/** A 1x1 JPEG (every platform accepts JPEG): the smallest image a real decoder opens. */
const TINY_JPEG_BASE64 =
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////' +
  '////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=';

export const tinyJpeg = (): Buffer => Buffer.from(TINY_JPEG_BASE64, 'base64');
