import { DomainError, type FieldProblem } from '../../errors/domain-error.js';

/** A bot (its token from @BotFather) and the channel or supergroup it posts to. */
export interface TelegramCredentials {
  /** `<bot id>:<secret>`; it goes in the request path, so it must never reach a message or a log. */
  botToken: string;
  /** The chat's numeric id (`-100…`) or a public `@username`, as a string. */
  chatId: string;
}

const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{30,64}$/;
const NUMERIC_CHAT_ID = /^-?\d{1,20}$/;
/** Public usernames: 5 to 32 letters, digits and underscores, starting with a letter. */
const CHAT_USERNAME = /^@[A-Za-z][A-Za-z0-9_]{4,31}$/;

export function parseTelegramCredentials(input: unknown): TelegramCredentials {
  const object =
    typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const problems: FieldProblem[] = [];

  const token = typeof object.botToken === 'string' ? object.botToken.trim() : undefined;
  if (token === undefined || !BOT_TOKEN.test(token)) {
    problems.push({
      field: 'credentials.botToken',
      message: 'must be the token @BotFather gave the bot (<bot id>:<secret>, e.g. 123456789:AAE…)',
    });
  }

  const chatId = chatIdOf(object.chatId);
  if (chatId === undefined) {
    problems.push({
      field: 'credentials.chatId',
      message: "must be the chat's numeric id (e.g. -1001234567890) or a public @username",
    });
  }

  for (const key of Object.keys(object).filter((name) => name !== 'botToken' && name !== 'chatId')) {
    problems.push({ field: `credentials.${key}`, message: 'is not accepted for Telegram (only botToken and chatId)' });
  }
  if (problems.length > 0) throw DomainError.validation(problems);
  return { botToken: token!, chatId: chatId! };
}

function chatIdOf(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value !== 0 ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return NUMERIC_CHAT_ID.test(trimmed) || CHAT_USERNAME.test(trimmed) ? trimmed : undefined;
}
