import { isIPv6 } from 'node:net';
import { AsciiWords } from './ascii-words.js';
import { MAX_INPUT, PiiScan } from '../wasm/pii-scan.js';

/**
 * The one PII detector: pure functions over a string, shared by the dataset and notebook rules.
 * Structure first (a regular expression finds candidates), then validation (Luhn, mod-97, SSN ranges, address
 * syntax), then confidence from validation, the column's name and the words just before the match.
 */
export type PiiEntity = 'email' | 'phone' | 'us-ssn' | 'credit-card' | 'iban' | 'ipv4' | 'ipv6' | 'date-of-birth';

export interface PiiMatch {
  entity: PiiEntity;
  value: string;
  /** UTF-16 index into the text. */
  index: number;
  length: number;
  confidence: 'low' | 'medium' | 'high';
}

export type PiiConfidence = PiiMatch['confidence'];

export const PII_ENTITIES: readonly PiiEntity[] = [
  'email', 'phone', 'us-ssn', 'credit-card', 'iban', 'ipv4', 'ipv6', 'date-of-birth',
];

const CONFIDENCE_RANK: Record<PiiConfidence, number> = { low: 0, medium: 1, high: 2 };
const RANKED: PiiConfidence[] = ['low', 'medium', 'high'];

export function confidenceAtLeast(c: PiiConfidence, min: PiiConfidence): boolean {
  return CONFIDENCE_RANK[c] >= CONFIDENCE_RANK[min];
}

function raise(c: PiiConfidence): PiiConfidence {
  return RANKED[Math.min(2, CONFIDENCE_RANK[c] + 1)];
}

// ---- column names -------------------------------------------------------------------------------------------

/** Column-name words that say what a column holds (split on `_`, `-`, spaces and camelCase). */
export const COLUMN_HINTS: Record<PiiEntity, RegExp> = {
  email: /^(e?mail|emails|email_?address|mail_?address)$|^e_mail$/,
  phone: /^(phone|phones|telephone|tel|mobile|cell|cellphone|fax|msisdn|phone_?number|contact_?number)$/,
  'us-ssn': /^(ssn|ssns|social_security|social_security_number|sozialversicherungsnummer)$/,
  'credit-card': /^(card|cc|ccn|pan|credit_card|card_number|cc_number|creditcard|cardnumber)$/,
  iban: /^(iban|ibans|bank_account|account_number)$/,
  ipv4: /^(ip|ipv4|ip_address|ip_addr|client_ip|remote_addr|src_ip|dst_ip|source_ip|ipaddress)$/,
  ipv6: /^(ip|ipv6|ip_address|ip_addr|client_ip|remote_addr|src_ip|dst_ip|source_ip|ipaddress)$/,
  'date-of-birth': /^(dob|birth|birthday|birthdate|date_of_birth|birth_date|born|bday|geburtsdatum)$/,
};

/** Which entities a column's name announces. Exported for rules that report per column. */
const columnCache = new Map<string, Set<PiiEntity>>();
const NO_HINTS = new Set<PiiEntity>();

export function columnEntities(columnName: string | undefined): Set<PiiEntity> {
  if (!columnName) return NO_HINTS;
  let out = columnCache.get(columnName);
  if (out) return out;
  out = hintsOf(columnName);
  if (columnCache.size < 10_000) columnCache.set(columnName, out);
  return out;
}

function hintsOf(columnName: string): Set<PiiEntity> {
  const out = new Set<PiiEntity>();
  const norm = columnName.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  const words = norm.split('_');
  // The whole name, each word, and each pair of adjacent words (so `customer_email_address` and `user_dob` match).
  const candidates = new Set<string>([norm, ...words]);
  for (let i = 0; i + 1 < words.length; i++) candidates.add(`${words[i]}_${words[i + 1]}`);
  for (let i = 0; i + 2 < words.length; i++) candidates.add(`${words[i]}_${words[i + 1]}_${words[i + 2]}`);
  for (const [entity, re] of Object.entries(COLUMN_HINTS) as [PiiEntity, RegExp][]) {
    for (const c of candidates) if (re.test(c)) { out.add(entity); break; }
  }
  return out;
}

// ---- validators (exported: the corpus checks run them on labelled values) ----------------------------------

/** Luhn (ISO/IEC 7812-1) over a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * Card networks by issuer prefix and length. Ranges from the networks' published IIN tables as summarised on
 * Wikipedia's "Payment card number" page: Mastercard's 2221–2720 series (2017), 19-digit Visa, Discover, JCB
 * and UnionPay numbers, and Maestro's 12–19 digits are included.
 */
