/**
 * One try of a request on one picked instance: the handler undici calls for that try. It owns
 * the instance handle (released exactly once, with the outcome), and the per-try timer. A try
 * that was abandoned (it ran out of time, or the request moved on) ignores everything undici
 * still tells it, and aborts its connection as soon as it gets one.
 */
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { InstanceHandle } from '../balance/index.js';

type Controller = Dispatcher.DispatchController;
type IncomingHeaders = Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2];

/** What a try tells the request it belongs to. */
export interface AttemptOwner {
  tryStarted(attempt: Attempt, controller: Controller, context: unknown): void;
  tryUpgraded(statusCode: number, headers: IncomingHeaders, socket: Duplex): void;
  tryResponded(statusCode: number, headers: IncomingHeaders, statusMessage: string | undefined): void;
  tryData(chunk: Buffer): void;
  tryEnded(trailers: IncomingHeaders): void;
  tryFailed(attempt: Attempt, error: Error, responded: boolean): void;
  tryTimedOut(attempt: Attempt): void;
}

export class Attempt implements Dispatcher.DispatchHandler {
  /** Set once the try is over for the request (failed, timed out, ended): later callbacks are ignored. */
  private over: Error | undefined;
  private controller: Controller | undefined;
  private status = 0;
  private responded = false;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly owner: AttemptOwner,
    readonly handle: InstanceHandle,
    timeoutMs: number,
  ) {
    if (timeoutMs > 0) {
      this.timer = setTimeout(() => owner.tryTimedOut(this), timeoutMs);
      this.timer.unref();
    }
  }

  /** Gives the try up: its connection (now or once it has one) is aborted with `reason`. */
  abandon(reason: Error): void {
    this.finish(reason);
    this.controller?.abort(reason);
  }

  onRequestStart(controller: Controller, context: unknown): void {
    if (this.over !== undefined) {
      controller.abort(this.over);
      return;
    }
    this.controller = controller;
    this.owner.tryStarted(this, controller, context);
  }

  onRequestUpgrade(_controller: Controller, statusCode: number, headers: IncomingHeaders, socket: Duplex): void {
    if (this.over !== undefined) return;
    this.finish(new Error('upgraded'));
    this.handle.release(true);
    this.owner.tryUpgraded(statusCode, headers, socket);
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: IncomingHeaders, statusMessage?: string): void {
    if (this.over !== undefined) return;
    clearTimeout(this.timer);
    this.responded = true;
    this.status = statusCode;
    this.owner.tryResponded(statusCode, headers, statusMessage);
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    if (this.over === undefined) this.owner.tryData(chunk);
  }

  onResponseEnd(_controller: Controller, trailers: IncomingHeaders): void {
    if (this.over !== undefined) return;
    this.finish(new Error('ended'));
    // 5xx counts against the instance (as Envoy's consecutive_5xx does); any other status is the application's answer.
    this.handle.release(this.status < 500);
    this.owner.tryEnded(trailers);
  }

  onResponseError(_controller: Controller | null, error: Error): void {
    if (this.over !== undefined) return;
    this.finish(error);
    this.owner.tryFailed(this, error, this.responded);
  }

  private finish(reason: Error): void {
    this.over = reason;
    clearTimeout(this.timer);
  }
}
