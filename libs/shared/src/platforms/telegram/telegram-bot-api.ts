import type { AxiosInstance } from 'axios';

/** The parts of the Bot API's objects that Herald reads. */
export interface TelegramUser {
  id: number;
  first_name: string;
  username?: string;
}

export interface TelegramChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  /** Default member permissions of a group (from getChat). */
  permissions?: { can_send_messages?: boolean };
}

export interface TelegramMessage {
  message_id: number;
  chat: TelegramChat;
}

export interface TelegramChatMember {
  status: 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';
  can_post_messages?: boolean;
  can_send_messages?: boolean;
  is_member?: boolean;
}

interface TelegramAnswer<T> {
  ok: boolean;
  result?: T;
}

/** Calls Bot API methods for one bot: `POST <base>/bot<token>/<method>`. */
export class TelegramBotApi {
  constructor(
    private readonly http: AxiosInstance,
    private readonly botToken: string,
  ) {}

  async call<T>(method: string, params: Record<string, unknown> | FormData = {}): Promise<T> {
    const { data } = await this.http.post<TelegramAnswer<T>>(`/bot${this.botToken}/${method}`, params);
    if (data?.ok !== true || data.result === undefined) throw new Error(`Telegram answered ${method} without a result`);
    return data.result;
  }
}
