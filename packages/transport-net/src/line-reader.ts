// Reads CRLF-terminated lines from a socket with a bound on line length and on the bytes held in
// memory, so a hostile server (a 10 MB line, a trickle, an abrupt close) cannot hurt the client.
import type { Socket } from 'node:net';
import { transportErrorCodes, type FailureStage } from '@email-profiles/core';
import { withTimeout } from './deadline.js';
import { TransportError } from './errors.js';

export const DEFAULT_MAX_LINE = 64 * 1024;

type Waiter = { resolve: () => void; reject: (error: Error) => void };

export class LineReader {
  private buffer: Buffer = Buffer.alloc(0);
  private waiter: Waiter | undefined;
  private ended: Error | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    // Stop reading while a full line's worth is buffered and nobody asked for it yet.
    if (this.buffer.length > this.maxLine && this.waiter === undefined) this.socket.pause();
    this.wake();
  };
  private readonly onEnd = () => {
    this.finish(new Error('The server closed the connection'));
  };
  private readonly onError = (error: Error) => {
    this.finish(error);
  };

  constructor(
    readonly socket: Socket,
    private readonly maxLine = DEFAULT_MAX_LINE,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  /**
   * The next line without its line ending. Rejects with a TransportError of `stage` on timeout,
   * abort, an over-long line or a closed connection.
   */
  readLine(stage: FailureStage, timeoutMs: number, signal?: AbortSignal): Promise<string> {
    // A line already buffered needs no timer: a long multi-line reply is read line by line.
    if (!signal?.aborted) {
      try {
        const line = this.takeLine(stage);
        if (line !== undefined) return Promise.resolve(line);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return withTimeout(stage, timeoutMs, signal, async (inner) => {
      for (;;) {
        const line = this.takeLine(stage);
        if (line !== undefined) return line;
        if (this.ended) {
          throw new TransportError({
            stage,
            errorCode: (this.ended as { code?: string }).code ?? 'ECONNRESET',
            message: this.ended.message,
          });
        }
        await this.wait(inner);
      }
    });
  }

  /** The next complete line if one is buffered; throws when the server's line is too long. */
  private takeLine(stage: FailureStage): string | undefined {
    const end = this.buffer.indexOf(0x0a);
    if (end !== -1 && end <= this.maxLine) {
      const line = this.buffer.subarray(
        0,
        end > 0 && this.buffer[end - 1] === 0x0d ? end - 1 : end,
      );
      this.buffer = this.buffer.subarray(end + 1);
      return line.toString('utf8');
    }
    if (this.buffer.length > this.maxLine || end > this.maxLine) {
      this.socket.destroy();
      throw new TransportError({
        stage,
        errorCode: transportErrorCodes.responseTooLarge,
        message: `The server sent a line longer than ${this.maxLine} bytes`,
      });
    }
    return undefined;
  }

  /** Bytes received but not yet read as lines (handed on when another client takes over). */
  takeBuffered(): Buffer {
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest;
  }

  /** Stops listening to the socket, e.g. before a TLS upgrade or a hand-over. */
  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    this.waiter?.reject(new Error('The reader was detached'));
    this.waiter = undefined;
  }

  private wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiter = undefined;
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = {
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.socket.resume();
    });
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve();
  }

  private finish(error: Error): void {
    this.ended ??= error;
    this.wake();
  }
}
