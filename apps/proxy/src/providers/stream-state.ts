import type { StreamErrorInfo, StreamReport, Usage } from './types.ts';

/** The bookkeeping both formats' stream trackers share. */
export class StreamState {
  private readonly state: StreamReport = {
    sawEvent: false,
    firstEventAt: null,
    events: 0,
    id: null,
    model: null,
    stopReason: null,
    usage: null,
    error: null,
    malformedEvents: 0,
    completed: false,
  };

  constructor(private readonly clock: () => number) {}

  eventArrived(): void {
    if (!this.state.sawEvent) {
      this.state.sawEvent = true;
      this.state.firstEventAt = this.clock();
    }
    this.state.events += 1;
  }

  malformed(): void {
    this.state.malformedEvents += 1;
  }

  identify(id: string | null, model: string | null): void {
    this.state.id ??= id;
    this.state.model ??= model;
  }

  stopped(reason: string | null): void {
    if (reason) this.state.stopReason = reason;
  }

  usage(usage: Usage): void {
    this.state.usage = usage;
  }

  /** Keeps the first error: later ones are usually consequences of it. */
  failed(error: StreamErrorInfo): void {
    this.state.error ??= error;
  }

  completed(): void {
    this.state.completed = true;
  }

  report(): StreamReport {
    const { usage, error } = this.state;
    return { ...this.state, usage: usage && { ...usage }, error: error && { ...error } };
  }
}

export function defaultClock(): number {
  return performance.now();
}
