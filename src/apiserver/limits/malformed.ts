// The answer to a request Node's HTTP parser refuses before any handler runs (a malformed request
// line or header, an oversized head, conflicting lengths): a complete HTTP/1.1 response carrying a
// Kubernetes Status, then the connection closes. Clients see the same error shape as everywhere else.
import { ApiError } from '../../api/errors.js';

export function malformedRequestResponse(parserCode: string | undefined): string {
  const tooLarge = parserCode === 'HPE_HEADER_OVERFLOW';
  const error = tooLarge
    ? new ApiError('BadRequest', 'Request header fields too large', undefined, 431)
    : new ApiError('BadRequest', `malformed HTTP request (${parserCode ?? 'parse error'})`);
  const body = JSON.stringify(error.toStatus());
  const reason = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
  return (
    `HTTP/1.1 ${error.httpCode} ${reason}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