const CARD_NETWORKS: { name: string; test: (d: string) => boolean; lengths: number[] }[] = [
  { name: 'visa', test: (d) => d[0] === '4', lengths: [13, 16, 19] },
  { name: 'mastercard', test: (d) => inRange(d, 2, 51, 55) || inRange(d, 4, 2221, 2720), lengths: [16] },
  { name: 'amex', test: (d) => inRange(d, 2, 34, 34) || inRange(d, 2, 37, 37), lengths: [15] },
  { name: 'discover', test: (d) => d.startsWith('6011') || d.startsWith('65') || inRange(d, 3, 644, 649)
      || inRange(d, 6, 622126, 622925), lengths: [16, 17, 18, 19] },
  { name: 'jcb', test: (d) => inRange(d, 4, 3528, 3589), lengths: [16, 17, 18, 19] },
  { name: 'jcb-legacy', test: (d) => d.startsWith('1800') || d.startsWith('2131'), lengths: [15] },
  { name: 'diners', test: (d) => inRange(d, 3, 300, 305) || d.startsWith('36') || d.startsWith('38')
      || d.startsWith('39') || d.startsWith('3095'), lengths: [14, 15, 16, 17, 18, 19] },
  { name: 'unionpay', test: (d) => d.startsWith('62') || d.startsWith('81'), lengths: [16, 17, 18, 19] },
  { name: 'maestro', test: (d) => /^(50|5[6-9]|6)/.test(d), lengths: [12, 13, 14, 15, 16, 17, 18, 19] },
  { name: 'mir', test: (d) => inRange(d, 4, 2200, 2204), lengths: [16, 17, 18, 19] },
];

function inRange(d: string, n: number, lo: number, hi: number): boolean {
  const v = Number(d.slice(0, n));
  return d.length >= n && v >= lo && v <= hi;
}

/** The card network a Luhn-valid number belongs to, or undefined. */
export function cardNetwork(digits: string): string | undefined {
  if (!luhnValid(digits)) return undefined;
  return CARD_NETWORKS.find((n) => n.test(digits) && n.lengths.includes(digits.length))?.name;
}

/**
 * The digits of a value that is nothing but a card-shaped number (12–19 digits, optionally grouped by spaces or
 * by dashes), else undefined. A dataset column of such values is judged as a whole: about one random number in
 * ten passes Luhn, so a column of SKUs or ids yields "cards" unless most of its values are Luhn-valid.
 */
export function cardShapedValue(value: string): string | undefined {
  // One pass, no expression: data/pii asks this of every cell of every row that may hold PII. The same as
  // `^\d(?:[ -]?\d){11,18}$` on the trimmed value, with every separator the same character.
  const first = value.charCodeAt(0), last = value.charCodeAt(value.length - 1);
  const v = isDigitCode(first) && isDigitCode(last) ? value : value.trim();
  if (v.length < 12 || v.length > 37) return undefined;
  let digits = 0, sep = 0, afterDigit = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (isDigitCode(c)) { digits++; afterDigit = true; continue; }
    if ((c !== 32 && c !== 45) || !afterDigit || (sep !== 0 && c !== sep)) return undefined;
    sep = c;
    afterDigit = false;
  }
  if (!afterDigit || digits < 12 || digits > 19) return undefined;
  return sep === 0 ? v : v.split(String.fromCharCode(sep)).join('');
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** IBAN lengths per country, from the SWIFT IBAN Registry (release 99, 2025). */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30,
  KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20,
  MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
  RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** ISO 13616: known country, that country's length, and the mod-97 check (remainder 1). */
export function ibanValid(raw: string): boolean {
  const iban = raw.replace(/[ ]/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const moved = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const code = ch.charCodeAt(0);
    const v = code >= 65 ? String(code - 55) : ch;
    for (const digit of v) rem = (rem * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

/**
 * US SSN rules (SSA): area not 000, 666 or 900–999; group not 00; serial not 0000; and not the numbers the SSA
 * has published as invalid because they were used in advertising (078-05-1120, 219-09-9999).
 */
export function ssnValid(raw: string): boolean {
  const d = raw.replace(/[- ]/g, '');
  if (!/^\d{9}$/.test(d)) return false;
  const area = Number(d.slice(0, 3));
  if (area === 0 || area === 666 || area >= 900) return false;
  if (d.slice(3, 5) === '00' || d.slice(5) === '0000') return false;
  if (d === '078051120' || d === '219099999' || d === '123456789') return false;
  return true;
}

// ---- candidate finders ---------------------------------------------------------------------------------------

type Candidate = PiiMatch;

/**
 * The matches of a global expression in `text`, as `text.matchAll(re)` gives them, without the copy of the
 * expression matchAll makes on every call: a finder runs on every cell of a row that may hold PII, and on short
 * cells that copy cost three times the search (220 -> 63 ns per call). The matches are collected before any is
 * looked at, so a caller may use the same expression again meanwhile.
 */
function matchesOf(re: RegExp, text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(m);
    // An empty match moves on by one character (one code point with the u flag), as matchAll does.
    if (m[0].length === 0) re.lastIndex += re.unicode && (text.codePointAt(re.lastIndex) ?? 0) > 0xffff ? 2 : 1;
  }
  re.lastIndex = 0;
  return out;
}
type Finder = (text: string, hints: Set<PiiEntity>, out: Candidate[]) => void;

const EMAIL_RE = /(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])/g;
const SSN_RE = /(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w-])/g;
const SSN_BARE_RE = /(?<![\w-])\d{9}(?![\w-])/g;
const CARD_RE = /(?<![\w+-])\d(?:[ -]?\d){11,18}(?![\w-])/g;
const IBAN_RE = /(?<![\w])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}(?![\w])/g;
const IPV4_RE = /(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)/g;
const IPV6_RE = /(?<![\w:.])(?:[0-9A-Fa-f]{1,4}:|::?)(?:[0-9A-Fa-f]{0,4}:){1,7}[0-9A-Fa-f]{0,4}(?![\w:]|\.\d)/g;
// International (+CC …), NANP ((NXX) NXX-XXXX with an optional 1/001 prefix and extension), and European-style
// national numbers with a trunk 0; anything else shaped like digit groups is only a low-confidence candidate.
const PHONE_INTL_RE = /(?<![\w+])\+\d{1,3}(?:[ .-]?\(0\))?(?:[ .-]?\(?\d{1,5}\)?){2,6}(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?![\w])/g;
const PHONE_NANP_RE = /(?<![\w+-])(?:(?:\+?1|001)[ .-]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[.-])\d{3}[.-]\d{4}(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?!\w|-\d)/g;
const PHONE_TRUNK_RE = /(?<![\w+-])0\d{1,4}(?:[ .-]\d{2,8}){1,4}(?!\w|[.-]\d)/g;
const PHONE_LOOSE_RE = /(?<![\w+.-])\(?\d{2,4}\)?(?:[ .-]\d{2,4}){1,4}(?!\w|[.-]\d)/g;
const PHONE_BARE_RE = /(?<![\w+.-])\d{7,15}(?![\w-]|\.\d)/g;
const PHONE_CONTEXT_RE = /(?:phone|tel|call|mobile|cell|fax|contact|reach|dial|number|whatsapp|sms)\W{0,3}[\w ]{0,16}$/i;

