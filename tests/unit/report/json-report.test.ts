/**
 * The JSON report: self-describing (`format`, generator) and lossless — parsing it gives back the
 * scan result, match result and MSRC status exactly as given.
 */
import { describe, expect, it } from 'vitest';
import { buildJsonReport, JSON_REPORT_FORMAT, type JsonReport } from '$lib/report/json-report';
import { sampleMatchResult, sampleScanResult } from './sample';

describe('buildJsonReport', () => {
	it('round-trips the scan result, the match result and the MSRC status', () => {
		const msrcStatus = {
			newestMonth: '2023-Jan',
			months: 96,
			vulnerabilities: 9000,
			storedMonths: 0
		};
		const text = buildJsonReport(sampleScanResult(), sampleMatchResult(), {
			toolVersion: '0.1.0',
			msrcStatus
		});
		const report = JSON.parse(text) as JsonReport;
		expect(report.format).toBe(JSON_REPORT_FORMAT);
		expect(report.generator).toEqual({ name: 'mullion', version: '0.1.0' });
		expect(report.scan).toEqual(sampleScanResult());
		expect(report.match).toEqual(sampleMatchResult());
		expect(report.msrcStatus).toEqual(msrcStatus);
	});

	it('is pretty-printed, ends in a newline and leaves out what was not given', () => {
		const text = buildJsonReport(sampleScanResult(), undefined, { toolVersion: '0.1.0' });
		expect(text).toMatch(/^\{\n {2}"format": "mullion-report\/1",\n/);
		expect(text.endsWith('}\n')).toBe(true);
		const report = JSON.parse(text) as Record<string, unknown>;
		expect(Object.keys(report)).toEqual(['format', 'generator', 'scan']);
	});
});
