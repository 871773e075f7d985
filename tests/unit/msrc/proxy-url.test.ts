// The proxy URL a user types in the MSRC panel: what is accepted, what it is reduced to, and the
// message for what is refused.
import { describe, expect, it } from 'vitest';
import { isMullionError } from '../../../src/lib/errors';
import { normalizeProxyUrl } from '../../../src/lib/msrc/proxy-url';

describe('normalizeProxyUrl', () => {
	it.each([
		['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
		['  http://127.0.0.1:8787/  ', 'http://127.0.0.1:8787'],
		['https://proxy.example/msrc/', 'https://proxy.example/msrc'],
		['http://127.0.0.1:8787/cvrf/v3.0', 'http://127.0.0.1:8787'],
		['http://127.0.0.1:8787/cvrf/v3.0/', 'http://127.0.0.1:8787'],
		['https://proxy.example/msrc/CVRF/v3.0/updates', 'https://proxy.example/msrc'],
		['https://proxy.example/?x=1#frag', 'https://proxy.example'],
		['HTTPS://Proxy.Example:443/', 'https://proxy.example']
	])('%s → %s', (input, expected) => {
		expect(normalizeProxyUrl(input)).toBe(expected);
	});

	it.each([
		['', /empty/],
		['   ', /empty/],
		['127.0.0.1:8787', /http:\/\/ or https:\/\//],
		['localhost', /no http:\/\/ or https:\/\//],
		['http://exa mple', /not a URL/],
		['ftp://proxy.example', /http:\/\/ or https:\/\/, not ftp:/],
		['javascript:alert(1)', /no http:\/\/ or https:\/\//],
		['javascript://alert(1)', /not javascript:/],
		['https://user:secret@proxy.example', /user name or password/],
		[`https://proxy.example/${'a'.repeat(3000)}`, /MAX_PROXY_URL_CHARS/]
	])('refuses %.40j with a message naming the problem', (input, message) => {
		let caught: unknown;
		try {
			normalizeProxyUrl(input);
		} catch (error) {
			caught = error;
		}
		expect(isMullionError(caught, 'MSRC_BAD_PROXY_URL')).toBe(true);
		expect((caught as Error).message).toMatch(message);
	});
});
