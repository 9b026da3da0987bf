import { describe, expect, it } from '@jest/globals';
import { isSameStatusText, plainTextOf } from './mastodon-status-text.js';

// As mastodon.social renders statuses (TextFormatter): escaped text, shortened links, h-card mentions.
const LINK =
  '<a href="https://example.com/a/rather/long/path/to/a/page?x=1&amp;y=2" target="_blank" rel="nofollow noopener" ' +
  'translate="no"><span class="invisible">https://</span><span class="ellipsis">example.com/a/rather/long/path</span>' +
  '<span class="invisible">/to/a/page?x=1&amp;y=2</span></a>';
const MENTION =
  '<span class="h-card" translate="no"><a href="https://mastodon.social/@Gargron" class="u-url mention">' +
  '@<span>Gargron</span></a></span>';

describe('isSameStatusText', () => {
  it('recognises a text in the HTML Mastodon rendered from it', () => {
    const content = `<p>Fish &amp; chips &lt;today&gt; &quot;here&quot; &#39;now&#39;<br />${LINK}</p><p>cc ${MENTION}</p>`;
    const text =
      'Fish & chips <today> "here" \'now\'\nhttps://example.com/a/rather/long/path/to/a/page?x=1&y=2\n\n' +
      'cc @Gargron@mastodon.social';

    expect(isSameStatusText(content, text)).toBe(true);
  });

  it('ignores whitespace, Unicode normalisation and the domain of mentions, nothing else', () => {
    expect(isSameStatusText('<p>Café<br />ok</p>', '  Cafe\u0301\n\n\nok ')).toBe(true);
    expect(isSameStatusText('<p>Café</p>', 'Cafe')).toBe(false);
    expect(isSameStatusText('<p>first post</p>', 'first post!')).toBe(false);
    expect(isSameStatusText(`<p>cc ${MENTION}</p>`, 'cc @Gargron@pixelfed.social')).toBe(true);
    expect(isSameStatusText(`<p>cc ${MENTION}</p>`, 'cc @Renaud')).toBe(false);
  });

  it('matches a status without text to an empty text', () => {
    expect(isSameStatusText('', '')).toBe(true);
    expect(isSameStatusText('', 'something')).toBe(false);
  });
});

describe('plainTextOf', () => {
  it('keeps hidden parts of links and decodes numeric entities', () => {
    expect(plainTextOf(`<p>${LINK}</p>`)).toBe('https://example.com/a/rather/long/path/to/a/page?x=1&y=2');
    expect(plainTextOf('<p>&#x1F600; &#128512; &unknown;</p>')).toBe('😀 😀 &unknown;');
  });
});
