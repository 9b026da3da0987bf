/**
 * Why a file cannot be used as an image, phrased to follow the name of the field it came from
 * (`media.0.url: is text/html, not an image`). Safe to show to the client.
 */
export class MediaProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaProblem';
  }
}

/** The file, or a post's files together, would take more bytes than Herald accepts (413, not 400). */
export class MediaTooLarge extends MediaProblem {
  constructor(message: string) {
    super(message);
    this.name = 'MediaTooLarge';
  }
}