const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';
const DATE_RE = new RegExp(
  `(?<![\\w/.-])(?:(?:19|20)\\d{2}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\\d|3[01])`
  + `|(?:0?[1-9]|[12]\\d|3[01])[/.-](?:0?[1-9]|[12]\\d|3[01])[/.-](?:19|20)?\\d{2}`
  + `|(?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)? ${MONTH},? (?:19|20)\\d{2}`
  + `|${MONTH} (?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)?,? (?:19|20)\\d{2})(?![\\w/-])`,
  'gi',
);
const DOB_CONTEXT_RE = /(?:born|birth|d\.?o\.?b\.?|birthday|geboren|née?)\W{0,3}(?:[\w]+\W{1,3}){0,3}$/i;

function push(out: Candidate[], entity: PiiEntity, m: RegExpExecArray, confidence: PiiConfidence): void {
  out.push({ entity, value: m[0], index: m.index, length: m[0].length, confidence });
}

function before(text: string, index: number, n = 40): string {
  return text.slice(Math.max(0, index - n), index);
}

const findEmail: Finder = (text, hints, out) => {
  if (!text.includes('@')) return;
  for (const m of matchesOf(EMAIL_RE, text)) {
    if (m[0].includes('..')) continue;
    push(out, 'email', m, 'high');
  }
};

const findSsn: Finder = (text, hints, out) => {
  for (const m of matchesOf(SSN_RE, text)) {
    if (!ssnValid(m[0])) continue;
    const context = /ssn|social|security/i.test(before(text, m.index!));
    push(out, 'us-ssn', m, m[1] === '-' || hints.has('us-ssn') || context ? 'high' : 'medium');
  }
  if (!hints.has('us-ssn')) return;
  for (const m of matchesOf(SSN_BARE_RE, text)) if (ssnValid(m[0])) push(out, 'us-ssn', m, 'medium');
};

const findCard: Finder = (text, hints, out) => {
  for (const m of matchesOf(CARD_RE, text)) {
    const seps = m[0].replace(/\d/g, '');
    if (seps && !/^( +|-+)$/.test(seps)) continue; // mixed separators: not how cards are written
    const digits = m[0].replace(/\D/g, '');
    if (digits.length < 12 || digits.length > 19 || !luhnValid(digits)) continue;
    if (/^(\d)\1+$/.test(digits)) continue;
    const network = cardNetwork(digits);
    let conf: PiiConfidence = network ? (digits.length >= 13 ? 'high' : 'medium') : 'low';
    if (hints.has('credit-card') || /card|credit|visa|mastercard|amex|cc/i.test(before(text, m.index!, 30))) {
      conf = raise(conf);
    }
    push(out, 'credit-card', m, conf);
  }
};

const findIban: Finder = (text, hints, out) => {
  for (const m of matchesOf(IBAN_RE, text)) {
    // A trailing word glued on by a space ("… GB29NWBK60161331926819 and") can make the candidate too long:
    // trim from the end while it does not validate.
    let value = m[0];
    while (value.length > 15 && !ibanValid(value)) {
      const cut = value.lastIndexOf(' ');
      if (cut < 0) break;
      value = value.slice(0, cut);
    }
    if (!ibanValid(value)) continue;
    out.push({ entity: 'iban', value, index: m.index!, length: value.length, confidence: 'high' });
  }
};

