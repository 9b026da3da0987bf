import { baseUrl, oauthClient, text } from '../platform-definition.js';

/**
 * The Meta app that connects Facebook Pages and Instagram Business accounts (both platforms read it).
 * Facebook's login dialog lives on www.facebook.com; tokens come from the Graph API host.
 */
export const META_APP = oauthClient(
  text('FACEBOOK_APP_ID'),
  text('FACEBOOK_APP_SECRET'),
  baseUrl('FACEBOOK_OAUTH_BASE_URL', 'https://www.facebook.com'),
);
