/**
 * The controller the caller's handler holds for a whole request. Each try has a controller of its
 * own (one per connection); this one follows the current try, so a caller that pauses or aborts
 * reaches whichever try is running, and a pause or abort made between tries applies to the next.
 */
import type { Dispatcher } from 'undici';

type Controller = Dispatcher.DispatchController;

export class RequestController implements Controller {
  private target: Controller | undefined;
  private abortReason: Error | null = null;
  private pausedByCaller = false;

  /** Makes `target` (the controller of the try that just got a connection) the current one. */
  attach(target: Controller): void {
    this.target = target;
    if (this.abortReason !== null) target.abort(this.abortReason);
    else if (this.pausedByCaller) target.pause();
  }

  /** The current try is over: until the next one attaches, the caller's pause and abort wait here. */
  detach(): void {
    this.target = undefined;
  }

  get aborted(): boolean {
    return this.abortReason !== null || (this.target?.aborted ?? false);
  }

  get paused(): boolean {
    return this.pausedByCaller || (this.target?.paused ?? false);
  }

  get reason(): Error | null {
    return this.abortReason ?? this.target?.reason ?? null;
  }

  get rawHeaders(): Controller['rawHeaders'] {
    return this.target?.rawHeaders ?? null;
  }

  set rawHeaders(value: Controller['rawHeaders']) {
    if (this.target !== undefined) this.target.rawHeaders = value;
  }

  get rawTrailers(): Controller['rawTrailers'] {
    return this.target?.rawTrailers ?? null;
  }

  set rawTrailers(value: Controller['rawTrailers']) {
    if (this.target !== undefined) this.target.rawTrailers = value;
  }

  /** True once the caller (not a try) aborted: such a request is never retried. */
  get abortedByCaller(): boolean {
    return this.abortReason !== null;
  }

  abort(reason: Error): void {
    if (this.abortReason !== null) return;
    this.abortReason = reason;
    this.target?.abort(reason);
  }

  pause(): void {
    this.pausedByCaller = true;
    this.target?.pause();
  }

  resume(): void {
    this.pausedByCaller = false;
    this.target?.resume();
  }
}