/**
 * IPv4 blocks that do not identify a person: IANA's special-purpose address registry (RFC 6890 and its updates):
 * "this network" 0/8, private 10/8, shared (CGNAT) 100.64/10, loopback 127/8, link-local 169.254/16, private
 * 172.16/12, IETF protocol assignments 192.0.0/24, documentation 192.0.2/24, 198.51.100/24 and 203.0.113/24,
 * private 192.168/16, benchmarking 198.18/15, multicast 224/4 and reserved 240/4 (with the broadcast address).
 */
const NON_PUBLIC_V4: ReadonlyArray<[string, number]> = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];

function v4Number(address: string): number | undefined {
  const p = address.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return undefined;
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

const NON_PUBLIC_V4_MASKS = NON_PUBLIC_V4.map(([base, bits]) => {
  const mask = (0xffffffff << (32 - bits)) >>> 0;
  return [(v4Number(base)! & mask) >>> 0, mask] as const;
});

/** True for an address that can be a person's: not private, loopback, link-local, documentation or reserved. */
export function ipv4Public(address: string): boolean {
  const n = v4Number(address);
  if (n === undefined) return false;
  return !NON_PUBLIC_V4_MASKS.some(([base, mask]) => ((n & mask) >>> 0) === base);
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail becomes two groups). */
function ipv6Groups(address: string): number[] | undefined {
  let a = address.toLowerCase().replace(/%.*$/, '');
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (v4) {
    const [, w, x, y, z] = v4.map(Number);
    a = `${a.slice(0, v4.index)}${((w << 8) | x).toString(16)}:${((y << 8) | z).toString(16)}`;
  }
  const halves = a.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== 8)) return undefined;
  const groups = [...head, ...Array(fill).fill('0'), ...tail].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

/**
 * True for an IPv6 address that can be a person's: not unspecified (::), loopback (::1), link-local fe80::/10,
 * unique-local fc00::/7, documentation 2001:db8::/32, multicast ff00::/8, nor an IPv4-mapped non-public address.
 */
export function ipv6Public(address: string): boolean {
  const g = ipv6Groups(address);
  if (!g) return false;
  if (g.slice(0, 7).every((x) => x === 0) && g[7] <= 1) return false;
  if ((g[0] & 0xffc0) === 0xfe80 || (g[0] & 0xfe00) === 0xfc00 || (g[0] & 0xff00) === 0xff00) return false;
  if (g[0] === 0x2001 && g[1] === 0x0db8) return false;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return ipv4Public(`${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`);
  }
  return true;
}

const findIpv4: Finder = (text, hints, out) => {
  if (!text.includes('.')) return;
  for (const m of matchesOf(IPV4_RE, text)) {
    if (!ipv4Public(m[0])) continue; // private, loopback, documentation…: not anyone's address
    const versiony = /(?:version|ver|v)\s?$/i.test(before(text, m.index!, 10));
    let conf: PiiConfidence = versiony ? 'low' : 'medium';
    if (hints.has('ipv4') || /\bip\b|address|addr|host|client/i.test(before(text, m.index!, 30))) conf = raise(conf);
    push(out, 'ipv4', m, conf);
  }
};

const findIpv6: Finder = (text, hints, out) => {
  if (!text.includes(':')) return;
  for (const m of matchesOf(IPV6_RE, text)) {
    if (!isIPv6(m[0]) || !ipv6Public(m[0])) continue;
    const groups = m[0].split(':').filter((g) => g.length > 0).length;
    const hasHexLetter = /[a-f]/i.test(m[0]);
    if (groups < 3 && !m[0].includes('::')) continue;
    let conf: PiiConfidence = groups >= 5 || (m[0].includes('::') && groups >= 3 && hasHexLetter) ? 'medium' : 'low';
    if (hints.has('ipv6')) conf = raise(conf);
    push(out, 'ipv6', m, conf);
  }
};

const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;

function phoneDigits(s: string): number {
  const main = s.replace(/\s?(?:x|ext\.?)\s?\d+$/i, '');
  return main.replace(/\D/g, '').length;
}

const findPhone: Finder = (text, hints, out) => {
  const hinted = hints.has('phone');
  const scan = (re: RegExp, base: PiiConfidence, min: number, max: number) => {
    for (const m of matchesOf(re, text)) {
      if (DOTTED_QUAD.test(m[0])) continue; // an IPv4 address (perhaps a private one, not reported), not a phone
      const n = phoneDigits(m[0]);
      if (n < min || n > max) continue;
      let conf = base;
      if (hinted || PHONE_CONTEXT_RE.test(before(text, m.index!))) conf = raise(conf);
      push(out, 'phone', m, conf);
    }
  };
  scan(PHONE_INTL_RE, 'high', 8, 15);
  scan(PHONE_NANP_RE, 'medium', 10, 14);
  scan(PHONE_TRUNK_RE, 'medium', 9, 12);
  scan(PHONE_LOOSE_RE, 'low', 7, 12);
  if (hinted) scan(PHONE_BARE_RE, 'low', 7, 15);
};

