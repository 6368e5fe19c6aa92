import { describe, expect, it } from 'vitest';
import { lastErrorLine } from './log-tail.js';

describe('lastErrorLine', () => {
  it("prefers the CLI's last words", () => {
    const tail = [
      '{"level":50,"msg":"watch failed"}',
      'kubelite: Error: listen EADDRINUSE: address already in use 127.0.0.1:8080',
      '    at Server.setupListenHandle',
    ].join('\n');
    expect(lastErrorLine(tail)).toBe('Error: listen EADDRINUSE: address already in use 127.0.0.1:8080');
  });

  it('else the last error-level JSON line with its cause', () => {
    const tail = [
      '{"level":50,"msg":"old"}',
      '{"level":50,"msg":"runtime unavailable","err":{"message":"connect ENOENT"}}',
      '{"level":30,"msg":"stopping"}',
    ].join('\n');
    expect(lastErrorLine(tail)).toBe('runtime unavailable: connect ENOENT');
    expect(lastErrorLine('{"level":30,"msg":"fine"}\n')).toBeUndefined();
    expect(lastErrorLine(`kubelite: ${'x'.repeat(500)}`, 20)).toHaveLength(20);
  });
});
