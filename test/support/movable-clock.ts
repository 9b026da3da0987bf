import { Clock } from '../../apps/backend/src/connect/clock.js';

/** A clock the test moves forward, so a state expires without waiting for it. */
export class MovableClock extends Clock {
  private offsetMs = 0;

  override now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