const findDob: Finder = (text, hints, out) => {
  const hinted = hints.has('date-of-birth');
  for (const m of matchesOf(DATE_RE, text)) {
    if (hinted) { push(out, 'date-of-birth', m, 'high'); continue; }
    if (DOB_CONTEXT_RE.test(before(text, m.index!, 40))) push(out, 'date-of-birth', m, 'medium');
  }
};

interface Shape { digits: number; at: boolean; colon: boolean; dot: boolean; letters: boolean; onlyDigits: boolean }

function shapeOf(text: string): Shape {
  let digits = 0, at = false, colon = false, dot = false, letters = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 64) at = true;
    else if (c === 58) colon = true;
    else if (c === 46) dot = true;
    else if ((c | 32) >= 97 && (c | 32) <= 122) letters = true;
  }
  return { digits, at, colon, dot, letters, onlyDigits: digits === text.length };
}

/** Cheap necessary conditions, so that a numeric id column does not run every pattern on every row. */
function worthTrying(e: PiiEntity, text: string, s: Shape, hints: Set<PiiEntity>): boolean {
  if (hints.has(e)) return true;
  switch (e) {
    case 'email': return s.at && s.dot && s.letters && text.length >= 6; // a@b.co at the least
    case 'ipv6': return s.colon;
    case 'ipv4': return s.dot && s.digits >= 4;
    case 'iban': return s.letters && s.digits >= 9;
    case 'credit-card': return s.digits >= 12;
    case 'us-ssn': return s.digits >= 9 && !s.onlyDigits;
    case 'phone': return s.digits >= 7 && !s.onlyDigits;
    case 'date-of-birth': return s.digits >= 4 && s.letters && /born|birth|d\.?o\.?b|geboren|née?/i.test(text);
  }
}

/**
 * A necessary condition for findPii to find anything in `text`: true whenever some finder could match (and
 * often when none does). A few regular expressions over a row's raw text cost far less than parsing the row
 * and running the finders over each of its cells, and most rows of most datasets fail them all. What each
 * stands for: `@` emails; `+digit` international phones; two colons with at most four hex digits between them
 * IPv6; two letters, two digits and eleven more characters IBANs; the words a date of birth needs around it;
 * and from a digit: `d.d.d.d` IPv4, `dd[).- ]dd` every grouped phone shape (NANP, trunk, loose) and SSNs,
 * twelve digits with optional single separators cards. Raw rows can hide a value from these shapes in two
 * ways, both let through: a JSON escape (`\u0040` is `@`) and a number in exponent form (`4.1e15`).
 * `hinted`: the text may sit under a column whose name announces an entity, which lets bare runs of seven
 * digits (phones, SSNs) and dates (`1984-3-5`, `12/03/84`, and month-name forms, which all carry a 19xx or
 * 20xx year) through as well. Several simple expressions run faster than their union (V8 then looks for one
 * set of first characters at a time). Property tests hold this function to findPii.
 */
const MAY_HOLD_PII: readonly RegExp[] = [
  /[@\\]|\+\d|:[0-9A-Fa-f]{0,4}:/,
  /[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11}/,
  /born|birth|d\.?o\.?b|geboren|née?/i,
  /\d(?:\.\d{1,3}\.\d{1,3}\.\d|\d\)?[ .-]\d{2}|(?:[ -]?\d){11}|[eE][+-]?\d)/,
];
const MAY_HOLD_HINTED_PII: readonly RegExp[] = [
  ...MAY_HOLD_PII.slice(0, 3),
  /\d(?:[/.-]\d|\d\)?[ .-]\d{2}|(?:[ -]?\d){11}|[eE][+-]?\d|\d{6})|(?:19|20)\d\d/,
];

/**
 * Words that every column name announcing a phone number, an SSN or a date of birth holds (in any case): the
 * entities whose column lets through shapes that mayHoldPii otherwise does not (bare digit runs, dates). A
 * column named for an email, IBAN, IP address or card number changes confidence only: its values need the
 * plain shapes. Text without any of these words cannot name such a column (JSON Lines keys are in the text;
 * an escaped one has a backslash, which mayHoldPii lets through anyway). Tested against COLUMN_HINTS.
 */
export const HINTED_SHAPE_WORDS = /phone|tel|mobile|cell|fax|msisdn|contact|ssn|social|sozialversicherungsnummer|dob|birth|born|bday|geburtsdatum/i;

/** HINTED_SHAPE_WORDS searched in bytes (piiHits with `hinted: 'when-named'`); tests hold it to the expression. */
const HINTED_WORDS = new AsciiWords(HINTED_SHAPE_WORDS.source.split('|'));

export function mayHoldPii(text: string, opts: { hinted?: boolean } = {}): boolean {
  for (const re of opts.hinted ? MAY_HOLD_HINTED_PII : MAY_HOLD_PII) if (re.test(text)) return true;
  return false;
}

