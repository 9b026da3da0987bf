import { DomainError } from '../../errors/domain-error.js';

/** An incoming webhook of a Discord channel, as Discord shows its URL. */
export interface DiscordCredentials {
  /** `https://discord.com/api/webhooks/<id>/<token>`; the token is a secret. */
  webhookUrl: string;
}

export interface DiscordWebhook {
  id: string;
  token: string;
}

/** The hosts Discord gives webhook URLs on (the app's stable, PTB and Canary builds, old and new domain). */
const WEBHOOK_HOSTS = new Set(
  ['discord.com', 'discordapp.com'].flatMap((domain) => [domain, `ptb.${domain}`, `canary.${domain}`]),
);
const WEBHOOK_PATH = /^\/api(?:\/v\d{1,2})?\/webhooks\/(\d{17,20})\/([A-Za-z0-9_-]{20,128})\/?$/;

/** The webhook a URL names, when it is a Discord webhook URL (anything else could make Herald call another host). */
export function webhookOf(url: string): DiscordWebhook | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const plain = !parsed.port && !parsed.username && !parsed.password && !parsed.search && !parsed.hash;
  if (parsed.protocol !== 'https:' || !WEBHOOK_HOSTS.has(parsed.hostname) || !plain) return undefined;
  const match = WEBHOOK_PATH.exec(parsed.pathname);
  return match ? { id: match[1], token: match[2] } : undefined;
}

export function parseDiscordCredentials(input: unknown): DiscordCredentials {
  const object =
    typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const webhook = typeof object.webhookUrl === 'string' ? webhookOf(object.webhookUrl.trim()) : undefined;
  const problems = webhook
    ? []
    : [
        {
          field: 'credentials.webhookUrl',
          message: "must be a channel webhook's URL, https://discord.com/api/webhooks/<id>/<token> (without query)",
        },
      ];
  for (const key of Object.keys(object).filter((name) => name !== 'webhookUrl')) {
    problems.push({ field: `credentials.${key}`, message: 'is not accepted for Discord (only webhookUrl)' });
  }
  if (!webhook || problems.length > 0) throw DomainError.validation(problems);
  return { webhookUrl: `https://discord.com/api/webhooks/${webhook.id}/${webhook.token}` };
}

/** The webhook of credentials that `parseDiscordCredentials` accepted. */
export function webhookOfCredentials(credentials: DiscordCredentials): DiscordWebhook {
  const webhook = webhookOf(credentials.webhookUrl);
  if (!webhook)
    throw DomainError.validation([{ field: 'credentials.webhookUrl', message: 'is not a Discord webhook URL' }]);
  return webhook;
}
