import { Injectable } from '@nestjs/common';

/** The current time, injected so a test can move it forward instead of waiting for a state to expire. */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