/**
 * Where in `text` (many rows at once) mayHoldPii would say yes, line by line: a sorted list holding one offset
 * inside each line that one of its expressions matches, and none inside any other line (no expression matches
 * across a line end, so a row may hold PII exactly when a hit lies inside it). Sound as a row filter
 * (src/formats/row-filter.ts); property tests hold it to mayHoldPii line by line. `hinted: 'when-named'` is
 * hinted when the text holds a word of HINTED_SHAPE_WORDS (so may name such a column), plain otherwise.
 *
 * Written by hand rather than running the expressions over the chunk: one pass that looks only at the few
 * characters that can be part of a match's start (digits, `@ \\ + :`, the b of each word, the é of né) and then
 * skips to the line's end once the line is in. Each expression is deterministic (no choice its engine would
 * backtrack into), so each check below is a straight walk forward.
 *
 * The pass runs over the text's UTF-8 bytes, not its characters: every character the expressions name is ASCII
 * (é excepted, seen as its two bytes), and any other character is bytes of 0x80 and up, which stand for none of
 * them, so a check reads the same on either. On bytes, four at a time can be ruled out with two lookups (most
 * bytes of most datasets are letters and spaces that begin nothing). On the CSV of the benchmark: ~580 ms per
 * 150 MB over the characters, ~270 ms over the bytes, the copy to bytes included; four expressions: ~2.5 s.
 */
export function piiHits(text: string, opts: { hinted?: boolean | 'when-named' } = {}): number[] {
  const n = text.length;
  if (kernel === undefined) kernel = PiiScan.create() ?? null;
  // The WebAssembly kernel when it can take the text (src/wasm/pii-scan.ts), else the same pass in JavaScript.
  const room = kernel && (3 * n <= MAX_INPUT ? kernel.room(3 * n) : kernel.room(Buffer.byteLength(text, 'utf8')));
  if (room) {
    const size = room.write(text, 0, 'utf8');
    const bytes = room.subarray(0, size);
    const hinted = opts.hinted === 'when-named' ? HINTED_WORDS.in(bytes) : opts.hinted === true;
    const hits = kernel!.hits(size, hinted);
    return size === n ? hits : toUnitOffsets(bytes, hits);
  }
  return piiHitsJs(text, opts);
}

/** The kernel, once made; null where it cannot run. */
let kernel: PiiScan | null | undefined;

/** piiHits without the WebAssembly kernel (the fallback, and the reference tests hold the kernel to). */
export function piiHitsJs(text: string, opts: { hinted?: boolean | 'when-named' } = {}): number[] {
  const n = text.length;
  // With room to spare: texts a little longer each time (a piece and a carried partial row) then reuse it.
  if (scratch.length < 3 * n) scratch = Buffer.allocUnsafeSlow(3 * n + 64 * 1024);
  const size = scratch.write(text, 0, 'utf8');
  const bytes = scratch.subarray(0, size);
  const hinted = opts.hinted === 'when-named' ? HINTED_WORDS.in(bytes) : opts.hinted === true;
  const hits = bytesHits(bytes, hinted);
  // A large scratch (a long record) is not kept for the texts of ordinary size that follow.
  if (scratch.length > KEEP_SCRATCH) scratch = Buffer.alloc(0);
  // One byte per character: the text is ASCII, and byte offsets are its offsets.
  return size === n ? hits : toUnitOffsets(bytes, hits);
}

/** A reused buffer for the text's bytes (at most three per UTF-16 unit); its own memory, so 4-byte aligned. */
let scratch = Buffer.alloc(0);
const KEEP_SCRATCH = 4 * 1024 * 1024;

/** Sorted byte offsets of character starts in `bytes` (valid UTF-8), as offsets in the decoded UTF-16 text. */
function toUnitOffsets(bytes: Uint8Array, hits: number[]): number[] {
  let units = 0, at = 0;
  for (let h = 0; h < hits.length; h++) {
    for (; at < hits[h]; at++) {
      const b = bytes[at];
      if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1;
    }
    hits[h] = units;
  }
  return hits;
}

/** piiHits over UTF-8 bytes: the byte offsets of its hits. */
function bytesHits(s: Uint8Array, hinted: boolean): number[] {
  const out: number[] = [];
  const n = s.length;
  // Whole 32-bit words of `s`, for skipping four bytes that begin nothing at once (little-endian or not: a
  // word is boring when both of its 16-bit halves are, whichever byte is which).
  const words = s.byteOffset % 4 === 0 ? new Uint32Array(s.buffer, s.byteOffset, n >>> 2) : undefined;
  // The last run of digits ended just before prevEnd; `chain` digits lead up to it, runs joined by single
  // spaces or dashes (card numbers: (?:[ -]?\d){11} after a digit).
  let prevEnd = -2, chain = 0;
  for (let i = 0; i < n; i++) {
    if (words && (i & 3) === 0) {
      let w = i >>> 2;
      while (w < words.length && (BORING_PAIR[words[w] & 0xffff] & BORING_PAIR[words[w] >>> 16]) === 1) w++;
      if (w << 2 > i) {
        i = w << 2;
        if (i >= n) break;
      }
    }
    const k = BYTE_CLASS[s[i]];
    if (k === 0) continue;
    if (k === K_DIGIT) {
      // A whole run of digits at once: every digit expression depends only on the run's length, what comes
      // just before its start and what comes after its end (and, for years, on the digits themselves).
      let e = i + 1;
      while (e < n && isDigit(s[e])) e++;
      const sep = s[i - 1];
      chain = i === prevEnd + 1 && (sep === 32 || sep === 45) ? chain + e - i : e - i;
      prevEnd = e;
      if (chain < 12 && !runHit(s, i, e, hinted)) { i = e - 1; continue; }
    } else if (k === K_E_LEAD) {
      // né (née): seen from its é (C3 A9) or É (C3 89), rarer than its n
      const next = s[i + 1];
      if ((next !== 0xa9 && next !== 0x89) || (s[i - 1] | 32) !== 110) continue;
    } else if (!otherHit(s, i, k)) continue;
    out.push(i);
    const nl = s.indexOf(10, i);
    if (nl < 0) break;
    i = nl;
  }
  return out;
}

