#!/usr/bin/env node
// Generates backend/src/domain/names/confusablesData.ts from Unicode's confusables.txt (UTS #39):
//
//   node scripts/generateConfusables.mjs path/to/confusables.txt
//
// The file is at https://www.unicode.org/Public/security/<version>/confusables.txt (also in the
// unicode-org/unicodetools repository, unicodetools/data/security/<version>/). The output keeps the
// "MA" table only (the one UTS #39's skeleton uses; it is the only one the file still has), as
// hex, sorted by source code point, so that a new version's diff shows what changed. It also
// records the version, date and SHA-256 of its source, and carries Unicode's licence notice.
// Changing the data changes room-name keys: bump ROOM_NAME_KEYS_VERSION in
// backend/src/projections/roomNames.ts with it (stored claims are re-keyed at the next start).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OUTPUT = fileURLToPath(new URL('../backend/src/domain/names/confusablesData.ts', import.meta.url));
/** Characters of entries per line of the generated string array (the formatter's line width is 140). */
const LINE = 110;

const LICENCE = `UNICODE LICENSE V3

COPYRIGHT AND PERMISSION NOTICE

Copyright © 1991-2024 Unicode, Inc.

NOTICE TO USER: Carefully read the following legal agreement. BY
DOWNLOADING, INSTALLING, COPYING OR OTHERWISE USING DATA FILES, AND/OR
SOFTWARE, YOU UNEQUIVOCALLY ACCEPT, AND AGREE TO BE BOUND BY, ALL OF THE
TERMS AND CONDITIONS OF THIS AGREEMENT. IF YOU DO NOT AGREE, DO NOT
DOWNLOAD, INSTALL, COPY, DISTRIBUTE OR USE THE DATA FILES OR SOFTWARE.

Permission is hereby granted, free of charge, to any person obtaining a
copy of data files and any associated documentation (the "Data Files") or
software and any associated documentation (the "Software") to deal in the
Data Files or Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, and/or sell
copies of the Data Files or Software, and to permit persons to whom the
Data Files or Software are furnished to do so, provided that either (a)
this copyright and permission notice appear with all copies of the Data
Files or Software, or (b) this copyright and permission notice appear in
associated Documentation.

THE DATA FILES AND SOFTWARE ARE PROVIDED "AS IS", WITHOUT WARRANTY OF ANY
KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT OF
THIRD PARTY RIGHTS.

IN NO EVENT SHALL THE COPYRIGHT HOLDER OR HOLDERS INCLUDED IN THIS NOTICE
BE LIABLE FOR ANY CLAIM, OR ANY SPECIAL INDIRECT OR CONSEQUENTIAL DAMAGES,
OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS,
WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION,
ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THE DATA
FILES OR SOFTWARE.

Except as contained in this notice, the name of a copyright holder shall
not be used in advertising or otherwise to promote the sale, use or other
dealings in these Data Files or Software without prior written
authorization of the copyright holder.

SPDX-License-Identifier: Unicode-3.0`;

const fail = (message) => {
  console.error(`generateConfusables: ${message}`);
  process.exit(1);
};

const source = process.argv[2];
if (!source) fail('usage: node scripts/generateConfusables.mjs path/to/confusables.txt');

const bytes = readFileSync(source);
const sha256 = createHash('sha256').update(bytes).digest('hex');
const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
const header = (name) => text.match(new RegExp(`^#\\s*${name}:\\s*(.+?)\\s*$`, 'm'))?.[1];
const version = header('Version');
const date = header('Date');
const copyright = text.match(/^#\s*(©.+?)\s*$/m)?.[1];
if (!version || !date || !copyright || !/^# Unicode Security Mechanisms for UT[SR] #39/m.test(text)) {
  fail(`${source} does not look like Unicode's confusables.txt (no version, date or copyright line)`);
}

const DATA_LINE = /^([0-9A-F]{4,6}) ;\t([0-9A-F]{4,6}(?: [0-9A-F]{4,6})*) ;\t(\w+)\t/;
const entries = new Map();
for (const line of text.split('\n')) {
  if (line === '' || line.startsWith('#')) continue;
  const match = DATA_LINE.exec(line);
  if (!match) fail(`unreadable line: ${line}`);
  const [, from, to, table] = match;
  if (table !== 'MA') fail(`a table other than MA (${table}): the skeleton would need another look`);
  const code = Number.parseInt(from, 16);
  if (entries.has(code)) fail(`${from} is mapped twice`);
  entries.set(
    code,
    to.split(' ').map((hex) => Number.parseInt(hex, 16)),
  );
}
// The file ends with "# total: N": a truncated copy fails here rather than quietly mapping less.
const total = text.match(/^# total: (\d+)\s*$/m)?.[1];
if (total === undefined) fail('no "# total:" line at the end: is the file cut short?');
if (Number(total) !== entries.size) fail(`read ${entries.size} mappings, the file says ${total}`);
for (const [from, to] of entries) {
  if (to.some((code) => entries.has(code))) fail(`U+${from.toString(16)} maps to a source: the table is not closed`);
}

const encoded = [...entries]
  .sort(([a], [b]) => a - b)
  .map(([from, to]) => `${from.toString(16)}:${to.map((code) => code.toString(16)).join(' ')}`);
const lines = [];
let current = '';
for (const entry of encoded) {
  const next = current ? `${current},${entry}` : entry;
  if (current && next.length > LINE) {
    lines.push(current);
    current = entry;
  } else current = next;
}
if (current) lines.push(current);

const output = `// Generated by scripts/generateConfusables.mjs from Unicode's confusables.txt: do not edit by hand.
//
// Source: Unicode Security Mechanisms for UTS #39, confusables.txt
// Version: ${version}
// Date: ${date}
// SHA-256: ${sha256}
// ${copyright}
// Used under Unicode's licence:
//
${LICENCE.split('\n')
  .map((line) => `// ${line}`.trimEnd())
  .join('\n')}

/** The version of confusables.txt below. */
export const CONFUSABLES_VERSION = '${version}';

/** How many mappings the table holds. */
export const CONFUSABLES_COUNT = ${entries.size};

/**
 * The "MA" table: \`<source>:<target> <target>…\` in hex code points, entries separated by commas,
 * sorted by source. Each source maps to its prototype (a sequence that is never a source itself).
 */
export const CONFUSABLES_MA: readonly string[] = [
${lines.map((line) => `  '${line}',`).join('\n')}
];
`;
writeFileSync(OUTPUT, output);
console.log(`wrote ${entries.size} mappings of confusables.txt ${version} to ${OUTPUT}`);
