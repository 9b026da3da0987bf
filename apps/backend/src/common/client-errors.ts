import type { Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody, type ErrorBody } from './api-exception.filter.js';

/**
 * What to answer a request Node's HTTP parser refused before any middleware saw it (the same statuses
 * Node answers by default, which come with an empty body).
 */
export function clientErrorBody(code: string | undefined): ErrorBody {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return errorBody(431, 'The request line and headers are larger than the server accepts');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return errorBody(413, 'The chunk extensions of the body are larger than the server accepts');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return errorBody(408, 'The request did not arrive in time');
    case undefined:
    default:
      return errorBody(400, 'The request is not well-formed HTTP');
  }
}

/** Answers requests that Node cannot parse with the API's JSON error body, then closes the connection. */
export function answerClientErrorsAsJson(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // As Node's own handler: once a response has started on this socket, nothing more can be said.
    const response = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
      socket.destroy();
      return;
    }
    const body = clientErrorBody(error.code);
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${body.statusCode} ${body.error}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  });
}