const K_DIGIT = 1, K_AT = 2, K_PLUS = 3, K_COLON = 4, K_B = 5, K_E_LEAD = 6;
/** What each byte may begin or end: 0 nothing (most letters, spaces, punctuation, bytes of other characters). */
const BYTE_CLASS = (() => {
  const t = new Uint8Array(256);
  for (let c = 48; c <= 57; c++) t[c] = K_DIGIT;
  t[64] = K_AT; t[92] = K_AT; t[43] = K_PLUS; t[58] = K_COLON;
  t[98] = K_B; t[66] = K_B; t[0xc3] = K_E_LEAD;
  return t;
})();
/** By two bytes (a 16-bit value): 1 when neither begins anything. */
const BORING_PAIR = (() => {
  const t = new Uint8Array(65536);
  for (let x = 0; x < 65536; x++) t[x] = BYTE_CLASS[x & 0xff] === 0 && BYTE_CLASS[x >>> 8] === 0 ? 1 : 0;
  return t;
})();

// The helpers below read bytes past either end of `s` as undefined, which none of their tests accept (and
// `undefined | 32` is 32, no letter): the same as the end of the text.
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122);
}

function isLetter(c: number): boolean {
  return (c | 32) >= 97 && (c | 32) <= 122;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102);
}

/**
 * mayHoldPii's digit expressions, but for card chains, at the run of digits [start, end): `\d\d\)?[ .-]\d{2}`
 * (phones, SSNs), `[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11}` (IBANs, from their check digits), `\d\.\d{1,3}\.\d{1,3}\.\d`
 * (IPv4), `\d[eE][+-]?\d` (exponents); hinted: also `\d[/.-]\d`, seven digits, and `(?:19|20)\d\d`.
 */
function runHit(s: Uint8Array, start: number, end: number, hinted: boolean): boolean {
  const len = end - start;
  const after = s[end];
  if (len >= 2) {
    let j = end;
    if (after === 41) j++;
    const sep = s[j];
    if ((sep === 32 || sep === 46 || sep === 45) && isDigit(s[j + 1]) && isDigit(s[j + 2])) return true;
    if (start >= 2 && isLetter(s[start - 1]) && isLetter(s[start - 2])) {
      let p = start + 2, m = 0;
      for (; m < 11; m++) {
        if (s[p] === 32) p++;
        if (!isAlnum(s[p])) break;
        p++;
      }
      if (m === 11) return true;
    }
    if (hinted) {
      if (len >= 7) return true;
      for (let p = start; p + 4 <= end; p++) {
        const a = s[p], b = s[p + 1];
        if ((a === 49 && b === 57) || (a === 50 && b === 48)) return true;
      }
    }
  }
  if (after === 46) {
    if (hinted) return isDigit(s[end + 1]);
    let p = end;
    for (let part = 0; part < 2; part++) {
      let k = 0;
      while (k < 4 && isDigit(s[p + 1 + k])) k++;
      if (k < 1 || k > 3 || s[p + 1 + k] !== 46) return false;
      p += 1 + k;
    }
    return isDigit(s[p + 1]);
  }
  if (after === 101 || after === 69) {
    const a = s[end + 1];
    return isDigit(a) || ((a === 43 || a === 45) && isDigit(s[end + 2]));
  }
  if (hinted && (after === 45 || after === 47)) return isDigit(s[end + 1]);
  return false;
}

/** The bytes other than digits that may start a match: `@ \\ +\d :hex{0,4}:` and the words. */
function otherHit(s: Uint8Array, i: number, k: number): boolean {
  switch (k) {
    case K_AT: return true;
    case K_PLUS: return isDigit(s[i + 1]);
    case K_COLON: {
      let m = 0;
      while (m < 5 && isHex(s[i + 1 + m])) m++;
      return m <= 4 && s[i + 1 + m] === 58;
    }
    case K_B: {
      // Every word has a b: born, birth, geboren, and d.o.b with or without its dots, seen from it.
      if (wordAt(s, i + 1, 'orn') || wordAt(s, i + 1, 'irth')) return true;
      if (wordAt(s, i + 1, 'oren') && wordAt(s, i - 2, 'ge')) return true;
      let p = i - 1;
      if (s[p] === 46) p--;
      if ((s[p] | 32) !== 111) return false;
      p--;
      if (s[p] === 46) p--;
      return (s[p] | 32) === 100;
    }
    default: return false;
  }
}

