/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="@sveltejs/kit" />
/**
 * Offline after the first visit: precaches the app (build output, static files including the
 * embedded MSRC index and the sample layer, and the prerendered page) and serves them from the
 * cache first. A new deployment gets a new cache; the page offers a reload when it takes over.
 */
import { build, files, prerendered, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `mullion-${version}`;
const scope = new URL(sw.registration.scope);
const ASSETS = [...build, ...files, ...prerendered].map((path) => new URL(path, scope).pathname);
const PRECACHED = new Set(ASSETS);

sw.addEventListener('install', (event) => {
	event.waitUntil(
		caches
			.open(CACHE)
			.then((cache) => cache.addAll(ASSETS))
			.then(() => sw.skipWaiting())
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		caches
			.keys()
			.then((keys) =>
				Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key)))
			)
			.then(() => sw.clients.claim())
	);
});

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== location.origin) return; // the MSRC proxy and anything else: network only
	const path = url.pathname;
	const cachedPath = PRECACHED.has(path)
		? path
		: request.mode === 'navigate'
			? scope.pathname
			: undefined;
	if (cachedPath === undefined) return;
	event.respondWith(
		caches.match(cachedPath, { cacheName: CACHE }).then((hit) => hit ?? fetch(request))
	);
});
