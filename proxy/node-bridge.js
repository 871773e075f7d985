// Bridges node:http to a Fetch handler `(request, context) => Promise<Response>` (Node >= 20 has
// global Request/Response). Node-only; the handler itself stays platform-neutral.

/** @typedef {import('node:http').IncomingMessage} IncomingMessage */
/** @typedef {import('node:http').ServerResponse} ServerResponse */
/**
 * @typedef {(request: Request, context: { rawTarget: string }) => Promise<Response>} FetchHandler
 */

/** Most header lines copied from one incoming request. */
export const MAX_INCOMING_HEADER_LINES = 200;

/**
 * Creates a node:http request listener serving `handler`. The handler receives the raw request
 * target (`rawTarget`) beside a Request whose URL is built on `baseUrl`. A request Node cannot
 * express as a Fetch Request (for example method TRACE) gets 400. Never throws.
 * @param {FetchHandler} handler
 * @param {string} baseUrl origin used to build Request URLs, e.g. `http://127.0.0.1:8787`
 * @returns {(incoming: IncomingMessage, outgoing: ServerResponse) => void}
 */
export function createNodeListener(handler, baseUrl) {
	return (incoming, outgoing) => {
		incoming.resume();
		serve(handler, baseUrl, incoming, outgoing).catch(() => outgoing.destroy());
	};
}

/**
 * @param {FetchHandler} handler
 * @param {string} baseUrl
 * @param {IncomingMessage} incoming
 * @param {ServerResponse} outgoing
 */
async function serve(handler, baseUrl, incoming, outgoing) {
	const rawTarget = incoming.url ?? '/';
	const request = toFetchRequest(baseUrl, incoming, rawTarget);
	if (request === null) {
		outgoing.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
		outgoing.end('Bad request\n');
		return;
	}
	const response = await handler(request, { rawTarget });
	await writeFetchResponse(response, outgoing);
}

/**
 * @param {string} baseUrl
 * @param {IncomingMessage} incoming
 * @param {string} rawTarget
 * @returns {Request | null}
 */
function toFetchRequest(baseUrl, incoming, rawTarget) {
	// Only origin-form targets become the URL path; the handler screens rawTarget itself.
	const path = rawTarget.startsWith('/') ? rawTarget : '/';
	try {
		const headers = new Headers();
		const lines = incoming.rawHeaders.slice(0, MAX_INCOMING_HEADER_LINES * 2);
		for (let index = 0; index + 1 < lines.length; index += 2) {
			appendHeader(headers, lines[index] ?? '', lines[index + 1] ?? '');
		}
		return new Request(new URL(baseUrl + path), { method: incoming.method ?? 'GET', headers });
	} catch {
		return null;
	}
}

/**
 * Skips header lines the Fetch Headers class refuses instead of failing the request.
 * @param {Headers} headers
 * @param {string} name
 * @param {string} value
 */
function appendHeader(headers, name, value) {
	try {
		headers.append(name, value);
	} catch {
		// An invalid header line is dropped; the proxy only ever reads Accept, Origin and encoding.
	}
}

/**
 * Streams a Fetch Response into a node:http response, honouring back-pressure and stopping when
 * the client goes away.
 * @param {Response} response
 * @param {ServerResponse} outgoing
 */
export async function writeFetchResponse(response, outgoing) {
	for (const [name, value] of response.headers) outgoing.setHeader(name, value);
	outgoing.writeHead(response.status);
	if (response.body === null) {
		outgoing.end();
		return;
	}
	const reader = response.body.getReader();
	outgoing.on('close', () => void reader.cancel().catch(() => undefined));
	for (;;) {
		const { done, value } = await reader.read();
		if (done || outgoing.destroyed) break;
		if (!outgoing.write(value)) await waitForDrain(outgoing);
	}
	outgoing.end();
}

/** @param {ServerResponse} outgoing */
function waitForDrain(outgoing) {
	return new Promise((resolve) => {
		const finish = () => {
			outgoing.off('drain', finish);
			outgoing.off('close', finish);
			resolve(undefined);
		};
		outgoing.on('drain', finish);
		outgoing.on('close', finish);
	});
}