/** `word` (lower-case ASCII letters) at `at`, in either case. */
function wordAt(s: Uint8Array, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if ((s[at + k] | 32) !== word.charCodeAt(k)) return false;
  return true;
}

const FINDERS: Record<PiiEntity, Finder> = {
  email: findEmail, 'credit-card': findCard, iban: findIban, 'us-ssn': findSsn, ipv6: findIpv6, ipv4: findIpv4,
  'date-of-birth': findDob, phone: findPhone,
};

/** When two candidates overlap, the one earlier in this list wins (checksummed formats before shapes). */
const PRIORITY: PiiEntity[] = ['email', 'iban', 'credit-card', 'us-ssn', 'ipv6', 'ipv4', 'date-of-birth', 'phone'];

/**
 * Every PII match in `text`, sorted by index, non-overlapping. `entities` limits the search; `columnName`
 * (a dataset column's or a labelled field's name) raises the confidence of the entities it announces and lets
 * weaker shapes through (bare 9-digit SSNs in an `ssn` column, dates in a `dob` column).
 */
export function findPii(text: string, opts: PiiOptions = {}): PiiMatch[] {
  return text.length <= PII_WINDOW + 2 * PII_CONTEXT ? findPiiIn(text, opts) : [...windows(text, opts)];
}

export interface PiiOptions { entities?: readonly PiiEntity[]; columnName?: string }

/** A long text is searched in windows of this many characters, each with PII_CONTEXT on either side. */
export const PII_WINDOW = 64 * 1024;
/** Longer than any match and the text a finder looks at around one (an email is at most 320 characters). */
const PII_CONTEXT = 1024;

/**
 * findPii's matches one at a time. A text longer than a window (a huge cell, a long document) is searched a
 * window at a time: each window's finders see PII_CONTEXT characters on either side of it, and it keeps the
 * matches that start inside it, so memory and time stay linear in the text (a 7 MB cell of phone numbers held
 * 900,000 candidates at once). Where two matches overlap across a window's edge, each window settles them
 * from what it sees, which is the whole neighbourhood of both.
 */
export function eachPii(text: string, opts: PiiOptions = {}): Iterable<PiiMatch> {
  return text.length <= PII_WINDOW + 2 * PII_CONTEXT ? findPiiIn(text, opts) : windows(text, opts);
}

function* windows(text: string, opts: PiiOptions): Generator<PiiMatch> {
  for (let start = 0; start < text.length; start += PII_WINDOW) {
    const from = Math.max(0, start - PII_CONTEXT);
    const end = Math.min(text.length, start + PII_WINDOW);
    for (const m of findPiiIn(text.slice(from, Math.min(text.length, end + PII_CONTEXT)), opts)) {
      const index = m.index + from;
      if (index >= start && index < end) yield { ...m, index };
    }
  }
}

/** findPii over the whole text at once, without windows (eachPii's windows; tests compare the two). */
export function findPiiIn(text: string, opts: PiiOptions = {}): PiiMatch[] {
  const shape = shapeOf(text);
  // Emails need an '@', IPv6 a ':', everything else at least 4 digits: most cells of most datasets stop here.
  if (!shape.at && !shape.colon && shape.digits < 4) return [];
  const entities = opts.entities ?? PII_ENTITIES;
  const hints = columnEntities(opts.columnName);
  const candidates: Candidate[] = [];
  for (const e of PRIORITY) if (entities.includes(e) && worthTrying(e, text, shape, hints)) FINDERS[e](text, hints, candidates);
  if (candidates.length === 0) return [];
  // A hinted entity goes first (in a `phone` column a 3-3-4 number is a phone), then confidence, then PRIORITY.
  const rank = (c: Candidate) => (hints.has(c.entity) ? -100 : 0) - CONFIDENCE_RANK[c.confidence] * 10
    + PRIORITY.indexOf(c.entity);
  candidates.sort((a, b) => rank(a) - rank(b) || b.length - a.length || a.index - b.index);
  return nonOverlapping(candidates, text.length).sort((a, b) => a.index - b.index);
}

/**
 * The candidates (in the order they win) that overlap none taken before them. Few are compared pairwise; many
 * (a long cell full of numbers) are marked on the text's offsets, so that each costs its length, not the
 * number taken so far: a 7 MB cell of phone numbers took minutes pairwise.
 */
export function nonOverlapping<C extends { index: number; length: number }>(candidates: readonly C[], textLength: number): C[] {
  const taken: C[] = [];
  // Empty candidates (no finder makes one) are points the marks cannot hold: those lists go pairwise, exactly.
  if (candidates.length <= 32 || candidates.some((c) => c.length <= 0)) {
    for (const c of candidates) if (!taken.some((t) => c.index < t.index + t.length && t.index < c.index + c.length)) taken.push(c);
    return taken;
  }
  const used = new Uint8Array(textLength);
  for (const c of candidates) {
    let free = true;
    for (let k = c.index; k < c.index + c.length; k++) if (used[k] === 1) { free = false; break; }
    if (!free) continue;
    used.fill(1, c.index, c.index + c.length);
    taken.push(c);
  }
  return taken;
}
