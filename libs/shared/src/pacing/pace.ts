import type { PlatformSetting } from '../platforms/platform-definition.js';

/**
 * A publishing limit as platforms document them: `count` posts per `seconds`. Applied as a token
 * bucket of `count` tokens that refills over `seconds`, so a burst of up to `count` goes out at once.
 */
export interface Pace {
  count: number;
  seconds: number;
}

/** A platform's limits: per connected account, and per platform app (all accounts together). Null: none. */
export interface PlatformPacing {
  account: Pace | null;
  app: Pace | null;
}

const PACE = /^(\d+)\/(\d+)$/;

/** `"<count>/<seconds>"` (e.g. `100/900`), or `off`; undefined when neither. */
export function parsePace(value: string): Pace | null | undefined {
  const trimmed = value.trim();
  if (trimmed === 'off') return null;
  const match = PACE.exec(trimmed);
  if (!match) return undefined;
  const [count, seconds] = [Number(match[1]), Number(match[2])];
  if (count < 1 || seconds < 1 || count > 100_000_000 || seconds > 31 * 86_400) return undefined;
  return { count, seconds };
}

/** One limit read from `variable`, validated at boot. */
function pace(variable: string, defaultValue: string): PlatformSetting<Pace | null> {
  return {
    variables: { [variable]: defaultValue },
    read(variables, problems) {
      const parsed = parsePace(variables[variable] ?? defaultValue);
      if (parsed !== undefined) return parsed;
      problems.push(`${variable}: must be "<count>/<seconds>" (1 to 100000000 per 1 s to 31 days) or "off"`);
      return null;
    },
  };
}

/**
 * A platform's publishing limits, from `<PREFIX>_ACCOUNT_PACE` and `<PREFIX>_APP_PACE`. The defaults
 * are each platform's documented limits, cited in its `<name>.platform.ts`.
 */
export function pacing(prefix: string, defaults: { account: string; app: string }): PlatformSetting<PlatformPacing> {
  const parts = {
    account: pace(`${prefix}_ACCOUNT_PACE`, defaults.account),
    app: pace(`${prefix}_APP_PACE`, defaults.app),
  };
  return {
    variables: { ...parts.account.variables, ...parts.app.variables },
    read: (variables, problems) => ({
      account: parts.account.read(variables, problems),
      app: parts.app.read(variables, problems),
    }),
  };
}
