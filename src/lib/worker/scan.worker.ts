/// <reference lib="webworker" />
/** Worker entry: serves the scanner API to the page. */
import { exposeScanner } from './adapter';
import { scannerApi } from './api';

exposeScanner(scannerApi);
