/**
 * The proxy URL a user types, checked and reduced to the base the app appends `/cvrf/v3.0/…` to.
 * People paste the API path too (`…/cvrf/v3.0`, `…/cvrf/v3.0/updates`), so that tail is dropped.
 */
import { MullionError } from '../errors';

/** Longest proxy URL accepted, in characters. */
export const MAX_PROXY_URL_CHARS = 2048;

const API_TAIL = /\/cvrf\/v3\.0(?:\/(?:updates\/?)?)?$/i;

/**
 * Returns the proxy base URL without a trailing slash, query or fragment, e.g.
 * `http://127.0.0.1:8787/` → `http://127.0.0.1:8787` and
 * `https://proxy.example/msrc/cvrf/v3.0/updates` → `https://proxy.example/msrc`.
 * Throws MSRC_BAD_PROXY_URL naming the problem for anything that is not an http(s) URL.
 */
export function normalizeProxyUrl(text: string): string {
	const trimmed = text.trim();
	if (trimmed === '') throw new MullionError('MSRC_BAD_PROXY_URL', 'the proxy URL is empty');
	if (trimmed.length > MAX_PROXY_URL_CHARS) {
		throw new MullionError(
			'MSRC_BAD_PROXY_URL',
			`the proxy URL is longer than MAX_PROXY_URL_CHARS (${MAX_PROXY_URL_CHARS})`
		);
	}
	if (!trimmed.includes('://')) {
		throw new MullionError(
			'MSRC_BAD_PROXY_URL',
			`"${trimmed.slice(0, 80)}" has no http:// or https:// in front; write the URL in full, e.g. http://127.0.0.1:8787`
		);
	}
	let url: URL;
	try {
		url = new URL(trimmed);
	} catch {
		throw new MullionError(
			'MSRC_BAD_PROXY_URL',
			`"${trimmed.slice(0, 80)}" is not a URL; write it in full, e.g. http://127.0.0.1:8787`
		);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new MullionError(
			'MSRC_BAD_PROXY_URL',
			`the proxy URL must start with http:// or https://, not ${url.protocol}//`
		);
	}
	if (url.username !== '' || url.password !== '') {
		throw new MullionError(
			'MSRC_BAD_PROXY_URL',
			'the proxy URL must not carry a user name or password'
		);
	}
	const path = url.pathname.replace(API_TAIL, '').replace(/\/+$/, '');
	return `${url.origin}${path}`;
}
