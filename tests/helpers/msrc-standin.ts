// A stand-in for the MSRC CVRF API (docs/msrc-cvrf.md §1.2–1.3): a real node:http server on
// 127.0.0.1 that serves real CVRF documents and a real updates index, for proxy and browser tests.
//
// Behaviour (stand-in choices are marked; everything else follows the real API):
// - GET /cvrf/v3.0/updates (also /Updates) → the `updates` object as JSON.
// - GET /cvrf/v3.0/updates('<key>') → the same object with `value` filtered to entries whose ID
//   equals <key> (the real API also accepts CVE IDs and years there; the stand-in does not).
// - GET /cvrf/v3.0/cvrf/<id> or /cvrf/v3.0/cvrf(<id>) → the document. XML when Accept is absent
//   or names XML or `*/*`, as MSRC does. For `Accept: application/json` it serves the document's
//   `json` when given; otherwise it answers 406 (stand-in choice: it never pretends XML is JSON).
// - Unknown IDs → 404 JSON like MSRC's `{"statusCode":404,"message":"Resource not found"}`.
// - Stand-in choice: bodies are gzipped when the client sends `Accept-Encoding: gzip` (so a proxy
//   must not forward a Content-Encoding its fetch already removed), and each answer carries an
//   ETag (SHA-1 of the body). Real MSRC response headers were not observed.
// - `faults` lets a test make one path answer a status or hang until the server closes.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';

/** Most document files loaded from one `documentsDir`. */
export const MAX_STANDIN_DOCUMENT_FILES = 500;
/** Most requests remembered in `requests` / `log` (older ones are dropped). */
export const MAX_STANDIN_LOGGED_REQUESTS = 10_000;

/** One document served by the stand-in. */
export interface StandinDocument {
	/** The CVRF XML exactly as MSRC serves it. */
	xml: string | Uint8Array;
	/** Optional JSON form, served for `Accept: application/json`; without it that Accept gets 406. */
	json?: string | Uint8Array;
}

/** A forced answer for one path (path without query, as received). */
export type StandinFault = { status: number; body?: string } | { hang: true };

export interface MsrcStandinOptions {
	/**
	 * Folder of `.xml`, `.xml.gz` or `.xml.zst` documents (read once at start). The ID is taken from
	 * the file name with `idFromFileName` (default: the first `YYYY-Mon` or `YYYY-Mon-B` in it, so
	 * `cvrf-2022-Dec.raw-20260706.xml` → `2022-Dec`); the first file in sorted order wins a tie.
	 */
	documentsDir?: string;
	/** Documents by ID (case-sensitive, as in the index); these win over `documentsDir`. */
	documents?: Map<string, StandinDocument>;
	/** The updates index (the real one is `{ "@odata.context", "value": [...] }`). */
	updates?: object;
	/** Custom ID extraction for `documentsDir`; return undefined to skip a file. */
	idFromFileName?: (fileName: string) => string | undefined;
	/** Gzip bodies when the client accepts gzip. Default true. */
	gzipWhenAccepted?: boolean;
}

/** One request as the stand-in saw it. */
export interface StandinRequest {
	method: string;
	/** Raw request target (path and query) exactly as received. */
	target: string;
	headers: IncomingMessage['headers'];
}

export interface MsrcStandin {
	/** Origin to use as the upstream, e.g. `http://127.0.0.1:41234`. */
	url: string;
	/** Raw request targets received, oldest first. */
	requests: string[];
	/** The same requests with method and headers. */
	log: StandinRequest[];
	/** Document IDs served, mapped to their source (file name or `documents`). */
	documentIds: Map<string, string>;
	/** Per-path forced answers; mutate between requests. */
	faults: Map<string, StandinFault>;
	/** Stops the server and drops open (including hanging) connections. */
	close(): Promise<void>;
}

const API_PREFIX = '/cvrf/v3.0/';
const DOCUMENT_ID_IN_FILE_NAME = /(\d{4}-[A-Za-z]{3}(?:-B)?)(?![A-Za-z])/;
const DOCUMENT_FILE_NAME = /\.xml(\.gz|\.zst)?$/;

/**
 * Starts the stand-in on 127.0.0.1 with a free port. Rejects when a document file cannot be read.
 */
