import type { Type } from '@nestjs/common';
import { isURL } from 'class-validator';

/** The environment variables as read at boot: only those set to something other than an empty string. */
export type EnvironmentVariables = Readonly<Record<string, string | undefined>>;

/**
 * One setting of a platform, read from environment variables (each with its default) and validated at
 * boot. `read` returns the value, or pushes one `VARIABLE: message` line per problem.
 */
export interface PlatformSetting<T> {
  /** Every variable it reads, with its default. */
  readonly variables: Readonly<Record<string, string>>;
  read(variables: EnvironmentVariables, problems: string[]): T;
}

/** An OAuth 2.0 app registered with a platform; `clientId` is empty when none is configured. */
export interface OAuthClientSettings {
  clientId: string;
  clientSecret: string;
  /** Where the platform's authorize page lives. */
  authBaseUrl: string;
}

/**
 * What Herald knows of a platform: its name, its provider and the settings the provider is built with.
 * Each `platforms/<name>/<name>.platform.ts` exports one; `platform.registry.ts` lists them.
 */
export interface PlatformDefinition<Name extends string = string, Settings = unknown, Provider = Type<object>> {
  readonly name: Name;
  /**
   * A class implementing `PlatformProvider`, checked where the registry lists the providers: checking it
   * here, while a definition is inferred, would make `PlatformName` (derived from the definitions) refer
   * to itself.
   */
  readonly provider: Provider;
  readonly settings: { readonly [Key in keyof Settings]: PlatformSetting<Settings[Key]> };
}

export const definePlatform = <const Name extends string, Settings, Provider extends Type<object>>(
  definition: PlatformDefinition<Name, Settings, Provider>,
): PlatformDefinition<Name, Settings, Provider> => definition;

/** The typed settings a definition's provider gets (`config.platforms.<name>`). */
export type SettingsOf<Definition> =
  Definition extends PlatformDefinition<string, infer Settings, Type<object>> ? Settings : never;

/** What `@IsUrl` accepts as a base URL: http(s), host names without a TLD (emulators, internal hosts). */
export const BASE_URL = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

const valueOf = (variables: EnvironmentVariables, name: string, defaultValue: string): string =>
  variables[name] ?? defaultValue;

/** An http(s) URL (an API or authorization server), kept without trailing slash. */
export function baseUrl(variable: string, defaultValue: string): PlatformSetting<string> {
  return {
    variables: { [variable]: defaultValue },
    read(variables, problems) {
      const value = valueOf(variables, variable, defaultValue);
      if (!isURL(value, BASE_URL)) problems.push(`${variable}: ${variable} must be a URL address`);
      return withoutTrailingSlash(value);
    },
  };
}

/** Free text (an app id or secret), trimmed; empty by default. */
export function text(variable: string, defaultValue = ''): PlatformSetting<string> {
  return {
    variables: { [variable]: defaultValue },
    read: (variables) => valueOf(variables, variable, defaultValue).trim(),
  };
}

/** The OAuth 2.0 app Herald connects accounts with; without a client id the platform cannot be connected that way. */
export function oauthClient(
  clientId: PlatformSetting<string>,
  clientSecret: PlatformSetting<string>,
  authBaseUrl: PlatformSetting<string>,
): PlatformSetting<OAuthClientSettings> {
  const parts = { clientId, clientSecret, authBaseUrl };
  return {
    variables: { ...clientId.variables, ...clientSecret.variables, ...authBaseUrl.variables },
    read: (variables, problems) => readSettings(parts, variables, problems),
  };
}

/** Reads every setting of `settings`, collecting their problems. */
export function readSettings<Settings>(
  settings: { readonly [Key in keyof Settings]: PlatformSetting<Settings[Key]> },
  variables: EnvironmentVariables,
  problems: string[],
): Settings {
  const entries = Object.entries<PlatformSetting<unknown>>(settings);
  return Object.fromEntries(entries.map(([key, setting]) => [key, setting.read(variables, problems)])) as Settings;
}

/** Every variable the definitions read, with its default (a variable shared by two platforms appears once). */
export const variablesOf = (definitions: readonly PlatformDefinition[]): Record<string, string> =>
  Object.assign(
    {},
    ...definitions.flatMap((definition) =>
      Object.values<PlatformSetting<unknown>>(definition.settings).map((setting) => setting.variables),
    ),
  ) as Record<string, string>;
