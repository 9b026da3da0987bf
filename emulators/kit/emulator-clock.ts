/**
 * Where an emulator reads the time. Token lifetimes and rate-limit windows follow it, so a test moves
 * time forward on purpose instead of waiting for it, and a slow machine never expires a token mid-test.
 */
export interface EmulatorClock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: EmulatorClock = { now: () => Date.now() };

/** A clock that stands still until the test advances it. */
export class ManualClock implements EmulatorClock {
  constructor(private current = Date.now()) {}

  now(): number {
    return this.current;
  }

  advance(milliseconds: number): void {
    this.current += milliseconds;
  }
}
