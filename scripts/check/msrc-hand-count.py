#!/usr/bin/env python3
"""
Hand check of the matcher, independent of its code (stdlib only; reads zstd XML with the zstd CLI).
For one CVRF month, lists the CVEs that name ProductID PID as Known Affected and have a
non-hotpatch Vendor Fix for PID whose FixedBuild is 10.0.BUILD.N with N > UBR (the image is open).
BUILD defaults to 20348.

  python3 scripts/check/msrc-hand-count.py ../shared/corpus/msrc/history-20260706/2023-Jan.xml.zst 11924 1366

Compared with Mullion's findings for the sample layer (10.0.20348.1366, Server Core) in the
closing note of the MSRC issue: 2023-Jan 61, 2023-Feb 33, 2023-Mar 54, 2026-Jun 105, equal.
"""
import subprocess, sys, xml.etree.ElementTree as ET
path, pid, ubr = sys.argv[1], sys.argv[2], int(sys.argv[3])
build = sys.argv[4] if len(sys.argv) > 4 else '20348'
xml = subprocess.run(['zstd', '-dc', path], capture_output=True, check=True).stdout
root = ET.fromstring(xml)
ns = {'v': 'http://www.icasi.org/CVRF/schema/vuln/1.1'}
open_, fixed, affected = [], [], 0
for vuln in root.findall('v:Vulnerability', ns):
    cve = vuln.findtext('v:CVE', default='', namespaces=ns)
    ids = [p.text for st in vuln.findall('v:ProductStatuses/v:Status', ns) for p in st.findall('v:ProductID', ns)]
    if pid not in ids: continue
    affected += 1
    builds = []
    for rem in vuln.findall('v:Remediations/v:Remediation', ns):
        if rem.get('Type') != 'Vendor Fix': continue
        if pid not in [p.text for p in rem.findall('v:ProductID', ns)]: continue
        sub = (rem.findtext('v:SubType', default='', namespaces=ns) or '')
        if 'otpatch' in sub: continue
        fb = rem.findtext('v:FixedBuild', default='', namespaces=ns) or ''
        if fb.startswith(f'10.0.{build}.'):
            builds.append(int(fb.split('.')[3]))
    if builds and min(builds) > ubr: open_.append((cve, min(builds)))
    elif builds: fixed.append(cve)
print(f'{path.split("/")[-1]}: {affected} CVEs list {pid}; open at UBR {ubr}: {len(open_)}; fixed: {len(fixed)}; other (no {build} FixedBuild): {affected-len(open_)-len(fixed)}')
for c in sorted(open_):
    print('  ', c[0], c[1])
