import { describe, expect, it } from '@jest/globals';
import { clientErrorBody } from './client-errors.js';

describe('clientErrorBody', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 431, 'Request Header Fields Too Large'],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', 413, 'Payload Too Large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'Request Timeout'],
    ['HPE_INVALID_METHOD', 400, 'Bad Request'],
    [undefined, 400, 'Bad Request'],
  ])('answers %s with %i in the API error shape', (code, statusCode, error) => {
    expect(clientErrorBody(code)).toEqual({ statusCode, error, message: expect.stringMatching(/^The .+/) });
  });
});
