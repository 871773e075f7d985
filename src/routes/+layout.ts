// A static site: every page is prerendered, and the scan runs entirely in the browser.
export const prerender = true;
export const trailingSlash = 'always';