export async function startMsrcStandin(options: MsrcStandinOptions = {}): Promise<MsrcStandin> {
	const documents = loadDocuments(options);
	const standin = {
		requests: [] as string[],
		log: [] as StandinRequest[],
		documentIds: new Map([...documents].map(([id, entry]) => [id, entry.source])),
		faults: new Map<string, StandinFault>()
	};
	const server = createServer((request, response) => {
		recordRequest(standin, request);
		answer(options, documents, standin.faults, request, response);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const { port } = server.address() as AddressInfo;
	const close = () =>
		new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	return { ...standin, url: `http://127.0.0.1:${port}`, close };
}

interface LoadedDocument extends StandinDocument {
	source: string;
}

function loadDocuments(options: MsrcStandinOptions): Map<string, LoadedDocument> {
	const loaded = new Map<string, LoadedDocument>();
	if (options.documentsDir !== undefined) {
		const idFromFileName = options.idFromFileName ?? defaultIdFromFileName;
		const names = readdirSync(options.documentsDir).filter((name) => DOCUMENT_FILE_NAME.test(name));
		for (const name of names.sort().slice(0, MAX_STANDIN_DOCUMENT_FILES)) {
			const id = idFromFileName(name);
			if (id === undefined || loaded.has(id)) continue;
			const xml = readDocumentFile(path.join(options.documentsDir, name));
			loaded.set(id, { xml, source: name });
		}
	}
	for (const [id, document] of options.documents ?? []) {
		loaded.set(id, { ...document, source: 'documents' });
	}
	return loaded;
}

/** The first `YYYY-Mon` (or `2017-May-B`) in a file name. */
export function defaultIdFromFileName(fileName: string): string | undefined {
	return DOCUMENT_ID_IN_FILE_NAME.exec(fileName)?.[1];
}

function readDocumentFile(filePath: string): Uint8Array {
	const bytes = readFileSync(filePath);
	if (filePath.endsWith('.gz')) return gunzipSync(bytes);
	if (filePath.endsWith('.zst')) return zstdDecompress(bytes);
	return bytes;
}

function recordRequest(standin: Pick<MsrcStandin, 'requests' | 'log'>, request: IncomingMessage) {
	const target = request.url ?? '';
	if (standin.requests.length >= MAX_STANDIN_LOGGED_REQUESTS) {
		standin.requests.shift();
		standin.log.shift();
	}
	standin.requests.push(target);
	standin.log.push({ method: request.method ?? '', target, headers: request.headers });
}

function answer(
	options: MsrcStandinOptions,
	documents: Map<string, LoadedDocument>,
	faults: Map<string, StandinFault>,
	request: IncomingMessage,
	response: ServerResponse
) {
	request.resume();
	const target = request.url ?? '/';
	const pathname = target.split('?')[0] ?? '/';
	const fault = faults.get(pathname);
	if (fault !== undefined) return applyFault(fault, response);
	if (request.method !== 'GET' && request.method !== 'HEAD') {
		return send(request, response, options, 405, 'application/json', notFoundBody(405));
	}
	const resourcePath = pathname.startsWith(API_PREFIX) ? pathname.slice(API_PREFIX.length) : null;
	if (resourcePath === null) return sendNotFound(request, response, options);
	const updates = answerUpdates(options.updates, resourcePath);
	if (updates !== undefined) return send(request, response, options, 200, JSON_TYPE, updates);
	const documentId = documentIdOf(resourcePath);
	const document = documentId === undefined ? undefined : documents.get(documentId);
	if (document === undefined) return sendNotFound(request, response, options);
	answerDocument(request, response, options, document);
}

const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';

function applyFault(fault: StandinFault, response: ServerResponse) {
	if ('hang' in fault) return; // Never answers; close() drops the connection.
	response.writeHead(fault.status, { 'Content-Type': 'text/plain; charset=utf-8' });
	response.end(fault.body ?? `stand-in fault ${fault.status}\n`);
}

function answerUpdates(updates: object | undefined, resourcePath: string): string | undefined {
	if (updates === undefined) return undefined;
	if (/^updates$/i.test(resourcePath)) return JSON.stringify(updates);
	const key = /^updates\('([^']+)'\)$/i.exec(resourcePath)?.[1];
	if (key === undefined) return undefined;
	const entries = (updates as { value?: Array<{ ID?: string }> }).value ?? [];
	return JSON.stringify({ ...updates, value: entries.filter((entry) => entry.ID === key) });
}

function documentIdOf(resourcePath: string): string | undefined {
	return (
		/^cvrf\/([A-Za-z0-9-]+)$/.exec(resourcePath)?.[1] ??
		/^cvrf\(([A-Za-z0-9-]+)\)$/.exec(resourcePath)?.[1]
	);
}

function answerDocument(
	request: IncomingMessage,
	response: ServerResponse,
	options: MsrcStandinOptions,
	document: StandinDocument
) {
	const accept = (request.headers.accept ?? '').toLowerCase();
	if (!accept.includes('application/json')) {
		return send(request, response, options, 200, XML_TYPE, document.xml);
	}
	if (document.json !== undefined) {
		return send(request, response, options, 200, JSON_TYPE, document.json);
	}
	const refusal = JSON.stringify({ statusCode: 406, message: 'stand-in serves XML only' });
	send(request, response, options, 406, JSON_TYPE, refusal);
}

function sendNotFound(
	request: IncomingMessage,
	response: ServerResponse,
	options: MsrcStandinOptions
) {
	send(request, response, options, 404, JSON_TYPE, notFoundBody(404));
}

function notFoundBody(status: number) {
	const message = status === 404 ? 'Resource not found' : 'Method not allowed';
	return JSON.stringify({ statusCode: status, message });
}

function send(
	request: IncomingMessage,
	response: ServerResponse,
	options: MsrcStandinOptions,
	status: number,
	contentType: string,
	body: string | Uint8Array
) {
	const bytes = typeof body === 'string' ? Buffer.from(body) : body;
	const gzip =
		(options.gzipWhenAccepted ?? true) && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
	const sent = gzip ? gzipSync(bytes) : bytes;
	const headers: Record<string, string> = {
		'Content-Type': contentType,
		'Content-Length': String(sent.byteLength),
		ETag: `"${createHash('sha1').update(bytes).digest('hex')}"`
	};
	if (gzip) headers['Content-Encoding'] = 'gzip';
	response.writeHead(status, headers);
	response.end(request.method === 'HEAD' ? undefined : sent);
}
