import type { HttpErrorDialect } from '../http/platform-http.js';

/** The Bot API's error answer: `{ ok: false, error_code, description, parameters? }`. */
interface TelegramErrorBody {
  description?: unknown;
  parameters?: { retry_after?: unknown; migrate_to_chat_id?: unknown };
}

/**
 * Answers meaning the bot can no longer post to the chat until someone acts (reconnects the account or
 * gives the bot its rights back): 403 "Forbidden: bot was kicked from the channel chat", "bot is not a
 * member of the channel chat", and the 400s about missing rights.
 */
const LOST_RIGHTS = /need administrator rights|not enough rights|CHAT_WRITE_FORBIDDEN|CHAT_ADMIN_REQUIRED/i;

const bodyOf = (data: unknown): TelegramErrorBody | undefined =>
  typeof data === 'object' && data !== null ? data : undefined;

export const TELEGRAM_ERRORS: HttpErrorDialect = {
  platform: 'Telegram',
  describe: (data) => {
    const body = bodyOf(data);
    if (typeof body?.description !== 'string') return undefined;
    const movedTo = body.parameters?.migrate_to_chat_id;
    // A group upgraded to a supergroup changes id: say where it went, so the account can be reconnected.
    return typeof movedTo === 'number' ? `${body.description} (the chat is now ${movedTo})` : body.description;
  },
  rejectsCredentials: (status, detail) =>
    status === 401 || status === 403 || (status === 400 && LOST_RIGHTS.test(detail ?? '')),
  retryAfterMsFromBody: (data) => {
    const seconds = bodyOf(data)?.parameters?.retry_after;
    return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
  },
};
